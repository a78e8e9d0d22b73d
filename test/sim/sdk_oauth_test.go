package sim_test

// OAuth machine-to-machine with the official Go SDK: AuthType "oauth-m2m" discovers a
// workspace's token endpoint and fetches an access token from it, or, for an account
// host, takes the account's token endpoint from the account ID without discovery.

import (
	"errors"
	"net/http"
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

// m2mConfig is an oauth-m2m SDK config for host, hermetic as sdkClient's.
func m2mConfig(srv *sim.Server, host, accountID, secret string) *databricks.Config {
	return &databricks.Config{
		Host:               host,
		AccountID:          accountID,
		AuthType:           "oauth-m2m",
		ClientID:           spID,
		ClientSecret:       secret,
		HTTPTransport:      srv.Transport(),
		Loaders:            []config.Loader{hermetic{}},
		RateLimitPerSecond: 1000,
	}
}

// requestsTo is the logged requests to path, as "METHOD host status".
func requestsTo(srv *sim.Server, path string) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Path == path {
			out = append(out, r.Method+" "+r.Host+" "+http.StatusText(r.Status))
		}
	}
	return out
}

// TestSDKOAuthM2MWorkspace: the SDK discovers the workspace's token endpoint, gets one
// token and uses it for the Token API as the service principal.
func TestSDKOAuthM2MWorkspace(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{})
	ctx := t.Context()
	w, err := databricks.NewWorkspaceClient(m2mConfig(f.srv, wsURL, "", spSecret))
	if err != nil {
		t.Fatalf("NewWorkspaceClient: %v", err)
	}
	created, err := w.Tokens.Create(ctx, settings.CreateTokenRequest{Comment: "m2m", LifetimeSeconds: 3600})
	if err != nil {
		t.Fatalf("Create as the service principal: %v", err)
	}
	all, err := w.Tokens.ListAll(ctx)
	if err != nil || len(all) != 1 || all[0].TokenId != created.TokenInfo.TokenId {
		t.Fatalf("ListAll: %+v %v, want the token just created", all, err)
	}
	spUserID, _ := f.ws.UserID(spName)
	admin := sdkClient(t, f.srv, wsURL, f.ws.AddAdmin("admin@example.com"))
	got, err := admin.TokenManagement.GetByTokenId(ctx, created.TokenInfo.TokenId)
	if err != nil || got.TokenInfo.OwnerId != spUserID || got.TokenInfo.CreatedByUsername != spName {
		t.Errorf("the token as an admin sees it: %+v %v, want owned by %s", got, err, spName)
	}
	// A plain user in this workspace: token management refuses it.
	if _, err := w.TokenManagement.ListAll(ctx, settings.ListTokenManagementRequest{}); !errors.Is(err, apierr.ErrPermissionDenied) {
		t.Errorf("token management as a plain user: %v, want PERMISSION_DENIED", err)
	}

	host := wsName + ".cloud.databricks.com"
	if got, want := requestsTo(f.srv, sim.PathOAuthDiscovery), []string{"GET " + host + " OK"}; !slices.Equal(got, want) {
		t.Errorf("discovery requests %q, want %q", got, want)
	}
	if got, want := requestsTo(f.srv, sim.PathOAuthToken), []string{"POST " + host + " OK"}; !slices.Equal(got, want) {
		t.Errorf("token requests %q, want one: %q", got, want)
	}
}

// TestSDKOAuthM2MAccount: the SDK's account config gets a token from the account's
// endpoint; that one token then works in both workspaces the principal is assigned to
// (as a plain user in one, an admin in the other) and not in the third.
func TestSDKOAuthM2MAccount(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{})
	ctx := t.Context()
	a, err := databricks.NewAccountClient(m2mConfig(f.srv, "https://accounts.cloud.databricks.com", sim.DefaultAccountID, spSecret))
	if err != nil {
		t.Fatalf("NewAccountClient: %v", err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://accounts.cloud.databricks.com/", nil)
	if err := a.Config.Authenticate(req); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		t.Fatalf("Authorization %q, want a bearer token", req.Header.Get("Authorization"))
	}

	if _, err := sdkClient(t, f.srv, wsURL, token).Tokens.Create(ctx, settings.CreateTokenRequest{Comment: "account token"}); err != nil {
		t.Errorf("Create in the first workspace: %v", err)
	}
	if _, err := sdkClient(t, f.srv, wsURL, token).TokenManagement.GetPermissions(ctx); !errors.Is(err, apierr.ErrPermissionDenied) {
		t.Errorf("GetPermissions as a plain user: %v, want PERMISSION_DENIED", err)
	}
	second := sdkClient(t, f.srv, secondURL, token)
	if _, err := second.TokenManagement.GetPermissions(ctx); err != nil {
		t.Errorf("GetPermissions as an admin of the second workspace: %v", err)
	}
	if all, err := second.Tokens.ListAll(ctx); err != nil || len(all) != 0 {
		t.Errorf("ListAll in the second workspace: %+v %v, want none (tokens are per workspace)", all, err)
	}
	if _, err := sdkClient(t, f.srv, thirdURL, token).Tokens.ListAll(ctx); !errors.Is(err, apierr.ErrPermissionDenied) {
		t.Errorf("ListAll in an unassigned workspace: %v, want PERMISSION_DENIED", err)
	}

	path := "/oidc/accounts/" + sim.DefaultAccountID + "/v1/token"
	if got, want := requestsTo(f.srv, path), []string{"POST accounts.cloud.databricks.com OK"}; !slices.Equal(got, want) {
		t.Errorf("account token requests %q, want one: %q", got, want)
	}
	if got := requestsTo(f.srv, sim.PathOAuthDiscovery); len(got) != 0 {
		t.Errorf("discovery requests %q, want none for an account host", got)
	}
}

