package harness_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
)

// cannedTokens is the list every GET is answered with: a token with a
// comment, one without (comment is NULL) and a legacy one that never
// expires (expiry_time -1) whose comment looks like a number.
const cannedTokens = `{"token_infos": [
 {"token_id": "t1", "comment": "ci nightly", "creation_time": 1795620706305, "expiry_time": 1795624306305},
 {"token_id": "t2", "creation_time": 1795620706306, "expiry_time": 1795620766306},
 {"token_id": "t3", "comment": "42", "creation_time": 1600000000000, "expiry_time": -1}
]}`

// cannedAPI answers without a network: GETs with cannedTokens, a create
// with a new token and a revoke with {}. Anything else is a 404.
var cannedAPI = roundTripFunc(func(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	status, body := http.StatusOK, cannedTokens
	switch {
	case r.Method == http.MethodGet:
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/create"):
		body = `{"token_value": "dapi` + strings.Repeat("f", 32) + `", "token_info": {"token_id": "t4", "comment": "new", "creation_time": 1795620800000, "expiry_time": 1795624400000}}`
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/delete"):
		body = `{}`
	default:
		status, body = http.StatusNotFound, `{"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"}`
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: r,
	}, nil
})

func openProvider(tb testing.TB) *registry.Registry {
	tb.Helper()
	reg, err := registry.Open(filepath.Join("..", "..", "provider"))
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

// cannedEngine is an engine for the generated provider that sends to cannedAPI.
func cannedEngine(reg *registry.Registry, vars map[string]string) *harness.Engine {
	return harness.New(harness.Config{
		Registry: reg,
		Vars:     vars,
		Getenv:   func(string) string { return "dapi" + strings.Repeat("0", 32) },
		Client:   &http.Client{Transport: cannedAPI},
	})
}

// TestLocalEvaluationMatchesSQLite evaluates expressions over cannedTokens
// and compares them with SQLite's answers, recorded from SQLite 3.40.1
// (python3's sqlite3) over the same rows:
//
//	CREATE TABLE user_tokens (token_id TEXT, comment TEXT, creation_time INTEGER, expiry_time INTEGER);
//	SELECT <expr> FROM user_tokens ORDER BY token_id;
//
// Affinity is where the two most easily part: +x and the items of an IN list
// have none, whatever x is.
func TestLocalEvaluationMatchesSQLite(t *testing.T) {
	eng := cannedEngine(openProvider(t), nil)
	for _, tc := range []struct {
		expr   string
		sqlite string // one value per token, t1,t2,t3; recorded from SQLite 3.40.1
	}{
		{"+creation_time = '1795620706305'", "0,0,0"},
		{"creation_time = '1795620706305'", "1,0,0"},
		{"(creation_time) = '1795620706305'", "1,0,0"},
		{"+(creation_time) = '1795620706305'", "0,0,0"},
		{"'1795620706305' = creation_time", "1,0,0"},
		{"'1795620706305' IN (creation_time)", "0,0,0"},
		{"'1795620706305' IN ((creation_time))", "0,0,0"},
		{"creation_time IN ('1795620706305', 'x')", "1,0,0"},
		{"+creation_time IN ('1795620706305')", "0,0,0"},
		{"creation_time NOT IN ('1795620706305')", "0,1,1"},
		{"comment = 42", "0,NULL,1"},
		{"+comment = 42", "0,NULL,0"},
		{"comment IN (42)", "0,NULL,1"},
		{"42 IN (comment)", "0,NULL,0"},
		{"'42' IN (comment)", "0,NULL,1"},
		{"comment IN (creation_time, 'ci nightly')", "1,NULL,0"},
		{"'-1' IN (expiry_time)", "0,0,0"},
		{"expiry_time IN ('-1')", "0,0,1"},
		{"-1 IN (expiry_time, comment)", "0,NULL,1"},
		{"comment IN ('x', NULL)", "NULL,NULL,NULL"},
		{"comment IN ('42', NULL)", "NULL,NULL,1"},
		{"expiry_time < '0'", "0,0,1"},
		{"+expiry_time < '0'", "1,1,1"},
		{"-expiry_time > '0'", "0,0,0"},
		{"creation_time BETWEEN '1795620706304' AND '1795620706306'", "1,1,0"},
		{"+creation_time BETWEEN '1795620706304' AND '1795620706306'", "0,0,0"},
		{"'1795620706305' BETWEEN creation_time AND creation_time", "1,0,0"},
		{"creation_time + 0 = '1795620706305'", "0,0,0"},
	} {
		sql := "SELECT " + tc.expr + " AS v FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' ORDER BY token_id"
		var got []string
		err := eng.Exec(context.Background(), sql, func(_ *harness.Statement, r *harness.Result) error {
			for _, row := range r.Rows {
				if row[0].IsNull() {
					got = append(got, "NULL")
				} else {
					got = append(got, row[0].Text())
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s\nerror: %v", sql, err)
			continue
		}
		if g := strings.Join(got, ","); g != tc.sqlite {
			t.Errorf("%s\n harness: %s\n  SQLite: %s", sql, g, tc.sqlite)
		}
	}
}
