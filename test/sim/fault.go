package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault shapes the next matching responses. Faults are per Server and consumed in the
// order they were injected; a request takes at most one, the oldest that matches.
type Fault struct {
	Workspace string // workspace host, an AWS deployment name or an account console host; "" matches any
	Method    string // "" matches any
	Path      string // exact URL path; "" matches any

	Times int // how many responses to affect: 0 → 1, negative → every one until ClearFaults

	// Status answers with this status instead of handling the request. 0 handles the
	// request normally (after Delay), so its side effects happen and only the response
	// is shaped. A 429 carries Retry-After: 1 unless Header sets one.
	Status int
	Body   string      // body for Status; default: the contract's envelope for that status
	Header http.Header // added to the response, e.g. Retry-After; also with Status 0

	Delay    time.Duration // wait before answering; gives up quietly if the client does
	Truncate bool          // send only the first half of the body, with a matching Content-Length
	NonJSON  bool          // replace the body with "<html>upstream error</html>" as text/html
	Drop     bool          // close the connection without a response; the request is not handled

	// Arrived, if not nil, receives (without blocking) each request the fault takes,
	// once its whole body is in: a test can act while the request is in flight.
	Arrived chan<- struct{}
}

// nonJSONBody is what a proxy in front of a workspace answers with.
const nonJSONBody = "<html>upstream error</html>"

// Inject queues f. It panics on a status no HTTP server could send, since that is a
// mistake in the test.
func (s *Server) Inject(f Fault) {
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		panic(fmt.Sprintf("sim: fault status %d outside 200-599", f.Status))
	}
	left := f.Times
	if left == 0 {
		left = 1
	}
	f.Method = strings.ToUpper(f.Method)
	f.Header = f.Header.Clone()
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.pending = append(s.faults.pending, &pendingFault{fault: f, left: left})
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.pending = nil
}

// PendingFaults returns how many injected faults are not used up yet.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return len(s.faults.pending)
}

type faultQueue struct {
	mu      sync.Mutex
	pending []*pendingFault
}

type pendingFault struct {
	fault Fault
	left  int // responses still to shape; negative is unlimited
}

// take consumes one use of the oldest fault matching the request.
func (q *faultQueue) take(workspace, method, path string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, p := range q.pending {
		f := p.fault
		if (f.Workspace != "" && lookupKey(f.Workspace) != workspace) ||
			(f.Method != "" && f.Method != method) ||
			(f.Path != "" && f.Path != path) {
			continue
		}
		if p.left > 0 {
			p.left--
			if p.left == 0 {
				q.pending = append(q.pending[:i], q.pending[i+1:]...)
			}
		}
		return f, true
	}
	return Fault{}, false
}

// faultReply is the response a fault with a Status answers with.
func faultReply(f Fault) reply {
	rep := reply{status: f.Status}
	if f.Body != "" {
		rep.body = []byte(f.Body)
	} else {
		rep.body = defaultEnvelope(f.Status)
	}
	if f.Status == http.StatusTooManyRequests && f.Header.Get("Retry-After") == "" {
		rep.header = http.Header{"Retry-After": {"1"}} // Databricks' throttling answers carry one
	}
	return rep
}

// shape applies a fault's response changes to rep.
func shape(rep reply, f Fault) reply {
	if len(f.Header) > 0 {
		h := rep.header.Clone()
		if h == nil {
			h = http.Header{}
		}
		for k, vs := range f.Header {
			h[k] = append([]string(nil), vs...)
		}
		rep.header = h
	}
	if f.NonJSON {
		rep.body = []byte(nonJSONBody)
		rep.contentType = "text/html"
	}
	if f.Truncate {
		rep.body = rep.body[:len(rep.body)/2]
	}
	return rep
}

// defaultEnvelope is the contract's error body for a status a fault answers with.
func defaultEnvelope(status int) []byte {
	var v any
	switch status {
	case http.StatusUnauthorized:
		v = authErrorResponse{ErrorCode: status, Message: msgMissingCredential}
	case http.StatusForbidden:
		v = authErrorResponse{ErrorCode: status, Message: msgInvalidToken}
	default:
		code, msg := statusEnvelope(status)
		if code == "" {
			return []byte("{}")
		}
		v = ErrorResponse{ErrorCode: code, Message: msg}
	}
	b, _ := json.Marshal(v) // plain structs of strings and ints always encode
	return b
}

func statusEnvelope(status int) (code, message string) {
	switch status {
	case http.StatusBadRequest:
		return "BAD_REQUEST", "The request is invalid."
	case http.StatusNotFound:
		return CodeResourceDoesNotExist, "The requested resource does not exist."
	case http.StatusConflict:
		return "RESOURCE_CONFLICT", "The request conflicts with the current state of the resource."
	case http.StatusTooManyRequests:
		return CodeRequestLimitExceeded, "Too many requests. Please wait a moment and try again."
	case http.StatusInternalServerError:
		return "INTERNAL_ERROR", "An internal error occurred."
	case http.StatusNotImplemented:
		return "NOT_IMPLEMENTED", "This operation is not implemented."
	case http.StatusServiceUnavailable:
		return CodeTemporarilyUnavail, "The service is temporarily unavailable. Please try again later."
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED", "The request timed out."
	}
	if status < 400 {
		return "", "" // a success status: the body is {}
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Unknown error"
	}
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(text)), text + "."
}
