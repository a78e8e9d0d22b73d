package sim_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	leaked, err := f.ws.CreateToken(f.bearer, 60, "")
	if err != nil {
		t.Fatal(err)
	}
	host := wsName + ".cloud.databricks.com"

	call(t, f.client, "POST", wsURL+sim.PathCreate, f.bearer, `{"comment":"copy of `+leaked.TokenValue+`","lifetime_seconds":60}`)
	call(t, f.client, "GET", wsURL+sim.PathList+"?token="+leaked.TokenValue+"&page=2", f.bearer, "")
	call(t, f.client, "POST", wsURL+sim.PathDelete, leaked.TokenValue, `{"token_id":"`+leaked.TokenInfo.TokenID+`"}`)
	call(t, f.client, "GET", wsURL+sim.PathList, "", "")
	call(t, f.client, "GET", wsURL+"/api/2.0/token/"+leaked.TokenValue, f.bearer, "")

	want := []sim.Request{
		{Method: "POST", Host: host, Path: sim.PathCreate, Status: 200, Body: `{"comment":"copy of dapi***","lifetime_seconds":60}`},
		{Method: "GET", Host: host, Path: sim.PathList, Query: "token=dapi***&page=2", Status: 200},
		{Method: "POST", Host: host, Path: sim.PathDelete, Status: 200, Body: `{"token_id":"` + leaked.TokenInfo.TokenID + `"}`},
		{Method: "GET", Host: host, Path: sim.PathList, Status: 401},
		{Method: "GET", Host: host, Path: "/api/2.0/token/dapi***", Status: 404},
	}
	got := f.srv.Requests()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request log\n got: %+v\nwant: %+v", got, want)
	}
	dump := fmt.Sprintf("%+v", got)
	for _, secret := range []string{f.bearer, leaked.TokenValue, "Bearer"} {
		if strings.Contains(dump, secret) {
			t.Errorf("the request log holds %q", secret)
		}
	}

	f.srv.ResetLog()
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d entries after ResetLog", n)
	}
}

// TestRequestLogBodyPrefix: the log keeps a bounded prefix of each body, so
// clients cannot grow a long run's memory by sending large bodies.
func TestRequestLogBodyPrefix(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	const token = "dapi0123456789abcdef0123456789abcdef"
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, body, want string
	}{
		{"at the limit", a(4096), a(4096)},
		{"one byte over", a(4097), a(4096) + "…(4097 bytes)"},
		{"the largest accepted", a(sim.MaxBodyBytes), a(4096) + "…(1048576 bytes)"},
		{"over MaxBodyBytes", a(sim.MaxBodyBytes + 1), ""},
		// Redacted before the cut, so no part of the value survives it.
		{"token across the cut", a(4090) + token + a(100), a(4090) + "dapi**…(4226 bytes)"},
		// Cut on a rune boundary: "é" is two bytes, at 4095 and 4096.
		{"rune across the cut", a(4095) + "é" + a(10), a(4095) + "…(4107 bytes)"},
	}
	for _, tt := range tests {
		f.srv.ResetLog()
		call(t, f.client, "POST", wsURL+sim.PathCreate, f.bearer, tt.body)
		reqs := f.srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%s: %d log entries, want 1", tt.name, len(reqs))
		}
		if got := reqs[0].Body; got != tt.want {
			t.Errorf("%s: logged body of %d bytes\n got: %s\nwant: %s", tt.name, len(tt.body), abbreviate(got), abbreviate(tt.want))
		}
	}
}

// abbreviate shortens a long string for a failure message, keeping both ends.
func abbreviate(s string) string {
	if len(s) <= 80 {
		return s
	}
	return fmt.Sprintf("%s…[%d bytes]…%s", s[:20], len(s), s[len(s)-40:])
}
