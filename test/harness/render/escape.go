package render

import (
	"unicode/utf8"

	"github.com/stackql-labs/databricks-tokens/test/harness/termtext"
)

const hex = "0123456789abcdef"

// tableText escapes a table header or cell. Newlines are kept: tablewriter
// splits the text on them and rewraps it, as the engine does, so they never
// reach the terminal. A tab would, and it has no fixed width, so it is
// escaped.
func tableText(s string) string { return termtext.Escape(s, "\n") }

// csvText escapes a CSV field. Newline and tab are ordinary CSV data (the
// csv writer quotes a field holding a newline) and are harmless on a
// terminal; carriage return is escaped, as it can overprint a line.
func csvText(s string) string { return termtext.Escape(s, "\n\t") }

// jsonSafe escapes, in encoded JSON, what encoding/json leaves raw and a
// terminal could act on: DEL and C1 controls become \u007f and \u0085 and so
// on, and, in JSON text passed through from an API, U+2028, U+2029 and
// invalid UTF-8 become \u2028, \u2029 and \ufffd, as encoding/json writes
// them. In valid JSON such characters can only occur inside strings, where
// the escape means the same character, so the document stays valid.
func jsonSafe(p []byte) []byte {
	var out []byte
	done := 0
	for i := 0; i < len(p); {
		c := p[i]
		if c < 0x7f {
			i++
			continue
		}
		r, n := rune(c), 1
		if c >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(p[i:])
		}
		if r == utf8.RuneError && n == 1 {
			r = utf8.RuneError
		} else if r != 0x7f && (r < 0x80 || r > 0x9f) && r != '\u2028' && r != '\u2029' {
			i += n
			continue
		}
		out = append(out, p[done:i]...)
		out = append(out, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		i += n
		done = i
	}
	if out == nil {
		return p
	}
	return append(out, p[done:]...)
}
