package transport_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness/render"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// TestSafeIsRenderSafe: transport escapes the server's text with a copy of
// render.Safe (transport does not import render); the two must not drift.
func TestSafeIsRenderSafe(t *testing.T) {
	inputs := []string{
		"", "plain", "\x1b[31mred\x1b[0m\a", "line\nbreak\ttab\r", "del\x7f",
		"nel\u0085 csi\u009b", "ls\u2028 ps\u2029", "nbsp\u00a0 デ 🔑", "bad\xff\xfe", "cut\xe3\x83",
		"\x85\x9b", "surrogate \xed\xa0\x80", "real \ufffd", `back\slash \x1b`,
	}
	for b := 0; b < 256; b++ {
		inputs = append(inputs, string([]byte{byte(b)}), "a"+string([]byte{byte(b), 'z'}))
	}
	for r := rune(0); r < 0x3100; r++ {
		inputs = append(inputs, string(r))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		if got, want := transport.Safe(s), render.Safe(s); got != want {
			t.Errorf("transport's safe(%q) = %q, render.Safe = %q", s, got, want)
		}
	}
}
