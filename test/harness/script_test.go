package harness

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLocatesSyntaxErrors(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct {
		script, want string
	}{
		{"SELEC * FROM a.b.c", `syntax error at line 1, column 1 near "SELEC"`},
		{"SELECT 1;\n\nSELECT token_id\nFROM a.b.c\nWHER x = 'y'", `syntax error at line 5, column 6 near "x"`},
		{"SELECT * FROM a.b.c WHERE x = ", "line 1, column 30: syntax error at end of input"},
		{"-- only a comment;\nSELECT 'é', * FROM a.b.c WHERE = 1", `syntax error at line 2, column 32 near "="`},
		{"SELECT * FROM a.b.c WHERE x = '{{ missing }}'", "line 1, column 32: no value for placeholder {{ missing }} (pass --var missing=...)"},
		// The parser reads || as OR; SQLite concatenates. Refused wherever the
		// tokenizer sees it, not in strings, quoted names or comments.
		{"SELECT comment || '-x' AS label FROM a.b.c", "line 1, column 16: `||` is not supported (the parser reads it as OR); use OR for logic"},
		{"SELECT '||', \"a||b\" -- ||\nFROM a.b.c /* || */\n  WHERE x = 1 OR y||z", "line 3, column 19: `||` is not supported (the parser reads it as OR); use OR for logic"},
		{"SELECT 1 FROM a.b.c;\nSELECT a||", "line 2, column 9: `||` is not supported (the parser reads it as OR); use OR for logic"},
		{"SELEC 1;\nSELECT a || b FROM a.b.c", `syntax error at line 1, column 1 near "SELEC"`},
		{"SELECT 1 FROM a.b.c WHERE x = 1 && y = 2", "line 1, column 33: `&&` is not supported (the parser reads it as AND, SQLite has no &&); use AND"},
		{"SELECT 1 FROM a.b.c WHERE x = 1 AND y = '&&'", ""},
		// Depth is bounded before the parser sees it: its memory grows with it.
		{"SELECT 1 FROM a.b.c WHERE " + strings.Repeat("NOT ", 1_000_000) + "x = 1", "line 1, column 827: the statement nests deeper than 200 levels"},
		{"SELECT " + strings.Repeat("(", 1_000_000) + "1", "line 1, column 208: the statement nests deeper than 200 levels"},
		{"SELECT " + strings.Repeat("- ", 201) + "1", "line 1, column 408: the statement nests deeper than 200 levels"},
		{"SELECT " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + " FROM a.b.c", ""},
		{"SELECT " + strings.Repeat("NOT ", 150) + "1 FROM a.b.c;\nSELECT " + strings.Repeat("NOT ", 150) + "1 FROM a.b.c", ""},
	} {
		_, err := e.Parse(tc.script)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want { // "" wants no error
			t.Errorf("Parse(%.80q...)\n error = %v\n want    %s", tc.script, err, tc.want)
		}
	}
}

func TestParseSplitsAtTopLevelSemicolons(t *testing.T) {
	e := New(Config{Vars: map[string]string{"v": "a;b"}})
	script := "SELECT 'x;y' FROM a.b.c; -- a comment; with a semicolon\n" +
		"/* block; comment */ SELECT \"q;\" FROM a.b.c WHERE c = '{{ v }}'\n;\n\n  ; -- trailing\n"
	stmts, err := e.Parse(script)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stmts {
		got = append(got, s.Text)
	}
	want := []string{"SELECT 'x;y' FROM a.b.c", "-- a comment; with a semicolon\n/* block; comment */ SELECT \"q;\" FROM a.b.c WHERE c = 'a;b'"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("statements\n got %q\nwant %q", got, want)
	}
	if stmts[1].Line != 1 || stmts[0].Line != 1 {
		t.Errorf("lines = %d, %d; want 1, 1", stmts[0].Line, stmts[1].Line)
	}
}

func TestSyntaxErrorIsTyped(t *testing.T) {
	_, err := New(Config{}).Parse("SELECT FROM")
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 1 {
		t.Errorf("error %v (%T) is not a located *SyntaxError", err, err)
	}
}