// TestSDKOAuthM2MWrongSecret: a wrong secret is the SDK's error, naming the failure,
// at a workspace and at the account.
func TestSDKOAuthM2MWrongSecret(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{})
	const badSecret = "not-the-secret-42"
	w, err := databricks.NewWorkspaceClient(m2mConfig(f.srv, wsURL, "", badSecret))
	if err != nil {
		t.Fatalf("NewWorkspaceClient: %v", err)
	}
	_, wsErr := w.Tokens.ListAll(t.Context())
	a, err := databricks.NewAccountClient(m2mConfig(f.srv, "https://accounts.cloud.databricks.com", sim.DefaultAccountID, badSecret))
	if err != nil {
		t.Fatalf("NewAccountClient: %v", err)
	}
	req, _ := http.NewRequest("GET", "https://accounts.cloud.databricks.com/", nil)
	acctErr := a.Config.Authenticate(req)
	for name, err := range map[string]error{"workspace": wsErr, "account": acctErr} {
		if err == nil {
			t.Errorf("%s: no error with a wrong secret", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "invalid_client") && !strings.Contains(msg, "Client authentication failed") && !strings.Contains(msg, "401") {
			t.Errorf("%s: %q names neither invalid_client nor 401", name, msg)
		}
		if strings.Contains(msg, badSecret) {
			t.Errorf("%s: the error holds the secret: %q", name, msg)
		}
	}
	for _, r := range f.srv.Requests() {
		if (r.Path == sim.PathOAuthToken || strings.HasSuffix(r.Path, "/v1/token")) && r.Status != http.StatusUnauthorized {
			t.Errorf("token request %+v, want 401", r)
		}
		if r.Path == sim.PathList {
			t.Errorf("the SDK called the API without a token: %+v", r)
		}
	}
}

// TestSDKOAuthM2MExpiry: once the simulator's clock passes the access token's expiry,
// the token the SDK holds is refused (403, ErrPermissionDenied), and a client that
// fetches a new one works again. The SDK decides when to refresh by the real clock
// (x/oauth2 and its token cache cannot be given another), so its own refresh cannot
// be driven without waiting; the raw-HTTP test TestOAuthAccessTokenActsAsPrincipal
// covers expiry to the millisecond.
func TestSDKOAuthM2MExpiry(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{AccessTokenTTL: time.Hour})
	ctx := t.Context()
	w, err := databricks.NewWorkspaceClient(m2mConfig(f.srv, wsURL, "", spSecret))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Tokens.ListAll(ctx); err != nil {
		t.Fatalf("ListAll: %v", err)
	}
	f.clock.Advance(time.Hour)
	if _, err := w.Tokens.ListAll(ctx); !errors.Is(err, apierr.ErrPermissionDenied) {
		t.Errorf("ListAll with an expired access token: %v, want PERMISSION_DENIED", err)
	}
	fresh, err := databricks.NewWorkspaceClient(m2mConfig(f.srv, wsURL, "", spSecret))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Tokens.ListAll(ctx); err != nil {
		t.Errorf("ListAll with a new access token: %v", err)
	}
	host := wsName + ".cloud.databricks.com"
	if got, want := requestsTo(f.srv, sim.PathOAuthToken), []string{"POST " + host + " OK", "POST " + host + " OK"}; !slices.Equal(got, want) {
		t.Errorf("token requests %q, want %q", got, want)
	}
}
