package sim_test

// Request bodies: a request is acted on only once its whole body is in, the body must be
// exactly one JSON object, and a client cannot hold a request open forever.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// guard bounds how long a test waits for the server; every server-side limit under test
// is far below it, so reaching it means the server never gave up.
const guard = 5 * time.Second

// TestBodyMustBeOneObject: only one JSON object (or an empty body) is a request.
// Unmarshal accepts null into a struct without error, so a null create used to make a
// token and a null delete used to be "missing token_id".
func TestBodyMustBeOneObject(t *testing.T) {
	t.Parallel()
	const (
		notAnObject = `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected a map"}`
		unparsable  = `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - failed to parse given JSON"}`
	)
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	kept, err := f.ws.CreateToken(f.bearer, 3600, "kept")
	if err != nil {
		t.Fatal(err)
	}
	keptID := `"` + kept.TokenInfo.TokenID + `"`

	tests := []struct {
		path, body, want string
	}{
		{sim.PathCreate, `null`, notAnObject},
		{sim.PathCreate, " \t\r\nnull\n", notAnObject},
		{sim.PathCreate, `[]`, notAnObject},
		{sim.PathCreate, `[{"lifetime_seconds":60}]`, notAnObject},
		{sim.PathCreate, `"{}"`, notAnObject},
		{sim.PathCreate, `60`, notAnObject},
		{sim.PathCreate, `true`, notAnObject},
		{sim.PathCreate, `false`, notAnObject},
		{sim.PathCreate, "\u00a0", unparsable}, // not JSON whitespace, so not an empty body
		{sim.PathCreate, "\u00a0{}", unparsable},
		{sim.PathCreate, `{}x`, unparsable},
		{sim.PathCreate, `{}}`, unparsable},
		{sim.PathCreate, `{} null`, unparsable},
		{sim.PathCreate, `null {}`, unparsable},
		{sim.PathCreate, `{"lifetime_seconds":60}{"comment":"x"}`, unparsable},
		{sim.PathCreate, "{}\n{}", unparsable},
		{sim.PathCreate, `nul`, unparsable},
		{sim.PathDelete, `null`, notAnObject},
		{sim.PathDelete, `[` + keptID + `]`, notAnObject},
		{sim.PathDelete, keptID, notAnObject},
		{sim.PathDelete, `5`, notAnObject},
		{sim.PathDelete, `{"token_id":` + keptID + `} {}`, unparsable},
		{sim.PathDelete, `{"token_id":` + keptID + `}x`, unparsable},
	}
	for _, tt := range tests { // in order on one fixture: none may change the tokens
		got := call(t, f.client, "POST", wsURL+tt.path, f.bearer, tt.body)
		if got.status != 400 || got.body != tt.want {
			t.Errorf("POST %s %q\n got: %d %s\nwant: 400 %s", tt.path, tt.body, got.status, got.body, tt.want)
		}
		if toks, _ := f.ws.Tokens(f.bearer); len(toks) != 1 || toks[0].TokenID != kept.TokenInfo.TokenID {
			t.Fatalf("POST %s %q changed the tokens: %+v", tt.path, tt.body, toks)
		}
	}
}

