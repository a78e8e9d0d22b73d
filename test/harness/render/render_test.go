package render

import (
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
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
		hide bool
		want string
	}{
		{Table, false, `
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
		{Table, true, `
|--------------------------------|-----|---------|------|
| short                          |   7 | {"a":1} |      |
|--------------------------------|-----|---------|------|
| a cell that is longer than     | 2.5 | x,"y"   | true |
| thirty characters wraps at     |     |         |      |
| spaces                         |     |         |      |
|--------------------------------|-----|---------|------|
`},
		{JSON, false, `
[{"name":"short","n":7,"info":{"a":1},"missing":null},{"name":"a cell that is longer than thirty characters wraps at spaces","n":2.5,"info":"x,\"y\"","missing":true}]
`},
		{CSV, false, `
name,n,info,missing
short,7,"{""a"":1}",
a cell that is longer than thirty characters wraps at spaces,2.5,"x,""y""",true
`},
		{CSV, true, `
short,7,"{""a"":1}",
a cell that is longer than thirty characters wraps at spaces,2.5,"x,""y""",true
`},
	} {
		var b strings.Builder
		if err := Write(&b, res, Options{Format: tc.f, HideHeaders: tc.hide}); err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimPrefix(tc.want, "\n"); b.String() != want {
			t.Errorf("%s:\n--- want:\n%s--- got:\n%s", tc.f, want, b.String())
		}
	}
}

func TestTable(t *testing.T) {
	s := value.String
	for _, tc := range []struct {
		name   string
		res    Result
		want   string
		ragged bool // lines of different display widths
	}{
		{"wide characters take two columns", Result{
			Columns: []string{"token_id", "comment"},
			Rows: [][]value.Value{
				{s("a1"), s("デプロイ用")},
				{s("b2"), s("🔑 key")},
				{s("c3"), s("デプロイ用のトークン、本番環境のみ")}, // one 34-column word
				{s("d4"), s("デプロイ用 トークン 本番 環境 のみ 使用")},
			},
		}, `
|----------|------------------------------------|
| token_id |              comment               |
|----------|------------------------------------|
| a1       | デプロイ用                         |
|----------|------------------------------------|
| b2       | 🔑 key                             |
|----------|------------------------------------|
| c3       | デプロイ用のトークン、本番環境のみ |
|----------|------------------------------------|
| d4       | デプロイ用 トークン 本番 環境      |
|          | のみ 使用                          |
|----------|------------------------------------|
`, false},
		// tablewriter splits at newlines, then rewraps at the width of the
		// longest line (at most 30): short lines stay apart, long ones
		// reflow.
		{"newlines in cells", Result{
			Columns: []string{"comment"},
			Rows: [][]value.Value{
				{s("line1\nline2")},
				{s("a\nbb ccc")},
				{s("short\nthen a line that is longer than thirty columns")},
			},
		}, `
|--------------------------------|
|            comment             |
|--------------------------------|
| line1                          |
| line2                          |
|--------------------------------|
| a bb                           |
| ccc                            |
|--------------------------------|
| short then a line that is      |
| longer than thirty columns     |
|--------------------------------|
`, false},
		// tablewriter right-aligns text matching ^-*\d*\.?\d*$ only.
		{"number alignment", Result{
			Columns: []string{"value"},
			Rows:    [][]value.Value{{value.Float(-1.5)}, {s("1,000")}, {s("-")}, {value.Float(1e20)}},
		}, `
|---------|
|  value  |
|---------|
|    -1.5 |
|---------|
| 1,000   |
|---------|
|       - |
|---------|
| 1.0e+20 |
|---------|
`, false},
		// tablewriter fills a short cell's missing lines with two spaces,
		// so a one-column-wide column is misaligned below its first line.
		// The engine prints this too.
		{"narrow column beside a wrapped cell", Result{
			Columns: []string{"n", "comment"},
			Rows:    [][]value.Value{{value.Int(1), s("a cell that is longer than thirty characters wraps")}},
		}, `
|---|--------------------------------|
| n |            comment             |
|---|--------------------------------|
| 1 | a cell that is longer than     |
|    | thirty characters wraps        |
|---|--------------------------------|
`, true},
	} {
		var b strings.Builder
		if err := Write(&b, tc.res, Options{Format: Table}); err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimPrefix(tc.want, "\n"); b.String() != want {
			t.Errorf("%s:\n--- want:\n%s--- got:\n%s", tc.name, want, b.String())
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		for _, l := range lines {
			if w, w0 := tablewriter.DisplayWidth(l), tablewriter.DisplayWidth(lines[0]); w != w0 && !tc.ragged {
				t.Errorf("%s: line %q is %d columns wide, the border %d", tc.name, l, w, w0)
			}
		}
	}
}

func TestEmptyTableHasNoBottomBorder(t *testing.T) {
	// The engine's tablewriter draws a line after each row, so an empty
	// result ends with the header line.
	var b strings.Builder
	_ = Write(&b, Result{Columns: []string{"token_id"}}, Options{Format: Table})
	want := "|----------|\n| token_id |\n|----------|\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	_ = Write(&b, Result{Columns: []string{"x"}}, Options{Format: JSON})
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
