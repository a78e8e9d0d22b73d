package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stackql-labs/databricks-tokens/test/harness/termtext"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// Bounds on the endpoint's text in an error.
const (
	maxCodeBytes = 100 // the OAuth error code, a token_type, an expires_in
	maxDescBytes = 200 // error_description, a transport error
)

// parse checks the answer: HTTP 200 and a JSON object with a usable
// access_token, a Bearer (or no) token_type and a positive whole expires_in
// (none means DefaultLifetime; more than MaxLifetime means MaxLifetime).
// Anything else is an error built from the answer's fields, never from its
// raw text.
func (s *Source) parse(rec *capture) (string, time.Duration, error) {
	status := statusText(rec.status)
	switch {
	case rec.tooBig:
		return "", 0, s.errorf("%s: the answer is larger than %d bytes", status, maxBody)
	case rec.status >= 300 && rec.status < 400:
		return "", 0, s.errorf("%s: redirects are not followed", status)
	case rec.status != http.StatusOK:
		code, desc := oauthError(rec.body)
		if code == "" {
			return "", 0, s.errorf("%s", status)
		}
		msg := strconv.Itoa(rec.status) + " " + s.clean(code, maxCodeBytes, nil)
		if desc != "" {
			msg += ": " + s.clean(desc, maxDescBytes, nil)
		}
		return "", 0, s.errorf("%s", msg)
	}
	if rec.ctype == "application/x-www-form-urlencoded" || rec.ctype == "text/plain" {
		return "", 0, s.errorf("%s: the answer is %s, not JSON", status, rec.ctype)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(rec.body, &obj); err != nil || obj == nil {
		return "", 0, s.errorf("%s: the answer is not a JSON object", status)
	}
	if code, desc := oauthError(rec.body); code != "" {
		msg := status + " with error " + s.clean(code, maxCodeBytes, nil)
		if desc != "" {
			msg += ": " + s.clean(desc, maxDescBytes, nil)
		}
		return "", 0, s.errorf("%s", msg)
	}

	raw, ok := obj["access_token"]
	if !ok || string(raw) == "null" {
		return "", 0, s.errorf("the answer has no access_token")
	}
	var token string
	if json.Unmarshal(raw, &token) != nil {
		return "", 0, s.errorf("access_token is not a string")
	}
	if token == "" {
		return "", 0, s.errorf("access_token is empty")
	}
	extra := []string{token} // from here on, mask it too
	if strings.IndexFunc(token, badTokenRune) >= 0 {
		return "", 0, s.errorfMasking(extra, "access_token holds a space, control or non-ASCII character")
	}

	if raw, ok := obj["token_type"]; ok && string(raw) != "null" {
		var typ string
		if json.Unmarshal(raw, &typ) != nil {
			return "", 0, s.errorfMasking(extra, "token_type is not a string")
		}
		if typ != "" && !strings.EqualFold(typ, "bearer") {
			return "", 0, s.errorfMasking(extra, "token_type %q is not Bearer", s.clean(typ, maxCodeBytes, extra))
		}
	}

	life := DefaultLifetime
	if raw, ok := obj["expires_in"]; ok && string(raw) != "null" {
		text := s.clean(string(raw), maxCodeBytes, extra)
		if len(raw) > 0 && raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
			return "", 0, s.errorfMasking(extra, "expires_in %s is not a number", text)
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return "", 0, s.errorfMasking(extra, "expires_in %s is too large", text)
		case err != nil:
			return "", 0, s.errorfMasking(extra, "expires_in %s is not a whole number of seconds", text)
		case n <= 0:
			return "", 0, s.errorfMasking(extra, "expires_in %s is not positive", text)
		case n >= int64(MaxLifetime/time.Second):
			life = MaxLifetime
		default:
			life = time.Duration(n) * time.Second
		}
	}
	return token, life, nil
}

// oauthError returns the error and error_description of an OAuth error
// answer (RFC 6749 §5.2), when they are strings.
func oauthError(body []byte) (code, desc string) {
	var e struct {
		Error            any `json:"error"`
		ErrorDescription any `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	code, _ = e.Error.(string)
	desc, _ = e.ErrorDescription.(string)
	if code == "" {
		return "", ""
	}
	return code, desc
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// clean makes text from outside fit in an error: secrets (the client
// secret, every access token known, extra) masked, control characters
// escaped, one line, at most n bytes. Pieces of a secret are masked too
// (see maskPieces): an endpoint may echo a secret cut by a line break.
func (s *Source) clean(text string, n int, extra []string) string {
	text = clip(text, 4*n) // bounds the work; a cut secret is still a piece
	text = transport.MaskSecrets(s.masked(text), extra)
	text = termtext.Safe(text)
	s.mu.Lock()
	secrets := append(append(append([]string(nil), s.mask...), s.tokens...), extra...)
	s.mu.Unlock()
	for _, x := range secrets {
		text = maskPieces(text, x)
	}
	return clip(text, n)
}

// minPiece is the shortest run of a secret's bytes that maskPieces masks;
// secrets shorter than twice as long are masked whole only.
const minPiece = 12

// maskPieces masks every run of at least minPiece bytes of text that also
// occurs in secret.
func maskPieces(text, secret string) string {
	if len(secret) < 2*minPiece {
		return text
	}
	var b strings.Builder
	done := 0
	for i := 0; i+minPiece <= len(text); {
		if !strings.Contains(secret, text[i:i+minPiece]) {
			i++
			continue
		}
		j := i + minPiece
		for j < len(text) && strings.Contains(secret, text[i:j+1]) {
			j++
		}
		b.WriteString(text[done:i])
		b.WriteString("[REDACTED]")
		i, done = j, j
	}
	if done == 0 {
		return text
	}
	b.WriteString(text[done:])
	return b.String()
}

// clip cuts s to at most n bytes, on a UTF-8 boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
