// Package termtext makes text from outside (a server's message, a token's
// comment, a statement as typed) safe to put on a terminal: control
// characters, line and paragraph separators and invalid UTF-8 become
// visible Go-style escapes (\x1b, \u0085), so they cannot move the cursor,
// retitle the window or split a line. Nothing else is changed.
package termtext

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
func Safe(s string) string { return Escape(s, "") }

// Escape replaces each control character not in keep (a set of C0 bytes),
// U+2028, U+2029 and each byte of invalid UTF-8 with its escape: \xHH for
// C0, DEL and invalid bytes, \uHHHH for the others.
func Escape(s, keep string) string {
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
