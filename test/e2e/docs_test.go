package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
	"github.com/stackql-labs/databricks-tokens/test/internal/docexamples"
)

// TestDocsExamplesRun runs the SQL examples of every generated docs page as
// written, placeholders filled with --var, against a workspace that holds
// one token (the one the EXEC and DELETE examples revoke), whose user is an
// admin and which has docexamples' service principal.
func TestDocsExamplesRun(t *testing.T) {
	examples, err := docexamples.Load(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		t.Run(ex.Name(), func(t *testing.T) {
			s := setup{Role: "admin", Workspaces: []workspaceSetup{{
				Name:   docexamples.Workspace,
				Tokens: []tokenSetup{{docexamples.ExistingComment, docexamples.ExistingLifetimeSeconds}},
				Users: []userSetup{{Name: docexamples.ServicePrincipal, Role: "service_principal",
					ApplicationID: docexamples.ApplicationID}},
			}}}
			e := start(t, s)
			args := append(e.baseArgs(), docexamples.VarArgs(docexamples.Vars(e.vars["TOKEN_ID_1"]))...)
			var stdout, stderr bytes.Buffer
			code := cli.Run(args, strings.NewReader(ex.SQL), &stdout, &stderr, e.environ())
			msg := strings.TrimSpace(stderr.String())
			if code != 0 || (msg != "" && msg != "The operation was despatched successfully") {
				t.Errorf("%s example %d exited %d\n--- statement:\n%s\n--- stdout:\n%s\n--- stderr:\n%s", ex.Page, ex.N, code, ex.SQL, stdout.String(), stderr.String())
			}
			if len(e.srv.Requests()) == 0 {
				t.Errorf("%s example %d sent no request", ex.Page, ex.N)
			}
		})
	}
}
