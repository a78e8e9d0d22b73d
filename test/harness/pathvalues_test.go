package harness_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
)

// TestPathValuesCannotRewriteThePath: a value placed in the URL path, a
// path parameter or a server variable in the server URL's path, must
// arrive as one segment meaning itself. any-sdk puts it in verbatim, so
// "..", a "/" or a "%" escape ("%2e%2e" is ".." once the server decodes
// it) would reach another resource with the caller's credential. It is
// the widgetco fixture with its region moved from the host into the path.
func TestPathValuesCannotRewriteThePath(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "registry"))); err != nil {
		t.Fatal(err)
	}
	svc := filepath.Join(dir, "src", "widgetco", "v1.2.0", "services", "inventory.yaml")
	b, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	const hostURL, pathURL = "https://{region}.widgetco.example/v2", "https://api.widgetco.example/{region}/v2"
	if !strings.Contains(string(b), hostURL) {
		t.Fatalf("%s no longer has the server url %s", svc, hostURL)
	}
	if err := os.WriteFile(svc, []byte(strings.Replace(string(b), hostURL, pathURL, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Open(dir)
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var sent []string
	eng := harness.New(harness.Config{
		Registry: reg,
		Getenv:   func(string) string { return widgetKey },
		Client: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			sent = append(sent, r.Method+" "+r.URL.Host+r.URL.EscapedPath())
			mu.Unlock()
			return nil, errors.New("not sent in this test")
		})},
	})
	const from = " FROM widgetco.inventory.gadgets WHERE "
	for _, tc := range []struct {
		sql  string
		err  string // substring; "" when the request may go
		sent string // the request, when it may go
	}{
		{"SELECT id" + from + "region = 'eu1' AND shop_id = 's1'", "", "GET api.widgetco.example/eu1/v2/shops/s1/gadgets"},
		{"SELECT id" + from + "region = 'eu 1' AND shop_id = 'a b'", "", "GET api.widgetco.example/eu%201/v2/shops/a%20b/gadgets"},
		{"SELECT id" + from + "region = '..' AND shop_id = 's1'", `parameter "region": ".." cannot be a path segment`, ""},
		{"SELECT id" + from + "region = '.' AND shop_id = 's1'", `parameter "region": "." cannot be a path segment`, ""},
		{"SELECT id" + from + "region = 'eu1/../x' AND shop_id = 's1'", `parameter "region": "eu1/../x" cannot be a path segment: it contains "/"`, ""},
		{"SELECT id" + from + "region = '%2e%2e' AND shop_id = 's1'", `parameter "region": "%2e%2e" cannot be a path segment: it contains "%"`, ""},
		{"SELECT id" + from + "region = 'eu1\t' AND shop_id = 's1'", `parameter "region": value contains a control character`, ""},
		{"SELECT id" + from + "region = 'eu1' AND shop_id = '%2e%2e'", `parameter "shop_id": "%2e%2e" cannot be a path segment: it contains "%"`, ""},
		{"SELECT id" + from + "region = 'eu1' AND shop_id = 'a%2Fb'", `parameter "shop_id": "a%2Fb" cannot be a path segment: it contains "%"`, ""},
		{"SELECT id" + from + "region = 'eu1' AND shop_id = '..'", `parameter "shop_id": ".." cannot be a path segment`, ""},
		{"DELETE" + from + "region = 'eu1' AND shop_id = 's1' AND gadget_id = '%2e%2e'", `parameter "gadget_id": "%2e%2e" cannot be a path segment`, ""},
		// A query value is escaped by any-sdk: a "%" arrives as itself.
		{"SELECT id" + from + "region = 'eu1' AND shop_id = 's1' AND colour = '%2e'", "", "GET api.widgetco.example/eu1/v2/shops/s1/gadgets"},
	} {
		sent = nil
		_, err := runCSV(eng, tc.sql)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s\nerror = %v\nwant one containing %q", tc.sql, err, tc.err)
		case tc.err == "" && (err == nil || !strings.Contains(err.Error(), "not sent in this test")):
			t.Errorf("%s\nerror = %v\nwant the request to be sent", tc.sql, err)
		}
		if got := strings.Join(sent, "\n"); got != tc.sent {
			t.Errorf("%s\nsent %q\nwant %q", tc.sql, got, tc.sent)
		}
	}
}
