package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
)

// leaks reports where a secret shows in a run's output, given the places it
// may legitimately appear: the RETURNING result on stdout, once per value.
func leaks(t *testing.T, label, stdout, stderr string, secrets []string, returned map[string]bool) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(stderr, s) {
			t.Errorf("%s: a secret (%.8s...) appears on stderr:\n%s", label, s, stderr)
		}
		want := 0
		if returned[s] {
			want = 1
		}
		if n := strings.Count(stdout, s); n != want {
			t.Errorf("%s: a secret (%.8s...) appears %d times on stdout, want %d:\n%s", label, s, n, want, stdout)
		}
	}
	for _, header := range []string{"Authorization", "Bearer"} {
		if strings.Contains(stdout+stderr, header) {
			t.Errorf("%s: the output shows the %s header", label, header)
		}
	}
}

// TestFailingCasesShowNoSecret runs every failing case again with
// --verbose and searches all of its output for the bearer and for every
// token value the simulator issued.
func TestFailingCasesShowNoSecret(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "exit"))
	if err != nil {
		t.Fatal(err)
	}
	failing := 0
	for _, exit := range dirs {
		b, err := os.ReadFile(exit)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(b)) == "0" {
			continue
		}
		failing++
		dir := filepath.Dir(exit)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			r := runDir(t, dir, "--verbose")
			returned := returnedValues(r.stdout)
			secrets := append([]string{r.env.bearer}, r.env.issued...)
			for v := range returned {
				secrets = append(secrets, v)
			}
			leaks(t, dir, r.stdout, r.stderr, secrets, returned)
		})
	}
	if failing < 10 {
		t.Errorf("only %d failing cases found", failing)
	}
}

// returnedValues finds the token values on stdout: only a RETURNING result
// puts them there.
func returnedValues(stdout string) map[string]bool {
	out := map[string]bool{}
	for _, v := range tokenValueRE.FindAllString(stdout, -1) {
		out[v] = true
	}
	return out
}

// TestSeedFlowVerboseShowsNoSecret runs the seed flow with --verbose, then
// the mistakes that would echo a secret back: revoking by a token's value
// instead of its id, and by the bearer itself. A token value appears once,
// in the RETURNING result that created it, and nowhere else.
func TestSeedFlowVerboseShowsNoSecret(t *testing.T) {
	e := start(t, setup{})
	run := func(label string, wantCode int, sql string, vars ...string) (string, string) {
		t.Helper()
		args := append(e.baseArgs(), "--verbose", "--echo", "-o", "json")
		for _, v := range vars {
			args = append(args, "--var", v)
		}
		var stdout, stderr bytes.Buffer
		code := cli.Run(append(args, sql), nil, &stdout, &stderr, e.environ())
		if code != wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s%s", label, code, wantCode, stdout.String(), stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	const (
		insert = `INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT 3600, '{{ comment }}', 'dbc-abcd0123-a1bc.cloud.databricks.com' RETURNING token_info, token_value;`
		list   = `SELECT token_id, comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';`
		revoke = `EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com' @@json='{"token_id": "{{ token_id }}"}';`
	)
	var values []string
	var ids []string
	for _, comment := range []string{"ci-deploy", "nightly-export"} {
		stdout, stderr := run("insert "+comment, cli.ExitOK, insert, "comment="+comment)
		var rows []struct {
			TokenInfo struct {
				TokenID string `json:"token_id"`
			} `json:"token_info"`
			TokenValue string `json:"token_value"`
		}
		// --echo prints the statement first; the JSON result follows it.
		if err := json.Unmarshal([]byte(stdout[strings.Index(stdout, "\n[")+1:]), &rows); err != nil || len(rows) != 1 {
			t.Fatalf("insert: %v\n%s", err, stdout)
		}
		values, ids = append(values, rows[0].TokenValue), append(ids, rows[0].TokenInfo.TokenID)
		leaks(t, "insert", stdout, stderr, append([]string{e.bearer}, values...), map[string]bool{rows[0].TokenValue: true})
		if !strings.Contains(stderr, "> POST https://dbc-abcd0123-a1bc.cloud.databricks.com/api/2.0/token/create") {
			t.Errorf("insert: no trace of the request on stderr:\n%s", stderr)
		}
	}
	secrets := append([]string{e.bearer}, values...)
	for _, step := range []struct {
		label string
		code  int
		sql   string
		vars  []string
	}{
		{"list", cli.ExitOK, list, nil},
		{"revoke by id", cli.ExitOK, revoke + list, []string{"token_id=" + ids[0]}},
		{"revoke by value", cli.ExitRemote, revoke, []string{"token_id=" + values[1]}},
		{"revoke by bearer", cli.ExitRemote, revoke, []string{"token_id=" + e.bearer}},
	} {
		stdout, stderr := run(step.label, step.code, step.sql, step.vars...)
		leaks(t, step.label, stdout, stderr, secrets, nil)
		if step.code != cli.ExitOK && !strings.Contains(stderr, "No valid token with ID") {
			t.Errorf("%s: the API's answer is missing:\n%s", step.label, stderr)
		}
	}
}
