package sim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
)

// DefaultAccountID is the account of a workspace or service principal that names none.
const DefaultAccountID = "5b8c3a4e-1f2d-4e6a-9b7c-0a1d2e3f4a5b"

// OAuth values of the wire contract.
const (
	// scopeAllAPIs is the only scope the token endpoints grant.
	scopeAllAPIs = "all-apis"
	// defaultAccessTokenTTL is Databricks' lifetime of an OAuth access token.
	defaultAccessTokenTTL = time.Hour
)

var accountIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// validAccountID reports whether id has the shape of a Databricks account ID: a
// lowercase UUID.
func validAccountID(id string) bool { return accountIDRE.MatchString(id) }

// ServicePrincipal is an account-level service principal with an OAuth secret: the
// client of the machine-to-machine (client credentials) flow. Register it with
// Server.AddServicePrincipal and assign it to workspaces with Workspace.Assign.
type ServicePrincipal struct {
	ApplicationID string // the OAuth client_id; required
	Secret        string // the OAuth client_secret; required, kept only as a SHA-256 hash
	AccountID     string // the account it belongs to; "" → DefaultAccountID
	Name          string // its display name in workspaces; "" → ApplicationID
}

// oauthClient is a registered ServicePrincipal.
type oauthClient struct {
	appID, name, account string
	secret               [sha256.Size]byte
}

// accessToken is an issued OAuth access token, filed by the SHA-256 of its value.
type accessToken struct {
	appID   string
	account string
	cloud   Cloud      // of the account console that issued an account-level token
	ws      *Workspace // the workspace whose endpoint issued it; nil for account-level
	expiry  int64      // epoch ms: from then on it no longer authenticates
}

// oauthState is a server's service principals and the access tokens it issued.
type oauthState struct {
	ttl time.Duration
	key []byte // signs the access tokens (HS256)

	mu      sync.RWMutex
	clients map[string]*oauthClient
	tokens  map[[sha256.Size]byte]*accessToken
	sweepAt int // sweep expired tokens once this many are stored
}

func (o *oauthState) init(ttl time.Duration) error {
	switch {
	case ttl == 0:
		ttl = defaultAccessTokenTTL
	case ttl < time.Second || ttl%time.Second != 0:
		return fmt.Errorf("access token TTL %s is not a positive whole number of seconds", ttl)
	}
	o.ttl = ttl
	o.key = make([]byte, 32)
	_, _ = rand.Read(o.key)
	o.clients = make(map[string]*oauthClient)
	o.tokens = make(map[[sha256.Size]byte]*accessToken)
	o.sweepAt = minSweep
	return nil
}

// minSweep is how many access tokens are kept before expired ones are swept.
const minSweep = 1024

// AddServicePrincipal registers an account-level service principal with an OAuth
// secret. It can then be assigned to any workspace of its account (Workspace.Assign),
// get access tokens from the token endpoint of each workspace it is assigned to (valid
// in that workspace only) and from its account's token endpoint on the account console
// (valid in every workspace of the account it is assigned to). An application ID
// already registered, or an empty ID or secret, is an error.
func (s *Server) AddServicePrincipal(sp ServicePrincipal) error {
	if sp.ApplicationID == "" || strings.IndexFunc(sp.ApplicationID, unicode.IsControl) >= 0 {
		return fmt.Errorf("service principal: application ID %q is empty or holds a control character", echo(sp.ApplicationID))
	}
	if sp.Secret == "" || strings.IndexFunc(sp.Secret, unicode.IsControl) >= 0 {
		return fmt.Errorf("service principal %q: the secret is empty or holds a control character", sp.ApplicationID)
	}
	if sp.AccountID == "" {
		sp.AccountID = DefaultAccountID
	}
	if !validAccountID(sp.AccountID) {
		return fmt.Errorf("service principal %q: account ID %q is not a lowercase UUID", sp.ApplicationID, echo(sp.AccountID))
	}
	if sp.Name == "" {
		sp.Name = sp.ApplicationID
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	if s.oauth.clients[sp.ApplicationID] != nil {
		return fmt.Errorf("service principal %q already exists", sp.ApplicationID)
	}
	s.oauth.clients[sp.ApplicationID] = &oauthClient{
		appID: sp.ApplicationID, name: sp.Name, account: sp.AccountID, secret: sha256.Sum256([]byte(sp.Secret)),
	}
	return nil
}

// Assign makes the service principal registered with Server.AddServicePrincipal a
// member of the workspace, a plain user (RolePlainUser) or an admin (RoleAdmin), as an
// account admin assigns it to a workspace. Assigning again changes the role. The
// principal is the workspace's service principal with that application ID, the one
// on-behalf-of tokens are created for, so Workspace.AddServicePrincipal with the same
// name and ID names it too. It fails for an unknown application ID, another account's
// principal, another role, or a name or ID the workspace has for another principal.
func (w *Workspace) Assign(applicationID string, role Role) error {
	if role != RolePlainUser && role != RoleAdmin {
		return fmt.Errorf("assign %q to %s: role %s, want user or admin", applicationID, w.name, role)
	}
	w.srv.oauth.mu.RLock()
	c := w.srv.oauth.clients[applicationID]
	w.srv.oauth.mu.RUnlock()
	if c == nil {
		return fmt.Errorf("assign %q to %s: no such service principal (Server.AddServicePrincipal)", applicationID, w.name)
	}
	if c.account != w.account {
		return fmt.Errorf("assign %q to %s: the service principal is in account %s, the workspace in %s", applicationID, w.name, c.account, w.account)
	}
	if err := w.addPrincipal(c.name, c.appID, role, true, ""); err != nil {
		return fmt.Errorf("assign %q to %s: %w", applicationID, w.name, err)
	}
	return nil
}

// accessTokenUserLocked is the service principal an OAuth access token with that hash
// authenticates as in w, or nil: unknown, expired, issued for another workspace (or
// another account or cloud), or the principal is not a member of w. w.mu must be held.
func (w *Workspace) accessTokenUserLocked(secret [sha256.Size]byte, now int64) *user {
	o := &w.srv.oauth
	o.mu.RLock()
	tok := o.tokens[secret]
	o.mu.RUnlock()
	if tok == nil || now >= tok.expiry {
		return nil
	}
	if tok.ws != nil && tok.ws != w || tok.ws == nil && (tok.account != w.account || tok.cloud != w.cloud) {
		return nil
	}
	return w.byApp[tok.appID]
}

// OAuthTokenResponse is the body of a successful token request.
type OAuthTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"` // "Bearer"
	ExpiresIn   int64  `json:"expires_in"` // seconds
	Scope       string `json:"scope"`
}