// rawConn opens a connection to the workspace host, over TLS unless the server is plain,
// with guard as its deadline.
func rawConn(t *testing.T, f *fixture, plain bool) net.Conn {
	t.Helper()
	var conn net.Conn
	var err error
	if plain {
		conn, err = net.Dial("tcp", f.srv.Addr())
	} else {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(f.srv.CAPEM())
		conn, err = tls.Dial("tcp", f.srv.Addr(), &tls.Config{ServerName: f.ws.Host(), RootCAs: pool, NextProtos: []string{"http/1.1"}})
	}
	if err != nil {
		t.Fatalf("dial %s: %v", f.srv.Addr(), err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// header is a POST's request line and headers, ending with the blank line.
func header(f *fixture, path, framing string) string {
	return "POST " + path + " HTTP/1.1\r\nHost: " + f.ws.Host() + "\r\nAuthorization: Bearer " + f.bearer +
		"\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n"
}

// expectNoResponse reads from conn and fails unless the server closes it without
// answering before the guard deadline.
func expectNoResponse(t *testing.T, conn net.Conn) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		t.Errorf("the server answered %d %s, want the connection closed without an answer", resp.StatusCode, body)
		return
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the server still waited for the body after %v", guard)
	}
}

// expectUntouched fails unless the log's last entry is the request, unanswered and with
// no body, and the user still has exactly the token kept.
func expectUntouched(t *testing.T, f *fixture, path string, kept sim.CreateTokenResponse) {
	t.Helper()
	reqs := f.srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("the request was not logged")
	}
	if last := reqs[len(reqs)-1]; last.Path != path || last.Status != 0 || last.Body != "" {
		t.Errorf("logged %+v, want %s with status 0 and no body", last, path)
	}
	if toks, _ := f.ws.Tokens(f.bearer); len(toks) != 1 || toks[0].TokenID != kept.TokenInfo.TokenID {
		t.Errorf("a request whose body never arrived whole changed the tokens: %+v", toks)
	}
}

// halfClose tells the server the client has sent all it will, keeping the read side
// open so the test learns when the server has finished with the request.
func halfClose(t *testing.T, conn net.Conn) {
	t.Helper()
	cw, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		t.Fatalf("%T cannot half-close", conn)
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatalf("CloseWrite: %v", err)
	}
}

// TestIncompleteBodyIsNotActedOn: a body cut short is still often valid JSON, so a
// request must not be acted on until its whole body is in. Each client sends a valid
// object and then stops before the framing says the body ends.
func TestIncompleteBodyIsNotActedOn(t *testing.T) {
	t.Parallel()
	shapes := []struct {
		name string
		send func(f *fixture, path, body string) string
	}{
		{"shorter than Content-Length", func(f *fixture, path, body string) string {
			return header(f, path, fmt.Sprintf("Content-Length: %d", len(body)+50)) + body
		}},
		{"chunked without the last chunk", func(f *fixture, path, body string) string {
			return header(f, path, "Transfer-Encoding: chunked") + fmt.Sprintf("%x\r\n%s\r\n", len(body), body)
		}},
		{"chunk shorter than its size", func(f *fixture, path, body string) string {
			return header(f, path, "Transfer-Encoding: chunked") + fmt.Sprintf("%x\r\n%s", len(body)+10, body)
		}},
		{"last chunk without the final CRLF", func(f *fixture, path, body string) string {
			return header(f, path, "Transfer-Encoding: chunked") + fmt.Sprintf("%x\r\n%s\r\n0\r\n", len(body), body)
		}},
	}
	for _, plain := range []bool{true, false} {
		for _, shape := range shapes {
			for _, path := range []string{sim.PathCreate, sim.PathDelete} {
				t.Run(fmt.Sprintf("plain=%v/%s/%s", plain, shape.name, path), func(t *testing.T) {
					t.Parallel()
					f := newFixture(t, sim.Config{Plain: plain}, sim.WorkspaceOptions{})
					kept, err := f.ws.CreateToken(f.bearer, 3600, "kept")
					if err != nil {
						t.Fatal(err)
					}
					body := `{"lifetime_seconds":60}`
					if path == sim.PathDelete {
						body = `{"token_id":"` + kept.TokenInfo.TokenID + `"}`
					}
					conn := rawConn(t, f, plain)
					if _, err := io.WriteString(conn, shape.send(f, path, body)); err != nil {
						t.Fatal(err)
					}
					halfClose(t, conn)
					expectNoResponse(t, conn)
					expectUntouched(t, f, path, kept)
				})
			}
		}
	}
}

