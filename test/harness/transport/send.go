package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness/termtext"
)

// Send sends req and returns its 2xx body; anything else is a *RemoteError.
//
// Retry policy: a GET or HEAD answered 429 or 503 is sent again, up to
// Config.Retries times, after the wait the answer's Retry-After gives
// (seconds or an HTTP-date) or else a backoff doubling from 250ms, each
// wait capped by MaxRetryWait.
// Other methods are sent once: a retried create could create twice. When
// one of those fails without a clear answer, the error says what to check
// (hint).
func (t *Transport) Send(ctx context.Context, req *http.Request, hint string) (*Response, error) {
	return t.SendAuthorized(ctx, req, hint, nil)
}

// SendAuthorized is Send with authorize called before each try, so a retry
// carries a credential that is still valid (an OAuth access token may expire
// during a Retry-After wait). Its error is returned as it is: nothing was
// sent for that try.
func (t *Transport) SendAuthorized(ctx context.Context, req *http.Request, hint string, authorize func(*http.Request) error) (*Response, error) {
	x := &exchange{t: t, req: req, where: req.URL.Host + req.URL.EscapedPath()}
	tries := 1
	if idempotent(req.Method) {
		tries += t.cfg.Retries
	} else {
		x.hint = hint
	}
	payload, err := requestBody(req)
	if err != nil {
		return nil, x.failed(0, fmt.Errorf("reading the request body: %w", err), false)
	}
	for x.tries = 1; ; x.tries++ {
		if authorize != nil {
			if err := authorize(req); err != nil {
				return nil, err
			}
		}
		a := t.attempt(ctx, req, payload)
		if a.err != nil {
			return nil, x.failed(a.status(), a.err, a.sent)
		}
		if retryable(a.resp.StatusCode) && x.tries < tries {
			wait, waitErr := t.retryWait(a.resp.Header.Get("Retry-After"), x.tries, time.Now())
			if waitErr != nil {
				return nil, x.refused(a, waitErr.Error())
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, x.failed(0, ErrCancelled, true)
			}
			continue
		}
		return x.answer(a)
	}
}

// exchange is one request on its way: what its failures must name.
type exchange struct {
	t     *Transport
	req   *http.Request
	where string // host and path
	hint  string // set when the request is not retried
	tries int
}

func (x *exchange) remote(status int) *RemoteError {
	return &RemoteError{Method: x.req.Method, URL: x.where, Status: status, Tries: x.tries}
}

// failed is a request without a usable response. The hint is given only
// when the request may have reached the server (sent): one that never left
// cannot have taken effect.
func (x *exchange) failed(status int, err error, sent bool) error {
	re := x.remote(status)
	re.Err = err
	if status != 0 {
		re.Err = fmt.Errorf("reading the response: %w", err)
	}
	if sent {
		re.Hint = x.hint
	}
	re.Err = redacted{x.t.r, re.Err}
	return re
}

// answer turns a response into the body or the error it means.
func (x *exchange) answer(o *outcome) (*Response, error) {
	resp, body := o.resp, o.body
	status := resp.StatusCode
	switch {
	case status >= 300 && status < 400:
		to := resp.Header.Get("Location")
		if u, err := x.req.URL.Parse(to); err == nil {
			to = u.Redacted()
		}
		re := x.remote(status)
		re.Err = redacted{x.t.r, fmt.Errorf("unexpected redirect from %s to %s; not followed", publicURL(x.req), clip(to, maxMessageBytes))}
		return nil, re
	case status < 200 || status > 299:
		return nil, x.refused(o, "")
	}
	r := &Response{Raw: body, fail: func(err error) error {
		re := x.remote(status)
		re.Err, re.Hint = redacted{x.t.r, err}, x.hint
		return re
	}}
	if ct := resp.Header.Get("Content-Type"); len(bytes.TrimSpace(body)) > 0 && ct != "" && !strings.Contains(ct, "json") {
		// Not quoted: a 2xx body is data and may hold a secret the API issued.
		return nil, r.Fail(fmt.Errorf("the response is %s, not JSON (%d bytes)", clip(ct, maxCodeBytes), len(body)))
	}
	return r, nil
}

