package harness_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/render"
)

// widgetco is a fake of the fictitious API in testdata/registry/src/widgetco:
// a different provider, service and resource than anything in provider/,
// with a server variable in the host, a path parameter, an optional query
// parameter, an objectKey of $.data.items, a delete verb, an EXEC method
// with a body and api_key auth. The harness gets all of that from the
// provider documents; this test proves it.
type widgetco struct {
	mu       sync.Mutex
	requests []string
	gadgets  map[string][]map[string]any // shop -> gadgets
	nextID   int
}

const widgetKey = "wk-secret-123456"

func newWidgetco() *widgetco {
	return &widgetco{nextID: 10, gadgets: map[string][]map[string]any{
		"s1": {
			{"id": 1, "name": "Sprocket", "weight_grams": 12.5, "stock": 3, "fragile": false, "colour": "red", "tags": []string{"metal"}, "dims": map[string]int{"w": 10, "h": 2}},
			{"id": 2, "name": "glass widget", "weight_grams": 40, "stock": 0, "fragile": true, "colour": "clear"},
			{"id": 3, "name": "Red Gizmo", "weight_grams": 7.25, "stock": 12, "fragile": false, "colour": "red"},
		},
	}}
}

var gadgetPath = regexp.MustCompile(`^/v2/shops/([^/]+)/gadgets(?:/(\d+)(/polish)?)?$`)

func (w *widgetco) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	defer w.mu.Unlock()
	host, _, _ := net.SplitHostPort(r.Host)
	if host == "" {
		host = r.Host
	}
	line := fmt.Sprintf("%s %s %s", r.Method, host, r.URL.Path)
	if r.URL.RawQuery != "" {
		line += "?" + r.URL.RawQuery
	}
	if len(body) > 0 {
		line += " " + string(body)
	}
	w.requests = append(w.requests, line)
	if r.Header.Get("X-Widget-Key") != "Key "+widgetKey {
		writeJSON(rw, 401, map[string]any{"error_code": "UNAUTHENTICATED", "message": "bad key"})
		return
	}
	m := gadgetPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeJSON(rw, 404, map[string]any{"error_code": "NO_ROUTE", "message": "no route " + r.URL.Path})
		return
	}
	shop, id := m[1], m[2]
	if shop == "echo" { // an API that quotes the credential back
		writeJSON(rw, 403, map[string]any{"error_code": "FORBIDDEN", "message": "key " + r.Header.Get("X-Widget-Key") + " may not read shop echo"})
		return
	}
	items, ok := w.gadgets[shop]
	if !ok {
		writeJSON(rw, 404, map[string]any{"error_code": "SHOP_NOT_FOUND", "message": "no shop " + shop})
		return
	}
	switch {
	case r.Method == "GET" && id == "":
		var out []map[string]any
		for _, g := range items {
			if c := r.URL.Query().Get("colour"); c == "" || g["colour"] == c {
				out = append(out, g)
			}
		}
		writeJSON(rw, 200, map[string]any{"data": map[string]any{"items": out}})
	case r.Method == "POST" && id == "":
		var g map[string]any
		if json.Unmarshal(body, &g) != nil {
			writeJSON(rw, 400, map[string]any{"error_code": "BAD_JSON", "message": "bad body"})
			return
		}
		w.nextID++
		g["id"] = w.nextID
		w.gadgets[shop] = append(items, g)
		writeJSON(rw, 201, g)
	case (r.Method == "PATCH" || r.Method == "PUT") && id != "" && m[3] == "":
		var change map[string]any
		if json.Unmarshal(body, &change) != nil {
			writeJSON(rw, 400, map[string]any{"error_code": "BAD_JSON", "message": "bad body"})
			return
		}
		for i, g := range items {
			if fmt.Sprint(g["id"]) != id {
				continue
			}
			if r.Method == "PUT" { // a replacement keeps only the id
				g = map[string]any{"id": g["id"]}
			}
			for k, v := range change {
				g[k] = v
			}
			items[i] = g
			writeJSON(rw, 200, g)
			return
		}
		writeJSON(rw, 404, map[string]any{"error_code": "NO_GADGET", "message": "no gadget " + id})
	case r.Method == "DELETE" && id != "" && m[3] == "":
		rw.WriteHeader(204)
	case r.Method == "POST" && m[3] != "":
		n, _ := strconv.Atoi(id)
		writeJSON(rw, 200, map[string]any{"id": n, "name": "polished", "stock": 1})
	default:
		writeJSON(rw, 405, map[string]any{"error_code": "METHOD_NOT_ALLOWED", "message": r.Method})
	}
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