// TestStalledBodyIsAbandoned: a client that sends its headers and never finishes the
// body, or trickles it, is cut off at the body deadline and nothing is created.
func TestStalledBodyIsAbandoned(t *testing.T) {
	t.Parallel()
	const prefix = `{"lifetime_seconds":60,"comment":"`
	tests := []struct {
		name  string
		plain bool
		// start sends the request; it may return a func that keeps sending until
		// stop is closed, run on its own goroutine.
		start func(f *fixture) (head string, more func(conn net.Conn, stop <-chan struct{}))
	}{
		{name: "headers only", plain: true, start: func(f *fixture) (string, func(net.Conn, <-chan struct{})) {
			return header(f, sim.PathCreate, "Content-Length: 100"), nil
		}},
		{name: "part of the body", start: func(f *fixture) (string, func(net.Conn, <-chan struct{})) {
			return header(f, sim.PathCreate, "Content-Length: 100") + prefix, nil
		}},
		{name: "chunked, never ending", start: func(f *fixture) (string, func(net.Conn, <-chan struct{})) {
			return header(f, sim.PathCreate, "Transfer-Encoding: chunked") + fmt.Sprintf("%x\r\n%s\r\n", len(prefix), prefix), nil
		}},
		{name: "one byte at a time", start: func(f *fixture) (string, func(net.Conn, <-chan struct{})) {
			// Each byte arrives well within the timeout: only a deadline on the whole
			// body, not one per read, stops this client.
			return header(f, sim.PathCreate, "Content-Length: 100000") + prefix, func(conn net.Conn, stop <-chan struct{}) {
				tick := time.NewTicker(10 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if _, err := conn.Write([]byte("x")); err != nil {
							return
						}
					}
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sim.Config{Plain: tt.plain, BodyReadTimeout: 100 * time.Millisecond}, sim.WorkspaceOptions{})
			kept, err := f.ws.CreateToken(f.bearer, 3600, "kept")
			if err != nil {
				t.Fatal(err)
			}
			conn := rawConn(t, f, tt.plain)
			head, more := tt.start(f)
			if _, err := io.WriteString(conn, head); err != nil {
				t.Fatal(err)
			}
			if more != nil {
				stop, done := make(chan struct{}), make(chan struct{})
				go func() { defer close(done); more(conn, stop) }()
				defer func() { close(stop); <-done }()
			}
			expectNoResponse(t, conn)
			expectUntouched(t, f, sim.PathCreate, kept)
		})
	}

	t.Run("HTTP/2", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, sim.Config{BodyReadTimeout: 100 * time.Millisecond}, sim.WorkspaceOptions{})
		kept, err := f.ws.CreateToken(f.bearer, 3600, "kept")
		if err != nil {
			t.Fatal(err)
		}
		client := h2Client(t, f)
		pr, pw := io.Pipe()
		defer pw.Close()
		go func() { _, _ = io.WriteString(pw, prefix) }() // and then nothing more
		ctx, cancel := context.WithTimeout(t.Context(), guard)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "POST", wsURL+sim.PathCreate, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+f.bearer)
		resp, err := client.Do(req)
		switch {
		case err == nil:
			resp.Body.Close()
			t.Errorf("the server answered %d, want the stream reset", resp.StatusCode)
		case errors.Is(err, context.DeadlineExceeded):
			t.Errorf("the server still waited for the body after %v", guard)
		}
		expectUntouched(t, f, sim.PathCreate, kept)
	})
}

// h2Client returns a client that speaks HTTP/2 to the simulator, checked with a list.
func h2Client(t *testing.T, f *fixture) *http.Client {
	t.Helper()
	tr := f.srv.Transport()
	tr.ForceAttemptHTTP2 = true
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	req, _ := http.NewRequest("GET", wsURL+sim.PathList, nil)
	req.Header.Set("Authorization", "Bearer "+f.bearer)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("the client speaks %s, want HTTP/2", resp.Proto)
	}
	return client
}

// TestBodyDeadlineSparesDelays: the body deadline ends once the body is in, so a fault
// that delays the answer past it still answers, over HTTP/1 and HTTP/2.
func TestBodyDeadlineSparesDelays(t *testing.T) {
	t.Parallel()
	for _, proto := range []string{"HTTP/1.1", "HTTP/2"} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sim.Config{BodyReadTimeout: 10 * time.Millisecond}, sim.WorkspaceOptions{})
			client := f.client
			if proto == "HTTP/2" {
				client = h2Client(t, f)
			}
			f.srv.Inject(sim.Fault{Path: sim.PathCreate, Delay: 150 * time.Millisecond})
			if got := call(t, client, "POST", wsURL+sim.PathCreate, f.bearer, `{"lifetime_seconds":60}`); got.status != 200 {
				t.Errorf("delayed create: %d %s, want 200", got.status, got.body)
			}
		})
	}
}

