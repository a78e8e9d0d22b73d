package sim_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

func TestUnknownHostFailsLikeDNS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	for _, host := range []string{"dbc-nope.cloud.databricks.com", "a.b.cloud.databricks.com", "example.com"} {
		_, err := send(t.Context(), f.client, "GET", "https://"+host+"/api/2.0/token/list", f.bearer, "")
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || dnsErr.Name != host || dnsErr.Err != "no such host" {
			t.Errorf("GET https://%s: %v, want a not-found DNS error for %q", host, err, host)
		}
	}
	if got := f.srv.PendingFaults(); got != 0 || len(f.srv.Requests()) != 0 {
		t.Errorf("a request for an unknown host reached the server: %+v", f.srv.Requests())
	}
}

func TestAnyPortReachesTheWorkspace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	for _, url := range []string{
		wsURL,
		"https://" + strings.ToUpper(wsName) + ".cloud.databricks.com:8443",
		fmt.Sprintf("https://%s.cloud.databricks.com:%d", wsName, f.srv.Port()),
	} {
		if got := call(t, f.client, "GET", url+"/api/2.0/token/list", f.bearer, ""); got.status != 200 {
			t.Errorf("GET %s: %d %s", url, got.status, got.body)
		}
	}
	for _, r := range f.srv.Requests() {
		if r.Host != wsName+".cloud.databricks.com" {
			t.Errorf("logged host %q, want it without port and in lower case", r.Host)
		}
	}
}

// TestServerRefusesUnknownNames covers clients that bypass the dialer.
func TestServerRefusesUnknownNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	if _, err := f.srv.AddWorkspace("dbc-second", sim.WorkspaceOptions{}); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(f.srv.CAPEM())

	t.Run("handshake", func(t *testing.T) {
		tests := []struct {
			serverName string
			wantErr    bool
		}{
			{serverName: wsName + ".cloud.databricks.com"},
			{serverName: "dbc-second.cloud.databricks.com"},
			{serverName: "localhost"},
			{serverName: "dbc-nope.cloud.databricks.com", wantErr: true},
			{serverName: "example.com", wantErr: true},
		}
		for _, tt := range tests {
			conn, err := tls.Dial("tcp", f.srv.Addr(), &tls.Config{ServerName: tt.serverName, RootCAs: pool})
			if err == nil {
				conn.Close()
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("handshake for %q: err = %v, want error %v", tt.serverName, err, tt.wantErr)
			}
		}
	})

	t.Run("host header", func(t *testing.T) {
		const misdirected = `{"error_code":"MISDIRECTED_REQUEST","message":`
		tests := []struct {
			serverName, host string
			wantStatus       int
			wantBody         string
		}{
			{serverName: wsName + ".cloud.databricks.com", host: wsName + ".cloud.databricks.com", wantStatus: 401},
			{serverName: "", host: wsName + ".cloud.databricks.com", wantStatus: 401}, // no SNI: the Host decides
			{serverName: "localhost", host: "localhost", wantStatus: 421,
				wantBody: misdirected + `"No workspace is served at localhost."}`},
			{serverName: wsName + ".cloud.databricks.com", host: "dbc-second.cloud.databricks.com", wantStatus: 421,
				wantBody: misdirected + `"Host dbc-second.cloud.databricks.com does not match the TLS server name ` + wsName + `.cloud.databricks.com."}`},
			{serverName: "", host: "dbc-nope.cloud.databricks.com", wantStatus: 421,
				wantBody: misdirected + `"No workspace is served at dbc-nope.cloud.databricks.com."}`},
		}
		for _, tt := range tests {
			status, body := rawGet(t, f.srv.Addr(), &tls.Config{ServerName: tt.serverName, RootCAs: pool, InsecureSkipVerify: tt.serverName == ""}, tt.host)
			if status != tt.wantStatus || (tt.wantBody != "" && body != tt.wantBody) {
				t.Errorf("SNI %q Host %q:\n got: %d %s\nwant: %d %s", tt.serverName, tt.host, status, body, tt.wantStatus, tt.wantBody)
			}
		}
	})
}

// rawGet sends GET /api/2.0/token/list with a chosen Host over a chosen TLS config.
func rawGet(t *testing.T, addr string, cfg *tls.Config, host string) (int, string) {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/2.0/token/list HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
	return resp.StatusCode, b.String()
}

func TestCAFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ca.pem")
	srv := startServer(t, sim.Config{CAFile: path})
	if _, err := srv.AddWorkspace(wsName, sim.WorkspaceOptions{}); err != nil {
		t.Fatal(err)
	}
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read CA file: %v", err)
	}
	if string(pemBytes) != string(srv.CAPEM()) || !strings.HasPrefix(string(pemBytes), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("CA file differs from CAPEM or is not PEM:\n%s", pemBytes)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("CA file holds no certificate")
	}
	// The leaf must verify for the workspace name, localhost and 127.0.0.1 with only the CA.
	for _, name := range []string{wsName + ".cloud.databricks.com", "localhost", "127.0.0.1"} {
		sni := name
		if name == "127.0.0.1" {
			sni = "" // IP literals are not sent as SNI; verification still checks the IP SAN
		}
		conn, err := tls.Dial("tcp", srv.Addr(), &tls.Config{ServerName: sni, RootCAs: pool, VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: name, Roots: pool})
			return err
		}, InsecureSkipVerify: sni == ""})
		if err != nil {
			t.Errorf("verify the leaf for %q: %v", name, err)
			continue
		}
		conn.Close()
	}

	other := filepath.Join(t.TempDir(), "again.pem")
	if err := srv.WriteCA(other); err != nil {
		t.Errorf("WriteCA: %v", err)
	}
}

