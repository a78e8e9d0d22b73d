package transport

import (
	"strconv"
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
