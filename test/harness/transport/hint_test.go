package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHintOnlyWhenSent: a request that is not retried carries its hint
// ("it may have been created") only when it may have reached the server;
// one the client refused, or that got no connection, cannot have taken
// effect. An *http.Transport reports its connections; for another
// RoundTripper only an error that proves it did not send counts.
func TestHintOnlyWhenSent(t *testing.T) {
	const hint = "not retried: it may have been created"
	var served atomic.Int64
	// release ends what waits for the client to give up, which a server (or
	// a dial the transport keeps for the next request) is not told of.
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		switch r.URL.Path {
		case "/503":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/drop":
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case "/slow":
			<-release
		}
	}))
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served.Add(1) }))
	defer tlsSrv.Close()
	defer close(release) // before the servers close: they wait for their handlers

	dialing := func(dial func(ctx context.Context) (net.Conn, error)) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) }}}
	}
	other := func(err error) *http.Client {
		return &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, err })}
	}
	for _, tc := range []struct {
		name    string
		client  *http.Client // nil: a plain *http.Transport
		url     string       // default: srv.URL
		header  http.Header
		body    func() (io.ReadCloser, error) // the request's GetBody
		timeout time.Duration                 // default: a minute
		err     string                        // a substring of the error
		hint    bool
	}{
		{name: "a credential with a newline is refused by the client",
			header: http.Header{"Authorization": {"Bearer dapi0123\n"}},
			err:    `net/http: invalid header field value for "Authorization"`},
		{name: "an invalid header name is refused by the client",
			header: http.Header{"Bad Name": {"x"}},
			err:    `invalid header field name`},
		{name: "the request body cannot be read",
			body: func() (io.ReadCloser, error) { return nil, errors.New("disk gone") },
			err:  "reading the request body: disk gone"},
		{name: "the dial fails",
			client: dialing(func(context.Context) (net.Conn, error) { return nil, errors.New("no route to host") }),
			err:    "no route to host"},
		{name: "the dial outlives the timeout",
			client:  dialing(func(context.Context) (net.Conn, error) { <-release; return nil, errors.New("released") }),
			timeout: 50 * time.Millisecond, err: "timed out after 50ms"},
		{name: "the name does not resolve",
			client: dialing(func(context.Context) (net.Conn, error) {
				return nil, &net.DNSError{Err: "no such host", Name: "ws.example", IsNotFound: true}
			}),
			err: "no such host"},
		{name: "the certificate is not trusted", url: tlsSrv.URL,
			err: "certificate signed by unknown authority"},
		{name: "the server answers 503", url: srv.URL + "/503",
			err: "http 503", hint: true},
		{name: "the server closes the connection without an answer", url: srv.URL + "/drop",
			err: "the connection closed without a response", hint: true},
		{name: "the answer outlives the timeout", url: srv.URL + "/slow",
			timeout: 50 * time.Millisecond, err: "timed out after 50ms", hint: true},
		{name: "another RoundTripper's error may be after sending",
			client: other(errors.New("stream reset")),
			err:    "stream reset", hint: true},
		{name: "another RoundTripper's DNS error is before sending",
			client: other(&net.DNSError{Err: "no such host", Name: "ws.example", IsNotFound: true}),
			err:    "no such host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := served.Load()
			client := tc.client
			if client == nil {
				client = &http.Client{Transport: &http.Transport{}}
			}
			url := tc.url
			if url == "" {
				url = srv.URL + "/create"
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = time.Minute
			}
			tr := New(Config{Client: client, Timeout: timeout}, &Redactor{})
			req, err := http.NewRequest("POST", url, strings.NewReader(`{"comment":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header[k] = v
			}
			if tc.body != nil {
				req.GetBody = tc.body
			}
			_, err = tr.Send(context.Background(), req, hint)
			if err == nil || !strings.Contains(err.Error(), tc.err) || !IsRemote(err) {
				t.Fatalf("error %v\nwant a RemoteError containing %q", err, tc.err)
			}
			if got := strings.Contains(err.Error(), hint); got != tc.hint {
				t.Errorf("error %v\nhas the hint: %v, want %v", err, got, tc.hint)
			}
			if !tc.hint && served.Load() != before {
				t.Errorf("the server received the request")
			}
		})
	}
}
