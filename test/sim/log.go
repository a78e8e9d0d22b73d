package sim

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Request is one request as the simulator saw it, for tests to assert on. It never
// holds the Authorization header, and token-shaped strings are redacted. Method, Host,
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

var tokenValueRE = regexp.MustCompile(`dapi[0-9a-f]{32}`)

// redact replaces anything shaped like a token value with "dapi***".
func redact(s string) string {
	if !strings.Contains(s, "dapi") { // the common case, without the regexp
		return s
	}
	return tokenValueRE.ReplaceAllString(s, "dapi***")
}
