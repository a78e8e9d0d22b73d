package generator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackql/any-sdk/public/formulation"
)

func sources(tb testing.TB) Sources {
	tb.Helper()
	var src Sources
	for _, f := range []struct {
		name string
		dst  *File
	}{{"token-api.yaml", &src.Spec}, {"sql-mapping.yaml", &src.Mapping}} {
		data, err := os.ReadFile(filepath.Join("..", "openapi", f.name))
		if err != nil {
			tb.Fatal(err)
		}
		*f.dst = File{Path: "openapi/" + f.name, Data: data}
	}
	return src
}

// TestDeterministic generates twice and compares the bytes, and compares
// them with the committed provider/ (make check does the same from outside).
func TestDeterministic(t *testing.T) {
	a, err := Generate(sources(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(sources(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files then %d", len(a), len(b))
	}
	for _, p := range a.Paths() {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s differs between two runs", p)
		}
		onDisk, err := os.ReadFile(filepath.Join("..", "provider", filepath.FromSlash(p)))
		if err != nil || !bytes.Equal(onDisk, a[p]) {
			t.Errorf("provider/%s is not what the generator writes (run make generate): %v", p, err)
		}
		if bytes.Contains(a[p], []byte("/work/")) || bytes.Contains(a[p], []byte(os.TempDir())) {
			t.Errorf("%s contains a machine path", p)
		}
	}
}

// TestProviderLoadsInAnySDK loads the committed provider the way the engine
// does and checks each method's SQL routing.
func TestProviderLoadsInAnySDK(t *testing.T) {
	root := filepath.Join("..", "provider", "src", "databricks_workspace", "v00.00.00000")
	svc, err := formulation.LoadProviderAndServiceFromPaths(
		filepath.Join(root, "provider.yaml"), filepath.Join(root, "services", "workspace.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.GetResource("user_tokens")
	if err != nil {
		t.Fatal(err)
	}
	if res.GetID() != "databricks_workspace.workspace.user_tokens" {
		t.Errorf("resource id %q", res.GetID())
	}
	for _, tc := range []struct {
		verb, method, objectKey, path string
	}{
		{"select", "listtokens", "$.token_infos", "/api/2.0/token/list"},
		{"insert", "create", "", "/api/2.0/token/create"},
	} {
		m, _, ok := res.GetFirstMethodFromSQLVerb(tc.verb)
		if !ok {
			t.Errorf("no method for sql verb %q", tc.verb)
			continue
		}
		if m.GetName() != tc.method {
			t.Errorf("%s routes to %q, want %q", tc.verb, m.GetName(), tc.method)
		}
		if got := m.GetSelectItemsKey(); got != tc.objectKey {
			t.Errorf("%s: object key %q, want %q", tc.method, got, tc.objectKey)
		}
		servers, _ := m.GetServers()
		if len(servers) == 0 || servers[0].Variables["deployment_name"] == nil {
			t.Errorf("%s: no deployment_name server variable", tc.method)
		}
	}
	exec, err := res.FindMethod("revoketoken")
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"select", "insert", "update", "delete", "replace"} {
		if m, _, ok := res.GetFirstMethodFromSQLVerb(verb); ok && m.GetName() == exec.GetName() {
			t.Errorf("revoketoken is reachable by %s; it must be EXEC only", verb)
		}
	}
}

// BenchmarkGenerate is a full generate + validate in memory (kin-openapi,
// any-sdk loader and static analyzer included).
func BenchmarkGenerate(b *testing.B) {
	src := sources(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Generate(src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRouteHostVariables writes any-sdk's routing pattern on host variables
// only, and leaves a server without variables (or without a scheme) as it is.
func TestRouteHostVariables(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://{deployment_name}", "https://{deployment_name:[^/]+}"},
		{"https://{deployment_name}/api/{v}", "https://{deployment_name:[^/]+}/api/{v}"},
		{"https://{region}.widgetco.example/v2", "https://{region:[^/]+}.widgetco.example/v2"},
		{"https://static.example/", "https://static.example/"},
		{"/relative", "/relative"},
	}
	for _, tc := range tests {
		srv := map[string]any{"url": tc.url}
		if strings.Contains(tc.url, "{") {
			srv["variables"] = map[string]any{"deployment_name": map[string]any{}, "region": map[string]any{}, "v": map[string]any{}}
		}
		routeHostVariables(map[string]any{"servers": []any{srv}})
		if got := srv["url"]; got != tc.want {
			t.Errorf("%s: got %v, want %s", tc.url, got, tc.want)
		}
	}
}
