package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Send sends req and returns its 2xx body; anything else is a *RemoteError.
//
// Retry policy: a GET or HEAD answered 429 or 503 is sent again, up to
// Config.Retries times, after the Retry-After seconds the answer gives or
// else a backoff doubling from 250ms, each wait capped by MaxRetryWait.
// Other methods are sent once: a retried create could create twice. When
// one of those fails without a clear answer, the error says what to check
// (hint).
func (t *Transport) Send(ctx context.Context, req *http.Request, hint string) (*Response, error) {
	x := &exchange{t: t, req: req, where: req.URL.Host + req.URL.EscapedPath()}
	tries := 1
	if idempotent(req.Method) {
		tries += t.cfg.Retries
	} else {
		x.hint = hint
	}
	payload, err := requestBody(req)
	if err != nil {
		return nil, x.failed(0, err)
	}
	for x.tries = 1; ; x.tries++ {
		resp, body, err := t.attempt(ctx, req, payload)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if err != nil {
			return nil, x.failed(status, err)
		}
		if retryable(status) && x.tries < tries {
			wait, waitErr := t.retryWait(resp.Header.Get("Retry-After"), x.tries)
			if waitErr != nil {
				return nil, x.refused(resp, body, waitErr.Error())
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, x.failed(0, ErrCancelled)
			}
			continue
		}
		return x.answer(resp, body)
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

// failed is a request without a usable response.
func (x *exchange) failed(status int, err error) error {
	re := x.remote(status)
	re.Err = err
	if status != 0 {
		re.Err = fmt.Errorf("reading the response: %w", err)
	}
	if mayHaveArrived(err) {
		re.Hint = x.hint
	}
	re.Err = redacted{x.t.r, re.Err}
	return re
}

// answer turns a response into the body or the error it means.
func (x *exchange) answer(resp *http.Response, body []byte) (*Response, error) {
	status := resp.StatusCode
	switch {
	case status >= 300 && status < 400:
		to := resp.Header.Get("Location")
		if u, err := x.req.URL.Parse(to); err == nil {
			to = u.Redacted()
		}
		re := x.remote(status)
		re.Err = redacted{x.t.r, fmt.Errorf("unexpected redirect from %s to %s; not followed", publicURL(x.req), to)}
		return nil, re
	case status < 200 || status > 299:
		return nil, x.refused(resp, body, "")
	}
	r := &Response{Raw: body, fail: func(err error) error {
		re := x.remote(status)
		re.Err, re.Hint = err, x.hint
		return re
	}}
	if ct := resp.Header.Get("Content-Type"); len(bytes.TrimSpace(body)) > 0 && ct != "" && !strings.Contains(ct, "json") {
		// Not quoted: a 2xx body is data and may hold a secret the API issued.
		return nil, r.Fail(fmt.Errorf("the response is %s, not JSON (%d bytes)", ct, len(body)))
	}
	return r, nil
}

// refused reads the API's error envelope {"error_code", "message"}; other
// bodies are shown as a short, single-line snippet.
func (x *exchange) refused(resp *http.Response, b []byte, why string) error {
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
		re.Code = x.t.r.oneLine(code)
		re.Message = x.t.r.oneLine(env.Message)
		return re
	}
	if s := x.t.r.snippet(b); s != "" {
		re.Message = s
	} else {
		re.Message = http.StatusText(resp.StatusCode)
	}
	return re
}

// attempt sends req once under the per-request timeout and reads the whole
// body. A response with an error means the body could not be read.
func (t *Transport) attempt(ctx context.Context, req *http.Request, payload []byte) (*http.Response, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	r := req.Clone(actx)
	if payload != nil {
		r.Body = io.NopCloser(bytes.NewReader(payload))
	}
	t.traceRequest(r, payload)
	start := time.Now()
	resp, err := t.client.Do(r)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
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
	t.traceResponse(r, resp, time.Since(start), err)
	return resp, body, err
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

// retryWait is the wait before try n+1: the answer's Retry-After seconds,
// else 250ms doubling per try, capped by MaxRetryWait. A Retry-After over
// the cap is an error: retrying sooner than asked would only be refused.
func (t *Transport) retryWait(retryAfter string, n int) (time.Duration, error) {
	s, err := strconv.Atoi(strings.TrimSpace(retryAfter))
	if err != nil || s < 0 {
		return backoff(n, t.cfg.MaxRetryWait), nil
	}
	d := time.Duration(s) * time.Second
	if d > t.cfg.MaxRetryWait {
		return 0, fmt.Errorf("not retried: Retry-After %s is over the %s limit", d, t.cfg.MaxRetryWait)
	}
	return d, nil
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

func (r *Redactor) snippet(b []byte) string {
	s := r.oneLine(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func (r *Redactor) oneLine(s string) string {
	return strings.Join(strings.Fields(r.Redact(s)), " ")
}

// redacted shows an error's text with the secrets masked, and
// keeps the error for errors.Is and errors.As.
type redacted struct {
	r   *Redactor
	err error
}

func (r redacted) Error() string { return r.r.oneLine(r.err.Error()) }
func (r redacted) Unwrap() error { return r.err }

// publicURL is req's URL as it may be shown: no userinfo, no empty "?".
func publicURL(req *http.Request) string {
	u := *req.URL
	u.ForceQuery = false
	return u.Redacted()
}
