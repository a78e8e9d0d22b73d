package sim_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

func TestFaultResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       sim.Fault
		method      string
		path        string
		body        string
		wantStatus  int
		wantBody    string // exact; "" skips
		wantType    string
		wantHeader  map[string]string
		wantTokens  int // tokens stored afterwards: shows whether the request was handled
		wantLogCode int
	}{
		{name: "throttled", fault: sim.Fault{Status: 429}, method: "GET", path: sim.PathList,
			wantStatus: 429, wantBody: `{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"Too many requests. Please wait a moment and try again."}`,
			wantType: "application/json", wantHeader: map[string]string{"Retry-After": "1"}},
		{name: "throttled with own Retry-After", fault: sim.Fault{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, method: "GET", path: sim.PathList,
			wantStatus: 429, wantType: "application/json", wantHeader: map[string]string{"Retry-After": "7"}},
		{name: "unavailable", fault: sim.Fault{Status: 503}, method: "POST", path: sim.PathCreate, body: `{}`,
			wantStatus: 503, wantBody: `{"error_code":"TEMPORARILY_UNAVAILABLE","message":"The service is temporarily unavailable. Please try again later."}`,
			wantType: "application/json"},
		{name: "forbidden is numeric", fault: sim.Fault{Status: 403}, method: "GET", path: sim.PathList,
			wantStatus: 403, wantBody: `{"error_code":403,"message":"Invalid access token."}`, wantType: "application/json"},
		{name: "unusual status", fault: sim.Fault{Status: 418}, method: "GET", path: sim.PathList,
			wantStatus: 418, wantBody: `{"error_code":"IM_A_TEAPOT","message":"I'm a teapot."}`, wantType: "application/json"},
		{name: "custom body", fault: sim.Fault{Status: 500, Body: `{"error_code":"INTERNAL_ERROR","message":"boom"}`}, method: "GET", path: sim.PathList,
			wantStatus: 500, wantBody: `{"error_code":"INTERNAL_ERROR","message":"boom"}`, wantType: "application/json"},
		{name: "status answers without handling", fault: sim.Fault{Status: 502}, method: "POST", path: sim.PathCreate, body: `{}`,
			wantStatus: 502, wantBody: `{"error_code":"BAD_GATEWAY","message":"Bad Gateway."}`, wantType: "application/json", wantTokens: 0},
		{name: "header on a handled response", fault: sim.Fault{Header: http.Header{"X-Request-Id": {"r1"}}}, method: "POST", path: sim.PathCreate, body: `{}`,
			wantStatus: 200, wantType: "application/json", wantHeader: map[string]string{"X-Request-Id": "r1"}, wantTokens: 1},
		{name: "non-JSON error", fault: sim.Fault{Status: 502, NonJSON: true}, method: "GET", path: sim.PathList,
			wantStatus: 502, wantBody: `<html>upstream error</html>`, wantType: "text/html"},
		{name: "non-JSON success is still handled", fault: sim.Fault{NonJSON: true}, method: "POST", path: sim.PathCreate, body: `{}`,
			wantStatus: 200, wantBody: `<html>upstream error</html>`, wantType: "text/html", wantTokens: 1},
		{name: "truncated error", fault: sim.Fault{Status: 404, Truncate: true}, method: "GET", path: sim.PathList,
			wantStatus: 404, wantBody: `{"error_code":"RESOURCE_DOES_NOT_EXIST","mess`, wantType: "application/json"},
		{name: "truncated success is still handled", fault: sim.Fault{Truncate: true}, method: "POST", path: sim.PathCreate, body: `{}`,
			wantStatus: 200, wantType: "application/json", wantTokens: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
			f.srv.Inject(tt.fault)
			got := call(t, f.client, tt.method, wsURL+tt.path, f.bearer, tt.body)
			if got.status != tt.wantStatus || (tt.wantBody != "" && got.body != tt.wantBody) {
				t.Errorf("%s %s with %+v\n got: %d %s\nwant: %d %s", tt.method, tt.path, tt.fault, got.status, got.body, tt.wantStatus, tt.wantBody)
			}
			if ct := got.header.Get("Content-Type"); ct != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantType)
			}
			for k, v := range tt.wantHeader {
				if g := got.header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
			if toks, _ := f.ws.Tokens(f.bearer); len(toks) != tt.wantTokens {
				t.Errorf("%d tokens stored, want %d", len(toks), tt.wantTokens)
			}
			if n := f.srv.PendingFaults(); n != 0 {
				t.Errorf("%d faults pending after one request", n)
			}
			// The fault is used up: the next request is answered normally.
			if next := call(t, f.client, "GET", wsURL+sim.PathList, f.bearer, ""); next.status != 200 {
				t.Errorf("request after the fault: %d %s", next.status, next.body)
			}
		})
	}
}

func TestTruncatedBodyIsFirstHalf(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	if err := f.ws.SeedTokens(f.bearer, 3, "c"); err != nil {
		t.Fatal(err)
	}
	full := call(t, f.client, "GET", wsURL+sim.PathList, f.bearer, "")
	f.srv.Inject(sim.Fault{Path: sim.PathList, Truncate: true})
	half := call(t, f.client, "GET", wsURL+sim.PathList, f.bearer, "")
	if half.body != full.body[:len(full.body)/2] {
		t.Errorf("truncated body\n got: %s\nwant: %s", half.body, full.body[:len(full.body)/2])
	}
}

func TestFaultMatchingAndOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	other, err := f.srv.AddWorkspace("dbc-other", sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	otherBearer := other.AddUser(userName)

	f.srv.Inject(sim.Fault{Workspace: "dbc-other", Status: 500})               // only the other workspace
	f.srv.Inject(sim.Fault{Method: "post", Path: sim.PathCreate, Status: 409}) // method is case-insensitive
	f.srv.Inject(sim.Fault{Path: sim.PathList, Times: 2, Status: 429})
	f.srv.Inject(sim.Fault{Path: sim.PathList, Status: 503}) // only after the two 429s

	steps := []struct {
		url, bearer, method, path string
		wantStatus                int
	}{
		{wsURL, f.bearer, "GET", sim.PathList, 429},
		{wsURL, f.bearer, "POST", sim.PathDelete, 400}, // no fault for delete: missing token_id
		{wsURL, f.bearer, "POST", sim.PathCreate, 409},
		{wsURL, f.bearer, "POST", sim.PathCreate, 200},
		{wsURL, f.bearer, "GET", sim.PathList, 429},
		{wsURL, f.bearer, "GET", sim.PathList, 503},
		{wsURL, f.bearer, "GET", sim.PathList, 200},
		{other.URL(), otherBearer, "GET", sim.PathList, 500},
		{other.URL(), otherBearer, "GET", sim.PathList, 200},
	}
	for i, s := range steps {
		body := ""
		if s.method == "POST" {
			body = "{}"
		}
		if got := call(t, f.client, s.method, s.url+s.path, s.bearer, body); got.status != s.wantStatus {
			t.Errorf("step %d %s %s%s: %d %s, want %d", i, s.method, s.url, s.path, got.status, got.body, s.wantStatus)
		}
	}
}

func TestFaultForever(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	f.srv.Inject(sim.Fault{Times: -1, Status: 503})
	for range 5 {
		if got := call(t, f.client, "GET", wsURL+sim.PathList, f.bearer, ""); got.status != 503 {
			t.Fatalf("status %d, want 503 until ClearFaults", got.status)
		}
	}
	f.srv.ClearFaults()
	if got := call(t, f.client, "GET", wsURL+sim.PathList, f.bearer, ""); got.status != 200 {
		t.Errorf("after ClearFaults: %d", got.status)
	}
}

// TestFaultsArePerServer runs two servers side by side: a fault in one must not leak.
func TestFaultsArePerServer(t *testing.T) {
	t.Parallel()
	a := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	b := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	a.srv.Inject(sim.Fault{Times: -1, Status: 503})
	if got := call(t, b.client, "GET", wsURL+sim.PathList, b.bearer, ""); got.status != 200 {
		t.Errorf("server b answered %d: a's fault leaked", got.status)
	}
	if got := call(t, a.client, "GET", wsURL+sim.PathList, a.bearer, ""); got.status != 503 {
		t.Errorf("server a answered %d, want its own fault", got.status)
	}
}

func TestDropClosesWithoutHandling(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	f.srv.Inject(sim.Fault{Method: "POST", Path: sim.PathCreate, Drop: true})
	_, err := send(t.Context(), f.client, "POST", wsURL+sim.PathCreate, f.bearer, `{"comment":"lost"}`)
	if err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Errorf("create on a dropped connection: %v, want an EOF error", err)
	}
	if toks, _ := f.ws.Tokens(f.bearer); len(toks) != 0 {
		t.Errorf("a dropped request stored %d tokens", len(toks))
	}
	log := f.srv.Requests()
	if len(log) != 1 || log[0].Status != 0 || log[0].Body != `{"comment":"lost"}` {
		t.Errorf("log of a dropped request: %+v, want one entry with status 0", log)
	}
}

// TestDropOverHTTP2 covers clients that negotiate HTTP/2, where a connection cannot be
// hijacked: the stream is reset instead.
func TestDropOverHTTP2(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	tr := f.srv.Transport()
	tr.ForceAttemptHTTP2 = true
	client := &http.Client{Transport: tr}
	f.srv.Inject(sim.Fault{Path: sim.PathList, Drop: true})
	if _, err := send(t.Context(), client, "GET", wsURL+sim.PathList, f.bearer, ""); err == nil {
		t.Error("list on a dropped HTTP/2 stream succeeded")
	}
	resp, err := client.Get(wsURL + sim.PathHostConfig)
	if err != nil {
		t.Fatalf("after the drop: %v", err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 404 {
		t.Errorf("after the drop: %s %d, want HTTP/2 404", resp.Proto, resp.StatusCode)
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})

	f.srv.Inject(sim.Fault{Delay: 30 * time.Millisecond})
	start := time.Now()
	if got := call(t, f.client, "GET", wsURL+sim.PathList, f.bearer, ""); got.status != 200 {
		t.Errorf("delayed list: %d", got.status)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered after %v, want at least the 30ms delay", d)
	}

	// A client that gives up first is not kept waiting for the rest of the delay.
	f.srv.Inject(sim.Fault{Delay: time.Hour, Status: 500})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	got, err := send(ctx, f.client, "GET", wsURL+sim.PathList, f.bearer, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("list during an hour's delay: %+v %v, want the client's deadline; log %+v", got, err, f.srv.Requests())
	}
}

func TestInjectRejectsImpossibleStatus(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sim.Config{Plain: true})
	defer func() {
		if recover() == nil {
			t.Error("Inject(Status: 99) did not panic")
		}
	}()
	srv.Inject(sim.Fault{Status: 99})
}
