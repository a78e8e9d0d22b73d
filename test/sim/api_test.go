package sim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// TestWireErrors pins the exact status, body and headers of every refusal the
// contract describes.
func TestWireErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	other := f.ws.AddUser("other@example.com")
	othersToken, err := f.ws.CreateToken(other, 3600, "not yours")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	const maxLifetime = 730 * 24 * 60 * 60
	unknownID := strings.Repeat("ab", 32)

	tests := []struct {
		name       string
		method     string
		path       string
		bearer     string // "user" is the fixture user's sign-in credential
		body       string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{name: "lifetime zero", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"lifetime_seconds":0}`, wantStatus: 400,
			wantBody: `{"error_code":"INVALID_PARAMETER_VALUE","message":"requirement failed: Invalid timeout: 0"}`},
		{name: "lifetime negative", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"lifetime_seconds":-5,"comment":"x"}`, wantStatus: 400,
			wantBody: `{"error_code":"INVALID_PARAMETER_VALUE","message":"requirement failed: Invalid timeout: -5"}`},
		{name: "lifetime above workspace maximum", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: fmt.Sprintf(`{"lifetime_seconds":%d}`, maxLifetime+1), wantStatus: 400,
			wantBody: `{"error_code":"INVALID_PARAMETER_VALUE","message":"Token lifetime of 63072001 seconds exceeds the maximum lifetime of 730 days (63072000 seconds) allowed by this workspace."}`},
		{name: "lifetime overflowing int64", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"lifetime_seconds":99999999999999999999}`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected an integer for field 'lifetime_seconds' but got number 99999999999999999999"}`},
		{name: "malformed json", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"comment":`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - failed to parse given JSON"}`},
		{name: "trailing garbage", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{} {}`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - failed to parse given JSON"}`},
		{name: "body not an object", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `["x"]`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected a map"}`},
		{name: "lifetime as string", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"lifetime_seconds":"3600"}`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected an integer for field 'lifetime_seconds' but got string"}`},
		{name: "lifetime fractional", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"lifetime_seconds":3600.5}`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected an integer for field 'lifetime_seconds' but got number 3600.5"}`},
		{name: "comment as number", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"comment":5}`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected a string for field 'comment' but got number"}`},
		{name: "revoke without token_id", method: "POST", path: "/api/2.0/token/delete", bearer: "user",
			body: `{}`, wantStatus: 400,
			wantBody: `{"error_code":"INVALID_PARAMETER_VALUE","message":"Missing required field: token_id"}`},
		{name: "revoke with empty body", method: "POST", path: "/api/2.0/token/delete", bearer: "user",
			wantStatus: 400,
			wantBody:   `{"error_code":"INVALID_PARAMETER_VALUE","message":"Missing required field: token_id"}`},
		{name: "revoke with numeric token_id", method: "POST", path: "/api/2.0/token/delete", bearer: "user",
			body: `{"token_id":5}`, wantStatus: 400,
			wantBody: `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected a string for field 'token_id' but got number"}`},
		{name: "revoke unknown id", method: "POST", path: "/api/2.0/token/delete", bearer: "user",
			body: `{"token_id":"` + unknownID + `"}`, wantStatus: 404,
			wantBody: `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No valid token with ID ` + unknownID + ` found."}`},
		{name: "revoke another user's token", method: "POST", path: "/api/2.0/token/delete", bearer: "user",
			body: `{"token_id":"` + othersToken.TokenInfo.TokenID + `"}`, wantStatus: 404,
			wantBody: `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No valid token with ID ` + othersToken.TokenInfo.TokenID + ` found."}`},
		{name: "no authorization", method: "GET", path: "/api/2.0/token/list", wantStatus: 401,
			wantBody: `{"error_code":401,"message":"Credential was not sent or was of an unsupported type for this API."}`},
		{name: "unknown bearer", method: "GET", path: "/api/2.0/token/list", bearer: "dapi" + strings.Repeat("0", 32),
			wantStatus: 403, wantBody: `{"error_code":403,"message":"Invalid access token."}`},
		{name: "bearer of another shape", method: "POST", path: "/api/2.0/token/create", bearer: "not-a-token",
			body: `{}`, wantStatus: 403, wantBody: `{"error_code":403,"message":"Invalid access token."}`},
		{name: "unknown path", method: "GET", path: "/api/2.0/token/lst", bearer: "user", wantStatus: 404,
			wantBody: `{"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for 'GET /token/lst'"}`},
		{name: "unknown path without credential", method: "GET", path: "/api/2.0/clusters/list", wantStatus: 404,
			wantBody: `{"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for 'GET /clusters/list'"}`},
		{name: "path outside the api", method: "GET", path: "/", wantStatus: 404,
			wantBody: `{"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for 'GET /'"}`},
		{name: "get on create", method: "GET", path: "/api/2.0/token/create", bearer: "user", wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method GET is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "POST"}},
		{name: "post on list", method: "POST", path: "/api/2.0/token/list", bearer: "user", body: `{}`, wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method POST is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "GET"}},
		{name: "delete verb on delete", method: "DELETE", path: "/api/2.0/token/delete", bearer: "user", wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method DELETE is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "POST"}},
		{name: "permission levels", method: "GET", path: sim.PathPermissionLevels, bearer: "user", wantStatus: 200,
			wantBody: `{"permission_levels":[{"permission_level":"CAN_USE","description":"` + sim.PermissionLevelCanUseDetail + `"}]}`},
		{name: "permission levels without authorization", method: "GET", path: sim.PathPermissionLevels, wantStatus: 401,
			wantBody: `{"error_code":401,"message":"Credential was not sent or was of an unsupported type for this API."}`},
		{name: "permission levels with an unknown bearer", method: "GET", path: sim.PathPermissionLevels, bearer: "dapi" + strings.Repeat("0", 32),
			wantStatus: 403, wantBody: `{"error_code":403,"message":"Invalid access token."}`},
		{name: "post on permission levels", method: "POST", path: sim.PathPermissionLevels, bearer: "user", body: `{}`, wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method POST is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "GET"}},
		{name: "token management as a plain user", method: "GET", path: sim.PathManagedTokens, bearer: "user", wantStatus: 403,
			wantBody: `{"error_code":"PERMISSION_DENIED","message":"Only Admins can access token management APIs."}`},
		{name: "token management without authorization", method: "GET", path: sim.PathManagedTokens, wantStatus: 401,
			wantBody: `{"error_code":401,"message":"Credential was not sent or was of an unsupported type for this API."}`},
		{name: "post on one managed token", method: "POST", path: sim.PathManagedTokens + "/" + unknownID, bearer: "user", wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method POST is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "DELETE, GET"}},
		{name: "delete on the managed list", method: "DELETE", path: sim.PathManagedTokens, bearer: "user", wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method DELETE is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "GET"}},
		{name: "get on obo create", method: "GET", path: sim.PathOboTokens, bearer: "user", wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method GET is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "POST"}},
		{name: "managed token path with two segments", method: "GET", path: sim.PathManagedTokens + "/a/b", bearer: "user", wantStatus: 404,
			wantBody: `{"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for 'GET /token-management/tokens/a/b'"}`},
		{name: "token permissions as a plain user", method: "GET", path: sim.PathTokenPermissions, bearer: "user", wantStatus: 403,
			wantBody: `{"error_code":"PERMISSION_DENIED","message":"Only workspace admins can read or change the permissions on tokens."}`},
		{name: "token permissions replaced by a plain user", method: "PUT", path: sim.PathTokenPermissions, bearer: "user",
			body: `{"access_control_list":[]}`, wantStatus: 403,
			wantBody: `{"error_code":"PERMISSION_DENIED","message":"Only workspace admins can read or change the permissions on tokens."}`},
		{name: "token permissions without authorization", method: "GET", path: sim.PathTokenPermissions, wantStatus: 401,
			wantBody: `{"error_code":401,"message":"Credential was not sent or was of an unsupported type for this API."}`},
		{name: "post on token permissions", method: "POST", path: sim.PathTokenPermissions, bearer: "user", body: `{}`, wantStatus: 405,
			wantBody:   `{"error_code":"METHOD_NOT_ALLOWED","message":"HTTP method POST is not supported by this URL"}`,
			wantHeader: map[string]string{"Allow": "GET, PATCH, PUT"}},
		{name: "host metadata probe", method: "GET", path: "/.well-known/databricks-config", wantStatus: 404,
			wantBody: `{"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for 'GET /.well-known/databricks-config'"}`},
		{name: "body over 1 MiB", method: "POST", path: "/api/2.0/token/create", bearer: "user",
			body: `{"comment":"` + strings.Repeat("x", sim.MaxBodyBytes) + `"}`, wantStatus: 413,
			wantBody: `{"error_code":"REQUEST_ENTITY_TOO_LARGE","message":"Request body exceeds the limit of 1048576 bytes."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bearer := tt.bearer
			if bearer == "user" {
				bearer = f.bearer
			}
			got := call(t, f.client, tt.method, wsURL+tt.path, bearer, tt.body)
			if got.status != tt.wantStatus || got.body != tt.wantBody {
				t.Errorf("%s %s %s\n got: %d %s\nwant: %d %s", tt.method, tt.path, tt.body, got.status, got.body, tt.wantStatus, tt.wantBody)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			for k, v := range tt.wantHeader {
				if g := got.header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
		})
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	day := int64(24 * 60 * 60 * 1000)
	tests := []struct {
		name        string
		opts        sim.WorkspaceOptions
		body        string
		wantExpiry  int64 // after creation_time, ms
		wantComment string
	}{
		{name: "defaults to workspace maximum", body: `{"comment":"ci"}`, wantExpiry: 730 * day, wantComment: "ci"},
		{name: "empty body", body: ``, wantExpiry: 730 * day},
		{name: "null lifetime is omitted", body: `{"lifetime_seconds":null}`, wantExpiry: 730 * day},
		{name: "explicit lifetime", body: `{"lifetime_seconds":129600,"comment":"My comment."}`, wantExpiry: 129600 * 1000, wantComment: "My comment."},
		{name: "exactly the maximum", body: `{"lifetime_seconds":63072000}`, wantExpiry: 730 * day},
		{name: "configured maximum", opts: sim.WorkspaceOptions{MaxTokenLifetimeDays: 1}, body: `{}`, wantExpiry: day},
		{name: "unknown fields ignored", body: `{"lifetime_seconds":60,"scope":"all"}`, wantExpiry: 60 * 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sim.Config{}, tt.opts)
			got := call(t, f.client, "POST", wsURL+"/api/2.0/token/create", f.bearer, tt.body)
			if got.status != 200 {
				t.Fatalf("create %s: %d %s", tt.body, got.status, got.body)
			}
			var resp sim.CreateTokenResponse
			if err := json.Unmarshal([]byte(got.body), &resp); err != nil {
				t.Fatalf("decode %s: %v", got.body, err)
			}
			info := resp.TokenInfo
			if !tokenValueRE.MatchString(resp.TokenValue) || !tokenIDRE.MatchString(info.TokenID) {
				t.Errorf("token_value %q or token_id %q has the wrong shape", resp.TokenValue, info.TokenID)
			}
			if info.CreationTime != epoch.UnixMilli() || info.ExpiryTime-info.CreationTime != tt.wantExpiry {
				t.Errorf("creation_time %d expiry_time %d, want %d and +%d", info.CreationTime, info.ExpiryTime, epoch.UnixMilli(), tt.wantExpiry)
			}
			if info.Comment != tt.wantComment || (tt.wantComment == "") == strings.Contains(got.body, `"comment"`) {
				t.Errorf("comment %q in %s, want %q and the key only when non-empty", info.Comment, got.body, tt.wantComment)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	list := func(bearer string) response { return call(t, f.client, "GET", wsURL+"/api/2.0/token/list", bearer, "") }

	if got := list(f.bearer); got.status != 200 || got.body != `{}` {
		t.Fatalf("empty list: %d %s, want 200 {}", got.status, got.body)
	}

	var created []sim.CreateTokenResponse
	for i := range 3 {
		f.clock.Advance(time.Second) // distinct creation times, so order is by time
		got := call(t, f.client, "POST", wsURL+"/api/2.0/token/create", f.bearer, fmt.Sprintf(`{"comment":"t%d","lifetime_seconds":3600}`, i))
		var resp sim.CreateTokenResponse
		if err := json.Unmarshal([]byte(got.body), &resp); got.status != 200 || err != nil {
			t.Fatalf("create: %d %s %v", got.status, got.body, err)
		}
		created = append(created, resp)
	}

	// A created token authenticates and sees the same user's tokens, oldest first.
	got := list(created[0].TokenValue)
	want, _ := json.Marshal(sim.ListTokensResponse{TokenInfos: []sim.TokenInfo{created[0].TokenInfo, created[1].TokenInfo, created[2].TokenInfo}})
	if got.status != 200 || got.body != string(want) {
		t.Fatalf("list with a created token:\n got: %d %s\nwant: 200 %s", got.status, got.body, want)
	}

	// Revoking your own token locks you out.
	del := call(t, f.client, "POST", wsURL+"/api/2.0/token/delete", created[1].TokenValue, `{"token_id":"`+created[1].TokenInfo.TokenID+`"}`)
	if del.status != 200 || del.body != `{}` {
		t.Fatalf("revoke: %d %s, want 200 {}", del.status, del.body)
	}
	if got := list(created[1].TokenValue); got.status != 403 || got.body != `{"error_code":403,"message":"Invalid access token."}` {
		t.Errorf("list with a revoked token: %d %s, want 403", got.status, got.body)
	}
	again := call(t, f.client, "POST", wsURL+"/api/2.0/token/delete", f.bearer, `{"token_id":"`+created[1].TokenInfo.TokenID+`"}`)
	if again.status != 404 || !strings.Contains(again.body, "No valid token with ID "+created[1].TokenInfo.TokenID+" found.") {
		t.Errorf("second revoke: %d %s, want 404 RESOURCE_DOES_NOT_EXIST", again.status, again.body)
	}
	want, _ = json.Marshal(sim.ListTokensResponse{TokenInfos: []sim.TokenInfo{created[0].TokenInfo, created[2].TokenInfo}})
	if got := list(f.bearer); got.body != string(want) {
		t.Errorf("list after revoke:\n got: %s\nwant: %s", got.body, want)
	}
	// A second sign-in of the same user sees the same tokens.
	if got := list(f.ws.AddUser(userName)); got.body != string(want) {
		t.Errorf("list by the same user signed in again:\n got: %s\nwant: %s", got.body, want)
	}
}

// TestListOrderWithinOneMillisecond checks the tie-break: same creation time → token_id.
func TestListOrderWithinOneMillisecond(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	if err := f.ws.SeedTokens(f.bearer, 50, "seeded"); err != nil {
		t.Fatalf("SeedTokens: %v", err)
	}
	for range 10 {
		if _, err := f.ws.CreateToken(f.bearer, 60, "api"); err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
	}
	got := call(t, f.client, "GET", wsURL+"/api/2.0/token/list", f.bearer, "")
	var list sim.ListTokensResponse
	if err := json.Unmarshal([]byte(got.body), &list); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(list.TokenInfos) != 60 {
		t.Fatalf("listed %d tokens, want 60", len(list.TokenInfos))
	}
	for i := 1; i < len(list.TokenInfos); i++ {
		a, b := list.TokenInfos[i-1], list.TokenInfos[i]
		if a.CreationTime > b.CreationTime || (a.CreationTime == b.CreationTime && a.TokenID >= b.TokenID) {
			t.Fatalf("tokens %d and %d out of order: %+v then %+v", i-1, i, a, b)
		}
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	short, err := f.ws.CreateToken(f.bearer, 60, "short")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	long, err := f.ws.CreateToken(f.bearer, 3600, "long")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	legacyID := f.ws.SeedLegacyToken(f.bearer, "legacy")
	list := func() string { return call(t, f.client, "GET", wsURL+"/api/2.0/token/list", f.bearer, "").body }

	f.clock.Advance(59*time.Second + 999*time.Millisecond)
	if got := call(t, f.client, "GET", wsURL+"/api/2.0/token/list", short.TokenValue, ""); got.status != 200 {
		t.Errorf("1 ms before expiry: %d %s, want 200", got.status, got.body)
	}
	f.clock.Advance(time.Millisecond)
	if got := call(t, f.client, "GET", wsURL+"/api/2.0/token/list", short.TokenValue, ""); got.status != 403 {
		t.Errorf("at expiry: %d %s, want 403", got.status, got.body)
	}
	if got := list(); strings.Contains(got, short.TokenInfo.TokenID) || !strings.Contains(got, long.TokenInfo.TokenID) {
		t.Errorf("list after the short token expired: %s", got)
	}
	del := call(t, f.client, "POST", wsURL+"/api/2.0/token/delete", f.bearer, `{"token_id":"`+short.TokenInfo.TokenID+`"}`)
	if del.status != 404 {
		t.Errorf("revoke of an expired token: %d %s, want 404", del.status, del.body)
	}

	f.clock.Advance(100 * 365 * 24 * time.Hour)
	want, _ := json.Marshal(sim.ListTokensResponse{TokenInfos: []sim.TokenInfo{{
		TokenID: legacyID, CreationTime: epoch.UnixMilli(), ExpiryTime: -1, Comment: "legacy"}}})
	if got := list(); got != string(want) {
		t.Errorf("a century later:\n got: %s\nwant: %s", got, want)
	}
}

// TestWorkspacesAreIsolated checks that tokens belong to one workspace.
func TestWorkspacesAreIsolated(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	other, err := f.srv.AddWorkspace("dbc-other", sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	otherBearer := other.AddUser(userName)
	if err := other.SeedTokens(otherBearer, 2, "other"); err != nil {
		t.Fatal(err)
	}
	if got := call(t, f.client, "GET", other.URL()+"/api/2.0/token/list", f.bearer, ""); got.status != 403 {
		t.Errorf("a bearer of %q on %q: %d %s, want 403", wsName, other.Name(), got.status, got.body)
	}
	if got := call(t, f.client, "GET", wsURL+"/api/2.0/token/list", f.bearer, ""); got.body != `{}` {
		t.Errorf("tokens of another workspace leaked into the list: %s", got.body)
	}
	if got := call(t, f.client, "GET", other.URL()+"/api/2.0/token/list", otherBearer, ""); strings.Count(got.body, "token_id") != 2 {
		t.Errorf("list in %q: %s, want 2 tokens", other.Name(), got.body)
	}
}

// TestTokenManagementWire: token management's answers to an admin, byte for byte
// where the simulator chose the wording.
func TestTokenManagementWire(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{WorkspaceID: 42})
	admin := f.ws.AddAdmin("admin@example.com")
	f.ws.AddServicePrincipal("robot", "app-1")
	adminID, _ := f.ws.UserID("admin@example.com")
	robotID, _ := f.ws.UserID("robot")
	for _, tt := range []struct {
		name, method, path, body string
		wantStatus               int
		wantBody                 string
	}{
		{"empty list", "GET", sim.PathManagedTokens, "", 200, `{}`},
		{"created_by_id not a number", "GET", sim.PathManagedTokens + "?created_by_id=abc", "", 400,
			`{"error_code":"INVALID_PARAMETER_VALUE","message":"Invalid value for created_by_id: abc"}`},
		{"obo without application_id", "POST", sim.PathOboTokens, `{"comment":"x"}`, 400,
			`{"error_code":"INVALID_PARAMETER_VALUE","message":"Missing required field: application_id"}`},
		{"obo for an unknown application", "POST", sim.PathOboTokens, `{"application_id":"app-2"}`, 404,
			`{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Service principal with application ID app-2 does not exist."}`},
		{"obo lifetime zero", "POST", sim.PathOboTokens, `{"application_id":"app-1","lifetime_seconds":0}`, 400,
			`{"error_code":"INVALID_PARAMETER_VALUE","message":"requirement failed: Invalid timeout: 0"}`},
		{"obo malformed", "POST", sim.PathOboTokens, `[]`, 400,
			`{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - expected a map"}`},
		{"get unknown", "GET", sim.PathManagedTokens + "/abc", "", 404,
			`{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No valid token with ID abc found."}`},
		{"delete unknown", "DELETE", sim.PathManagedTokens + "/abc", "", 404,
			`{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No valid token with ID abc found."}`},
	} {
		got := call(t, f.client, tt.method, wsURL+tt.path, admin, tt.body)
		if got.status != tt.wantStatus || got.body != tt.wantBody {
			t.Errorf("%s: %s %s %s\n got: %d %s\nwant: %d %s", tt.name, tt.method, tt.path, tt.body, got.status, got.body, tt.wantStatus, tt.wantBody)
		}
	}

	got := call(t, f.client, "POST", wsURL+sim.PathOboTokens, admin, `{"application_id":"app-1","lifetime_seconds":60}`)
	var obo sim.CreateOboTokenResponse
	if err := json.Unmarshal([]byte(got.body), &obo); err != nil || got.status != 200 {
		t.Fatalf("obo create: %d %s %v", got.status, got.body, err)
	}
	want := fmt.Sprintf(`{"token_info":{"token_id":"%s","creation_time":%d,"expiry_time":%d,"created_by_id":%d,"created_by_username":"admin@example.com","owner_id":%d,"workspace_id":42},"token_value":"%s"}`,
		obo.TokenInfo.TokenID, epoch.UnixMilli(), epoch.UnixMilli()+60_000, adminID, robotID, obo.TokenValue)
	if got.body != want {
		t.Errorf("obo create:\n got: %s\nwant: %s", got.body, want)
	}
	// Used once, a token's last_used_day is the start of that UTC day.
	if r := call(t, f.client, "GET", wsURL+sim.PathList, obo.TokenValue, ""); r.status != 200 {
		t.Fatalf("list with the OBO token: %d %s", r.status, r.body)
	}
	got = call(t, f.client, "GET", wsURL+sim.PathManagedTokens+"/"+obo.TokenInfo.TokenID, admin, "")
	day := epoch.UTC().Truncate(24 * time.Hour).UnixMilli()
	if !strings.Contains(got.body, fmt.Sprintf(`"last_used_day":%d}`, day)) {
		t.Errorf("get after use: %s, want last_used_day %d", got.body, day)
	}
}