func (w *widgetco) log() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := append([]string(nil), w.requests...)
	w.requests = nil
	return out
}

// startWidgetco serves the fake over TLS and returns an engine whose client
// reaches it for every host, verifying its certificate.
func startWidgetco(t *testing.T) (*widgetco, *harness.Engine) {
	t.Helper()
	return startWidgetcoWith(t, func(*harness.Config) {})
}

// startWidgetcoWith is startWidgetco with the engine's config adjusted.
func startWidgetcoWith(t *testing.T, adjust func(*harness.Config)) (*widgetco, *harness.Engine) {
	t.Helper()
	fake := newWidgetco()
	srv := httptest.NewTLSServer(fake)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
		},
		// httptest's certificate names example.com; every host is this server.
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
	}}
	reg, err := registry.Open(filepath.Join("testdata", "registry"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := harness.Config{
		Registry: reg,
		Client:   client,
		Getenv:   func(k string) string { return map[string]string{"WIDGETCO_KEY": widgetKey}[k] },
	}
	adjust(&cfg)
	return fake, harness.New(cfg)
}

// runCSV runs a script and renders every result as CSV (messages as-is).
func runCSV(eng *harness.Engine, script string) (string, error) {
	var b bytes.Buffer
	err := eng.Exec(context.Background(), script, func(_ *harness.Statement, r *harness.Result) error {
		if r.HasTable() {
			return render.Write(&b, r.Result, render.Options{Format: render.CSV})
		}
		b.WriteString(r.Message + "\n")
		return nil
	})
	return b.String(), err
}

func TestSecondProviderShape(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sql      string
		want     string   // CSV output
		requests []string // what the fake received
		err      string   // substring of the error, if any
	}{
		{
			name: "select star: nested objectKey, path and server variable, columns and parameters sorted by name",
			sql:  "SELECT * FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 's1'",
			want: "colour,dims,fragile,id,name,region,shop_id,stock,tags,weight_grams\n" +
				`red,"{""h"":2,""w"":10}",false,1,Sprocket,eu1,s1,3,"[""metal""]",12.5` + "\n" +
				"clear,,true,2,glass widget,eu1,s1,0,,40.0\n" +
				"red,,false,3,Red Gizmo,eu1,s1,12,,7.25\n",
			requests: []string{"GET eu1.widgetco.example /v2/shops/s1/gadgets"},
		},
		{
			name:     "optional query parameter is sent and evaluated; LIKE, numbers, booleans",
			sql:      "SELECT name, weight_grams FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 's1' AND colour = 'red' AND name LIKE '%GIZ%' AND weight_grams < 10 AND fragile = false",
			want:     "name,weight_grams\nRed Gizmo,7.25\n",
			requests: []string{"GET eu1.widgetco.example /v2/shops/s1/gadgets?colour=red"},
		},
		{
			name:     "count, order by a number descending, limit",
			sql:      "SELECT COUNT(*) AS n FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 's1' AND stock > 0; SELECT id FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 's1' ORDER BY weight_grams DESC LIMIT 2",
			want:     "n\n2\nid\n2\n1\n",
			requests: []string{"GET eu1.widgetco.example /v2/shops/s1/gadgets", "GET eu1.widgetco.example /v2/shops/s1/gadgets"},
		},
		{
			name: "fan-out over a server variable, merged in the order written",
			sql:  "SELECT region, id FROM widgetco.inventory.gadgets WHERE region IN ('us1', 'eu1') AND shop_id = 's1' AND id = 2",
			want: "region,id\nus1,2\neu1,2\n",
			requests: []string{"GET eu1.widgetco.example /v2/shops/s1/gadgets",
				"GET us1.widgetco.example /v2/shops/s1/gadgets"},
		},
		{
			name:     "insert: data__ columns typed by the schema, required body property, RETURNING aliases",
			sql:      `INSERT INTO widgetco.inventory.gadgets (region, shop_id, data__name, data__weight_grams, data__stock, data__fragile, data__tags) SELECT 'eu1', 's1', '{"not": "an object"}', 3, '5', true, '["a","b"]' RETURNING id AS new_id, name`,
			want:     "new_id,name\n11,\"{\"\"not\"\": \"\"an object\"\"}\"\n",
			requests: []string{`POST eu1.widgetco.example /v2/shops/s1/gadgets {"fragile":true,"name":"{\"not\": \"an object\"}","stock":5,"tags":["a","b"],"weight_grams":3}`},
		},
		{
			name: "insert without a required body property",
			sql:  "INSERT INTO widgetco.inventory.gadgets (region, shop_id, data__stock) VALUES ('eu1', 's1', 1)",
			err:  `missing required parameter "data__name" for method "add_gadget" of widgetco.inventory.gadgets`,
		},
		{
			name:     "delete verb with a path parameter fanned out",
			sql:      "DELETE FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 's1' AND gadget_id IN (1, 3)",
			want:     "The operation was despatched successfully\n",
			requests: []string{"DELETE eu1.widgetco.example /v2/shops/s1/gadgets/1", "DELETE eu1.widgetco.example /v2/shops/s1/gadgets/3"},
		},
		{
			name:     "exec with @@json and a response table",
			sql:      `EXEC widgetco.inventory.gadgets.polish @region='eu1', @shop_id='s1', @gadget_id=3 @@json='{"passes": 2}'`,
			want:     "colour,dims,fragile,id,name,stock,tags,weight_grams\n,,,3,polished,1,,\n",
			requests: []string{`POST eu1.widgetco.example /v2/shops/s1/gadgets/3/polish {"passes":2}`},
		},
		{
			name: "exec @@json checks the declared type",
			sql:  `EXEC widgetco.inventory.gadgets.polish @region='eu1', @shop_id='s1', @gadget_id=3 @@json='{"passes": 2.5}'`,
			err:  `@@json: property "passes" must be an integer`,
		},
		{
			name: "show methods lists every verb from the document",
			sql:  "SHOW METHODS IN widgetco.inventory.gadgets",
			want: "MethodName,RequiredParams,SQLVerb\nlist_gadgets,\"shop_id, region\",SELECT\nadd_gadget,\"shop_id, data__name, region\",INSERT\n" +
				"remove_gadget,\"gadget_id, shop_id, region\",DELETE\n" +
				"update_gadget,\"gadget_id, shop_id, region\",UPDATE\nreplace_gadget,\"gadget_id, shop_id, region\",REPLACE\n" +
				"polish,\"gadget_id, shop_id, region\",EXEC\n",
		},
		{
			name: "describe reads the item schema under $.data.items",
			sql:  "DESCRIBE EXTENDED widgetco.inventory.gadgets",
			want: "name,type,description\ncolour,string,Paint colour.\ndims,object,Dimensions in millimetres.\nfragile,boolean,Whether it ships in bubble wrap.\n" +
				"id,integer,\"Gadget number, unique within the shop.\"\nname,string,What the gadget is called.\nstock,integer,Units in stock.\n" +
				"tags,array,Free-form labels.\nweight_grams,number,Weight in grams.\n",
		},
		{
			name:     "an API error shows status, code and message on one line",
			sql:      "SELECT id FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 'nope'",
			err:      "GET eu1.widgetco.example/v2/shops/nope/gadgets: http 404 SHOP_NOT_FOUND: no shop nope",
			requests: []string{"GET eu1.widgetco.example /v2/shops/nope/gadgets"},
		},
		{
			name:     "a credential quoted back by the API is redacted",
			sql:      "SELECT id FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 'echo'",
			err:      "http 403 FORBIDDEN: key Key [REDACTED] may not read shop echo",
			requests: []string{"GET eu1.widgetco.example /v2/shops/echo/gadgets"},
		},
		{
			name: "a host variable must be a DNS label",
			sql:  "SELECT id FROM widgetco.inventory.gadgets WHERE region = 'eu1.evil.example@x' AND shop_id = 's1'",
			err:  `parameter "region": "eu1.evil.example@x" is not a valid DNS label`,
		},
		{
			name: "a path parameter cannot climb the path",
			sql:  "SELECT id FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = '..'",
			err:  `parameter "shop_id": ".." cannot be a path segment`,
		},
		{
			name:     "a list missing from the body goes through the method's response transform",
			sql:      "SELECT name FROM widgetco.inventory.gadgets WHERE region = 'eu1' AND shop_id = 's1' AND colour = 'purple'",
			want:     "name\n(none in stock)\n",
			requests: []string{"GET eu1.widgetco.example /v2/shops/s1/gadgets?colour=purple"},
		},
		{
			name: "update sends PATCH with the SET body, WHERE as parameters, RETURNING evaluated",
			sql: "UPDATE widgetco.inventory.gadgets SET data__stock = 7, data__colour = 'blue' " +
				"WHERE region = 'eu1' AND shop_id = 's1' AND gadget_id = 3 RETURNING name, stock * 2 AS double_stock, colour",
			want:     "name,double_stock,colour\nRed Gizmo,14,blue\n",
			requests: []string{`PATCH eu1.widgetco.example /v2/shops/s1/gadgets/3 {"colour":"blue","stock":7}`},
		},
		{
			name:     "replace sends PUT, once per gadget IN names",
			sql:      "REPLACE widgetco.inventory.gadgets SET data__name = 'renamed' WHERE region = 'eu1' AND shop_id = 's1' AND gadget_id IN (1, 2)",
			want:     "The operation was despatched successfully\n",
			requests: []string{`PUT eu1.widgetco.example /v2/shops/s1/gadgets/1 {"name":"renamed"}`, `PUT eu1.widgetco.example /v2/shops/s1/gadgets/2 {"name":"renamed"}`},
		},
		{
			name: "update without its path parameter names it, nothing sent",
			sql:  "UPDATE widgetco.inventory.gadgets SET data__stock = 1 WHERE region = 'eu1' AND shop_id = 's1'",
			err:  `missing required parameter "gadget_id" for method "update_gadget" of widgetco.inventory.gadgets`,
		},
		{
			name: "update filters only by parameters",
			sql:  "UPDATE widgetco.inventory.gadgets SET data__stock = 1 WHERE region = 'eu1' AND shop_id = 's1' AND gadget_id = 1 AND stock > 2",
			err:  `UPDATE can only constrain parameters with = or IN, not "stock > 2"`,
		},
		{
			name: "update without a body is refused, the body being required",
			sql:  "UPDATE widgetco.inventory.gadgets SET gadget_id = 1 WHERE region = 'eu1' AND shop_id = 's1'",
			err:  `method "update_gadget" of widgetco.inventory.gadgets needs a request body`,
		},
		{
			name: "missing path parameter names it and the method",
			sql:  "SELECT id FROM widgetco.inventory.gadgets WHERE region = 'eu1'",
			err:  `missing required parameter "shop_id" for method "list_gadgets" of widgetco.inventory.gadgets`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, eng := startWidgetco(t)
			got, err := runCSV(eng, tc.sql)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("%s\nerror = %v\nwant one containing %q", tc.sql, err, tc.err)
			case tc.err == "" && err != nil:
				t.Errorf("%s\nunexpected error: %v", tc.sql, err)
			case tc.err == "" && got != tc.want:
				t.Errorf("%s\n--- want:\n%s--- got:\n%s", tc.sql, tc.want, got)
			}
			if err != nil && strings.Contains(err.Error(), widgetKey) {
				t.Errorf("the api key leaked into an error: %v", err)
			}
			reqs := fake.log()
			sort.Strings(reqs) // fan-out requests are concurrent
			want := append([]string(nil), tc.requests...)
			sort.Strings(want)
			if strings.Join(reqs, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s\n--- requests want:\n%s\n--- got:\n%s", tc.sql, strings.Join(want, "\n"), strings.Join(reqs, "\n"))
			}
		})
	}
}

// TestNothingProviderSpecific guards the promise that the harness reads
// everything about an API from provider documents: no Databricks or
// user_tokens names in its code.
func TestNothingProviderSpecific(t *testing.T) {
	banned := regexp.MustCompile(`(?i)databricks|user_tokens|deployment_name|token_id|token_info|token_value|listtokens|revoketoken|token/(list|create|delete)`)
	err := filepath.Walk(".", func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			line = strings.ReplaceAll(line, "github.com/stackql-labs/databricks-tokens", "") // the module path
			if m := banned.FindString(line); m != "" {
				t.Errorf("%s:%d mentions %q: the harness must get it from the provider documents", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
