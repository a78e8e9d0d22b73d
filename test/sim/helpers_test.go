package sim_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

const (
	wsName   = "dbc-abcd0123-a1bc"
	wsURL    = "https://" + wsName + ".cloud.databricks.com"
	userName = "user@example.com"
)

var (
	tokenIDRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	tokenValueRE = regexp.MustCompile(`^dapi[0-9a-f]{32}$`)
	// epoch is the test clock's start: 2024-05-17T21:42:18.473Z, a millisecond-precise instant.
	epoch = time.UnixMilli(1715982138473)
)

// fixture is one server with one workspace and one user, as most tests need.
type fixture struct {
	srv    *sim.Server
	ws     *sim.Workspace
	clock  *sim.Clock
	bearer string // the user's sign-in credential
	client *http.Client
}

func newFixture(t *testing.T, cfg sim.Config, opts sim.WorkspaceOptions) *fixture {
	t.Helper()
	clock := sim.NewClock(epoch)
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	srv := startServer(t, cfg)
	ws, err := srv.AddWorkspace(wsName, opts)
	if err != nil {
		t.Fatalf("AddWorkspace(%q): %v", wsName, err)
	}
	return &fixture{srv: srv, ws: ws, clock: clock, bearer: ws.AddUser(userName), client: srv.Client()}
}

func startServer(t *testing.T, cfg sim.Config) *sim.Server {
	t.Helper()
	srv, err := sim.Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// response is what a test observes of one exchange.
type response struct {
	status int
	header http.Header
	body   string
}

// call sends one request to url with bearer (none when empty) and reads the whole answer.
func call(t *testing.T, client *http.Client, method, url, bearer, body string) response {
	t.Helper()
	resp, err := send(context.Background(), client, method, url, bearer, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

func send(ctx context.Context, client *http.Client, method, url, bearer, body string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return response{}, err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}
