package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
)

// docsPages are the generated resource pages whose SQL examples must run as
// written, placeholders filled with --var.
var docsPages = []string{"provider/docs/databricks_workspace/workspace/user_tokens.md"}

var sqlFenceRE = regexp.MustCompile("(?s)```sql\n(.*?)```")

func TestDocsExamplesRun(t *testing.T) {
	for _, page := range docsPages {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), page))
		if err != nil {
			t.Fatal(err)
		}
		examples := sqlFenceRE.FindAllStringSubmatch(string(b), -1)
		if len(examples) == 0 {
			t.Fatalf("%s: no ```sql examples", page)
		}
		for i, ex := range examples {
			sql := ex[1]
			t.Run(filepath.Base(page)+"#"+strings.Fields(sql)[0], func(t *testing.T) {
				s := setup{Workspaces: []workspaceSetup{{Name: "dbc-abcd0123-a1bc"}}}
				s.Workspaces[0].Tokens = append(s.Workspaces[0].Tokens, struct {
					Comment         string `json:"comment"`
					LifetimeSeconds int64  `json:"lifetime_seconds"`
				}{"an existing token", 3600})
				e := start(t, s)
				args := append(e.baseArgs(),
					"--var", "deployment_name=dbc-abcd0123-a1bc",
					"--var", "lifetime_seconds=3600",
					"--var", "comment=from the docs page",
					"--var", "token_id="+e.vars["TOKEN_ID_1"],
				)
				var stdout, stderr bytes.Buffer
				code := cli.Run(args, strings.NewReader(sql), &stdout, &stderr, e.environ())
				msg := strings.TrimSpace(stderr.String())
				if code != 0 || (msg != "" && msg != "The operation was despatched successfully") {
					t.Errorf("%s example %d exited %d\n--- statement:\n%s\n--- stdout:\n%s\n--- stderr:\n%s", page, i+1, code, sql, stdout.String(), stderr.String())
				}
				if len(e.srv.Requests()) == 0 {
					t.Errorf("%s example %d sent no request", page, i+1)
				}
			})
		}
	}
}
