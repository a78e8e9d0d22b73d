package transport

import (
	"strings"
	"testing"
)

func TestHostProblem(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"a", ""},
		{"dbc-abcd0123-a1bc.cloud.databricks.com", ""},
		{"adb-1234567890123456.7.azuredatabricks.net", ""},
		{strings.Repeat("a", 63) + ".com", ""},
		{"", "it is empty"},
		{"a..com", `label 2 (""): it is empty`},
		{"-a", "it starts or ends with a hyphen"},
		{"a-.com", `label 1 ("a-"): it starts or ends with a hyphen`},
		{"a_b", `it contains '_'`},
		{"a@evil.example", `label 1 ("a@evil"): it contains '@'`},
		{"a:8443", `it contains ':'`},
		{"dbс", `it contains 'с' (U+0441), which is not ASCII`},
		{strings.Repeat("a", 64), "it is 64 bytes long, over 63"},
		{strings.Repeat("a.", 127), "it is 254 bytes long, over 253"},
	} {
		if got := HostProblem(tc.host); got != tc.want {
			t.Errorf("HostProblem(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
}