// TestBodyOverLimitOnEveryPath: the 1 MiB cap holds on every path and method, with a
// Content-Length or chunked, before routing and auth.
func TestBodyOverLimitOnEveryPath(t *testing.T) {
	t.Parallel()
	const want = `{"error_code":"REQUEST_ENTITY_TOO_LARGE","message":"Request body exceeds the limit of 1048576 bytes."}`
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	big := `{"comment":"` + strings.Repeat("x", sim.MaxBodyBytes) + `"}`
	for _, method := range []string{"POST", "GET", "PUT"} {
		for _, path := range []string{sim.PathCreate, sim.PathDelete, sim.PathList, sim.PathHostConfig, "/api/2.0/clusters/list"} {
			for _, chunked := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s %s chunked=%v", method, path, chunked), func(t *testing.T) {
					t.Parallel()
					var body io.Reader = strings.NewReader(big)
					if chunked {
						body = io.MultiReader(body) // hides the length, so it is sent chunked
					}
					req, err := http.NewRequest(method, wsURL+path, body)
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Authorization", "Bearer "+f.bearer)
					resp, err := f.client.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					got, _ := io.ReadAll(resp.Body)
					if resp.StatusCode != 413 || string(got) != want {
						t.Errorf("got %d %s, want 413 %s", resp.StatusCode, got, want)
					}
				})
			}
		}
	}
	t.Cleanup(func() {
		if toks, _ := f.ws.Tokens(f.bearer); len(toks) != 0 {
			t.Errorf("refused requests stored %d tokens", len(toks))
		}
	})
}

// TestCommentLength: a comment may have MaxCommentLength characters, counted as Unicode
// code points, on every way a token is made.
func TestCommentLength(t *testing.T) {
	t.Parallel()
	over := func(n int) string {
		return fmt.Sprintf(`{"error_code":"INVALID_PARAMETER_VALUE","message":"Comment is %d characters long; a token comment may have at most 1000 characters."}`, n)
	}
	tests := []struct {
		name    string
		comment string
		want    string // "" → created
	}{
		{name: "empty", comment: ""},
		{name: "at the limit", comment: strings.Repeat("a", sim.MaxCommentLength)},
		{name: "one over", comment: strings.Repeat("a", sim.MaxCommentLength+1), want: over(1001)},
		{name: "two-byte runes at the limit", comment: strings.Repeat("é", sim.MaxCommentLength)},
		{name: "four-byte runes at the limit", comment: strings.Repeat("🙂", sim.MaxCommentLength)},
		{name: "four-byte runes one over", comment: strings.Repeat("🙂", sim.MaxCommentLength+1), want: over(1001)},
		{name: "far over", comment: strings.Repeat("a", 500_000), want: over(500000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
			body := fmt.Sprintf(`{"lifetime_seconds":60,"comment":%q}`, tt.comment)
			got := call(t, f.client, "POST", wsURL+sim.PathCreate, f.bearer, body)
			if tt.want == "" && got.status != 200 {
				t.Errorf("create: %d %s, want 200", got.status, got.body)
			}
			if tt.want != "" && (got.status != 400 || got.body != tt.want) {
				t.Errorf("create:\n got: %d %s\nwant: 400 %s", got.status, got.body, tt.want)
			}

			// The same limit without HTTP.
			_, err := f.ws.CreateToken(f.bearer, 60, tt.comment)
			var apiErr *sim.Error
			if (tt.want == "") != (err == nil) || (err != nil && (!errors.As(err, &apiErr) || apiErr.Code != sim.CodeInvalidParameterValue)) {
				t.Errorf("CreateToken: %v, want an error %v", err, tt.want != "")
			}
			err = f.ws.SeedTokens(f.bearer, 1, tt.comment)
			if (tt.want == "") != (err == nil) || (err != nil && !errors.As(err, &apiErr)) {
				t.Errorf("SeedTokens: %v, want an error %v", err, tt.want != "")
			}
			panicked := func() (p bool) {
				defer func() { p = recover() != nil }()
				f.ws.SeedLegacyToken(f.bearer, tt.comment)
				return false
			}()
			if panicked != (tt.want != "") {
				t.Errorf("SeedLegacyToken panicked: %v, want %v", panicked, tt.want != "")
			}

			toks, _ := f.ws.Tokens(f.bearer)
			if wantN := map[bool]int{true: 0, false: 4}[tt.want != ""]; len(toks) != wantN {
				t.Errorf("%d tokens stored, want %d", len(toks), wantN)
			}
			for _, info := range toks {
				if info.Comment != tt.comment {
					t.Errorf("stored comment of %d bytes, want the %d sent", len(info.Comment), len(tt.comment))
				}
			}
		})
	}
}

