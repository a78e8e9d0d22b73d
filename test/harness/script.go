package harness

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/stackql/stackql-parser/go/vt/sqlparser"
)

// placeholderRE matches the docs pages' {{ name }} placeholders.
var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// SyntaxError is a statement the parser rejects, located in the script.
type SyntaxError struct {
	Line, Column int
	Near         string
	Msg          string
}

func (e *SyntaxError) Error() string {
	if e.Near != "" {
		return fmt.Sprintf("syntax error at line %d, column %d near %q", e.Line, e.Column, e.Near)
	}
	if e.Msg != "" {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("syntax error at line %d, column %d", e.Line, e.Column)
}

// FillPlaceholders replaces every {{ name }} in script with vars[name]
// verbatim; a placeholder without a value is an error naming it and its line.
func FillPlaceholders(script string, vars map[string]string) (string, error) {
	var missing []string
	seen := map[string]bool{}
	out := placeholderRE.ReplaceAllStringFunc(script, func(m string) string {
		name := placeholderRE.FindStringSubmatch(m)[1]
		if v, ok := vars[name]; ok {
			return v
		}
		if !seen[name] {
			seen[name] = true
			missing = append(missing, name)
		}
		return m
	})
	if len(missing) == 0 {
		return out, nil
	}
	name := missing[0]
	line, col := position(script, indexOfPlaceholder(script, name))
	return "", fmt.Errorf("line %d, column %d: no value for placeholder {{ %s }} (pass --var %s=...)", line, col, name, name)
}

func indexOfPlaceholder(script, name string) int {
	for _, loc := range placeholderRE.FindAllStringSubmatchIndex(script, -1) {
		if script[loc[2]:loc[3]] == name {
			return loc[0]
		}
	}
	return 0
}

// position converts a byte offset into a 1-based line and column (in
// characters).
func position(s string, off int) (line, col int) {
	off = min(max(off, 0), len(s))
	line = 1 + strings.Count(s[:off], "\n")
	start := strings.LastIndexByte(s[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(s[start:off])
}

// Parse fills placeholders, splits the script at the semicolons the
// tokenizer sees (not those in strings or comments) and parses every
// statement with the engine's parser.
func (e *Engine) Parse(script string) ([]*Statement, error) {
	script, err := FillPlaceholders(script, e.cfg.Vars)
	if err != nil {
		return nil, err
	}
	var stmts []*Statement
	for _, p := range split(script) {
		if p.symbol >= 0 {
			line, col := position(script, p.symbol)
			return nil, &SyntaxError{Line: line, Column: col, Msg: p.symbolMsg}
		}
		text := script[p.start:p.end]
		ast, err := sqlparser.ParseStrictDDL(text)
		if errors.Is(err, sqlparser.ErrEmpty) {
			continue
		}
		if err != nil {
			return nil, syntaxError(script, p.start, text, err)
		}
		lead := len(text) - len(strings.TrimLeft(text, " \t\r\n"))
		line, col := position(script, p.start+lead)
		stmts = append(stmts, &Statement{Text: strings.TrimSpace(text), Line: line, Column: col, ast: ast})
	}
	return stmts, nil
}

// piece is one statement's bytes in the script; symbol is the offset of its
// first refused operator ("||" or "&&"), or -1, and symbolMsg says why.
type piece struct {
	start, end, symbol int
	symbolMsg          string
}

// Operators the engine's parser reads as OR and AND, told apart from the
// keywords because a keyword token carries its text. SQLite concatenates
// with || and has no &&, and the parsed statement cannot tell them apart.
var refusedSymbols = map[int]string{
	sqlparser.OR:  "`||` is not supported (the parser reads it as OR); use OR for logic",
	sqlparser.AND: "`&&` is not supported (the parser reads it as AND, SQLite has no &&); use AND",
}

// maxDepth bounds how deeply a statement may nest parentheses or chain
// prefix operators (NOT NOT ... x): the parser's memory grows with the
// depth, and a million NOTs would take gigabytes.
const maxDepth = 200

// split cuts a script into statements at top-level semicolons and notes
// where each first uses a refused operator or nests deeper than maxDepth.
func split(script string) []piece {
	tok := sqlparser.NewStringTokenizer(script)
	var out []piece
	cur := piece{symbol: -1}
	depth, prefix := 0, 0
	var typ int
	var val []byte
	refuse := func(msg string) {
		if cur.symbol >= 0 {
			return
		}
		// Position is just past the token: its text, or one character, or
		// two for the symbols (|| and &&) that carry none.
		n := len(val)
		if n == 0 {
			n = 1
			if typ >= 256 {
				n = 2
			}
		}
		cur.symbol, cur.symbolMsg = tok.Position-1-n, msg
	}
	for {
		typ, val = tok.Scan()
		if msg, refused := refusedSymbols[typ]; refused && val == nil {
			refuse(msg)
		}
		switch {
		case typ == '(':
			depth++
		case typ == ')':
			depth = max(depth-1, 0)
		}
		if typ == sqlparser.NOT || typ == '!' || typ == '-' || typ == '+' || typ == '~' {
			prefix++
		} else {
			prefix = 0
		}
		if depth > maxDepth || prefix > maxDepth {
			refuse(fmt.Sprintf("the statement nests deeper than %d levels", maxDepth))
		}
		if typ == ';' {
			cur.end = tok.Position - 2
			out = append(out, cur)
			cur = piece{start: cur.end + 1, symbol: -1}
			depth, prefix = 0, 0
			continue
		}
		if typ == 0 || tok.LastError != nil {
			break
		}
	}
	if cur.start < len(script) {
		cur.end = len(script)
		out = append(out, cur)
	}
	return out
}

// syntaxError locates a parser error: the tokenizer reports the position
// just past the offending token and the token's text.
func syntaxError(script string, start int, text string, err error) error {
	var pe sqlparser.PositionedErr
	if !errors.As(err, &pe) {
		line, col := position(script, start)
		return &SyntaxError{Line: line, Column: col, Msg: err.Error()}
	}
	end := min(max(pe.Pos-1, 0), len(text))
	at := end
	near := string(pe.Near)
	if near == "" {
		if strings.TrimSpace(text[end:]) == "" && strings.TrimSpace(text[:end]) == strings.TrimSpace(text) {
			line, col := position(script, start+len(strings.TrimRight(text, " \t\r\n")))
			return &SyntaxError{Line: line, Column: col, Msg: "syntax error at end of input"}
		}
		at, near = trailingToken(text[:end])
	} else if i := strings.LastIndex(strings.ToLower(text[:end]), strings.ToLower(near)); i >= 0 {
		at = i
	}
	line, col := position(script, start+at)
	if pe.Err != "syntax error" {
		return &SyntaxError{Line: line, Column: col, Msg: pe.Err}
	}
	return &SyntaxError{Line: line, Column: col, Near: near}
}

// trailingToken returns the start and text of the last token in s: a run of
// word characters, or one other character.
func trailingToken(s string) (int, string) {
	t := strings.TrimRight(s, " \t\r\n")
	if t == "" {
		return len(s), ""
	}
	word := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	i := len(t) - 1
	if word(t[i]) {
		for i > 0 && word(t[i-1]) {
			i--
		}
	}
	return i, t[i:]
}
