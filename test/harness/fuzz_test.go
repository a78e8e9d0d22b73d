package harness_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/render"
)

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// placeholders the seeds use; the fuzzer's value fills all of them.
var fuzzVars = []string{"deployment_name", "token_id", "comment", "lifetime_seconds", "d"}

// FuzzPrepare feeds script text and a placeholder value to the SQL front
// end: placeholder filling, splitting, parsing and resolving every statement
// against the generated provider, which must send nothing. It then runs the
// plans against cannedAPI, so local evaluation (WHERE, ORDER BY, LIMIT and
// OFFSET, arithmetic, COUNT, RETURNING) and rendering are fuzzed too. It
// must never panic, every error must be one line and every row as wide as
// its columns.
func FuzzPrepare(f *testing.F) {
	reg := openProvider(f)
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "dbc-abcd0123-a1bc")
	}
	for _, v := range []string{"", "evil.example#", "x@y", "a'b", "{{ d }}", "dbc-\u0430", "\x00", strings.Repeat("a", 64), "1e999", "-1"} {
		f.Add("SELECT token_id FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '{{ d }}'", v)
		f.Add("INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, deployment_name) SELECT {{ d }}, 'dbc-a.cloud.databricks.com'", v)
	}
	f.Fuzz(func(t *testing.T, script, val string) {
		vars := map[string]string{}
		for _, name := range fuzzVars {
			vars[name] = val
		}
		var prepared atomic.Bool
		eng := harness.New(harness.Config{
			Registry: reg,
			Vars:     vars,
			Getenv:   func(string) string { return "dapi" + strings.Repeat("0", 32) },
			Client: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if !prepared.Load() {
					t.Errorf("Prepare sent %s %s", r.Method, r.URL)
					return nil, errors.New("nothing may be sent")
				}
				return cannedAPI(r)
			})},
		})
		plans, err := eng.Prepare(script)
		if err != nil {
			oneLine(t, "Prepare", script, err)
			return
		}
		for _, p := range plans {
			if s := p.Statement; s.Line < 1 || s.Column < 1 || s.Text == "" {
				t.Fatalf("Prepare(%q): statement %q at line %d, column %d", script, s.Text, s.Line, s.Column)
			}
		}
		prepared.Store(true)
		for _, p := range plans {
			r, err := p.Run(context.Background())
			if err != nil {
				oneLine(t, "Run", p.Statement.Text, err)
			}
			if r == nil {
				continue
			}
			for i, row := range r.Rows {
				if len(row) != len(r.Columns) {
					t.Fatalf("Run(%q): row %d has %d values for %d columns", p.Statement.Text, i, len(row), len(r.Columns))
				}
			}
			if r.HasTable() {
				for _, format := range []render.Format{render.Table, render.JSON, render.CSV} {
					if err := render.Write(io.Discard, r.Result, render.Options{Format: format}); err != nil {
						t.Fatalf("Run(%q): rendering %s: %v", p.Statement.Text, format, err)
					}
				}
			}
		}
	})
}

func oneLine(t *testing.T, what, sql string, err error) {
	t.Helper()
	if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
		t.Fatalf("%s(%q): the error is not one line: %q", what, sql, msg)
	}
}

// fuzzSeeds are the seed corpus: the SQL of every e2e case (the docs page's
// seed statements among them), the docs page's examples, the second
// provider's fixtures and inputs chosen to reach the front end's corners.
func fuzzSeeds(f *testing.F) []string {
	var seeds []string
	files, _ := filepath.Glob(filepath.Join("..", "e2e", "testdata", "*", "*.sql"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, string(b))
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "provider", "docs", "databricks_workspace", "workspace", "user_tokens.md"))
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		seeds = append(seeds, m[1])
	}
	if len(seeds) < 10 {
		f.Fatalf("only %d seeds found", len(seeds))
	}
	return append(seeds,
		"", ";", ";;", "'", `"`, "`", "--", "/*", "/* unterminated", "{{", "}}", "{{ }}", "{{ a b }}", "{{d}}{{d}}",
		"\x00", "\xff\xfe", "SELECT", "SELECT *", "SELECT 1", "SELECT * FROM a", "SELECT * FROM a.b.c.d.e",
		"SELECT COUNT(*), COUNT(token_id) FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'a.cloud.databricks.com' ORDER BY 1 LIMIT -1 OFFSET 2",
		"SELECT * FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN () ",
		"SELECT * FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('a.cloud.databricks.com') AND deployment_name = 'b.cloud.databricks.com'",
		"SELECT * FROM databricks_workspace.workspace.user_tokens t WHERE t.deployment_name = 'a.cloud.databricks.com' AND t.comment LIKE '%' ESCAPE '\\\\'",
		"SELECT ((((((((((((((((((((1)))))))))))))))))))) FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'a.cloud.databricks.com'",
		"SELECT * FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'a.cloud.databricks.com' AND expiry_time BETWEEN 1 AND 9223372036854775808",
		"INSERT INTO databricks_workspace.workspace.user_tokens (deployment_name, deployment_name) VALUES ('a', 'a')",
		"INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, deployment_name) VALUES (1.5e308, 'a'), (-0, 'b')",
		"INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, deployment_name) SELECT x'00', 'a' RETURNING *, token_value AS v",
		`EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='a.cloud.databricks.com' @@json='{"token_id": "x", "token_id": 1}'`,
		`EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='a.cloud.databricks.com' @@json='[1,2]'`,
		`EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='a.cloud.databricks.com' @data__token_id='x' @@json='{"token_id": "y"}'`,
		"EXEC databricks_workspace.workspace.user_tokens.listtokens @deployment_name='a.cloud.databricks.com'",
		"DELETE FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'a.cloud.databricks.com'",
		"SHOW EXTENDED METHODS IN databricks_workspace.workspace.user_tokens LIKE '%'",
		"DESCRIBE EXTENDED databricks_workspace.workspace.user_tokens; SHOW SERVICES IN nope",
		"SELECT 'é', '\u202e' FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'ａ'",
		strings.Repeat("SELECT 1;", 50),
		// local evaluation over cannedTokens
		"SELECT token_id, comment, expiry_time - creation_time AS life, expiry_time / 0, creation_time % -1, -creation_time * 2 FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'a.cloud.databricks.com' ORDER BY comment DESC, 2, life LIMIT 2 OFFSET 1",
		"SELECT COUNT(*), COUNT(comment) FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('a.cloud.databricks.com', 'b.cloud.databricks.com') AND (comment IS NULL OR expiry_time < '0' OR +creation_time IN ('1', 2.5, NULL))",
		"SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'a.cloud.databricks.com' AND NOT comment NOT BETWEEN -9223372036854775808 AND 'z' ORDER BY expiry_time * 9223372036854775807 LIMIT 9223372036854775807 OFFSET 1",
		"SELECT * FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'a.cloud.databricks.com' AND comment LIKE '%4_' ESCAPE '_' AND expiry_time IS NOT TRUE LIMIT 0",
		"INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name) SELECT 60, 'x', 'a' RETURNING *",
		"EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='a.cloud.databricks.com' @@json='{\"token_id\": \"t1\"}'",
	)
}
