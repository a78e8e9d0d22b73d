package sim_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
