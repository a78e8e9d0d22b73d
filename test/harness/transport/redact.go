package transport

import (
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Redactor masks secrets in text: credentials exactly, as [REDACTED], and
// values of the shapes an API declares secret, as their fixed prefix and
// "***" (so the kind of value is still visible). It is safe for concurrent
// use.
type Redactor struct {
	mu       sync.Mutex
	secrets  []string
	patterns []*regexp.Regexp
}

// AddSecret masks s from now on. Strings under four bytes are ignored:
// masking them would garble ordinary text.
func (r *Redactor) AddSecret(s string) {
	if len(s) < 4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.secrets, s) {
		r.secrets = append(r.secrets, s)
	}
}

// AddPatterns masks, from now on, values of the shapes res describe.
func (r *Redactor) AddPatterns(res []*regexp.Regexp) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, re := range res {
		if !slices.ContainsFunc(r.patterns, func(x *regexp.Regexp) bool { return x.String() == re.String() }) {
			r.patterns = append(r.patterns, re)
		}
	}
}

// Redact returns s with every secret masked.
func (r *Redactor) Redact(s string) string {
	r.mu.Lock()
	secrets, patterns := r.secrets, r.patterns
	r.mu.Unlock()
	s = MaskSecrets(s, secrets)
	for _, re := range patterns {
		prefix, _ := re.LiteralPrefix()
		s = re.ReplaceAllLiteralString(s, prefix+"***")
	}
	return s
}

// MaskSecrets replaces every occurrence of each non-empty secret in s with
// "[REDACTED]", as Redact does for the secrets it was given.
func MaskSecrets(s string, secrets []string) string {
	for _, x := range secrets {
		if x != "" {
			s = strings.ReplaceAll(s, x, "[REDACTED]")
		}
	}
	return s
}

// Writer passes what is written to w through Redact.
func (r *Redactor) Writer(w io.Writer) io.Writer { return redactingWriter{r: r, w: w} }

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// HideUserinfo returns a URL (or host) as written, for an error, with the
// user info of its authority, which may be a credential, replaced by "xxxxx".
func HideUserinfo(raw string) string {
	start := 0
	if i := strings.Index(raw, "//"); i >= 0 {
		start = i + 2
	}
	end := len(raw)
	if j := strings.IndexAny(raw[start:], "/?#"); j >= 0 {
		end = start + j
	}
	at := strings.LastIndex(raw[start:end], "@") // as url.Parse splits
	if at < 0 {
		return raw
	}
	return raw[:start] + "xxxxx" + raw[start+at:]
}
