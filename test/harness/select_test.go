package harness_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// simEngine is an engine on the generated provider against a fresh
// simulator serving one workspace per key of tokens, each with tokens made
// in order with those comments. Each workspace gets its own bearer, sent by
// perHostBearer as an account-level token would be.
func simEngine(t *testing.T, tokens map[string][]string) (*harness.Engine, *sim.Server) {
	t.Helper()
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	bearers := map[string]string{}
	for name, comments := range tokens {
		w, err := srv.AddWorkspace(name, sim.WorkspaceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bearers[w.Host()] = w.AddUser("u@example.com")
		for _, c := range comments {
			if _, err := w.CreateToken(bearers[w.Host()], 3600, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	reg, err := registry.Open(filepath.Join("..", "..", "provider"))
	if err != nil {
		t.Fatal(err)
	}
	return harness.New(harness.Config{
		Registry: reg,
		Client:   &http.Client{Transport: perHostBearer{next: srv.Transport(), bearers: bearers}},
		Getenv:   func(string) string { return "account-level-token" },
	}), srv
}

// TestLocalEvaluation covers SELECT cases where a naive evaluation differs
// from SQLite; each want was checked with sqlite3 on the same rows.
func TestLocalEvaluation(t *testing.T) {
	eng, _ := simEngine(t, map[string][]string{"dbc-a": {"beta", "alpha", "gamma"}})
	const from = " FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-a.cloud.databricks.com'"
	for _, tc := range []struct{ name, sql, want string }{
		{"limit near max int64 with offset", "SELECT comment" + from + " ORDER BY comment LIMIT 9223372036854775807 OFFSET 1",
			"comment\nbeta\ngamma\n"},
		{"negative limit is no limit", "SELECT comment" + from + " ORDER BY comment LIMIT -1 OFFSET 2", "comment\ngamma\n"},
		// An AS alias wins over an input column of the same name.
		{"order by alias before column", "SELECT comment AS c, deployment_name AS comment" + from + " ORDER BY comment, c DESC",
			"c,comment\ngamma,dbc-a.cloud.databricks.com\nbeta,dbc-a.cloud.databricks.com\nalpha,dbc-a.cloud.databricks.com\n"},
		{"order by input column without alias", "SELECT comment" + from + " ORDER BY comment DESC", "comment\ngamma\nbeta\nalpha\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runCSV(eng, tc.sql)
			if err != nil {
				t.Fatalf("%s: %v", tc.sql, err)
			}
			if got != tc.want {
				t.Errorf("%s\n got:\n%s want:\n%s", tc.sql, got, tc.want)
			}
		})
	}
}

// TestJoinAcrossWorkspaces: each side of a join is fetched with the
// parameters its own qualified columns name, and SQLite joins the rows.
func TestJoinAcrossWorkspaces(t *testing.T) {
	eng, _ := simEngine(t, map[string][]string{"dbc-a": {"shared", "only-a"}, "dbc-b": {"only-b", "shared"}})
	const from = " FROM databricks_workspace.workspace.user_tokens AS a JOIN databricks_workspace.workspace.user_tokens AS b ON a.comment = b.comment"
	for _, tc := range []struct{ name, sql, want, err string }{
		{name: "tokens with the same comment in both", sql: "SELECT a.comment, a.deployment_name AS left_ws, b.deployment_name AS right_ws" + from +
			" WHERE a.deployment_name = 'dbc-a.cloud.databricks.com' AND b.deployment_name = 'dbc-b.cloud.databricks.com'",
			want: "comment,left_ws,right_ws\nshared,dbc-a.cloud.databricks.com,dbc-b.cloud.databricks.com\n"},
		{name: "tokens only in the first", sql: "SELECT a.comment FROM databricks_workspace.workspace.user_tokens AS a" +
			" LEFT JOIN databricks_workspace.workspace.user_tokens AS b ON a.comment = b.comment AND b.deployment_name = 'dbc-b.cloud.databricks.com'" +
			" WHERE a.deployment_name = 'dbc-a.cloud.databricks.com' AND b.token_id IS NULL",
			want: "comment\nonly-a\n"},
		{name: "a side without its parameter names it", sql: "SELECT a.comment" + from + " WHERE a.deployment_name = 'dbc-a.cloud.databricks.com'",
			err: `missing required parameter "deployment_name" for method "listtokens" of databricks_workspace.workspace.user_tokens (joined as b: qualify its parameters with b.)`},
		{name: "an unqualified parameter binds neither side", sql: "SELECT a.comment" + from + " WHERE deployment_name = 'dbc-a.cloud.databricks.com'",
			err: `(joined as a: qualify its parameters with a.)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runCSV(eng, tc.sql)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("%s\nerror = %v, want one containing %q", tc.sql, err, tc.err)
			case tc.err == "" && err != nil:
				t.Fatalf("%s: %v", tc.sql, err)
			case got != tc.want:
				t.Errorf("%s\n got:\n%s want:\n%s", tc.sql, got, tc.want)
			}
		})
	}
}

// TestFanOutStopsAtFirstFailure: when one workspace fails, the statement
// fails at once and cancels the request still waiting on another.
func TestFanOutStopsAtFirstFailure(t *testing.T) {
	eng, srv := simEngine(t, map[string][]string{"dbc-slow": {"x"}})
	srv.Inject(sim.Fault{Workspace: "dbc-slow", Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, err := runCSV(eng, "SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('dbc-slow.cloud.databricks.com', 'dbc-missing.cloud.databricks.com')")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "dbc-missing.cloud.databricks.com") {
			t.Errorf("error = %v, want one naming dbc-missing", err)
		}
	case <-time.After(time.Minute): // a guard against a hang, not a speed target
		t.Fatal("the statement kept waiting for dbc-slow after dbc-missing failed")
	}
}