// TestEchoedTextIsBounded: text a client chose comes back in a message, or goes into
// the log, only up to 1 KiB, so a request line or body field of up to 1 MiB cannot
// make answers or the log grow with it.
func TestEchoedTextIsBounded(t *testing.T) {
	t.Parallel()
	const (
		size     = 100_000
		maxEcho  = 1 << 10
		maxReply = 3 * maxEcho // a message quotes at most two echoes
	)
	long := strings.Repeat("x", size)
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	// After every subtest: each logged field is bounded (the body has its own 4 KiB).
	t.Cleanup(func() {
		bound := maxEcho + len("…(100000 bytes)")
		for i, r := range f.srv.Requests() {
			if len(r.Method) > bound || len(r.Host) > bound || len(r.Path) > bound || len(r.Query) > bound || len(r.Body) > 4<<10+bound {
				t.Errorf("log entry %d holds a field over its bound: %s", i, abbreviate(fmt.Sprintf("%+v", r)))
			}
		}
	})

	tests := []struct {
		name, method, path, host, body string
		wantStatus                     int
	}{
		{name: "unknown path", method: "GET", path: "/api/2.0/" + long[9:], wantStatus: 404},
		{name: "method on an unknown path", method: strings.ToUpper(long), path: "/api/2.0/nope", wantStatus: 404},
		{name: "method on a token path", method: strings.ToUpper(long), path: sim.PathCreate, wantStatus: 405},
		{name: "host", method: "GET", path: sim.PathList, host: long[:size-len(".cloud.databricks.com")] + ".cloud.databricks.com", wantStatus: 421},
		{name: "token_id", method: "POST", path: sim.PathDelete, body: `{"token_id":"` + long + `"}`, wantStatus: 404},
		{name: "number literal", method: "POST", path: sim.PathCreate, body: `{"lifetime_seconds":1` + strings.Repeat("0", size-1) + `}`, wantStatus: 400},
		{name: "query", method: "GET", path: sim.PathList + "?q=" + long[3:], wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, wsURL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			req.Header.Set("Authorization", "Bearer "+f.bearer)
			resp, err := f.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, abbreviate(string(got)))
			}
			if tt.wantStatus != 200 && (len(got) > maxReply || !strings.Contains(string(got), " bytes)")) {
				t.Errorf("a %d-byte answer, want at most %d bytes quoting the text cut: %s", len(got), maxReply, abbreviate(string(got)))
			}
		})
	}

	t.Run("proxy", func(t *testing.T) {
		t.Parallel()
		proxy, err := f.srv.StartProxy()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { proxy.Close() })
		conn, err := net.Dial("tcp", proxy.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(guard))
		fmt.Fprintf(conn, "CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\n\r\n", long, long)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 502 || len(got) > maxReply || !strings.Contains(string(got), " bytes)") {
			t.Errorf("CONNECT to a long host: %d with a %d-byte body, want 502 quoting it cut: %s", resp.StatusCode, len(got), abbreviate(string(got)))
		}
	})
}
