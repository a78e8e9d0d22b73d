package sim

import (
	"regexp"
	"strings"
	"sync"
)

// Request is one request as the simulator saw it, for tests to assert on. It never
// holds the Authorization header, and token-shaped strings are redacted.
type Request struct {
	Method string
	Host   string // host name without the port, lower case
	Path   string // redacted
	Query  string // raw query, redacted
	Status int    // 0 when no response was sent (dropped, or the client gave up during a delay)
	Body   string // request body, redacted; empty when it was over the size limit
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

var tokenValueRE = regexp.MustCompile(`dapi[0-9a-f]{32}`)

// redact replaces anything shaped like a token value with "dapi***".
func redact(s string) string {
	if !strings.Contains(s, "dapi") { // the common case, without the regexp
		return s
	}
	return tokenValueRE.ReplaceAllString(s, "dapi***")
}
