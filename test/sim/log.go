package sim

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Request is one request as the simulator saw it, for tests to assert on. It never
// holds the Authorization header (so no Basic credential), and token-shaped strings,
// OAuth access tokens and client secrets are redacted. Token requests (to the OAuth
// token endpoints) are logged as any other request. Method, Host,
// Path and Query are the client's choice, so each keeps at most its first 1 KiB, then
// "…(N bytes)".
type Request struct {
	Method string
	Host   string // host name without the port, lower case
	Path   string // redacted
	Query  string // raw query, redacted
	// Status is 0 when no response was sent: dropped by a fault, the client gave up
	// during a delay, or the body did not arrive whole.
	Status int
	// Body is the request body, redacted: the first 4 KiB and "…(N bytes)" when it is
	// longer, so large bodies cannot grow the log; empty when over MaxBodyBytes or when
	// it did not arrive whole (a cut-off body could end in part of a token value).
	Body string
}

// maxLogged bounds the log so long runs and benchmarks do not grow without limit;
// the oldest entries go first.
const maxLogged = 10000

type requestLog struct {
	mu      sync.Mutex
	entries []Request
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= 2*maxLogged {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-maxLogged+1:]...)
	}
	l.entries = append(l.entries, r)
}

// Requests returns the logged requests, oldest first (at most the last 10000).
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	e := s.log.entries
	if len(e) > maxLogged {
		e = e[len(e)-maxLogged:]
	}
	return append([]Request(nil), e...)
}

// ResetLog forgets the logged requests.
func (s *Server) ResetLog() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
}

// maxLoggedBody bounds each logged body: at the log's 20000 entries, full 1 MiB
// bodies would let any client grow a long run by gigabytes.
const maxLoggedBody = 4 << 10

// maxEchoed bounds every other piece of client-chosen text the simulator repeats, in
// an error message or a log field: a request line or a body field may be up to 1 MiB.
const maxEchoed = 1 << 10

// logBody is the body as logged: redacted first, so a cut never leaves part of a
// token value, then at most maxLoggedBody bytes (on a UTF-8 boundary) and the size.
func logBody(body []byte) string {
	return clip(redact(string(body)), maxLoggedBody, len(body))
}

// logText is a client-chosen request field as logged: redacted, then bounded.
func logText(s string) string { return clip(redact(s), maxEchoed, len(s)) }

// echo bounds client-chosen text quoted back in an error message. It is not redacted:
// the message goes back to the client that sent the text.
func echo(s string) string { return clip(s, maxEchoed, len(s)) }

// clip returns s if it has at most limit bytes, or else its longest prefix of at most
// limit bytes that ends on a UTF-8 boundary, followed by "…(size bytes)".
func clip(s string, limit, size int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(size) + " bytes)"
}

// Shapes of secrets the log never holds: token values, OAuth access tokens (JWTs),
// Databricks OAuth secrets, and the value of any client_secret field, form-encoded
// or JSON.
var (
	tokenValueRE   = regexp.MustCompile(`dapi[0-9a-f]{32}`)
	jwtRE          = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)
	oauthSecretRE  = regexp.MustCompile(`dose[0-9a-f]{32}`)
	formSecretRE   = regexp.MustCompile(`(client_secret=)[^&\s]*`)
	jsonSecretRE   = regexp.MustCompile(`("client_secret"\s*:\s*")(?:[^"\\]|\\.)*`)
	secretMarkers  = []string{"dapi", "eyJ", "dose", "client_secret"}
	secretReplacer = []struct {
		re   *regexp.Regexp
		with string
	}{
		{tokenValueRE, "dapi***"},
		{jwtRE, "eyJ***"},
		{oauthSecretRE, "dose***"},
		{formSecretRE, "${1}***"},
		{jsonSecretRE, "${1}***"},
	}
)

// redact replaces anything shaped like a token value with "dapi***", an OAuth access
// token (a JWT) with "eyJ***", an OAuth secret with "dose***" and the value of a
// client_secret field with "***".
func redact(s string) string {
	found := false
	for _, m := range secretMarkers { // the common case, without the regexps
		if strings.Contains(s, m) {
			found = true
			break
		}
	}
	if !found {
		return s
	}
	for _, r := range secretReplacer {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}