// OAuthErrorResponse is the body of a failed token request (RFC 6749, section 5.2).
type OAuthErrorResponse struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// OAuthServerMetadata is the OAuth authorization server metadata (RFC 8414) a
// workspace serves at PathOAuthDiscovery, an account at
// "/oidc/accounts/<account_id>/.well-known/oauth-authorization-server".
type OAuthServerMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

// oauthMetadata is the metadata of the authorization server at base+prefix, prefix
// being "/oidc" or "/oidc/accounts/<account_id>".
func oauthMetadata(base, prefix string) OAuthServerMetadata {
	return OAuthServerMetadata{
		Issuer:                            base + prefix,
		AuthorizationEndpoint:             base + prefix + "/v1/authorize",
		TokenEndpoint:                     base + prefix + "/v1/token",
		GrantTypesSupported:               []string{"client_credentials"},
		ResponseTypesSupported:            []string{"code"},
		ScopesSupported:                   []string{scopeAllAPIs},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
	}
}

// baseURL is the scheme and host (with the port, when the Host header has one) a
// request was sent to, for the URLs of the metadata.
func (s *Server) baseURL(r *http.Request) string {
	host := canonicalHost(hostOnly(r.Host))
	if _, port, err := net.SplitHostPort(r.Host); err == nil && port != "" {
		host = net.JoinHostPort(host, port)
	}
	return s.scheme() + "://" + host
}

// routeAccount serves an account console host: the account-level OAuth token endpoint
// and metadata of any account ID, nothing else.
func (s *Server) routeAccount(host string, r *http.Request, body []byte) reply {
	rest, ok := strings.CutPrefix(r.URL.Path, "/oidc/accounts/")
	id, tail, _ := strings.Cut(rest, "/")
	var method string
	switch {
	case ok && id != "" && tail == "v1/token":
		method = http.MethodPost
	case ok && id != "" && tail == ".well-known/oauth-authorization-server":
		method = http.MethodGet
	default:
		return errorReply(&Error{Status: http.StatusNotFound, Code: CodeEndpointNotFound,
			Message: "No API found for '" + echo(r.Method) + " " + echo(apiRelative(r.URL.Path)) + "'"})
	}
	if rep, ok := methodNotAllowed(r, method); !ok {
		return rep
	}
	if method == http.MethodGet {
		return jsonReply(http.StatusOK, oauthMetadata(s.baseURL(r), "/oidc/accounts/"+id))
	}
	return s.issueAccessToken(r, body, nil, id, accountHosts[host], s.nowMillis())
}

// OAuth error codes (RFC 6749, section 5.2).
const (
	oauthInvalidRequest       = "invalid_request"
	oauthInvalidClient        = "invalid_client"
	oauthUnsupportedGrantType = "unsupported_grant_type"
	oauthInvalidScope         = "invalid_scope"
	msgClientAuthFailed       = "Client authentication failed"
)

