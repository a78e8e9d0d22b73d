package harness_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

const (
	listSQL   = "SELECT COUNT(*) AS n FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-retry.cloud.databricks.com'"
	createSQL = "INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, deployment_name) SELECT 'x', 'dbc-retry.cloud.databricks.com'"
)

// TestRetryPolicy runs the generated provider against the simulator: a
// GET answered 429 or 503 is retried after Retry-After (or a backoff), up
// to Retries times, never past MaxRetryWait; a POST is sent once.
func TestRetryPolicy(t *testing.T) {
	retryAfter := func(s string) http.Header { return http.Header{"Retry-After": {s}} }
	for _, tc := range []struct {
		name     string
		sql      string
		fault    sim.Fault
		retries  int
		statuses string        // what the simulator answered, in order
		err      string        // substring of the error; "" for success
		atLeast  time.Duration // the waits the policy owes
		below    time.Duration
	}{
		{name: "503 twice, then ok", sql: listSQL, fault: sim.Fault{Status: 503, Times: 2, Header: retryAfter("0")}, retries: 2,
			statuses: "503 503 200", below: 500 * time.Millisecond}, // no backoff: Retry-After says 0
		{name: "503 past the retries", sql: listSQL, fault: sim.Fault{Status: 503, Times: -1, Header: retryAfter("0")}, retries: 2,
			statuses: "503 503 503", err: "http 503 TEMPORARILY_UNAVAILABLE: The service is temporarily unavailable. Please try again later. (after 3 tries)", below: time.Second},
		{name: "Retry-After is waited", sql: listSQL, fault: sim.Fault{Status: 429, Header: retryAfter("1")}, retries: 1,
			statuses: "429 200", atLeast: time.Second, below: 2 * time.Second},
		{name: "no Retry-After: backoff from 250ms", sql: listSQL, fault: sim.Fault{Status: 503, Times: 2}, retries: 2,
			statuses: "503 503 200", atLeast: 750 * time.Millisecond, below: 1500 * time.Millisecond},
		{name: "Retry-After over the cap ends the retries", sql: listSQL, fault: sim.Fault{Status: 429, Times: -1, Header: retryAfter("11")}, retries: 2,
			statuses: "429", err: "(not retried: Retry-After 11s is over the 10s limit)", below: time.Second},
		{name: "a create answered 503 is sent once", sql: createSQL, fault: sim.Fault{Status: 503, Times: -1, Header: retryAfter("0")}, retries: 2,
			statuses: "503", err: "(not retried: it may have been created; check with SELECT on databricks_workspace.workspace.user_tokens before running it again)", below: time.Second},
		{name: "a create answered 429 is sent once", sql: createSQL, fault: sim.Fault{Status: 429, Times: -1, Header: retryAfter("0")}, retries: 2,
			statuses: "429", err: "http 429 REQUEST_LIMIT_EXCEEDED", below: time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, eng := retrySim(t, harness.Config{Retries: tc.retries})
			srv.Inject(tc.fault)
			start := time.Now()
			err := eng.Exec(context.Background(), tc.sql, func(*harness.Statement, *harness.Result) error { return nil })
			took := time.Since(start)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("%s: %v", tc.sql, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("%s\nerror %v\nwant one containing %q", tc.sql, err, tc.err)
			case err != nil && !transport.IsRemote(err):
				t.Errorf("%v is not a RemoteError", err)
			}
			var got []string
			for _, r := range srv.Requests() {
				got = append(got, strconv.Itoa(r.Status))
			}
			if strings.Join(got, " ") != tc.statuses {
				t.Errorf("the simulator answered %q, want %q", strings.Join(got, " "), tc.statuses)
			}
			if took < tc.atLeast || took >= tc.below {
				t.Errorf("took %v, want [%v, %v)", took, tc.atLeast, tc.below)
			}
		})
	}
}

// TestTimeoutNamesTheRequest: a request that outlives Config.Timeout fails
// with the request and the limit, is not retried, and the error wraps
// context.DeadlineExceeded.
func TestTimeoutNamesTheRequest(t *testing.T) {
	srv, eng := retrySim(t, harness.Config{Retries: 2, Timeout: 50 * time.Millisecond})
	srv.Inject(sim.Fault{Delay: time.Minute, Times: -1})
	start := time.Now()
	err := eng.Exec(context.Background(), listSQL, func(*harness.Statement, *harness.Result) error { return nil })
	want := "line 1: GET dbc-retry.cloud.databricks.com/api/2.0/token/list: timed out after 50ms"
	if err == nil || err.Error() != want || !errors.Is(err, context.DeadlineExceeded) || !transport.IsRemote(err) {
		t.Errorf("error %v\nwant %s", err, want)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
}

func retrySim(t *testing.T, cfg harness.Config) (*sim.Server, *harness.Engine) {
	t.Helper()
	return retrySimToken(t, cfg, func(bearer string) string { return bearer })
}

// retrySimToken is retrySim with the credential the environment gives made
// from the user's bearer token by token.
func retrySimToken(t *testing.T, cfg harness.Config, token func(bearer string) string) (*sim.Server, *harness.Engine) {
	t.Helper()
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ws, err := srv.AddWorkspace("dbc-retry", sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bearer := ws.AddUser("u@example.com")
	reg, err := registry.Open(filepath.Join("..", "..", "provider"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Registry, cfg.Client = reg, srv.Client()
	cfg.Getenv = func(string) string { return token(bearer) }
	return srv, harness.New(cfg)
}
