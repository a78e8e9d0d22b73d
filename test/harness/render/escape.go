package render

import (
	"strings"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// Safe returns s as one line of terminal text: every control character (C0
// including newline and tab, DEL, and C1 U+0080–U+009F), the line and
// paragraph separators U+2028 and U+2029, and every byte of invalid UTF-8 is
// replaced by a visible Go-style escape, as described in the package
// documentation. Other text, including wide characters and U+FFFD itself, is
// returned unchanged.
func Safe(s string) string { return escape(s, "") }

// tableText escapes a table header or cell. Newlines are kept: tablewriter
// splits the text on them and rewraps it, as the engine does, so they never
// reach the terminal. A tab would, and it has no fixed width, so it is
// escaped.
func tableText(s string) string { return escape(s, "\n") }

// csvText escapes a CSV field. Newline and tab are ordinary CSV data (the
// csv writer quotes a field holding a newline) and are harmless on a
// terminal; carriage return is escaped, as it can overprint a line.
func csvText(s string) string { return escape(s, "\n\t") }

// escape replaces each control character not in keep (a set of C0 bytes),
// U+2028, U+2029 and each byte of invalid UTF-8 with its escape: \xHH for
// C0, DEL and invalid bytes, \uHHHH for the others.
func escape(s, keep string) string {
	var b *strings.Builder
	done := 0 // s[:done] has been copied or escaped into b
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := rune(c), 1
		if c >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		var esc string
		switch {
		case r == utf8.RuneError && n == 1, r < 0x20 && strings.IndexByte(keep, c) < 0, r == 0x7f:
			esc = `\x` + string([]byte{hex[c>>4], hex[c&0xf]})
		case r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029':
			esc = `\u` + string([]byte{hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf]})
		default:
			i += n
			continue
		}
		if b == nil {
			b = new(strings.Builder)
			b.Grow(len(s) + 8)
		}
		b.WriteString(s[done:i])
		b.WriteString(esc)
		i += n
		done = i
	}
	if b == nil {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

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
