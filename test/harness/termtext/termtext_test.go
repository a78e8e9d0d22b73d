package termtext

import "testing"

func TestSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain text, 'quoted' \\ backslash", "plain text, 'quoted' \\ backslash"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b]0;title\a", `\x1b]0;title\x07`},
		{"nul\x00 bs\b vt\v ff\f", `nul\x00 bs\x08 vt\x0b ff\x0c`},
		{"line1\nline2\ttab\r", `line1\x0aline2\x09tab\x0d`},
		{"del\x7f", `del\x7f`},
		{"nel\u0085 csi\u009b pad\u0080", `nel\u0085 csi\u009b pad\u0080`},
		{"nbsp\u00a0 é", "nbsp\u00a0 é"},                       // U+00A0 is the first non-control after C1
		{"デプロイ用 🔑", "デプロイ用 🔑"},                                 // wide text is not touched
		{"ls\u2028 ps\u2029", `ls\u2028 ps\u2029`},             // line breaks
		{"rlo\u202e zwj\u200d", "rlo\u202e zwj\u200d"},         // format characters are kept
		{"bad\xff\xfe end", `bad\xff\xfe end`},                 // invalid bytes
		{"cut\xe3\x83", `cut\xe3\x83`},                         // truncated デ
		{"c1 bytes alone \x85\x9b", `c1 bytes alone \x85\x9b`}, // not UTF-8: bytes, not runes
		{"surrogate \xed\xa0\x80", `surrogate \xed\xa0\x80`},
		{"real \ufffd", "real \ufffd"},
	} {
		if got := Safe(tc.in); got != tc.want {
			t.Errorf("Safe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
