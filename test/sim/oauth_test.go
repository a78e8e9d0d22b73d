package sim_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// A service principal of the default account, and another account.
const (
	spID      = "6f3c1d2e-0a4b-4c5d-8e9f-0123456789ab"
	spName    = "ci-robot"
	spSecret  = "dose0123456789abcdef0123456789abcdef"
	otherAcct = "0d26daa6-5e44-4c97-a497-ef015f91254a"

	secondName = "dbc-second"
	thirdName  = "dbc-third"
	secondURL  = "https://" + secondName + ".cloud.databricks.com"
	thirdURL   = "https://" + thirdName + ".cloud.databricks.com"
	accountURL = "https://accounts.cloud.databricks.com/oidc/accounts/" + sim.DefaultAccountID + "/v1/token"
	wsTokenURL = wsURL + sim.PathOAuthToken
	grantForm  = "grant_type=client_credentials&scope=all-apis"
	formType   = "application/x-www-form-urlencoded"
)

// oauthFixture is the fixture's workspace with the service principal as a plain
// user, a second workspace where it is an admin, and a third it is not assigned to.
type oauthFixture struct {
	*fixture
	second, third *sim.Workspace
}

func newOAuthFixture(t *testing.T, cfg sim.Config) *oauthFixture {
	t.Helper()
	f := &oauthFixture{fixture: newFixture(t, cfg, sim.WorkspaceOptions{})}
	var err error
	if f.second, err = f.srv.AddWorkspace(secondName, sim.WorkspaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.third, err = f.srv.AddWorkspace(thirdName, sim.WorkspaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: spID, Secret: spSecret, Name: spName}); err != nil {
		t.Fatal(err)
	}
	if err := f.ws.Assign(spID, sim.RolePlainUser); err != nil {
		t.Fatal(err)
	}
	if err := f.second.Assign(spID, sim.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	return f
}

// tokenRequest is one request to a token endpoint.
type tokenRequest struct {
	method      string // default POST
	url         string // default the fixture workspace's token endpoint
	contentType string // default form-encoded; "-" sends none
	auth        string // the Authorization header; "" sends none
	body        string
}

func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func (tr tokenRequest) send(t *testing.T, client *http.Client) response {
	t.Helper()
	method, u, ct := tr.method, tr.url, tr.contentType
	if method == "" {
		method = http.MethodPost
	}
	if u == "" {
		u = wsTokenURL
	}
	if ct == "" {
		ct = formType
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(tr.body))
	if err != nil {
		t.Fatal(err)
	}
	if ct != "-" {
		req.Header.Set("Content-Type", ct)
	}
	if tr.auth != "" {
		req.Header.Set("Authorization", tr.auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// accessToken gets an access token from tokenURL with the service principal's Basic
// credential, failing the test on anything but 200.
func accessToken(t *testing.T, client *http.Client, tokenURL string) string {
	t.Helper()
	got := tokenRequest{url: tokenURL, auth: basicAuth(spID, spSecret), body: grantForm}.send(t, client)
	var tok sim.OAuthTokenResponse
	if got.status != 200 || json.Unmarshal([]byte(got.body), &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token from %s: %d %s", tokenURL, got.status, got.body)
	}
	return tok.AccessToken
}

// TestOAuthTokenErrors sends one bad token request per case and checks the status and
// the RFC 6749 error (or the API envelope's error_code for 404 and 405).
func TestOAuthTokenErrors(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{})
	if err := f.srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: "other-app", Secret: "s3cret", AccountID: otherAcct}); err != nil {
		t.Fatal(err)
	}
	good := basicAuth(spID, spSecret)
	tests := []struct {
		name       string
		req        tokenRequest
		wantStatus int
		wantError  string // "error", or error_code for the API envelope
		wantAllow  string
	}{
		{name: "GET", req: tokenRequest{method: "GET", auth: good}, wantStatus: 405, wantError: "METHOD_NOT_ALLOWED", wantAllow: "POST"},
		{name: "PUT", req: tokenRequest{method: "PUT", auth: good, body: grantForm}, wantStatus: 405, wantError: "METHOD_NOT_ALLOWED", wantAllow: "POST"},
		{name: "JSON body", req: tokenRequest{auth: good, contentType: "application/json", body: `{"grant_type":"client_credentials"}`}, wantStatus: 400, wantError: "invalid_request"},
		{name: "no content type", req: tokenRequest{auth: good, contentType: "-", body: grantForm}, wantStatus: 400, wantError: "invalid_request"},
		{name: "bad form encoding", req: tokenRequest{auth: good, body: "grant_type=%zz"}, wantStatus: 400, wantError: "invalid_request"},
		{name: "repeated grant_type", req: tokenRequest{auth: good, body: grantForm + "&grant_type=client_credentials"}, wantStatus: 400, wantError: "invalid_request"},
		{name: "Basic and client_secret field", req: tokenRequest{auth: good, body: grantForm + "&client_secret=" + spSecret}, wantStatus: 400, wantError: "invalid_request"},
		{name: "client_id field differs from Basic", req: tokenRequest{auth: good, body: grantForm + "&client_id=other-app"}, wantStatus: 400, wantError: "invalid_request"},
		{name: "no client authentication", req: tokenRequest{body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "bearer is no client authentication", req: tokenRequest{auth: "Bearer " + f.bearer, body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", req: tokenRequest{auth: basicAuth("nobody", spSecret), body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong secret", req: tokenRequest{auth: basicAuth(spID, spSecret+"x"), body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "empty secret", req: tokenRequest{auth: basicAuth(spID, ""), body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong secret field", req: tokenRequest{body: grantForm + "&client_id=" + spID + "&client_secret=nope"}, wantStatus: 401, wantError: "invalid_client"},
		{name: "client_id field without secret", req: tokenRequest{body: grantForm + "&client_id=" + spID}, wantStatus: 401, wantError: "invalid_client"},
		{name: "Basic not base64", req: tokenRequest{auth: "Basic !!!", body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "Basic without a colon", req: tokenRequest{auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(spID)), body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "not assigned to the workspace", req: tokenRequest{url: thirdURL + sim.PathOAuthToken, auth: good, body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "another account's principal", req: tokenRequest{auth: basicAuth("other-app", "s3cret"), body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "no grant_type", req: tokenRequest{auth: good, body: "scope=all-apis"}, wantStatus: 400, wantError: "invalid_request"},
		{name: "password grant", req: tokenRequest{auth: good, body: "grant_type=password&scope=all-apis"}, wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "authorization_code grant", req: tokenRequest{auth: good, body: "grant_type=authorization_code&code=x"}, wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "scope sql", req: tokenRequest{auth: good, body: "grant_type=client_credentials&scope=sql"}, wantStatus: 400, wantError: "invalid_scope"},
		{name: "scope all-apis offline_access", req: tokenRequest{auth: good, body: "grant_type=client_credentials&scope=all-apis+offline_access"}, wantStatus: 400, wantError: "invalid_scope"},
		{name: "account: GET", req: tokenRequest{method: "GET", url: accountURL, auth: good}, wantStatus: 405, wantError: "METHOD_NOT_ALLOWED", wantAllow: "POST"},
		{name: "account: wrong secret", req: tokenRequest{url: accountURL, auth: basicAuth(spID, "nope"), body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "account: another account's principal", req: tokenRequest{url: accountURL, auth: basicAuth("other-app", "s3cret"), body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "account: unknown account", req: tokenRequest{url: strings.Replace(accountURL, sim.DefaultAccountID, otherAcct[:35]+"0", 1), auth: good, body: grantForm}, wantStatus: 401, wantError: "invalid_client"},
		{name: "account: password grant", req: tokenRequest{url: accountURL, auth: good, body: "grant_type=password"}, wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "account: scope sql", req: tokenRequest{url: accountURL, auth: good, body: "grant_type=client_credentials&scope=sql"}, wantStatus: 400, wantError: "invalid_scope"},
		{name: "account: workspace path", req: tokenRequest{url: "https://accounts.cloud.databricks.com" + sim.PathOAuthToken, auth: good, body: grantForm}, wantStatus: 404, wantError: "ENDPOINT_NOT_FOUND"},
		{name: "account: API path", req: tokenRequest{method: "GET", url: "https://accounts.cloud.databricks.com" + sim.PathList}, wantStatus: 404, wantError: "ENDPOINT_NOT_FOUND"},
		{name: "account: no account ID", req: tokenRequest{url: "https://accounts.cloud.databricks.com/oidc/accounts//v1/token", auth: good, body: grantForm}, wantStatus: 404, wantError: "ENDPOINT_NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.req.send(t, f.client)
			var body struct {
				Error     string `json:"error"`
				ErrorCode string `json:"error_code"`
				Desc      string `json:"error_description"`
			}
			if err := json.Unmarshal([]byte(got.body), &body); err != nil {
				t.Fatalf("%d %s: not JSON: %v", got.status, got.body, err)
			}
			code := body.Error
			if code == "" {
				code = body.ErrorCode
			}
			if got.status != tt.wantStatus || code != tt.wantError {
				t.Errorf("%d %s, want %d %s", got.status, got.body, tt.wantStatus, tt.wantError)
			}
			if got.header.Get("Allow") != tt.wantAllow {
				t.Errorf("Allow %q, want %q", got.header.Get("Allow"), tt.wantAllow)
			}
			if body.Error == "" {
				return
			}
			if got.header.Get("Cache-Control") != "no-store" || strings.Contains(got.body, "access_token") {
				t.Errorf("OAuth error: Cache-Control %q, body %s", got.header.Get("Cache-Control"), got.body)
			}
			if tt.wantStatus == 401 && (body.Desc != "Client authentication failed" || !strings.HasPrefix(got.header.Get("WWW-Authenticate"), "Basic")) {
				t.Errorf("invalid_client: %s, WWW-Authenticate %q", got.body, got.header.Get("WWW-Authenticate"))
			}
			if strings.Contains(got.body, spSecret) {
				t.Errorf("the secret is echoed: %s", got.body)
			}
		})
	}
}

// TestOAuthTokenIssued gets tokens every way a client may ask and checks the answer
// and where the token authenticates.
func TestOAuthTokenIssued(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{})
	good := basicAuth(spID, spSecret)
	tests := []struct {
		name     string
		req      tokenRequest
		validIn  []string // workspace URLs the token authenticates in
		issuerIs string
	}{
		{name: "workspace, Basic", req: tokenRequest{auth: good, body: grantForm}, validIn: []string{wsURL}, issuerIs: wsURL + "/oidc"},
		{name: "workspace, form fields", req: tokenRequest{body: grantForm + "&client_id=" + spID + "&client_secret=" + spSecret}, validIn: []string{wsURL}},
		{name: "workspace, Basic and the same client_id field", req: tokenRequest{auth: good, body: grantForm + "&client_id=" + spID}, validIn: []string{wsURL}},
		{name: "workspace, no scope", req: tokenRequest{auth: good, body: "grant_type=client_credentials"}, validIn: []string{wsURL}},
		{name: "workspace, charset", req: tokenRequest{auth: good, contentType: formType + "; charset=utf-8", body: grantForm}, validIn: []string{wsURL}},
		{name: "second workspace", req: tokenRequest{url: secondURL + sim.PathOAuthToken, auth: good, body: grantForm}, validIn: []string{secondURL}},
		{name: "account", req: tokenRequest{url: accountURL, auth: good, body: grantForm}, validIn: []string{wsURL, secondURL},
			issuerIs: "https://accounts.cloud.databricks.com/oidc/accounts/" + sim.DefaultAccountID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.req.send(t, f.client)
			var tok sim.OAuthTokenResponse
			if got.status != 200 || json.Unmarshal([]byte(got.body), &tok) != nil {
				t.Fatalf("%d %s", got.status, got.body)
			}
			if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.Scope != "all-apis" || got.header.Get("Cache-Control") != "no-store" {
				t.Errorf("answer %s, Cache-Control %q", got.body, got.header.Get("Cache-Control"))
			}
			parts := strings.Split(tok.AccessToken, ".")
			if len(parts) != 3 || !strings.HasPrefix(tok.AccessToken, "eyJ") {
				t.Fatalf("access token %q is not a JWT", tok.AccessToken)
			}
			claims, err := base64.RawURLEncoding.DecodeString(parts[1])
			var c struct {
				Iss, Sub, Scope string
				Exp, Iat        int64
			}
			if err != nil || json.Unmarshal(claims, &c) != nil || c.Sub != spID || c.Scope != "all-apis" ||
				c.Iat != epoch.Unix() || c.Exp != epoch.Unix()+3600 || (tt.issuerIs != "" && c.Iss != tt.issuerIs) {
				t.Errorf("claims %s", claims)
			}
			for _, u := range []string{wsURL, secondURL, thirdURL} {
				want := 403
				for _, v := range tt.validIn {
					if v == u {
						want = 200
					}
				}
				if r := call(t, f.client, "GET", u+sim.PathList, tok.AccessToken, ""); r.status != want {
					t.Errorf("list in %s: %d %s, want %d", u, r.status, r.body, want)
				}
			}
		})
	}
}

// TestOAuthAccessTokenActsAsPrincipal: the access token is the service principal, with
// its role in each workspace, until the clock passes its expiry.
func TestOAuthAccessTokenActsAsPrincipal(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{AccessTokenTTL: 90 * time.Second})
	got := tokenRequest{url: accountURL, auth: basicAuth(spID, spSecret), body: grantForm}.send(t, f.client)
	var tok sim.OAuthTokenResponse
	if got.status != 200 || json.Unmarshal([]byte(got.body), &tok) != nil || tok.ExpiresIn != 90 {
		t.Fatalf("token: %d %s, want expires_in 90", got.status, got.body)
	}
	at := tok.AccessToken

	// In the first workspace a plain user: its own tokens only.
	created := call(t, f.client, "POST", wsURL+sim.PathCreate, at, `{"comment":"by oauth","lifetime_seconds":600}`)
	if created.status != 200 {
		t.Fatalf("create with the access token: %d %s", created.status, created.body)
	}
	admin := f.ws.AddAdmin("admin@example.com")
	if _, err := f.ws.CreateOboToken(admin, spID, 600, "obo"); err != nil {
		t.Fatalf("on-behalf-of token for the assigned principal: %v", err)
	}
	list := call(t, f.client, "GET", wsURL+sim.PathList, at, "")
	var l sim.ListTokensResponse
	if list.status != 200 || json.Unmarshal([]byte(list.body), &l) != nil || len(l.TokenInfos) != 2 {
		t.Errorf("the principal's list: %d %s, want its two tokens", list.status, list.body)
	}
	if toks, err := f.ws.Tokens(at); err != nil || len(toks) != 2 {
		t.Errorf("Workspace.Tokens with the access token: %v %v", toks, err)
	}
	for _, path := range []string{sim.PathManagedTokens, sim.PathTokenPermissions} {
		if r := call(t, f.client, "GET", wsURL+path, at, ""); r.status != 403 || !strings.Contains(r.body, "PERMISSION_DENIED") {
			t.Errorf("GET %s as a plain user: %d %s", path, r.status, r.body)
		}
	}
	// In the second an admin.
	for _, path := range []string{sim.PathManagedTokens, sim.PathTokenPermissions} {
		if r := call(t, f.client, "GET", secondURL+path, at, ""); r.status != 200 {
			t.Errorf("GET %s as an admin: %d %s", path, r.status, r.body)
		}
	}
	// Assigned to the third now, the account token works there at once.
	if r := call(t, f.client, "GET", thirdURL+sim.PathList, at, ""); r.status != 403 {
		t.Errorf("list in an unassigned workspace: %d", r.status)
	}
	if err := f.third.Assign(spID, sim.RolePlainUser); err != nil {
		t.Fatal(err)
	}
	if r := call(t, f.client, "GET", thirdURL+sim.PathList, at, ""); r.status != 200 {
		t.Errorf("list after Assign: %d %s", r.status, r.body)
	}

	f.clock.Advance(90*time.Second - time.Millisecond)
	if r := call(t, f.client, "GET", wsURL+sim.PathList, at, ""); r.status != 200 {
		t.Errorf("a millisecond before expiry: %d %s", r.status, r.body)
	}
	f.clock.Advance(time.Millisecond)
	r := call(t, f.client, "GET", wsURL+sim.PathList, at, "")
	if r.status != 403 || r.body != `{"error_code":403,"message":"Invalid access token."}` {
		t.Errorf("at expiry: %d %s, want the invalid token's 403", r.status, r.body)
	}
	// A new token works again; the personal access token created with the old one too.
	if r := call(t, f.client, "GET", wsURL+sim.PathList, accessToken(t, f.client, wsTokenURL), ""); r.status != 200 {
		t.Errorf("a new token after expiry: %d %s", r.status, r.body)
	}
	var c sim.CreateTokenResponse
	_ = json.Unmarshal([]byte(created.body), &c)
	if r := call(t, f.client, "GET", wsURL+sim.PathList, c.TokenValue, ""); r.status != 200 {
		t.Errorf("the PAT created with an expired access token: %d %s", r.status, r.body)
	}
}

// TestOAuthAccountScope: an account token authenticates in its account's workspaces on
// the cloud of the console that issued it, and nowhere else.
func TestOAuthAccountScope(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sim.Config{})
	client := srv.Client()
	const (
		aws   = "dbc-aws"
		azure = "adb-1234567890123456.7.azuredatabricks.net"
		gcp   = "1234567890123456.3.gcp.databricks.com"
		other = "dbc-other-account"
	)
	for _, name := range []string{aws, azure, gcp} {
		ws, err := srv.AddWorkspace(name, sim.WorkspaceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ws.AccountID() != sim.DefaultAccountID {
			t.Errorf("%s: account %q", name, ws.AccountID())
		}
	}
	ows, err := srv.AddWorkspace(other, sim.WorkspaceOptions{AccountID: otherAcct})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: spID, Secret: spSecret}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{aws, azure, gcp} {
		if err := srv.Workspace(name).Assign(spID, sim.RolePlainUser); err != nil {
			t.Fatal(err)
		}
	}
	if err := ows.Assign(spID, sim.RolePlainUser); err == nil || !strings.Contains(err.Error(), "account") {
		t.Errorf("Assign to another account's workspace: %v", err)
	}
	hosts := map[string]string{aws: "dbc-aws.cloud.databricks.com", azure: azure, gcp: gcp, other: "dbc-other-account.cloud.databricks.com"}
	for _, tc := range []struct {
		console string
		validIn string
	}{
		{"accounts.cloud.databricks.com", aws},
		{"accounts.azuredatabricks.net", azure},
		{"accounts.gcp.databricks.com", gcp},
	} {
		at := accessToken(t, client, "https://"+tc.console+"/oidc/accounts/"+sim.DefaultAccountID+"/v1/token")
		for name, host := range hosts {
			want := 403
			if name == tc.validIn {
				want = 200
			}
			if r := call(t, client, "GET", "https://"+host+sim.PathList, at, ""); r.status != want {
				t.Errorf("token of %s in %s: %d, want %d", tc.console, host, r.status, want)
			}
		}
	}
}

// TestOAuthDiscovery reads the metadata of workspaces of each cloud and of an account,
// over TLS with the simulator's CA, and checks the URLs follow the Host.
func TestOAuthDiscovery(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sim.Config{})
	client := srv.Client()
	for _, h := range []string{"adb-1234567890123456.7.azuredatabricks.net", "1234567890123456.3.gcp.databricks.com", "dbc-disc"} {
		if _, err := srv.AddWorkspace(h, sim.WorkspaceOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	acct := "/oidc/accounts/" + sim.DefaultAccountID
	tests := []struct {
		url, base, prefix string
	}{
		{"https://dbc-disc.cloud.databricks.com" + sim.PathOAuthDiscovery, "https://dbc-disc.cloud.databricks.com", "/oidc"},
		{"https://DBC-DISC.cloud.databricks.com:8443" + sim.PathOAuthDiscovery, "https://dbc-disc.cloud.databricks.com:8443", "/oidc"},
		{"https://adb-1234567890123456.7.azuredatabricks.net" + sim.PathOAuthDiscovery, "https://adb-1234567890123456.7.azuredatabricks.net", "/oidc"},
		{"https://1234567890123456.3.gcp.databricks.com" + sim.PathOAuthDiscovery, "https://1234567890123456.3.gcp.databricks.com", "/oidc"},
		{"https://accounts.cloud.databricks.com" + acct + "/.well-known/oauth-authorization-server", "https://accounts.cloud.databricks.com", acct},
		{"https://accounts.azuredatabricks.net" + acct + "/.well-known/oauth-authorization-server", "https://accounts.azuredatabricks.net", acct},
		{"https://accounts.gcp.databricks.com" + acct + "/.well-known/oauth-authorization-server", "https://accounts.gcp.databricks.com", acct},
	}
	for _, tt := range tests {
		got := call(t, client, "GET", tt.url, "", "")
		var m sim.OAuthServerMetadata
		if got.status != 200 || json.Unmarshal([]byte(got.body), &m) != nil {
			t.Errorf("GET %s: %d %s", tt.url, got.status, got.body)
			continue
		}
		if m.Issuer != tt.base+tt.prefix || m.TokenEndpoint != tt.base+tt.prefix+"/v1/token" ||
			m.AuthorizationEndpoint != tt.base+tt.prefix+"/v1/authorize" || fmt.Sprint(m.GrantTypesSupported) != "[client_credentials]" ||
			fmt.Sprint(m.ScopesSupported) != "[all-apis]" {
			t.Errorf("GET %s: %+v", tt.url, m)
		}
		if r := call(t, client, "POST", tt.url, "", ""); r.status != 405 || r.header.Get("Allow") != "GET" {
			t.Errorf("POST %s: %d %s (Allow %q)", tt.url, r.status, r.body, r.header.Get("Allow"))
		}
	}
}

// TestServicePrincipalSetup covers the Go API: registering, assigning, and how an
// assigned principal and Workspace.AddServicePrincipal name one identity.
func TestServicePrincipalSetup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	add := []struct {
		sp      sim.ServicePrincipal
		wantErr string
	}{
		{sim.ServicePrincipal{ApplicationID: spID, Secret: spSecret, Name: spName}, ""},
		{sim.ServicePrincipal{ApplicationID: "other-app", Secret: "x", AccountID: otherAcct}, ""},
		{sim.ServicePrincipal{ApplicationID: "no-name", Secret: "x"}, ""},
		{sim.ServicePrincipal{ApplicationID: spID, Secret: "again"}, "already exists"},
		{sim.ServicePrincipal{Secret: "x"}, "application ID"},
		{sim.ServicePrincipal{ApplicationID: "a\nb", Secret: "x"}, "control character"},
		{sim.ServicePrincipal{ApplicationID: "no-secret"}, "secret is empty"},
		{sim.ServicePrincipal{ApplicationID: "bad-account", Secret: "x", AccountID: "ACCT-1"}, "not a lowercase UUID"},
	}
	for _, tt := range add {
		err := f.srv.AddServicePrincipal(tt.sp)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("AddServicePrincipal(%q): %v, want %q", tt.sp.ApplicationID, err, tt.wantErr)
		}
		if err != nil && tt.sp.Secret != "" && tt.sp.Secret != "x" && strings.Contains(err.Error(), tt.sp.Secret) {
			t.Errorf("the error holds the secret: %v", err)
		}
	}

	// The on-behalf-of identity first, then Assign: one principal, now an admin.
	f.ws.AddServicePrincipal(spName, spID)
	idBefore, _ := f.ws.UserID(spName)
	f.ws.AddUser("no-name") // a user named as the next principal's default name
	assign := []struct {
		appID   string
		role    sim.Role
		wantErr string
	}{
		{spID, sim.RoleAdmin, ""},
		{"nobody", sim.RolePlainUser, "no such service principal"},
		{"other-app", sim.RolePlainUser, "account"},
		{spID, sim.RoleServicePrincipal, "want user or admin"},
		{"no-name", sim.RolePlainUser, `"no-name" is already a user`},
	}
	for _, tt := range assign {
		err := f.ws.Assign(tt.appID, tt.role)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Assign(%q, %s): %v, want %q", tt.appID, tt.role, err, tt.wantErr)
		}
	}
	if id, ok := f.ws.UserID(spName); !ok || id != idBefore {
		t.Errorf("Assign made a second identity: %d, was %d", id, idBefore)
	}
	f.ws.AddServicePrincipal(spName, spID) // keeps the admin role
	at := accessToken(t, f.client, wsTokenURL)
	if r := call(t, f.client, "GET", wsURL+sim.PathManagedTokens, at, ""); r.status != 200 {
		t.Errorf("the assigned admin principal on token management: %d %s", r.status, r.body)
	}

	// A workspace that already has the application ID under another name refuses it.
	second, err := f.srv.AddWorkspace(secondName, sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	second.AddServicePrincipal("someone-else", spID)
	if err := second.Assign(spID, sim.RolePlainUser); err == nil || !strings.Contains(err.Error(), "already belongs to") {
		t.Errorf("Assign over another name: %v", err)
	}
}

// TestAccountConsoles: the account hosts are reachable through the dialer and the
// CONNECT proxy with a valid certificate, and cannot be workspaces.
func TestAccountConsoles(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sim.Config{})
	for _, name := range []string{"accounts", "accounts.cloud.databricks.com", "accounts.azuredatabricks.net", "accounts.gcp.databricks.com"} {
		if _, err := srv.AddWorkspace(name, sim.WorkspaceOptions{}); err == nil || !strings.Contains(err.Error(), "account console") {
			t.Errorf("AddWorkspace(%q): %v, want refused", name, err)
		}
	}
	if _, err := srv.AddWorkspace("dbc-acct", sim.WorkspaceOptions{AccountID: "Not-A-UUID"}); err == nil || !strings.Contains(err.Error(), "not a lowercase UUID") {
		t.Errorf("AddWorkspace with a bad account ID: %v", err)
	}
	proxy, err := srv.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	viaProxy := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: proxy.Addr()}),
		TLSClientConfig: srv.Transport().TLSClientConfig,
	}}
	t.Cleanup(viaProxy.CloseIdleConnections)
	for _, host := range []string{"accounts.cloud.databricks.com", "accounts.azuredatabricks.net", "accounts.gcp.databricks.com"} {
		u := "https://" + host + "/oidc/accounts/" + sim.DefaultAccountID + "/.well-known/oauth-authorization-server"
		for name, client := range map[string]*http.Client{"dialer": srv.Client(), "proxy": viaProxy} {
			if r := call(t, client, "GET", u, "", ""); r.status != 200 {
				t.Errorf("%s through the %s: %d %s", host, name, r.status, r.body)
			}
		}
	}
}

func TestAccessTokenTTLConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ttl     time.Duration
		wantErr bool
	}{
		{0, false}, {time.Second, false}, {10 * time.Minute, false},
		{-time.Second, true}, {1500 * time.Millisecond, true}, {time.Millisecond, true},
	} {
		srv, err := sim.Start(sim.Config{Plain: true, AccessTokenTTL: tc.ttl})
		if err == nil {
			srv.Close()
		}
		if (err != nil) != tc.wantErr {
			t.Errorf("Start with AccessTokenTTL %s: %v, want error %v", tc.ttl, err, tc.wantErr)
		}
	}
}

// TestOAuthRequestLog: token requests are logged like others, with the client secret
// and access tokens masked wherever a client put them.
func TestOAuthRequestLog(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{})
	f.srv.ResetLog()
	host := wsName + ".cloud.databricks.com"
	tokenRequest{body: "client_id=" + spID + "&client_secret=" + url.QueryEscape("p@ss w0rd&more") + "&grant_type=client_credentials"}.send(t, f.client)
	at := accessToken(t, f.client, wsTokenURL)
	tokenRequest{auth: basicAuth(spID, spSecret), contentType: "application/json", body: `{"client_secret":"p@ss \"w0rd\"","grant_type":"client_credentials"}`}.send(t, f.client)
	call(t, f.client, "GET", wsURL+sim.PathList+"?access_token="+at+"&secret="+spSecret, at, "")
	call(t, f.client, "POST", wsURL+sim.PathCreate, at, `{"comment":"`+at+`"}`)

	want := []sim.Request{
		{Method: "POST", Host: host, Path: sim.PathOAuthToken, Status: 401, Body: "client_id=" + spID + "&client_secret=***&grant_type=client_credentials"},
		{Method: "POST", Host: host, Path: sim.PathOAuthToken, Status: 200, Body: grantForm},
		{Method: "POST", Host: host, Path: sim.PathOAuthToken, Status: 400, Body: `{"client_secret":"***","grant_type":"client_credentials"}`},
		{Method: "GET", Host: host, Path: sim.PathList, Query: "access_token=eyJ***&secret=dose***", Status: 200},
		{Method: "POST", Host: host, Path: sim.PathCreate, Status: 200, Body: `{"comment":"eyJ***"}`},
	}
	got := f.srv.Requests()
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("request log\n got: %+v\nwant: %+v", got, want)
	}
	n := 0
	for _, r := range got {
		if r.Path == sim.PathOAuthToken && r.Status == 200 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d successful token requests logged, want 1", n)
	}
	dump := fmt.Sprintf("%+v", got)
	for _, secret := range []string{at, spSecret, "p@ss", "w0rd", "Basic"} {
		if strings.Contains(dump, secret) {
			t.Errorf("the request log holds %q", secret)
		}
	}
}

// TestOAuthFaults: faults apply to token endpoints, by workspace or account console.
func TestOAuthFaults(t *testing.T) {
	t.Parallel()
	f := newOAuthFixture(t, sim.Config{})
	f.srv.Inject(sim.Fault{Workspace: "accounts.cloud.databricks.com", Path: "/oidc/accounts/" + sim.DefaultAccountID + "/v1/token", Status: 503})
	f.srv.Inject(sim.Fault{Workspace: wsName, Path: sim.PathOAuthToken, Status: 429})
	if r := (tokenRequest{url: accountURL, auth: basicAuth(spID, spSecret), body: grantForm}).send(t, f.client); r.status != 503 {
		t.Errorf("account token with a fault: %d %s", r.status, r.body)
	}
	if r := (tokenRequest{auth: basicAuth(spID, spSecret), body: grantForm}).send(t, f.client); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("workspace token with a fault: %d %s", r.status, r.body)
	}
	if f.srv.PendingFaults() != 0 {
		t.Errorf("%d faults left", f.srv.PendingFaults())
	}
	accessToken(t, f.client, accountURL)
}
