package transport

import (
	"fmt"
	"strings"
	"unicode"
)

// What a request's host may be, checked before a URL is formed from a
// value: anything but letters, digits, inner hyphens and dots could move
// the request elsewhere ("a@evil.example", "a/b", "a:8443").

// HostProblem says why s is not a DNS name (at most 253 bytes of DNS labels
// joined by dots), or "" when it is one.
func HostProblem(s string) string {
	if len(s) > 253 {
		return fmt.Sprintf("it is %d bytes long, over 253", len(s))
	}
	labels := strings.Split(s, ".")
	for i, l := range labels {
		if p := LabelProblem(l); p != "" {
			if len(labels) > 1 {
				p = fmt.Sprintf("label %d (%q): %s", i+1, l, p)
			}
			return p
		}
	}
	return ""
}

// LabelProblem says why s is not a DNS label (letters, digits and inner
// hyphens, 1 to 63 characters), or "" when it is one, naming look-alike
// characters by code point since they print like the ASCII ones they
// imitate.
func LabelProblem(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case len(s) > 63:
		return fmt.Sprintf("it is %d bytes long, over 63", len(s))
	}
	for _, r := range s {
		switch {
		case r > unicode.MaxASCII:
			return fmt.Sprintf("it contains %q (U+%04X), which is not ASCII", r, r)
		case r != '-' && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'):
			return fmt.Sprintf("it contains %q", r)
		}
	}
	if s[0] == '-' || s[len(s)-1] == '-' {
		return "it starts or ends with a hyphen"
	}
	return ""
}
