// Package docexamples reads the SQL examples of the generated docs pages
// (every *.md under provider/docs) and says what they need to run as
// written: the workspace they name, the token a workspace must already hold
// (the one the EXEC and DELETE examples revoke), the user's role and the
// service principal it needs, and the value of each {{ placeholder }}.
//
// test/e2e runs every example through the harness; test/enginetest runs them
// through the real StackQL engine and the harness and compares the two.
package docexamples

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// DocsDir is where the docs pages are, relative to the repository root.
const DocsDir = "provider/docs"

// Workspace is the workspace host (deployment_name) the examples run against.
const Workspace = "dbc-abcd0123-a1bc.cloud.databricks.com"

// Hosts are a workspace of each cloud, AWS (Workspace) first, for running
// the examples everywhere the provider reaches.
var Hosts = []string{Workspace, "adb-1234567890123456.7.azuredatabricks.net", "1234567890123456.7.gcp.databricks.com"}

// The token the workspace holds before an example runs; its id fills
// {{ token_id }}.
const (
	ExistingComment         = "an existing token"
	ExistingLifetimeSeconds = 3600
)

// The examples' user is a workspace admin, since the tokens page (token
// management) answers admins only, and the workspace has a service principal
// with ApplicationID, on whose behalf the createobotoken example creates a
// token. Neither changes what the other pages' examples do.
const (
	ServicePrincipal = "docs-robot"
	ApplicationID    = "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)

// Example is one ```sql block of a docs page.
type Example struct {
	Page string // slash-separated, relative to the repository root
	N    int    // 1-based position on its page
	SQL  string
}

// Name is the page's file name and the statement's first word, e.g.
// "user_tokens.md#SELECT".
func (e Example) Name() string {
	verb := "?"
	if f := strings.Fields(e.SQL); len(f) > 0 {
		verb = f[0]
	}
	return filepath.Base(e.Page) + "#" + verb
}

var (
	sqlFenceRE    = regexp.MustCompile("(?s)```sql\n(.*?)```")
	placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
)

// Uses reports whether the example has a {{ name }} placeholder.
func (e Example) Uses(name string) bool {
	for _, m := range placeholderRE.FindAllStringSubmatch(e.SQL, -1) {
		if m[1] == name {
			return true
		}
	}
	return false
}

// Fill returns the example with every {{ name }} replaced by vars[name], as
// a user would type it into a client that has no --var (the StackQL
// engine's own templates are Go templates, {{ .name }}, from --iqldata).
func (e Example) Fill(vars map[string]string) (string, error) {
	var missing string
	out := placeholderRE.ReplaceAllStringFunc(e.SQL, func(m string) string {
		name := placeholderRE.FindStringSubmatch(m)[1]
		v, ok := vars[name]
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	if missing != "" {
		return "", fmt.Errorf("%s example %d: no value for {{ %s }}", e.Page, e.N, missing)
	}
	return out, nil
}

// Load returns the examples of every docs page under root/DocsDir, pages in
// lexical order, examples in page order. A page without an example, or no
// page at all, is an error.
func Load(root string) ([]Example, error) {
	var pages []string
	dir := filepath.Join(root, filepath.FromSlash(DocsDir))
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, path)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("%s: no docs pages", dir)
	}
	slices.Sort(pages)
	var out []Example
	for _, path := range pages {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil, err
		}
		page := filepath.ToSlash(rel)
		blocks := sqlFenceRE.FindAllStringSubmatch(string(b), -1)
		if len(blocks) == 0 {
			return nil, fmt.Errorf("%s: no ```sql examples", page)
		}
		for i, m := range blocks {
			out = append(out, Example{Page: page, N: i + 1, SQL: m[1]})
		}
	}
	return out, nil
}

// Vars are the placeholder values, given the id of the workspace's existing
// token.
func Vars(existingTokenID string) map[string]string { return VarsOn(Workspace, existingTokenID) }

// VarsOn are Vars for the workspace at host.
func VarsOn(host, existingTokenID string) map[string]string {
	return map[string]string{
		"deployment_name":  host,
		"lifetime_seconds": "3600",
		"comment":          "from the docs page",
		"token_id":         existingTokenID,
		"application_id":   ApplicationID,
		// What the UPDATE and REPLACE examples of token_permissions grant: a new
		// workspace's own grant, so every other example runs as before.
		"access_control_list": `[{"group_name": "users", "permission_level": "CAN_USE"}]`,
	}
}

// VarArgs are vars as the harness CLI's --var flags, in name order.
func VarArgs(vars map[string]string) []string {
	var args []string
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		args = append(args, "--var", k+"="+vars[k])
	}
	return args
}
