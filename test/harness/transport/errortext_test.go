package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"
)

// roundTripFunc answers requests in process, without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// countingReader is a body that counts what the client read of it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countingReader) Close() error { return nil }

// endless is a reader of b repeated without end.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// TestServerTextIsBoundedAndEscaped: what a server says in an error
// (envelope code and message, a body snippet, a redirect's target, a
// content type) reaches the RemoteError cut to a bound, on a UTF-8
// boundary, with its size, and with control characters and invalid UTF-8
// escaped; an error body is read only up to maxErrorBodyBytes.
func TestServerTextIsBoundedAndEscaped(t *testing.T) {
	const secret = "s3cr3t-credential"
	big := strings.Repeat("m", 100<<10)
	for _, tc := range []struct {
		name    string
		status  int
		header  http.Header
		body    io.Reader
		code    string // the RemoteError's Code
		message string // its Message
		err     string // or a substring of Error(), when neither says it
		maxRead int64  // the most of the body the client may read; 0: any
	}{
		{name: "a long message is cut to 1 KiB", status: 400,
			body:    strings.NewReader(`{"error_code":"INVALID","message":"` + big + `"}`),
			code:    "INVALID",
			message: strings.Repeat("m", 1024) + "… (102400 bytes)"},
		{name: "a long code is cut to 200 bytes", status: 400,
			body:    strings.NewReader(`{"error_code":"` + strings.Repeat("C", 5000) + `","message":"m"}`),
			code:    strings.Repeat("C", 200) + "… (5000 bytes)",
			message: "m"},
		{name: "a numeric code in an array is cut too", status: 400,
			body: strings.NewReader(`{"error_code":[` + strings.Repeat("1,", 1000) + `1]}`),
			code: "[" + strings.Repeat("1,", 99) + "1… (2003 bytes)"},
		{name: "the cut does not split a character", status: 400,
			body:    strings.NewReader(`{"error_code":"E","message":"` + strings.Repeat("m", 1022) + strings.Repeat("デ", 10) + `"}`),
			code:    "E",
			message: strings.Repeat("m", 1022) + "… (1052 bytes)"},
		{name: "a message is folded to one line first", status: 400,
			body:    strings.NewReader(`{"error_code":"E","message":"a\n\n b\t\tc` + strings.Repeat(" ", 5000) + `"}`),
			code:    "E",
			message: "a b c"},
		{name: "a secret across the cut is masked, not cut", status: 400,
			body:    strings.NewReader(`{"error_code":"E","message":"` + strings.Repeat("m", 1020) + secret + `"}`),
			code:    "E",
			message: strings.Repeat("m", 1020) + "[RED… (1030 bytes)"},
		{name: "controls in the envelope are escaped", status: 400,
			body:    strings.NewReader(`{"error_code":"BAD\u001b[31m","message":"clear\u001b[2J bell\u0007 del\u007f nel\u0085 csi\u009b ls\u2028 ok é"}`),
			code:    `BAD\x1b[31m`,
			message: `clear\x1b[2J bell\x07 del\x7f nel csi\u009b ls ok é`}, // NEL and LS are white space: folded
		{name: "controls and invalid UTF-8 in a body snippet are escaped", status: 502,
			header:  http.Header{"Content-Type": {"text/html"}},
			body:    strings.NewReader("<html>\x1b]0;pwned\a \x9b31m bad\xff\xfe \u0090</html>"),
			message: `<html>\x1b]0;pwned\x07 \x9b31m bad\xff\xfe \u0090</html>`},
		{name: "a long snippet is cut with its size", status: 502,
			body:    strings.NewReader(strings.Repeat("<p>", 1000)),
			message: strings.Repeat("<p>", 66) + "<p… (3000 bytes)"},
		{name: "an endless error body is read to 1 MiB", status: 500,
			body:    io.MultiReader(strings.NewReader(`{"error_code":"E","message":"`), endless('x')),
			message: `{"error_code":"E","message":"` + strings.Repeat("x", 200-29) + "… (over 1 MiB)",
			maxRead: maxErrorBodyBytes + 1},
		{name: "an endless envelope message is read to 1 MiB", status: 400,
			body:    io.MultiReader(strings.NewReader(`{"error_code":"E","message":"`), endless('\x1b')),
			message: `{"error_code":"E","message":"` + strings.Repeat(`\x1b`, 200-29) + "… (over 1 MiB)",
			maxRead: maxErrorBodyBytes + 1},
		{name: "a redirect's target is cut", status: 302,
			header: http.Header{"Location": {"https://elsewhere.example/" + strings.Repeat("p", 5000)}},
			body:   strings.NewReader(""),
			err:    "to https://elsewhere.example/" + strings.Repeat("p", 1024-26) + "… (5026 bytes); not followed"},
		{name: "a redirect's target the client cannot parse is cut", status: 302,
			header: http.Header{"Location": {"https://elsewhere.example/\x1b[2J" + strings.Repeat("p", 5000)}},
			body:   strings.NewReader(""),
			err:    `failed to parse Location header "https://elsewhere.example/\x1b[2Jppp`},
		{name: "a 2xx content type is escaped and cut", status: 200,
			header: http.Header{"Content-Type": {"text/\x1b[2J" + strings.Repeat("t", 500)}},
			body:   strings.NewReader("data"),
			err:    `the response is text/\x1b[2J` + strings.Repeat("t", 200-9) + "… (509 bytes), not JSON (4 bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var read atomic.Int64
			client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				h := tc.header
				if h == nil {
					h = http.Header{"Content-Type": {"application/json"}}
				}
				return &http.Response{StatusCode: tc.status, Header: h, Body: countingReader{tc.body, &read}, Request: r}, nil
			})}
			red := &Redactor{}
			red.AddSecret(secret)
			tr := New(Config{Client: client}, red)
			req, _ := http.NewRequest("POST", "https://ws.example/api/2.0/x", nil)
			_, err := tr.Send(context.Background(), req, "not retried: it may have been created")
			var re *RemoteError
			if !errors.As(err, &re) {
				t.Fatalf("error %v, want a RemoteError", err)
			}
			if tc.err == "" && (re.Code != tc.code || re.Message != tc.message) {
				t.Errorf("code %q\nmessage %q\nwant %q\nand %q", re.Code, re.Message, tc.code, tc.message)
			}
			msg := err.Error()
			if tc.err != "" && !strings.Contains(msg, tc.err) {
				t.Errorf("error %q\nwant one containing %q", msg, tc.err)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error %q shows the secret", msg)
			}
			if !utf8.ValidString(msg) || strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }) {
				t.Errorf("error %q holds a control character or invalid UTF-8", msg)
			}
			if len(msg) > 8<<10 {
				t.Errorf("error is %d bytes", len(msg))
			}
			if n := read.Load(); tc.maxRead != 0 && n > tc.maxRead {
				t.Errorf("read %d bytes of the body, want at most %d", n, tc.maxRead)
			}
		})
	}
}

