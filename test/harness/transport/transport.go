// Package transport sends the harness's HTTP requests and reads their
// answers: a timeout per request, the retry policy, the --verbose trace,
// and the redaction of every secret in what it writes or returns. It also
// says what a request's host may be (HostProblem, LabelProblem), for the
// values callers put into one.
//
// It knows nothing of SQL or providers: requests arrive built and
// authorized. It must not follow a redirect (a credential must reach only
// the host the statement named), retry a request that is not idempotent,
// or show a secret in an error or the trace.
package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// Config configures a Transport.
type Config struct {
	// Client sends the requests; nil means one on http.DefaultTransport.
	// The transport uses a copy that never follows redirects.
	Client *http.Client
	// Timeout bounds each request, from sending it to reading the whole
	// response; zero means DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a GET or HEAD answered 429 or 503 is sent
	// again; other methods are never retried.
	Retries int
	// MaxRetryWait caps one wait between retries; zero means 10s. A
	// Retry-After above it ends the retries instead of being cut short.
	MaxRetryWait time.Duration
	// Trace, when set, receives a line for every request sent and one for
	// its response or failure: method, URL, body, status, duration. Secrets
	// are masked and headers are never written.
	Trace io.Writer
}

// DefaultTimeout bounds a request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// maxResponseBytes bounds a 2xx body: a longer one is an error.
const maxResponseBytes = 64 << 20

// maxErrorBodyBytes bounds what is read of any other body: an error needs
// only its start, and what is shown of it is shorter still.
const maxErrorBodyBytes = 1 << 20

// Transport sends requests. It is safe for concurrent use.
type Transport struct {
	cfg    Config
	client *http.Client
	r      *Redactor
	// tracesConns: the client's RoundTripper is an *http.Transport, which
	// reports through httptrace when it hands a request a connection; a
	// request that got none was never sent.
	tracesConns           bool
	maxBody, maxErrorBody int64      // maxResponseBytes, maxErrorBodyBytes; tests lower them
	traceMu               sync.Mutex // one trace line at a time from concurrent fan-out
}

// New returns a Transport that masks with r whatever it writes or returns.
func New(cfg Config, r *Redactor) *Transport {
	if cfg.MaxRetryWait == 0 {
		cfg.MaxRetryWait = 10 * time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	client := &http.Client{}
	if cfg.Client != nil {
		c := *cfg.Client
		client = &c
	}
	// A redirect comes back as the response, never followed: the credential
	// must reach only the host the statement named.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	rt := client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	_, tracesConns := rt.(*http.Transport)
	return &Transport{cfg: cfg, client: client, r: r, tracesConns: tracesConns,
		maxBody: maxResponseBytes, maxErrorBody: maxErrorBodyBytes}
}

// Response is a 2xx response body, decoded on demand.
type Response struct {
	Raw []byte
	// fail describes a body that cannot be used as the request's failure.
	fail func(error) error
}

// Fail is err, a reason the body cannot be used, as the request's failure
// (a *RemoteError naming the request).
func (r *Response) Fail(err error) error { return r.fail(err) }

// Empty reports whether the response had no body (or only whitespace).
func (r *Response) Empty() bool { return len(bytes.TrimLeft(r.Raw, " \t\r\n")) == 0 }

// Decode decodes the body with UseNumber, so integers stay exact; a missing
// body decodes to nil.
func (r *Response) Decode() (any, error) {
	if r.Empty() {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.Raw))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		return nil, err
	}
	if len(bytes.TrimLeft(r.Raw[dec.InputOffset():], " \t\r\n")) != 0 {
		return nil, errors.New("trailing data after the JSON value")
	}
	return body, nil
}
