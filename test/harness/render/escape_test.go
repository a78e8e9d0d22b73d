package render

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// hostile holds every kind of text that must not reach a terminal raw, in
// column names and cells.
var hostile = Result{
	Columns: []string{"tab\there", "esc\x1b"},
	Rows: [][]value.Value{
		{value.String("\x1b[31mred\x1b[0m"), value.String("bell\a")},
		{value.String("nel\u0085 ls\u2028"), value.String("bad\xff\xfeutf8")},
		{{}, value.String("del\x7f")},
		{value.String("multi\nline"), value.String("cr\r\nlf")},
		{value.JSONText("{\"c\":\"\u0085\x7f\u2028\u2029\xff\"}"), value.JSONText(`["\u001b"]`)},
	},
}

func TestEscapes(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		want string
	}{
		{Table, `
|------------------------------------|-----------------|
|            tab\x09here             |     esc\x1b     |
|------------------------------------|-----------------|
| \x1b[31mred\x1b[0m                 | bell\x07        |
|------------------------------------|-----------------|
| nel\u0085 ls\u2028                 | bad\xff\xfeutf8 |
|------------------------------------|-----------------|
|                                    | del\x7f         |
|------------------------------------|-----------------|
| multi                              | cr\x0d          |
| line                               | lf              |
|------------------------------------|-----------------|
| {"c":"\u0085\x7f\u2028\u2029\xff"} | ["\u001b"]      |
|------------------------------------|-----------------|
`},
		// CSV keeps newline (quoted) and tab, and escapes the rest.
		{CSV, `
tab	here,esc\x1b
\x1b[31mred\x1b[0m,bell\x07
nel\u0085 ls\u2028,bad\xff\xfeutf8
,del\x7f
"multi
line","cr\x0d
lf"
"{""c"":""\u0085\x7f\u2028\u2029\xff""}","[""\u001b""]"
`},
		// encoding/json escapes ESC and U+2028 but leaves DEL and C1 raw,
		// and json.Valid passes raw C1, U+2028 and invalid UTF-8 in JSON
		// text from an API: jsonSafe escapes those.
		{JSON, `
[{"tab\there":"\u001b[31mred\u001b[0m","esc\u001b":"bell\u0007"},{"tab\there":"nel\u0085 ls\u2028","esc\u001b":"bad\ufffd\ufffdutf8"},{"tab\there":null,"esc\u001b":"del\u007f"},{"tab\there":"multi\nline","esc\u001b":"cr\r\nlf"},{"tab\there":{"c":"\u0085\u007f\u2028\u2029\ufffd"},"esc\u001b":["\u001b"]}]
`},
	} {
		var b strings.Builder
		if err := Write(&b, hostile, Options{Format: tc.f}); err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimPrefix(tc.want, "\n"); b.String() != want {
			t.Errorf("%s:\n--- want:\n%s--- got:\n%s", tc.f, want, b.String())
		}
	}
}

func TestNoRawControls(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		keep string // control characters the format may print
	}{
		{Table, "\n"},
		{CSV, "\n\t"},
		{JSON, "\n"},
	} {
		var b strings.Builder
		if err := Write(&b, hostile, Options{Format: tc.f}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !utf8.ValidString(out) {
			t.Errorf("%s output is not valid UTF-8: %q", tc.f, out)
		}
		for _, r := range out {
			if (unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp)) && !strings.ContainsRune(tc.keep, r) {
				t.Errorf("%s output holds raw %U: %q", tc.f, r, out)
			}
		}
	}
}

func TestJSONEscapesRoundTrip(t *testing.T) {
	// Escaping must not change what a JSON reader sees.
	in := "esc\x1b nel\u0085 csi\u009b del\x7f ls\u2028 ps\u2029 デプロイ用"
	var b strings.Builder
	if err := Write(&b, Result{
		Columns: []string{in},
		Rows: [][]value.Value{
			{value.String(in)},
			// JSON text from an API holds ESC escaped, the rest raw.
			{value.JSONText(`{"k":"` + strings.ReplaceAll(in, "\x1b", `\u001b`) + `"}`)},
		},
	}, Options{Format: JSON}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\u0085\u009b\x7f\u2028\u2029") {
		t.Errorf("raw control or separator in %q", b.String())
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b.String())
	}
	if got[0][in] != in || got[1][in].(map[string]any)["k"] != in {
		t.Errorf("round trip changed the text: %q", got)
	}
}
