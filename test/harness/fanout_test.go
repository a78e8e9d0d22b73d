package harness_test

import (
	"net/http"
	"strings"
	"testing"
)

// perHostBearer swaps the one credential the engine sends for the bearer of
// the workspace addressed, like an account-level token valid in every
// workspace (the simulator issues one per workspace).
type perHostBearer struct {
	next    http.RoundTripper
	bearers map[string]string // host -> bearer
}

func (p perHostBearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+p.bearers[r.URL.Hostname()])
	return p.next.RoundTrip(r)
}

// TestFanOutAcrossWorkspaces runs deployment_name IN (...) against two
// simulated workspaces with the generated provider: both are queried and the
// rows merge in the order the names were written.
func TestFanOutAcrossWorkspaces(t *testing.T) {
	eng, srv := simEngine(t, map[string][]string{"dbc-east": {"e1", "e2"}, "dbc-west": {"w1"}})
	got, err := runCSV(eng, "SELECT deployment_name, comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('dbc-west.cloud.databricks.com', 'dbc-east.cloud.databricks.com') AND comment != 'e2'")
	if err != nil {
		t.Fatal(err)
	}
	want := "deployment_name,comment\ndbc-west.cloud.databricks.com,w1\ndbc-east.cloud.databricks.com,e1\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	hosts := map[string]bool{}
	for _, r := range srv.Requests() {
		hosts[r.Host] = true
	}
	if len(hosts) != 2 {
		t.Errorf("requests went to %v, want both workspaces", hosts)
	}
	// A failure in one workspace fails the statement and names the host.
	_, err = runCSV(eng, "SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('dbc-east.cloud.databricks.com', 'dbc-north.cloud.databricks.com')")
	if err == nil || !strings.Contains(err.Error(), "dbc-north.cloud.databricks.com") {
		t.Errorf("error = %v, want one naming dbc-north", err)
	}
}
