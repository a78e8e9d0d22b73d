package transport

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds on the server's text in a RemoteError: an error message is for
// reading, and a server can send megabytes of it.
const (
	maxMessageBytes = 1024 // the API's error message, or a redirect's target
	maxCodeBytes    = 200  // the API's error code
	maxSnippetBytes = 200  // the start of a body that is not an error envelope
	maxCauseBytes   = 2048 // an error's text, which may quote the server
)

// clip returns s cut to at most n bytes, on a UTF-8 boundary, and marked
// with the size of the whole: "… (N bytes)". Shorter text is returned as is.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:cut(s, n)] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// cut is the largest index at most n (n < len(s)) that does not split a
// UTF-8 sequence of s. Invalid bytes are cut anywhere: they are escaped one
// by one.
func cut(s string, n int) int {
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n
}

const hex = "0123456789abcdef"

// safe returns s with what a terminal could act on made visible: every
// control character (C0 including newline and tab, DEL, and C1
// U+0080–U+009F), U+2028, U+2029 and every byte of invalid UTF-8 becomes a
// Go-style escape, \xHH for C0, DEL and invalid bytes, \uHHHH for the
// others. Other text, U+FFFD included, is unchanged.
//
// It is render.Safe's scheme, duplicated: transport does not depend on
// render. The two must stay identical.
func safe(s string) string {
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
		case r == utf8.RuneError && n == 1, r < 0x20, r == 0x7f:
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
