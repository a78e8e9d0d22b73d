package render

import (
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

func TestWrite(t *testing.T) {
	s, i := value.String, value.Int
	res := Result{
		Columns: []string{"name", "n", "info", "missing"},
		Rows: [][]value.Value{
			{s("short"), i(7), value.JSONText(`{"a":1}`), {}},
			{s("a cell that is longer than thirty characters wraps at spaces"), value.Float(2.5), s("x,\"y\""), value.Boolean(true)},
		},
	}
	for _, tc := range []struct {
		f    Format
		want string
	}{
		{Table, `
|--------------------------------|-----|---------|---------|
|              name              |  n  |  info   | missing |
|--------------------------------|-----|---------|---------|
| short                          |   7 | {"a":1} |         |
|--------------------------------|-----|---------|---------|
| a cell that is longer than     | 2.5 | x,"y"   | true    |
| thirty characters wraps at     |     |         |         |
| spaces                         |     |         |         |
|--------------------------------|-----|---------|---------|
`},
		{JSON, `
[{"name":"short","n":7,"info":{"a":1},"missing":null},{"name":"a cell that is longer than thirty characters wraps at spaces","n":2.5,"info":"x,\"y\"","missing":true}]
`},
		{CSV, `
name,n,info,missing
short,7,"{""a"":1}",
a cell that is longer than thirty characters wraps at spaces,2.5,"x,""y""",true
`},
	} {
		var b strings.Builder
		if err := Write(&b, tc.f, res); err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimPrefix(tc.want, "\n"); b.String() != want {
			t.Errorf("%s:\n--- want:\n%s--- got:\n%s", tc.f, want, b.String())
		}
	}
}

func TestEmptyTableHasNoBottomBorder(t *testing.T) {
	// The engine's tablewriter draws a line after each row, so an empty
	// result ends with the header line.
	var b strings.Builder
	_ = Write(&b, Table, Result{Columns: []string{"token_id"}})
	want := "|----------|\n| token_id |\n|----------|\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	_ = Write(&b, JSON, Result{Columns: []string{"x"}})
	if b.String() != "[]\n" {
		t.Errorf("empty JSON = %q", b.String())
	}
}

func TestParseFormat(t *testing.T) {
	if _, err := ParseFormat("xml"); err == nil || err.Error() != `unknown output format "xml" (want table, json or csv)` {
		t.Errorf("ParseFormat(xml) error = %v", err)
	}
	if f, err := ParseFormat("csv"); err != nil || f != CSV {
		t.Errorf("ParseFormat(csv) = %v, %v", f, err)
	}
}
