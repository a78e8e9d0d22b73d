package sim_test

// These tests drive the official Go SDK against the simulator: if the SDK accepts its
// answers and maps its errors to the SDK's typed errors, the simulator speaks the wire
// format real clients were built against.

import (
	"context"
	"errors"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/databricks/databricks-sdk-go/service/settings"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// hermetic is a config loader that loads nothing, so DATABRICKS_* variables and
// ~/.databrickscfg on the machine running the tests cannot change them.
type hermetic struct{}

func (hermetic) Name() string                   { return "sim-test" }
func (hermetic) Configure(*config.Config) error { return nil }

func sdkClient(t *testing.T, srv *sim.Server, host, token string) *databricks.WorkspaceClient {
	t.Helper()
	w, err := databricks.NewWorkspaceClient(&databricks.Config{
		Host:          host,
		Token:         token,
		HTTPTransport: srv.Transport(),
		Loaders:       []config.Loader{hermetic{}},
		// The SDK throttles itself to 15 requests/s by default; tests are not production.
		RateLimitPerSecond: 1000,
	})
	if err != nil {
		t.Fatalf("NewWorkspaceClient(%s): %v", host, err)
	}
	return w
}

func TestSDKLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	ctx := t.Context()
	w := sdkClient(t, f.srv, wsURL, f.bearer)

	if all, err := w.Tokens.ListAll(ctx); err != nil || len(all) != 0 {
		t.Fatalf("ListAll on an empty workspace: %v %v", all, err)
	}
	created, err := w.Tokens.Create(ctx, settings.CreateTokenRequest{Comment: "sdk", LifetimeSeconds: 3600})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	info := created.TokenInfo
	if !tokenValueRE.MatchString(created.TokenValue) || info == nil || !tokenIDRE.MatchString(info.TokenId) ||
		info.Comment != "sdk" || info.CreationTime != epoch.UnixMilli() || info.ExpiryTime != epoch.UnixMilli()+3600*1000 {
		t.Fatalf("Create returned %+v / %+v", created, info)
	}
	noComment, err := w.Tokens.Create(ctx, settings.CreateTokenRequest{})
	if err != nil {
		t.Fatalf("Create without fields: %v", err)
	}
	if got := noComment.TokenInfo.ExpiryTime - noComment.TokenInfo.CreationTime; got != 730*24*3600*1000 {
		t.Errorf("default lifetime %d ms, want 730 days", got)
	}

	// The new token is a working credential for the SDK too.
	w2 := sdkClient(t, f.srv, wsURL, created.TokenValue)
	all, err := w2.Tokens.ListAll(ctx)
	if err != nil {
		t.Fatalf("ListAll with the created token: %v", err)
	}
	ids := func(infos []settings.PublicTokenInfo) []string {
		var out []string
		for _, i := range infos {
			out = append(out, i.TokenId)
		}
		return out
	}
	if got := ids(all); len(got) != 2 || !slices.Contains(got, info.TokenId) || !slices.Contains(got, noComment.TokenInfo.TokenId) {
		t.Errorf("ListAll ids %v, want both created tokens", got)
	}
	legacy := f.ws.SeedLegacyToken(f.bearer, "legacy")
	all, _ = w.Tokens.ListAll(ctx)
	if i := slices.IndexFunc(all, func(p settings.PublicTokenInfo) bool { return p.TokenId == legacy }); i < 0 || all[i].ExpiryTime != -1 {
		t.Errorf("legacy token through the SDK: %+v", all)
	}

	if err := w.Tokens.Delete(ctx, settings.RevokeTokenRequest{TokenId: info.TokenId}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := w2.Tokens.ListAll(ctx); !errors.Is(err, apierr.ErrPermissionDenied) {
		t.Errorf("ListAll with the revoked token: %v, want ErrPermissionDenied", err)
	}
	err = w.Tokens.Delete(ctx, settings.RevokeTokenRequest{TokenId: info.TokenId})
	var apiErr *apierr.APIError
	if !errors.Is(err, apierr.ErrResourceDoesNotExist) || !errors.Is(err, apierr.ErrNotFound) || !errors.As(err, &apiErr) ||
		apiErr.StatusCode != 404 || apiErr.ErrorCode != "RESOURCE_DOES_NOT_EXIST" || apiErr.Message != "No valid token with ID "+info.TokenId+" found." {
		t.Errorf("second Delete: %#v, want RESOURCE_DOES_NOT_EXIST", err)
	}

	// What the SDK sent: nothing but the token endpoints (v0.90.0 does not probe
	// /.well-known/databricks-config), and never a secret in the log.
	for _, r := range f.srv.Requests() {
		if r.Path != sim.PathCreate && r.Path != sim.PathList && r.Path != sim.PathDelete && r.Path != sim.PathHostConfig {
			t.Errorf("the SDK called %s %s", r.Method, r.Path)
		}
		if strings.Contains(r.Body, f.bearer) || strings.Contains(r.Body, created.TokenValue) {
			t.Errorf("secret in the request log: %+v", r)
		}
	}
}

// TestSDKPermissionLevels reads the tokens' permission levels with the SDK, on every
// workspace of a server and with every kind of credential, as the SDK's typed response.
func TestSDKPermissionLevels(t *testing.T) {
	t.Parallel()
	want := []settings.TokenPermissionsDescription{{
		PermissionLevel: settings.TokenPermissionLevelCanUse,
		Description:     sim.PermissionLevelCanUseDetail,
	}}
	tests := []struct {
		name      string
		workspace string // "" is the fixture's workspace
		token     func(t *testing.T, f *fixture) string
		wantIs    error // nil: the levels are answered
	}{
		{name: "sign-in credential", token: func(_ *testing.T, f *fixture) string { return f.bearer }},
		{name: "personal access token", token: func(t *testing.T, f *fixture) string {
			tok, err := f.ws.CreateToken(f.bearer, 3600, "sdk")
			if err != nil {
				t.Fatal(err)
			}
			return tok.TokenValue
		}},
		{name: "another workspace", workspace: "dbc-second", token: func(t *testing.T, f *fixture) string {
			ws, err := f.srv.AddWorkspace("dbc-second", sim.WorkspaceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return ws.AddUser(userName)
		}},
		{name: "unknown token", token: func(*testing.T, *fixture) string { return "dapi" + strings.Repeat("f", 32) },
			wantIs: apierr.ErrPermissionDenied},
		{name: "revoked token", token: func(t *testing.T, f *fixture) string {
			tok, err := f.ws.CreateToken(f.bearer, 3600, "revoked")
			if err != nil {
				t.Fatal(err)
			}
			if err := sdkClient(t, f.srv, wsURL, f.bearer).Tokens.DeleteByTokenId(t.Context(), tok.TokenInfo.TokenID); err != nil {
				t.Fatal(err)
			}
			return tok.TokenValue
		}, wantIs: apierr.ErrPermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
			host := wsURL
			if tt.workspace != "" {
				host = "https://" + tt.workspace + ".cloud.databricks.com"
			}
			token := tt.token(t, f)
			f.srv.ResetLog()
			got, err := sdkClient(t, f.srv, host, token).TokenManagement.GetPermissionLevels(t.Context())
			if tt.wantIs != nil {
				if !errors.Is(err, tt.wantIs) {
					t.Fatalf("GetPermissionLevels: %v, want %v", err, tt.wantIs)
				}
			} else if err != nil || got == nil || !slices.EqualFunc(got.PermissionLevels, want, samePermissionLevel) {
				t.Fatalf("GetPermissionLevels: %+v %v, want %+v", got, err, want)
			}
			for _, r := range f.srv.Requests() {
				if r.Method != "GET" || r.Path != sim.PathPermissionLevels {
					t.Errorf("the SDK called %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

func TestSDKErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(t *testing.T, f *fixture) (token string)
		do         func(ctx context.Context, w *databricks.WorkspaceClient) error
		wantIs     []error
		wantStatus int    // of the *apierr.APIError; 0 when the error is not one
		wantCode   string // ErrorCode of the *apierr.APIError
		wantMsg    string // substring of the error text
	}{
		{
			name:   "explicit zero lifetime",
			do:     createWith(settings.CreateTokenRequest{ForceSendFields: []string{"LifetimeSeconds"}}),
			wantIs: []error{apierr.ErrInvalidParameterValue, apierr.ErrBadRequest}, wantStatus: 400,
			wantCode: "INVALID_PARAMETER_VALUE", wantMsg: "requirement failed: Invalid timeout: 0",
		},
		{
			name:   "negative lifetime",
			do:     createWith(settings.CreateTokenRequest{LifetimeSeconds: -30}),
			wantIs: []error{apierr.ErrInvalidParameterValue}, wantStatus: 400,
			wantCode: "INVALID_PARAMETER_VALUE", wantMsg: "requirement failed: Invalid timeout: -30",
		},
		{
			name:   "lifetime above the workspace maximum",
			do:     createWith(settings.CreateTokenRequest{LifetimeSeconds: 730*24*3600 + 1}),
			wantIs: []error{apierr.ErrInvalidParameterValue}, wantStatus: 400,
			wantCode: "INVALID_PARAMETER_VALUE", wantMsg: "exceeds the maximum lifetime of 730 days",
		},
		{
			name: "quota",
			setup: func(t *testing.T, f *fixture) string {
				if err := f.ws.SeedTokens(f.bearer, 600, "full"); err != nil {
					t.Fatal(err)
				}
				return f.bearer
			},
			do:     createWith(settings.CreateTokenRequest{Comment: "one too many"}),
			wantIs: []error{apierr.ErrBadRequest}, wantStatus: 400,
			wantCode: "QUOTA_EXCEEDED", wantMsg: "Cannot create more than 600 tokens.",
		},
		{
			name:   "unknown token",
			setup:  func(*testing.T, *fixture) string { return "dapi" + strings.Repeat("f", 32) },
			do:     listAll,
			wantIs: []error{apierr.ErrPermissionDenied}, wantStatus: 403, wantCode: "403", wantMsg: "Invalid access token.",
		},
		{
			name: "expired token",
			setup: func(t *testing.T, f *fixture) string {
				tok, err := f.ws.CreateToken(f.bearer, 1, "one second")
				if err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(time.Second)
				return tok.TokenValue
			},
			do:     listAll,
			wantIs: []error{apierr.ErrPermissionDenied}, wantStatus: 403, wantCode: "403",
		},
		{
			name: "revoke of an unknown id",
			do: func(ctx context.Context, w *databricks.WorkspaceClient) error {
				return w.Tokens.DeleteByTokenId(ctx, "nope")
			},
			wantIs: []error{apierr.ErrResourceDoesNotExist, apierr.ErrNotFound}, wantStatus: 404,
			wantCode: "RESOURCE_DOES_NOT_EXIST", wantMsg: "No valid token with ID nope found.",
		},
		{
			name: "revoke without an id",
			do: func(ctx context.Context, w *databricks.WorkspaceClient) error {
				return w.Tokens.DeleteByTokenId(ctx, "")
			},
			wantIs: []error{apierr.ErrInvalidParameterValue}, wantStatus: 400, wantCode: "INVALID_PARAMETER_VALUE",
		},
		{
			name: "endpoint missing",
			setup: func(t *testing.T, f *fixture) string {
				f.srv.Inject(sim.Fault{Path: sim.PathList, Status: 404, Body: `{"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for 'GET /token/list'"}`})
				return f.bearer
			},
			do:     listAll,
			wantIs: []error{apierr.ErrNotFound}, wantStatus: 404, wantCode: "ENDPOINT_NOT_FOUND",
		},
		{
			name: "proxy answers HTML",
			setup: func(t *testing.T, f *fixture) string {
				f.srv.Inject(sim.Fault{Status: 502, NonJSON: true})
				return f.bearer
			},
			do:         listAll,
			wantStatus: 502, wantCode: "UNKNOWN", wantMsg: "<html>upstream error</html>",
		},
		{
			name: "success that is not JSON",
			setup: func(t *testing.T, f *fixture) string {
				f.srv.Inject(sim.Fault{NonJSON: true})
				return f.bearer
			},
			do:      listAll,
			wantMsg: "received HTML response instead of JSON",
		},
		{
			name: "truncated create still creates",
			setup: func(t *testing.T, f *fixture) string {
				f.srv.Inject(sim.Fault{Path: sim.PathCreate, Truncate: true})
				t.Cleanup(func() {
					if toks, _ := f.ws.Tokens(f.bearer); len(toks) != 1 {
						t.Errorf("%d tokens after a truncated create, want 1: the server handled it", len(toks))
					}
				})
				return f.bearer
			},
			do:      createWith(settings.CreateTokenRequest{Comment: "half"}),
			wantMsg: "unexpected end of JSON input",
		},
		{
			name: "dropped connection",
			setup: func(t *testing.T, f *fixture) string {
				f.srv.Inject(sim.Fault{Path: sim.PathCreate, Drop: true})
				return f.bearer
			},
			do:      createWith(settings.CreateTokenRequest{}),
			wantMsg: "EOF",
		},
		{
			// The SDK retries 429 itself; the context deadline ends the wait after one answer.
			name: "throttled",
			setup: func(t *testing.T, f *fixture) string {
				f.srv.Inject(sim.Fault{Times: -1, Status: 429})
				return f.bearer
			},
			do: func(ctx context.Context, w *databricks.WorkspaceClient) error {
				ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				_, err := w.Tokens.ListAll(ctx)
				return err
			},
			wantIs: []error{apierr.ErrRequestLimitExceeded, apierr.ErrTooManyRequests}, wantStatus: 429,
			wantCode: "REQUEST_LIMIT_EXCEEDED",
		},
		{
			name: "unavailable",
			setup: func(t *testing.T, f *fixture) string {
				f.srv.Inject(sim.Fault{Times: -1, Status: 503})
				return f.bearer
			},
			do: func(ctx context.Context, w *databricks.WorkspaceClient) error {
				ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				_, err := w.Tokens.ListAll(ctx)
				return err
			},
			wantIs: []error{apierr.ErrTemporarilyUnavailable}, wantStatus: 503, wantCode: "TEMPORARILY_UNAVAILABLE",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
			token := f.bearer
			if tt.setup != nil {
				token = tt.setup(t, f)
			}
			err := tt.do(t.Context(), sdkClient(t, f.srv, wsURL, token))
			if err == nil {
				t.Fatal("no error")
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("error %q is not %q", err, target)
				}
			}
			var apiErr *apierr.APIError
			isAPI := errors.As(err, &apiErr)
			if tt.wantStatus == 0 && isAPI {
				t.Errorf("error %#v is an APIError, want a transport or decoding error", apiErr)
			}
			if tt.wantStatus != 0 && (!isAPI || apiErr.StatusCode != tt.wantStatus || apiErr.ErrorCode != tt.wantCode) {
				t.Errorf("error %#v, want an APIError %d %s", err, tt.wantStatus, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

// TestSDKRetriesThrottling shows the SDK retrying a 429 by itself and the fault being
// consumed. It costs one SDK backoff (1–1.75 s), so it is the only such test.
func TestSDKRetriesThrottling(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	f.srv.Inject(sim.Fault{Path: sim.PathList, Status: 429})
	if _, err := sdkClient(t, f.srv, wsURL, f.bearer).Tokens.ListAll(t.Context()); err != nil {
		t.Fatalf("ListAll after one 429: %v", err)
	}
	var statuses []int
	for _, r := range f.srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []int{429, 200}) {
		t.Errorf("statuses %v, want the 429 then the retried 200", statuses)
	}
}

func TestSDKUnknownWorkspace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	_, err := sdkClient(t, f.srv, "https://dbc-nope.cloud.databricks.com", f.bearer).Tokens.ListAll(t.Context())
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || dnsErr.Name != "dbc-nope.cloud.databricks.com" {
		t.Errorf("ListAll on an unknown workspace: %v, want a not-found DNS error", err)
	}
}

func samePermissionLevel(a, b settings.TokenPermissionsDescription) bool {
	return a.PermissionLevel == b.PermissionLevel && a.Description == b.Description
}

func createWith(req settings.CreateTokenRequest) func(context.Context, *databricks.WorkspaceClient) error {
	return func(ctx context.Context, w *databricks.WorkspaceClient) error {
		_, err := w.Tokens.Create(ctx, req)
		return err
	}
}

func listAll(ctx context.Context, w *databricks.WorkspaceClient) error {
	_, err := w.Tokens.ListAll(ctx)
	return err
}

// TestSDKTokenManagement drives TokenManagement (List with and without filters, Get,
// CreateOboToken, Delete) as a workspace admin over the tokens of a plain user, a
// service principal and the admin, and checks who created and who owns each.
func TestSDKTokenManagement(t *testing.T) {
	t.Parallel()
	const adminName, spName, appID = "admin@example.com", "ci-robot", "6f3c1d2e-0a4b-4c5d-8e9f-0123456789ab"
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{WorkspaceID: 1234567890123456})
	ctx := t.Context()
	admin := f.ws.AddAdmin(adminName)
	spBearer := f.ws.AddServicePrincipal(spName, appID)
	userID, _ := f.ws.UserID(userName)
	adminID, _ := f.ws.UserID(adminName)
	spID, _ := f.ws.UserID(spName)
	if userID == adminID || adminID == spID || userID <= 0 {
		t.Fatalf("user IDs %d %d %d: want distinct positive numbers", userID, adminID, spID)
	}

	mine, err := f.ws.CreateToken(f.bearer, 0, "user's")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ws.CreateToken(spBearer, 0, "sp's own"); err != nil {
		t.Fatal(err)
	}
	w := sdkClient(t, f.srv, wsURL, admin)
	obo, err := w.TokenManagement.CreateOboToken(ctx, settings.CreateOboTokenRequest{ApplicationId: appID, Comment: "obo", LifetimeSeconds: 3 * 24 * 3600})
	if err != nil {
		t.Fatalf("CreateOboToken: %v", err)
	}
	if !tokenValueRE.MatchString(obo.TokenValue) || obo.TokenInfo == nil || !tokenIDRE.MatchString(obo.TokenInfo.TokenId) {
		t.Fatalf("CreateOboToken: %+v", obo)
	}
	oi := obo.TokenInfo
	if oi.CreatedById != adminID || oi.CreatedByUsername != adminName || oi.OwnerId != spID ||
		oi.WorkspaceId != 1234567890123456 || oi.Comment != "obo" || oi.ExpiryTime != oi.CreationTime+3*24*3600_000 || oi.LastUsedDay != 0 {
		t.Errorf("CreateOboToken token_info: %+v", oi)
	}

	// The OBO token authenticates as the service principal: its own list shows it,
	// and its last_used_day becomes today.
	f.clock.Advance(36 * time.Hour)
	spTokens, err := sdkClient(t, f.srv, wsURL, obo.TokenValue).Tokens.ListAll(ctx)
	if err != nil || len(spTokens) != 2 {
		t.Fatalf("the service principal's list with its OBO token: %+v %v", spTokens, err)
	}
	today := f.clock.Now().UTC().Truncate(24 * time.Hour).UnixMilli()

	all, err := w.TokenManagement.ListAll(ctx, settings.ListTokenManagementRequest{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(all) != 3 {
		t.Fatalf("List: %d tokens, want 3: %+v", len(all), all)
	}
	byComment := map[string]settings.TokenInfo{}
	for _, ti := range all {
		byComment[ti.Comment] = ti
	}
	if ti := byComment["user's"]; ti.TokenId != mine.TokenInfo.TokenID || ti.CreatedById != userID || ti.CreatedByUsername != userName || ti.OwnerId != userID {
		t.Errorf("the user's token: %+v", ti)
	}
	if ti := byComment["sp's own"]; ti.CreatedById != spID || ti.CreatedByUsername != spName || ti.OwnerId != spID {
		t.Errorf("the service principal's token: %+v", ti)
	}
	if ti := byComment["obo"]; ti.TokenId != oi.TokenId || ti.LastUsedDay != today || ti.OwnerId != spID || ti.CreatedById != adminID {
		t.Errorf("the OBO token after use: %+v (want last_used_day %d)", ti, today)
	}

	for _, tc := range []struct {
		name string
		req  settings.ListTokenManagementRequest
		want []string
	}{
		{"by created_by_username", settings.ListTokenManagementRequest{CreatedByUsername: adminName}, []string{"obo"}},
		{"by created_by_id", settings.ListTokenManagementRequest{CreatedById: userID}, []string{"user's"}},
		{"by both, disagreeing", settings.ListTokenManagementRequest{CreatedById: userID, CreatedByUsername: spName}, nil},
		{"by an unknown user", settings.ListTokenManagementRequest{CreatedByUsername: "nobody@example.com"}, nil},
	} {
		got, err := w.TokenManagement.ListAll(ctx, tc.req)
		if err != nil {
			t.Fatalf("List %s: %v", tc.name, err)
		}
		var comments []string
		for _, ti := range got {
			comments = append(comments, ti.Comment)
		}
		if !slices.Equal(comments, tc.want) {
			t.Errorf("List %s: %q, want %q", tc.name, comments, tc.want)
		}
	}

	got, err := w.TokenManagement.GetByTokenId(ctx, mine.TokenInfo.TokenID)
	if err != nil || got.TokenInfo == nil || !reflect.DeepEqual(*got.TokenInfo, byComment["user's"]) {
		t.Fatalf("Get: %+v %v, want %+v", got, err, byComment["user's"])
	}
	if err := w.TokenManagement.DeleteByTokenId(ctx, mine.TokenInfo.TokenID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := w.TokenManagement.GetByTokenId(ctx, mine.TokenInfo.TokenID); !errors.Is(err, apierr.ErrResourceDoesNotExist) {
		t.Errorf("Get after Delete: %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
	if err := w.TokenManagement.DeleteByTokenId(ctx, mine.TokenInfo.TokenID); !errors.Is(err, apierr.ErrResourceDoesNotExist) {
		t.Errorf("Delete twice: %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
	if _, err := sdkClient(t, f.srv, wsURL, mine.TokenValue).Tokens.ListAll(ctx); !errors.Is(err, apierr.ErrPermissionDenied) {
		t.Errorf("the deleted token still authenticates: %v", err)
	}
	if left, err := f.ws.Tokens(f.bearer); err != nil || len(left) != 0 {
		t.Errorf("the user's tokens after an admin's Delete: %+v %v", left, err)
	}
	_, err = w.TokenManagement.CreateOboToken(ctx, settings.CreateOboTokenRequest{ApplicationId: "no-such-app"})
	if !errors.Is(err, apierr.ErrResourceDoesNotExist) {
		t.Errorf("CreateOboToken for an unknown application ID: %v, want RESOURCE_DOES_NOT_EXIST", err)
	}
}

// TestSDKTokenManagementAdminsOnly: every TokenManagement call of a plain user or a
// service principal is 403 PERMISSION_DENIED, and changes nothing.
func TestSDKTokenManagementAdminsOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	f.ws.AddServicePrincipal("robot", "app-1")
	tok, err := f.ws.CreateToken(f.bearer, 3600, "kept")
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(context.Context, *databricks.WorkspaceClient) error{
		"List": func(ctx context.Context, w *databricks.WorkspaceClient) error {
			_, err := w.TokenManagement.ListAll(ctx, settings.ListTokenManagementRequest{})
			return err
		},
		"Get": func(ctx context.Context, w *databricks.WorkspaceClient) error {
			_, err := w.TokenManagement.GetByTokenId(ctx, tok.TokenInfo.TokenID)
			return err
		},
		"Delete": func(ctx context.Context, w *databricks.WorkspaceClient) error {
			return w.TokenManagement.DeleteByTokenId(ctx, tok.TokenInfo.TokenID)
		},
		"CreateOboToken": func(ctx context.Context, w *databricks.WorkspaceClient) error {
			_, err := w.TokenManagement.CreateOboToken(ctx, settings.CreateOboTokenRequest{ApplicationId: "app-1"})
			return err
		},
	}
	refusedToNonAdmins(t, f, calls, "Only Admins can access token management APIs.")
	if left, err := f.ws.Tokens(f.bearer); err != nil || len(left) != 1 {
		t.Errorf("the user's tokens after refused calls: %+v %v", left, err)
	}
}

// refusedToNonAdmins makes every call as a plain user and as a service
// principal, and wants each refused with 403 PERMISSION_DENIED and message.
func refusedToNonAdmins(t *testing.T, f *fixture, calls map[string]func(context.Context, *databricks.WorkspaceClient) error, message string) {
	t.Helper()
	for _, who := range []struct{ name, bearer string }{
		{"plain user", f.bearer},
		{"service principal", f.ws.AddServicePrincipal("robot", "app-1")},
	} {
		for name, call := range calls {
			err := call(t.Context(), sdkClient(t, f.srv, wsURL, who.bearer))
			var apiErr *apierr.APIError
			if !errors.Is(err, apierr.ErrPermissionDenied) || !errors.As(err, &apiErr) ||
				apiErr.ErrorCode != "PERMISSION_DENIED" || apiErr.StatusCode != 403 || apiErr.Message != message {
				t.Errorf("%s: %s: %v, want 403 PERMISSION_DENIED %q", who.name, name, err, message)
			}
		}
	}
}

// acl is a TokenPermissions access control list as principal=LEVEL strings
// ("group:admins=CAN_MANAGE", "user:…", "sp:<application ID>/<display name>"), in
// order, each checked to have one direct permission.
func acl(t *testing.T, p *settings.TokenPermissions) []string {
	t.Helper()
	var out []string
	for _, e := range p.AccessControlList {
		if len(e.AllPermissions) != 1 || e.AllPermissions[0].Inherited || len(e.AllPermissions[0].InheritedFromObject) != 0 {
			t.Errorf("entry %+v: want one direct permission", e)
			continue
		}
		level := string(e.AllPermissions[0].PermissionLevel)
		switch {
		case e.GroupName != "":
			out = append(out, "group:"+e.GroupName+"="+level)
		case e.UserName != "":
			if e.DisplayName != e.UserName {
				t.Errorf("user %q: display_name %q", e.UserName, e.DisplayName)
			}
			out = append(out, "user:"+e.UserName+"="+level)
		default:
			out = append(out, "sp:"+e.ServicePrincipalName+"/"+e.DisplayName+"="+level)
		}
	}
	return out
}

// TestSDKTokenPermissions reads, updates and replaces the token ACL with the SDK's
// TokenManagement.GetPermissions, UpdatePermissions and SetPermissions, and checks
// that CAN_USE gates who may create tokens.
func TestSDKTokenPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	ctx := t.Context()
	admin := sdkClient(t, f.srv, wsURL, f.ws.AddAdmin("admin@example.com"))
	spBearer := f.ws.AddServicePrincipal("ci-robot", "app-1")
	alice := f.ws.AddUser("alice@example.com")
	canUse := settings.TokenPermissionLevelCanUse

	p, err := admin.TokenManagement.GetPermissions(ctx)
	if err != nil {
		t.Fatalf("GetPermissions: %v", err)
	}
	if p.ObjectId != "authorization/tokens" || p.ObjectType != "tokens" {
		t.Errorf("GetPermissions: object %q of type %q", p.ObjectId, p.ObjectType)
	}
	if got, want := acl(t, p), []string{"group:admins=CAN_MANAGE", "group:users=CAN_USE"}; !slices.Equal(got, want) {
		t.Errorf("a new workspace's ACL: %q, want %q", got, want)
	}

	// Replace: only alice and the service principal, not the users group.
	p, err = admin.TokenManagement.SetPermissions(ctx, settings.TokenPermissionsRequest{AccessControlList: []settings.TokenAccessControlRequest{
		{ServicePrincipalName: "app-1", PermissionLevel: canUse},
		{UserName: "alice@example.com", PermissionLevel: canUse},
	}})
	if err != nil {
		t.Fatalf("SetPermissions: %v", err)
	}
	want := []string{"group:admins=CAN_MANAGE", "user:alice@example.com=CAN_USE", "sp:app-1/ci-robot=CAN_USE"}
	if got := acl(t, p); !slices.Equal(got, want) {
		t.Errorf("SetPermissions: %q, want %q", got, want)
	}
	if p, err := admin.TokenManagement.GetPermissions(ctx); err != nil || !slices.Equal(acl(t, p), want) {
		t.Errorf("GetPermissions after SetPermissions: %+v %v, want %q", p, err, want)
	}

	// The gate: the fixture's user has no CAN_USE now; alice, the service principal and
	// the admin do.
	_, err = sdkClient(t, f.srv, wsURL, f.bearer).Tokens.Create(ctx, settings.CreateTokenRequest{Comment: "refused"})
	var apiErr *apierr.APIError
	if !errors.Is(err, apierr.ErrPermissionDenied) || !errors.As(err, &apiErr) || apiErr.StatusCode != 403 ||
		apiErr.ErrorCode != "PERMISSION_DENIED" || !strings.Contains(apiErr.Message, "CAN_USE") {
		t.Errorf("Create without CAN_USE: %v, want 403 PERMISSION_DENIED", err)
	}
	for name, bearer := range map[string]string{"alice": alice, "service principal": spBearer} {
		if _, err := sdkClient(t, f.srv, wsURL, bearer).Tokens.Create(ctx, settings.CreateTokenRequest{Comment: name}); err != nil {
			t.Errorf("Create by %s with CAN_USE: %v", name, err)
		}
	}
	if _, err := admin.Tokens.Create(ctx, settings.CreateTokenRequest{Comment: "admin"}); err != nil {
		t.Errorf("Create by an admin, not in the ACL: %v", err)
	}

	// Update: the users group again, the others kept; every user may create tokens.
	p, err = admin.TokenManagement.UpdatePermissions(ctx, settings.TokenPermissionsRequest{AccessControlList: []settings.TokenAccessControlRequest{
		{GroupName: "users", PermissionLevel: canUse},
	}})
	want = []string{"group:admins=CAN_MANAGE", "group:users=CAN_USE", "user:alice@example.com=CAN_USE", "sp:app-1/ci-robot=CAN_USE"}
	if err != nil || !slices.Equal(acl(t, p), want) {
		t.Fatalf("UpdatePermissions: %+v %v, want %q", p, err, want)
	}
	if _, err := sdkClient(t, f.srv, wsURL, f.bearer).Tokens.Create(ctx, settings.CreateTokenRequest{Comment: "allowed"}); err != nil {
		t.Errorf("Create through the users group: %v", err)
	}

	// Refusals change nothing.
	for _, tc := range []struct {
		name string
		e    settings.TokenAccessControlRequest
		msg  string
	}{
		{"unknown user", settings.TokenAccessControlRequest{UserName: "nobody@example.com", PermissionLevel: canUse}, "Principal: UserName(nobody@example.com) does not exist"},
		{"unknown group", settings.TokenAccessControlRequest{GroupName: "data-eng", PermissionLevel: canUse}, "Principal: GroupName(data-eng) does not exist"},
		{"unknown service principal", settings.TokenAccessControlRequest{ServicePrincipalName: "app-2", PermissionLevel: canUse}, "Principal: ServicePrincipalName(app-2) does not exist"},
		{"service principal as a user", settings.TokenAccessControlRequest{UserName: "ci-robot", PermissionLevel: canUse}, "Principal: UserName(ci-robot) does not exist"},
		{"two principals", settings.TokenAccessControlRequest{UserName: "alice@example.com", GroupName: "users", PermissionLevel: canUse}, "exactly one of"},
		{"no principal", settings.TokenAccessControlRequest{PermissionLevel: canUse}, "exactly one of"},
		{"CAN_MANAGE", settings.TokenAccessControlRequest{UserName: "alice@example.com", PermissionLevel: "CAN_MANAGE"}, "admins group only"},
		{"admins CAN_USE", settings.TokenAccessControlRequest{GroupName: "admins", PermissionLevel: canUse}, "admins group only"},
		{"unknown level", settings.TokenAccessControlRequest{UserName: "alice@example.com", PermissionLevel: "CAN_READ"}, "Permission level CAN_READ"},
		{"no level", settings.TokenAccessControlRequest{UserName: "alice@example.com"}, "Permission level  is not supported"},
	} {
		for verb, do := range map[string]func(context.Context, settings.TokenPermissionsRequest) (*settings.TokenPermissions, error){
			"SetPermissions": admin.TokenManagement.SetPermissions, "UpdatePermissions": admin.TokenManagement.UpdatePermissions,
		} {
			_, err := do(ctx, settings.TokenPermissionsRequest{AccessControlList: []settings.TokenAccessControlRequest{
				{GroupName: "users", PermissionLevel: canUse}, tc.e}})
			if !errors.Is(err, apierr.ErrInvalidParameterValue) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, tc.msg) {
				t.Errorf("%s %s: %v, want 400 INVALID_PARAMETER_VALUE %q", verb, tc.name, err, tc.msg)
			}
		}
	}
	// The admins group's own CAN_MANAGE is accepted and changes nothing.
	p, err = admin.TokenManagement.UpdatePermissions(ctx, settings.TokenPermissionsRequest{AccessControlList: []settings.TokenAccessControlRequest{
		{GroupName: "admins", PermissionLevel: "CAN_MANAGE"},
	}})
	if err != nil || !slices.Equal(acl(t, p), want) {
		t.Errorf("UpdatePermissions admins CAN_MANAGE: %+v %v, want %q", p, err, want)
	}

	// Replacing with nothing leaves only the admins: a plain user may no longer create.
	if p, err := admin.TokenManagement.SetPermissions(ctx, settings.TokenPermissionsRequest{}); err != nil ||
		!slices.Equal(acl(t, p), []string{"group:admins=CAN_MANAGE"}) {
		t.Errorf("SetPermissions with no list: %+v %v", p, err)
	}
	if _, err := f.ws.CreateToken(alice, 60, "refused"); !errors.As(err, new(*sim.Error)) {
		t.Errorf("CreateToken without CAN_USE: %v, want a *sim.Error", err)
	}
}

// TestSDKTokenPermissionsAdminsOnly: a plain user and a service principal may neither
// read nor change the token ACL.
func TestSDKTokenPermissionsAdminsOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	calls := map[string]func(context.Context, *databricks.WorkspaceClient) error{
		"GetPermissions": func(ctx context.Context, w *databricks.WorkspaceClient) error {
			_, err := w.TokenManagement.GetPermissions(ctx)
			return err
		},
		"SetPermissions": func(ctx context.Context, w *databricks.WorkspaceClient) error {
			_, err := w.TokenManagement.SetPermissions(ctx, settings.TokenPermissionsRequest{})
			return err
		},
		"UpdatePermissions": func(ctx context.Context, w *databricks.WorkspaceClient) error {
			_, err := w.TokenManagement.UpdatePermissions(ctx, settings.TokenPermissionsRequest{})
			return err
		},
	}
	refusedToNonAdmins(t, f, calls, "Only workspace admins can read or change the permissions on tokens.")
	if got := f.ws.TokenPermissions(); len(got.AccessControlList) != 2 {
		t.Errorf("the ACL after refused calls: %+v", got)
	}
}