func TestPlain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{Plain: true}, sim.WorkspaceOptions{})
	if f.srv.CAPEM() != nil {
		t.Error("CAPEM is not nil on a plain server")
	}
	if err := f.srv.WriteCA(filepath.Join(t.TempDir(), "ca.pem")); err == nil {
		t.Error("WriteCA succeeded on a plain server")
	}
	if f.ws.URL() != "http://"+wsName+".cloud.databricks.com" {
		t.Errorf("URL() = %q", f.ws.URL())
	}
	if got := call(t, f.client, "GET", f.ws.URL()+"/api/2.0/token/list", f.bearer, ""); got.status != 200 || got.body != "{}" {
		t.Errorf("plain list: %d %s", got.status, got.body)
	}
}

func TestAddWorkspace(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sim.Config{Plain: true})
	tests := []struct {
		name    string
		opts    sim.WorkspaceOptions
		wantErr string
	}{
		{name: "a"},
		{name: "dbc-abcd0123-a1bc"},
		{name: strings.Repeat("x", 63)},
		{name: "0123"},
		{name: "adb-1234567890123456.7.azuredatabricks.net"},
		{name: "1234567890123456.7.gcp.databricks.com"},
		{name: "dbc-full.cloud.databricks.com"},
		{name: "", wantErr: `workspace "" is neither a DNS label`},
		{name: "-a", wantErr: `workspace "-a" is neither a DNS label`},
		{name: "a-", wantErr: `workspace "a-" is neither a DNS label`},
		{name: "Dbc", wantErr: `workspace "Dbc" is neither a DNS label`},
		{name: "a.b", wantErr: `workspace "a.b" is neither a DNS label`},
		{name: "a_b", wantErr: `workspace "a_b" is neither a DNS label`},
		{name: "x/../y", wantErr: `workspace "x/../y" is neither a DNS label`},
		{name: strings.Repeat("x", 64), wantErr: "is neither a DNS label"},
		{name: "a.b.cloud.databricks.com", wantErr: "is neither a DNS label"},
		{name: "adb-x.7.azuredatabricks.net", wantErr: "is neither a DNS label"},
		{name: "adb-1.7.azuredatabricks.net.evil.example", wantErr: "is neither a DNS label"},
		{name: "0.7.gcp.databricks.com", wantErr: "the workspace ID in the host is not a positive 64-bit integer"},
		{name: "99999999999999999999.7.gcp.databricks.com", wantErr: "is neither a DNS label"},
		{name: "adb-1234567890123456.8.azuredatabricks.net", opts: sim.WorkspaceOptions{WorkspaceID: 5}, wantErr: "workspace ID 5 differs from the 1234567890123456 its host carries"},
		{name: "neg-days", opts: sim.WorkspaceOptions{MaxTokenLifetimeDays: -1}, wantErr: `workspace "neg-days.cloud.databricks.com": negative max token lifetime -1`},
		{name: "neg-quota", opts: sim.WorkspaceOptions{QuotaPerUser: -1}, wantErr: `workspace "neg-quota.cloud.databricks.com": negative quota -1`},
		{name: "a", wantErr: `workspace "a.cloud.databricks.com" already exists`},
		{name: "a.cloud.databricks.com", wantErr: `workspace "a.cloud.databricks.com" already exists`},
	}
	for _, tt := range tests { // in order: the duplicate depends on the first case
		_, err := srv.AddWorkspace(tt.name, tt.opts)
		if tt.wantErr == "" && err != nil {
			t.Errorf("AddWorkspace(%q): %v", tt.name, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("AddWorkspace(%q): err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	if srv.Workspace("a") == nil || srv.Workspace("a.cloud.databricks.com") != srv.Workspace("a") || srv.Workspace("a_b") != nil {
		t.Error("Workspace lookup disagrees with AddWorkspace")
	}
	if ws := srv.Workspace("adb-1234567890123456.7.azuredatabricks.net"); ws == nil || ws.ID() != 1234567890123456 || ws.Cloud() != sim.Azure {
		t.Errorf("Azure workspace: %+v", ws)
	}
}

func TestRemoveWorkspace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	if !f.srv.RemoveWorkspace(wsName) || f.srv.RemoveWorkspace(wsName) {
		t.Fatal("RemoveWorkspace should report true once, then false")
	}
	_, err := send(t.Context(), f.client, "GET", wsURL+"/api/2.0/token/list", f.bearer, "")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Errorf("GET on a removed workspace: %v, want a DNS error", err)
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("first Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := net.Dial("tcp", srv.Addr()); err == nil {
		t.Error("the listener still accepts after Close")
	}
}

// TestEveryCloudOverTLS reaches an AWS, an Azure and a GCP workspace with the
// client's default certificate checks against the simulator's CA: each host name
// is covered by the leaf it is served.
func TestEveryCloudOverTLS(t *testing.T) {
	t.Parallel()
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	client := srv.Client()
	for _, host := range []string{
		"dbc-tls.cloud.databricks.com",
		"adb-1234567890123456.7.azuredatabricks.net",
		"1234567890123456.3.gcp.databricks.com",
	} {
		ws, err := srv.AddWorkspace(host, sim.WorkspaceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bearer := ws.AddUser("u@example.com")
		got := call(t, client, "GET", "https://"+host+"/api/2.0/token/list", bearer, "")
		if got.status != 200 || ws.Host() != host {
			t.Errorf("GET https://%s: %d %s (host %q)", host, got.status, got.body, ws.Host())
		}
	}
}