// TestTraceIsEscaped: a trace line never carries a control character or a
// request body cut inside a character.
func TestTraceIsEscaped(t *testing.T) {
	var trace strings.Builder
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("refused: \x1b[2J\u009b")
	})}
	tr := New(Config{Client: client, Trace: &trace}, &Redactor{})
	body := strings.Repeat("b", maxTracedBody-1) + "デ\x7f"
	req, _ := http.NewRequest("POST", "https://ws.example/api", strings.NewReader(body))
	if _, err := tr.Send(context.Background(), req, ""); err == nil {
		t.Fatal("no error")
	}
	want := "> POST https://ws.example/api " + strings.Repeat("b", maxTracedBody-1) + "...\n" +
		`< POST https://ws.example/api error D: refused: \x1b[2J\u009b` + "\n"
	got := trace.String()
	if i := strings.Index(got, " error "); i >= 0 { // the duration varies
		if j := strings.Index(got[i:], ":"); j >= 0 {
			got = got[:i] + " error D" + got[i+j:]
		}
	}
	if got != want {
		t.Errorf("trace\n%q\nwant\n%q", got, want)
	}
}

// TestBodyOverTheLimit: a 2xx body over its limit is an error, not a body
// silently cut (which would read as JSON cut short); an error body over its
// limit is cut there and read no further, and what is shown says so.
func TestBodyOverTheLimit(t *testing.T) {
	const maxBody = 1000
	for _, tc := range []struct {
		status       int
		maxErrorBody int64
		err          string
	}{
		{200, 100, "POST ws.example/api: http 200: reading the response: the body is over the 1000 bytes limit (not retried: H)"},
		{201, 100, "POST ws.example/api: http 201: reading the response: the body is over the 1000 bytes limit (not retried: H)"},
		{404, 100, "POST ws.example/api: http 404: " + strings.Repeat("x", 100) + "… (over 100 bytes)"},
		{500, 300, "POST ws.example/api: http 500: " + strings.Repeat("x", 200) + "… (over 300 bytes) (not retried: H)"},
	} {
		var read atomic.Int64
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: tc.status, Header: http.Header{}, Body: countingReader{endless('x'), &read}, Request: r}, nil
		})}
		tr := New(Config{Client: client}, &Redactor{})
		tr.maxBody, tr.maxErrorBody = maxBody, tc.maxErrorBody
		req, _ := http.NewRequest("POST", "https://ws.example/api", nil)
		_, err := tr.Send(context.Background(), req, "not retried: H")
		if err == nil || err.Error() != tc.err {
			t.Errorf("status %d: error %v\nwant %s", tc.status, err, tc.err)
		}
		if n := read.Load(); n > maxBody+1 {
			t.Errorf("status %d: read %d bytes", tc.status, n)
		}
	}
}
