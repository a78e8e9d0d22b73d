package transport

import (
	"fmt"
	"net/http"
	"time"
)

// maxTracedBody bounds the request body shown in a trace line.
const maxTracedBody = 1024

// traceRequest writes "> METHOD URL BODY" before a request is sent, so a
// slow request shows what it waits for.
func (t *Transport) traceRequest(req *http.Request, payload []byte) {
	if t.cfg.Trace == nil {
		return
	}
	line := "> " + req.Method + " " + publicURL(req)
	if len(payload) > 0 {
		body := string(payload)
		if len(body) > maxTracedBody {
			body = body[:cut(body, maxTracedBody)] + "..."
		}
		line += " " + body
	}
	t.trace(line)
}

// traceResponse writes "< METHOD URL STATUS DURATION", or the failure in
// place of the status.
func (t *Transport) traceResponse(req *http.Request, resp *http.Response, d time.Duration, err error) {
	if t.cfg.Trace == nil {
		return
	}
	line := "< " + req.Method + " " + publicURL(req)
	switch {
	case err != nil && resp != nil:
		line += fmt.Sprintf(" %d %s: reading the response: %v", resp.StatusCode, duration(d), err)
	case err != nil:
		line += fmt.Sprintf(" error %s: %v", duration(d), err)
	default:
		line += fmt.Sprintf(" %d %s", resp.StatusCode, duration(d))
	}
	t.trace(line)
}

// trace writes one line, secrets masked and control characters escaped.
// Headers never reach it, so the Authorization header cannot either.
func (t *Transport) trace(line string) {
	line = t.r.oneLine(line) + "\n"
	t.traceMu.Lock()
	defer t.traceMu.Unlock()
	_, _ = t.cfg.Trace.Write([]byte(line)) // a trace that cannot be written is not the request's failure
}

// duration rounds d for reading: milliseconds, or microseconds below one.
func duration(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}
