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
// admin and which has docexamples' service principal: an AWS, an Azure and a
// GCP one. Every request goes to that workspace's host.
func TestDocsExamplesRun(t *testing.T) {
	examples, err := docexamples.Load(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		for _, host := range docexamples.Hosts {
			t.Run(ex.Name()+"/"+host, func(t *testing.T) { runDocsExample(t, ex, host) })
		}
	}
}

func runDocsExample(t *testing.T, ex docexamples.Example, host string) {
	s := setup{Role: "admin", Workspaces: []workspaceSetup{{
		Name:   host,
		Tokens: []tokenSetup{{docexamples.ExistingComment, docexamples.ExistingLifetimeSeconds}},
		Users: []userSetup{{Name: docexamples.ServicePrincipal, Role: "service_principal",
			ApplicationID: docexamples.ApplicationID}},
	}}}
	e := start(t, s)
	args := append(e.baseArgs(), docexamples.VarArgs(docexamples.VarsOn(host, e.vars["TOKEN_ID_1"]))...)
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, strings.NewReader(ex.SQL), &stdout, &stderr, e.environ())
	msg := strings.TrimSpace(stderr.String())
	if code != 0 || (msg != "" && msg != "The operation was despatched successfully") {
		t.Errorf("%s example %d exited %d\n--- statement:\n%s\n--- stdout:\n%s\n--- stderr:\n%s", ex.Page, ex.N, code, ex.SQL, stdout.String(), stderr.String())
	}
	reqs := e.srv.Requests()
	if len(reqs) == 0 {
		t.Errorf("%s example %d sent no request", ex.Page, ex.N)
	}
	for _, r := range reqs {
		if r.Host != host {
			t.Errorf("%s example %d sent %s %s to %s, want %s", ex.Page, ex.N, r.Method, r.Path, r.Host, host)
		}
	}
}