// refused reads the API's error envelope {"error_code", "message"}; other
// bodies are shown as a short, single-line snippet. Both are bounded and
// escaped: they are the server's text, bound for a terminal.
func (x *exchange) refused(o *outcome, why string) error {
	resp, b := o.resp, o.body
	re := x.remote(resp.StatusCode)
	if retryable(resp.StatusCode) || resp.StatusCode >= 500 {
		re.Hint = x.hint
	}
	if why != "" {
		re.Hint = why
	}
	var env struct {
		ErrorCode json.RawMessage `json:"error_code"`
		Message   string          `json:"message"`
	}
	if json.Unmarshal(b, &env) == nil && (len(env.ErrorCode) > 0 || env.Message != "") {
		var code string
		if json.Unmarshal(env.ErrorCode, &code) != nil {
			code = string(env.ErrorCode) // numeric on the auth failure paths
			if code == strconv.Itoa(resp.StatusCode) {
				code = ""
			}
		}
		re.Code = x.t.r.clipped(code, maxCodeBytes)
		re.Message = x.t.r.clipped(env.Message, maxMessageBytes)
		return re
	}
	if s := x.t.r.snippet(b, o.cutAt); s != "" {
		re.Message = s
	} else {
		re.Message = http.StatusText(resp.StatusCode)
	}
	return re
}

// outcome is what one attempt came back with.
type outcome struct {
	resp  *http.Response // nil when no response arrived
	body  []byte
	cutAt int64 // the read limit body was cut at; 0 when body is whole
	err   error // no usable response; with resp, the body could not be read
	sent  bool  // the request may have reached the server
}

func (o *outcome) status() int {
	if o.resp == nil {
		return 0
	}
	return o.resp.StatusCode
}

// attempt sends req once under the per-request timeout and reads the body,
// up to maxBody for a 2xx answer (more is an error) and maxErrorBody for
// others (more is not read: an error needs only its start).
func (t *Transport) attempt(ctx context.Context, req *http.Request, payload []byte) *outcome {
	actx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	// A request for which no connection was handed out never left: the
	// client refused it (an invalid header), or the name did not resolve,
	// the dial or the TLS handshake failed, or time ran out first.
	var gotConn atomic.Bool
	tctx := httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) }})
	r := req.Clone(tctx)
	if payload != nil {
		r.Body = io.NopCloser(bytes.NewReader(payload))
	}
	t.traceRequest(r, payload)
	start := time.Now()
	o := &outcome{}
	resp, err := t.client.Do(r)
	if err == nil {
		o.resp = resp
		o.body, o.cutAt, err = t.readBody(resp)
		resp.Body.Close()
	}
	switch {
	case resp != nil, gotConn.Load():
		o.sent = true
	case !t.tracesConns:
		// Another RoundTripper may not report its connections: only an
		// error that says so proves the request never left.
		o.sent = mayHaveArrived(err)
	}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		err = ErrCancelled
	case actx.Err() != nil:
		err = timeoutError{t.cfg.Timeout}
	default:
		err = transportCause(err)
	}
	o.err = err
	t.traceResponse(r, resp, time.Since(start), err)
	return o
}

// readBody reads resp's body within its limit. For an error status, a body
// over the limit is cut there and cutAt is the limit; for a 2xx, it is an
// error.
func (t *Transport) readBody(resp *http.Response) (body []byte, cutAt int64, err error) {
	limit := t.maxErrorBody
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		limit = t.maxBody
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(body)) <= limit {
		return body, 0, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil, 0, fmt.Errorf("the body is over the %s limit", byteSize(limit))
	}
	return body[:limit], limit, nil
}

