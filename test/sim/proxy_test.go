package sim_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// TestProxyTunnelsToWorkspaces is how a separate process (the StackQL
// engine with --http.proxy.*) reaches the simulator: plain net/http with a
// proxy URL and the CA, and the production URL unchanged.
func TestProxyTunnelsToWorkspaces(t *testing.T) {
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ws, err := srv.AddWorkspace("dbc-proxy", sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bearer := ws.AddUser("user@example.com")
	proxy, err := srv.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(srv.CAPEM())
	client := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: proxy.Addr()}),
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}}
	defer client.CloseIdleConnections()

	for _, tc := range []struct {
		url        string
		wantStatus int
		wantErr    string
	}{
		{"https://dbc-proxy.cloud.databricks.com/api/2.0/token/list", 200, ""},
		{"https://dbc-unknown.cloud.databricks.com/api/2.0/token/list", 0, "Bad Gateway"},
	} {
		req, _ := http.NewRequest("GET", tc.url, nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := client.Do(req)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v, want %q", tc.url, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantStatus || string(body) != "{}" {
			t.Errorf("%s: %d %s", tc.url, resp.StatusCode, body)
		}
	}
}

// TestProxyTunnelsOnlyToWorkspaces: the proxy is reachable by any local
// process, so it must not become a way to any address and port; only served
// workspace names get a tunnel.
func TestProxyTunnelsOnlyToWorkspaces(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sim.Config{})
	if _, err := srv.AddWorkspace("dbc-proxy", sim.WorkspaceOptions{}); err != nil {
		t.Fatal(err)
	}
	proxy, err := srv.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	port := strconv.Itoa(srv.Port())

	for _, tc := range []struct {
		target string
		want   int
	}{
		{"dbc-proxy.cloud.databricks.com:443", 200},
		{"DBC-PROXY.cloud.databricks.com.:8443", 200},
		{"dbc-unknown.cloud.databricks.com:443", 502},
		{"dbc-proxy.cloud.databricks.com", 502}, // no port
		{"127.0.0.1:" + port, 502},
		{"localhost:" + port, 502},
		{"[::1]:" + port, 502},
		{proxy.Addr(), 502},
		{"example.com:443", 502},
	} {
		if got := connectStatus(t, proxy.Addr(), tc.target); got != tc.want {
			t.Errorf("CONNECT %s: %d, want %d", tc.target, got, tc.want)
		}
	}
}

// connectStatus sends one CONNECT for target to the proxy and returns the status.
func connectStatus(t *testing.T, proxyAddr, target string) int {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: target}, Host: target, Header: http.Header{}}
	if err := req.Write(c); err != nil {
		t.Fatalf("CONNECT %s: %v", target, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatalf("CONNECT %s: %v", target, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestCloseEndsIdleTunnels: a keep-alive client (the StackQL engine) never
// hangs up its tunnel, so closing the server (Ctrl-C on make sim) must close
// it rather than wait for the client.
func TestCloseEndsIdleTunnels(t *testing.T) {
	t.Parallel()
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := srv.AddWorkspace("dbc-proxy", sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := srv.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	srv.OnClose(func() { proxy.Close() }) // as cmd/sim does

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(srv.CAPEM())
	client := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: proxy.Addr()}),
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}}
	// Unblocks a Close that waits for the client, so a failure does not hang the run.
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "https://dbc-proxy.cloud.databricks.com"+sim.PathList, nil)
	req.Header.Set("Authorization", "Bearer "+ws.AddUser(userName))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close() // the tunnel now idles in the client's pool

	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second): // a failure guard, not synchronisation
		t.Fatal("Server.Close still waits for a client holding an idle tunnel")
	}
}
