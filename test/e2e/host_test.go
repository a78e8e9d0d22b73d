package e2e

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
)

// notWorkspaceHosts are deployment names that must never reach a URL: each
// could move the request to another host (or path, or userinfo), only looks
// like a real workspace host, or is not the host of an AWS, Azure or GCP
// workspace.
var notWorkspaceHosts = []struct{ name, value string }{
	{"fragment", "evil.example#"},
	{"path", "a/b"},
	{"userinfo", "x@y"},
	{"dot-dot", ".."},
	{"dotted", "a.b"},
	{"another host", "evil.example/x?"},
	{"bare AWS deployment name", "dbc-abcd0123-a1bc"},
	{"scheme", "https://dbc-abcd0123-a1bc.cloud.databricks.com"},
	{"trailing slash", "dbc-abcd0123-a1bc.cloud.databricks.com/"},
	{"trailing root dot", "dbc-abcd0123-a1bc.cloud.databricks.com."},
	{"port", "dbc-abcd0123-a1bc.cloud.databricks.com:8443"},
	{"userinfo before a workspace", "evil.example@dbc-abcd0123-a1bc.cloud.databricks.com"},
	{"workspace as userinfo", "dbc-abcd0123-a1bc.cloud.databricks.com@evil.example"},
	{"workspace domain as a prefix", "dbc-abcd0123-a1bc.cloud.databricks.com.evil.example"},
	{"two labels on AWS", "a.dbc-abcd0123-a1bc.cloud.databricks.com"},
	{"Azure without adb-", "1234567890123456.7.azuredatabricks.net"},
	{"Azure with letters in the ID", "adb-12345abc.7.azuredatabricks.net"},
	{"Azure under another domain", "adb-1234567890123456.7.azuredatabricks.net.evil.example"},
	{"GCP without shard", "1234567890123456.gcp.databricks.com"},
	{"GCP with letters", "abc.7.gcp.databricks.com"},
	{"space", "dbc abcd.cloud.databricks.com"},
	{"percent-encoded slash", "a%2fb.cloud.databricks.com"},
	{"newline", "dbc\nabcd.cloud.databricks.com"},
	{"uppercase", "DBC-ABCD0123-A1BC.CLOUD.DATABRICKS.COM"},
	{"cyrillic a", "dbc-\u0430bcd0123-a1bc.cloud.databricks.com"},
	{"cyrillic es", "db\u0441-abcd0123-a1bc.cloud.databricks.com"},
	{"fullwidth", "\uff44\uff42\uff43-abcd0123-a1bc.cloud.databricks.com"},
	{"empty", ""},
	{"64-character label", strings.Repeat("a", 64) + ".cloud.databricks.com"},
	{"leading hyphen", "-dbc-abcd0123-a1bc.cloud.databricks.com"},
	{"trailing hyphen", "dbc-abcd0123-a1bc-.cloud.databricks.com"},
}

// statementForms put a deployment name into each kind of statement, as a
// literal, through a --var placeholder and in an IN (...) fan-out after a
// valid name.
var statementForms = []struct {
	name   string
	sql    string // %s is the deployment name, or {{ d }} when viaVar
	viaVar bool
}{
	{"select", "SELECT token_id FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '%s'", false},
	{"insert", "INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, deployment_name) SELECT 'x', '%s' RETURNING token_value", false},
	{"exec", `EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='%s' @@json='{"token_id": "x"}'`, false},
	{"select --var", "SELECT token_id FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '{{ d }}'", true},
	{"insert --var", "INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, deployment_name) SELECT 'x', '{{ d }}'", true},
	{"exec --var", `EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='{{ d }}' @@json='{"token_id": "x"}'`, true},
	{"select IN fan-out", "SELECT token_id FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('dbc-abcd0123-a1bc.cloud.databricks.com', '%s')", false},
}

// TestDeploymentNameMustBeAWorkspaceHost refuses every value that is not the
// host of an AWS, Azure or GCP workspace, in every statement form, with one line naming the parameter and
// the value, before anything is sent: the simulator logs no request.
func TestDeploymentNameMustBeAWorkspaceHost(t *testing.T) {
	e := start(t, setup{})
	for _, form := range statementForms {
		for _, bad := range notWorkspaceHosts {
			t.Run(form.name+"/"+bad.name, func(t *testing.T) {
				e.srv.ResetLog()
				args := e.baseArgs()
				sql := form.sql
				if form.viaVar {
					args = append(args, "--var", "d="+bad.value)
				} else {
					sql = fmt.Sprintf(sql, bad.value)
				}
				var stdout, stderr bytes.Buffer
				code := cli.Run(append(args, sql), nil, &stdout, &stderr, e.environ())
				want := fmt.Sprintf("line 1: parameter \"deployment_name\": %q ", bad.value)
				if code != cli.ExitFailed || !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 || stdout.Len() > 0 {
					t.Errorf("%s\nexit %d, want %d\nstderr %q\nwant one line starting %q", sql, code, cli.ExitFailed, stderr.String(), want)
				}
				if reqs := e.srv.Requests(); len(reqs) > 0 {
					t.Errorf("%s\nthe simulator received %+v, want no request", sql, reqs)
				}
			})
		}
	}
}

// TestWorkspaceHostsAreAccepted keeps the check from refusing real hosts:
// the longest AWS label, digits only, inner hyphens, an Azure and a GCP
// workspace reach the simulator.
func TestWorkspaceHostsAreAccepted(t *testing.T) {
	names := []string{
		strings.Repeat("a", 63) + ".cloud.databricks.com",
		"0.cloud.databricks.com",
		"dbc-abcd0123-a1bc.cloud.databricks.com",
		"a--b.cloud.databricks.com",
		"adb-1234567890123456.7.azuredatabricks.net",
		"1234567890123456.7.gcp.databricks.com",
	}
	var ws []workspaceSetup
	for _, n := range names {
		ws = append(ws, workspaceSetup{Name: n})
	}
	e := start(t, setup{Workspaces: ws})
	for _, n := range names {
		var stdout, stderr bytes.Buffer
		sql := "SELECT COUNT(*) FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '" + n + "'"
		code := cli.Run(append(e.baseArgs(), sql), nil, &stdout, &stderr, e.environ())
		// Only the first workspace knows the bearer: the others answer 403,
		// which proves the request reached them.
		if code == cli.ExitFailed || strings.Contains(stderr.String(), "deployment_name") {
			t.Errorf("%s: exit %d, stderr %q", sql, code, stderr.String())
		}
	}
	if got := len(e.srv.Requests()); got != len(names) {
		t.Errorf("the simulator received %d requests, want %d", got, len(names))
	}
}