// byteSize is n bytes for reading: in MiB when a whole number of them.
func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// requestBody reads req's body once, so every attempt and the trace can
// have it.
func requestBody(req *http.Request) ([]byte, error) {
	if req.GetBody == nil {
		return nil, nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// idempotent reports whether sending a request twice is as good as once.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// retryable reports whether a status asks to try again later.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// retryWait is the wait before try n+1: what the answer's Retry-After asks,
// in seconds or as an HTTP-date (RFC 9110, section 10.2.3) counted from
// now, else 250ms doubling per try, capped by MaxRetryWait. A Retry-After
// that is neither counts as none. One over the cap is an error: retrying
// sooner than asked would only be refused.
func (t *Transport) retryWait(retryAfter string, n int, now time.Time) (time.Duration, error) {
	limit := t.cfg.MaxRetryWait
	over := func(what string) error {
		return fmt.Errorf("not retried: Retry-After %s is over the %s limit", what, limit)
	}
	v := strings.TrimSpace(retryAfter)
	switch {
	case v == "":
	case isDigits(v):
		// Compared as seconds, so that no count of digits overflows a
		// Duration into a short or negative wait.
		v = strings.TrimLeft(v, "0")
		secs, err := strconv.ParseInt("0"+v, 10, 64)
		switch {
		case err != nil && len(v) > 24: // not worth showing
			return 0, over(fmt.Sprintf("of %d digits", len(v)))
		case err != nil, secs > math.MaxInt64/int64(time.Second):
			return 0, over(v + "s")
		case time.Duration(secs)*time.Second > limit:
			return 0, over((time.Duration(secs) * time.Second).String())
		}
		return time.Duration(secs) * time.Second, nil
	default:
		if when, err := http.ParseTime(v); err == nil {
			d := max(when.Sub(now), 0) // Sub saturates instead of overflowing
			if d > limit {
				return 0, over(when.UTC().Format(http.TimeFormat))
			}
			return d, nil
		}
	}
	return backoff(n, limit), nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// backoff is 250ms doubled for each try after the first, capped; it stops
// doubling at the cap, so no try count overflows into a negative wait.
func backoff(n int, limit time.Duration) time.Duration {
	d := 250 * time.Millisecond
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// snippet is the start of a body that is not an error envelope, as one
// line. cutAt, when not 0, is the read limit the body was cut at.
func (r *Redactor) snippet(b []byte, cutAt int64) string {
	if cutAt == 0 {
		return r.clipped(string(b), maxSnippetBytes)
	}
	s := fold(r.Redact(string(b)))
	if len(s) > maxSnippetBytes {
		s = s[:cut(s, maxSnippetBytes)]
	}
	return termtext.Safe(s) + "… (over " + byteSize(cutAt) + ")"
}

// clipped is oneLine cut to at most n bytes of the server's text (before
// escaping), marked with its size when cut.
func (r *Redactor) clipped(s string, n int) string {
	return termtext.Safe(clip(fold(r.Redact(s)), n))
}

// oneLine is s as one line of terminal text: secrets masked, runs of white
// space folded to one space, and control characters and invalid UTF-8
// escaped.
func (r *Redactor) oneLine(s string) string {
	return termtext.Safe(fold(r.Redact(s)))
}

// fold replaces each run of white space in s with one space and trims it.
func fold(s string) string { return strings.Join(strings.Fields(s), " ") }

// redacted shows an error's text as one bounded line with the secrets
// masked (it may quote the server, as net/http quotes a Location it cannot
// parse), and keeps the error for errors.Is and errors.As.
type redacted struct {
	r   *Redactor
	err error
}

func (r redacted) Error() string { return r.r.clipped(r.err.Error(), maxCauseBytes) }
func (r redacted) Unwrap() error { return r.err }

// publicURL is req's URL as it may be shown: no userinfo, no empty "?".
func publicURL(req *http.Request) string {
	u := *req.URL
	u.ForceQuery = false
	return u.Redacted()
}