func oauthError(status int, code, description string) reply {
	rep := jsonReply(status, OAuthErrorResponse{Error: code, ErrorDescription: description})
	rep.header = http.Header{"Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}
	if status == http.StatusUnauthorized {
		rep.header.Set("WWW-Authenticate", `Basic realm="oidc"`)
	}
	return rep
}

// issueAccessToken serves a token request, client credentials only. ws is the
// workspace whose endpoint was called (nil for an account's), account and cloud those
// of the endpoint. Checked in this order: the form, the client's authentication (and,
// at a workspace, its membership), the grant type, the scope.
func (s *Server) issueAccessToken(r *http.Request, body []byte, ws *Workspace, account string, cloud Cloud, now int64) reply {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return oauthError(http.StatusBadRequest, oauthInvalidRequest, "The request body must be application/x-www-form-urlencoded.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return oauthError(http.StatusBadRequest, oauthInvalidRequest, "The request body is not valid form encoding.")
	}
	for _, k := range []string{"grant_type", "scope", "client_id", "client_secret"} {
		if len(form[k]) > 1 {
			return oauthError(http.StatusBadRequest, oauthInvalidRequest, "Parameter "+k+" is repeated.")
		}
	}

	id, secret, basic, ok := basicCredentials(r.Header.Get("Authorization"))
	switch {
	case basic && !ok:
		return oauthError(http.StatusUnauthorized, oauthInvalidClient, msgClientAuthFailed)
	case basic && form.Has("client_secret"):
		return oauthError(http.StatusBadRequest, oauthInvalidRequest,
			"The client authenticated twice: with HTTP Basic and with client_secret in the body.")
	case basic && form.Has("client_id") && form.Get("client_id") != id:
		return oauthError(http.StatusBadRequest, oauthInvalidRequest, "client_id differs from the HTTP Basic client ID.")
	case !basic:
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if !s.oauth.authenticate(id, secret, account) || ws != nil && !ws.isMember(id) {
		return oauthError(http.StatusUnauthorized, oauthInvalidClient, msgClientAuthFailed)
	}

	switch gt := form.Get("grant_type"); {
	case gt == "":
		return oauthError(http.StatusBadRequest, oauthInvalidRequest, "Missing required parameter: grant_type.")
	case gt != "client_credentials":
		return oauthError(http.StatusBadRequest, oauthUnsupportedGrantType,
			"Grant type "+echo(gt)+" is not supported; use client_credentials.")
	}
	for _, sc := range strings.Fields(form.Get("scope")) {
		if sc != scopeAllAPIs {
			return oauthError(http.StatusBadRequest, oauthInvalidScope, "Scope "+echo(sc)+" is not supported; use all-apis.")
		}
	}

	issuer := s.baseURL(r) + "/oidc"
	if ws == nil {
		issuer += "/accounts/" + account
	}
	value := s.oauth.issue(accessToken{appID: id, account: account, cloud: cloud, ws: ws}, issuer, now)
	rep := jsonReply(http.StatusOK, OAuthTokenResponse{
		AccessToken: value, TokenType: "Bearer", ExpiresIn: int64(s.oauth.ttl / time.Second), Scope: scopeAllAPIs,
	})
	rep.header = http.Header{"Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}
	return rep
}

// basicCredentials decodes an HTTP Basic Authorization header. basic reports whether
// the header is Basic at all; ok whether it decodes to a client ID and secret, each
// form-urlencoded as RFC 6749 (section 2.3.1) has clients send them.
func basicCredentials(header string) (id, secret string, basic, ok bool) {
	scheme, value, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false, false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return "", "", true, false
	}
	rawID, rawSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, false
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil {
		return "", "", true, false
	}
	return id, secret, true, true
}

// authenticate reports whether id and secret are a registered client of account.
func (o *oauthState) authenticate(id, secret, account string) bool {
	o.mu.RLock()
	c := o.clients[id]
	o.mu.RUnlock()
	// Hash first, so the comparison takes the same time whatever the client.
	sum := sha256.Sum256([]byte(secret))
	if c == nil {
		return false
	}
	return subtle.ConstantTimeCompare(sum[:], c.secret[:]) == 1 && c.account == account
}

// isMember reports whether the service principal appID is a member of w.
func (w *Workspace) isMember(appID string) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.byApp[appID] != nil
}

// issue stores a new access token like t and returns its value. The value
// is a JWT (HS256, signed with a key of this server) as Databricks' are, though
// nothing but this server can or need check it.
func (o *oauthState) issue(t accessToken, issuer string, now int64) string {
	t.expiry = now + o.ttl.Milliseconds()
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	claims, _ := json.Marshal(struct {
		Iss      string `json:"iss"`
		Sub      string `json:"sub"`
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
		Iat      int64  `json:"iat"`
		Exp      int64  `json:"exp"`
		Jti      string `json:"jti"`
	}{issuer, t.appID, t.appID, scopeAllAPIs, now / 1000, t.expiry / 1000, hex.EncodeToString(jti[:])})
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","kid":"sim","typ":"at+jwt"}`)) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, o.key)
	mac.Write([]byte(unsigned))
	value := unsigned + "." + enc.EncodeToString(mac.Sum(nil))

	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.tokens) >= o.sweepAt {
		for k, old := range o.tokens {
			if now >= old.expiry {
				delete(o.tokens, k)
			}
		}
		o.sweepAt = max(minSweep, 2*len(o.tokens))
	}
	o.tokens[sha256.Sum256([]byte(value))] = &t
	return value
}
