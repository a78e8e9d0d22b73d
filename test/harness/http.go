package harness

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/stackql/any-sdk/pkg/internaldto"
	"github.com/stackql/any-sdk/pkg/jsonpath"
	"github.com/stackql/any-sdk/public/formulation"

	"github.com/stackql-labs/databricks-tokens/test/harness/oauth"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// call builds one request with any-sdk, sends it and decodes the answer.
// body, when not nil, is the request body already typed per the schema.
func (e *Engine) call(ctx context.Context, m *method, params map[string]value.Value, body map[string]any) (*transport.Response, error) {
	req, err := e.build(m, params, body)
	if err != nil {
		return nil, err
	}
	if e.cfg.DryRun != nil {
		return e.dryRun(req)
	}
	return e.tr.SendAuthorized(ctx, req, m.unsureHint(), func(req *http.Request) error {
		return e.authorize(ctx, m.t.prov, req)
	})
}

// build formulates the request through any-sdk: server variables, path and
// query parameters are placed by its HTTPPreparator, as in the engine.
func (e *Engine) build(m *method, params map[string]value.Value, body map[string]any) (*http.Request, error) {
	pm := make(map[string]any, len(params))
	for name, v := range params {
		pm[name] = goValue(v, m.params[name])
	}
	var ec formulation.ExecContext
	if body != nil {
		// The body goes as an exec payload, already typed: any-sdk's own
		// path for data__ parameters re-parses strings that look like JSON
		// (a comment of '{"a":1}' would be sent as an object).
		mediaType := "application/json"
		if r, ok := m.op.GetRequest(); ok && r.GetBodyMediaType() != "" {
			mediaType = r.GetBodyMediaType()
		}
		if !strings.Contains(mediaType, "json") {
			return nil, fmt.Errorf("%s: request media type %q is not supported", m, mediaType)
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s: encoding the request body: %w", m, err)
		}
		ec = formulation.NewExecContext(internaldto.NewExecPayload(b, map[string][]string{"Content-Type": {mediaType}}, body), m.t.rsc)
	}
	prep := formulation.NewHTTPPreparator(m.t.prov.Doc(), m.t.svc.API, m.op, map[int]map[string]any{0: pm}, nil, ec, e.logger)
	armoury, err := prep.BuildHTTPRequestCtx(formulation.NewHTTPPreparatorConfig(false))
	if err != nil {
		return nil, fmt.Errorf("%s: building the request: %w", m, err)
	}
	rp := armoury.GetRequestParams()
	if len(rp) != 1 || rp[0].GetRequest() == nil {
		return nil, fmt.Errorf("%s: any-sdk built %d requests, want 1", m, len(rp))
	}
	req := rp[0].GetRequest()
	if req.URL.User != nil || req.URL.Scheme != "https" && req.URL.Scheme != "http" {
		return nil, fmt.Errorf("%s: refusing to send to %q", m, req.URL.Redacted())
	}
	return req, nil
}

// goValue converts a SQL value to the Go type any-sdk should place for a
// parameter of the given schema type.
func goValue(v value.Value, typ string) any {
	switch typ {
	case "integer":
		if n, ok := v.Integer(); ok {
			return n
		}
	case "number":
		if f, ok := v.Float(); ok {
			return f
		}
	case "boolean":
		if v.Bool {
			return v.I != 0
		}
		if s := strings.ToLower(v.Text()); s == "true" || s == "false" {
			return s == "true"
		}
	}
	return v.Text()
}

// authorize adds the provider's credentials: --auth overrides provider.yaml,
// and, without --auth, Config.Credentials may choose one for the host.
func (e *Engine) authorize(ctx context.Context, p *registry.Provider, req *http.Request) error {
	apply, err := e.resolveAuth(p, req.URL.Hostname())
	if err != nil {
		return err
	}
	return apply(ctx, req)
}

// checkAuth resolves the credential for host without sending anything (no
// token request either), so a statement whose credential is missing or
// refused for one of its hosts fails before any of its requests, or any
// request of its script, is sent. A dry run needs none.
func (e *Engine) checkAuth(p *registry.Provider, host string) error {
	if e.cfg.DryRun != nil {
		return nil
	}
	_, err := e.resolveAuth(p, host)
	return err
}

// applyFunc puts a resolved credential on a request.
type applyFunc func(ctx context.Context, req *http.Request) error

// noAuth sends a request as it is.
func noAuth(context.Context, *http.Request) error { return nil }

func setHeader(name, value string) applyFunc {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set(name, value)
		return nil
	}
}

// resolveAuth reads and checks the credential for requests to host, and
// returns what puts it on a request. Only the OAuth access token is left to
// apply, which fetches it (once, see oauth.Cache). A host's credential is
// resolved once per engine: planning resolves it (checkAuth) and each request
// to the host reuses it.
func (e *Engine) resolveAuth(p *registry.Provider, host string) (applyFunc, error) {
	key := p.Name + "\x00" + host
	e.authMu.Lock()
	apply, ok := e.auths[key]
	e.authMu.Unlock()
	if ok {
		return apply, nil
	}
	apply, err := e.readAuth(p, host)
	if err != nil {
		return nil, err // not kept: the statement stops here
	}
	e.authMu.Lock()
	if e.auths == nil {
		e.auths = map[string]applyFunc{}
	}
	e.auths[key] = apply
	e.authMu.Unlock()
	return apply, nil
}

// readAuth is resolveAuth's work: the provider's auth, or --auth, or
// Config.Credentials for the host.
func (e *Engine) readAuth(p *registry.Provider, host string) (applyFunc, error) {
	a := p.Auth
	o, explicit := e.cfg.Auth[p.Name]
	if explicit {
		a = &o
	}
	if !explicit && e.cfg.Credentials != nil {
		c, ok, err := e.cfg.Credentials.For(host)
		if err != nil {
			return nil, err
		}
		if ok {
			return e.resolveCredential(c, host)
		}
	}
	if a == nil {
		return noAuth, nil
	}
	// isControl: an ASCII control character (C0 or DEL), which no header
	// value may hold (tab may, but not usefully in a credential).
	isControl := func(r rune) bool { return r < 0x20 || r == 0x7f }
	// read returns a credential variable's value; a secret one is masked
	// from then on (a client ID is not: rows may show it).
	read := func(name, what string, secret bool) (string, error) {
		if name == "" {
			return "", fmt.Errorf("provider %s: auth type %q names no environment variable for its %s", p.Name, a.Type, what)
		}
		v := e.cfg.Getenv(name)
		if v == "" {
			return "", fmt.Errorf("provider %s: environment variable %s is not set (auth type %q)", p.Name, name, a.Type)
		}
		if secret {
			e.red.AddSecret(v)
		}
		// A header cannot carry a control character: the client would refuse
		// to send it, or the server the credential. Only what is wrong with
		// the value is shown, never the value.
		if i := strings.IndexFunc(v, isControl); i >= 0 {
			wrong := fmt.Sprintf("holds a control character (%q)", v[i])
			if strings.IndexFunc(strings.TrimRight(v, "\r\n"), isControl) < 0 {
				wrong = "ends with a line break"
			}
			return "", fmt.Errorf("provider %s: environment variable %s %s; remove it (auth type %q)", p.Name, name, wrong, a.Type)
		}
		return v, nil
	}
	env := func(name, what string) (string, error) { return read(name, what, true) }
	switch strings.ToLower(a.Type) {
	case "bearer":
		tok, err := env(a.CredentialsEnvVar, "token")
		if err != nil {
			return nil, err
		}
		return setHeader("Authorization", "Bearer "+tok), nil
	case "api_key":
		key, err := env(a.CredentialsEnvVar, "key")
		if err != nil {
			return nil, err
		}
		name := a.Name
		if name == "" {
			name = "Authorization"
		}
		if a.Location != "" && !strings.EqualFold(a.Location, "header") {
			return nil, fmt.Errorf("provider %s: api_key location %q is not supported", p.Name, a.Location)
		}
		return setHeader(name, a.ValuePrefix+key), nil
	case "basic":
		user, err := env(a.UsernameVar, "username")
		if err != nil {
			return nil, err
		}
		pass, err := env(a.PasswordVar, "password")
		if err != nil {
			return nil, err
		}
		basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
		e.red.AddSecret(basic)
		return setHeader("Authorization", "Basic "+basic), nil
	case "oauth2":
		if a.GrantType != "" && a.GrantType != "client_credentials" {
			return nil, fmt.Errorf("provider %s: oauth2 grant_type %q is not supported (want client_credentials)", p.Name, a.GrantType)
		}
		id, err := read(a.ClientIDEnvVar, "client ID", false)
		if err != nil {
			return nil, err
		}
		secret, err := env(a.ClientSecretEnvVar, "client secret")
		if err != nil {
			return nil, err
		}
		if a.TokenURL == "" {
			return nil, fmt.Errorf("provider %s: auth type \"oauth2\" names no token_url", p.Name)
		}
		return e.resolveCredential(Credential{OAuth: &OAuthClient{TokenURL: a.TokenURL, ClientID: id, ClientSecret: secret, Scopes: a.Scopes}}, host)
	case "null_auth", "":
		return noAuth, nil
	}
	return nil, fmt.Errorf("provider %s: auth type %q is not supported", p.Name, a.Type)
}

// resolveCredential checks c: a bearer token as it is, an OAuth client's
// token URL and secrets (its access token is fetched by the returned
// function, once, and again when it expires). Every secret involved is
// masked from then on.
func (e *Engine) resolveCredential(c Credential, host string) (applyFunc, error) {
	if c.OAuth == nil {
		if c.Bearer == "" || strings.IndexFunc(c.Bearer, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
			return nil, fmt.Errorf("the credential for %s is empty or holds a space or control character", host)
		}
		e.red.AddSecret(c.Bearer)
		return setHeader("Authorization", "Bearer "+c.Bearer), nil
	}
	e.red.AddSecret(c.OAuth.ClientSecret)
	src, err := e.tokens.Get(oauth.Config{
		TokenURL: c.OAuth.TokenURL, ClientID: c.OAuth.ClientID, ClientSecret: c.OAuth.ClientSecret,
		Scopes: c.OAuth.Scopes, Client: e.tokenClient(), OnToken: e.red.AddSecret,
	})
	if err != nil {
		return nil, err
	}
	for _, s := range src.Secrets() {
		e.red.AddSecret(s)
	}
	return func(ctx context.Context, req *http.Request) error {
		tok, err := src.Token(ctx)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		return nil
	}, nil
}

// tokenClient is the client for token requests: the engine's, whose TLS and
// address settings reach token endpoints as they reach APIs. Token requests
// are never traced (the answer holds the access token).
func (e *Engine) tokenClient() *http.Client {
	if e.cfg.Client != nil {
		return e.cfg.Client
	}
	return http.DefaultClient
}

// missingKey reports whether a JSONPath error means the path is absent from
// the document (a missing key, or null on the way).
func missingKey(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "unknown key") || strings.Contains(msg, "value type <nil>")
}

// listItems extracts a list method's items with its objectKey (a JSONPath,
// evaluated by any-sdk's jsonpath as the engine does). A key missing from
// the response means no items: APIs omit empty lists.
func listItems(r *transport.Response, m *method) ([]any, error) {
	x, err := r.Decode()
	if err != nil {
		return nil, r.Fail(fmt.Errorf("the response is not JSON: %w", err))
	}
	if x == nil {
		return nil, nil
	}
	if key := m.op.GetSelectItemsKey(); key != "" && key != "$" {
		if obj, ok := x.(map[string]any); ok && len(obj) == 0 {
			return nil, nil
		}
		got, err := jsonpath.Get(key, x)
		if err != nil {
			if missingKey(err) {
				return nil, nil
			}
			return nil, r.Fail(fmt.Errorf("objectKey %s of %s: %w", key, m, err))
		}
		x = got
	}
	switch t := x.(type) {
	case []any:
		return t, nil
	case nil:
		return nil, nil
	case map[string]any:
		return []any{x}, nil // a method that answers one object: one row
	}
	key := m.op.GetSelectItemsKey()
	if key == "" {
		key = "$"
	}
	return nil, r.Fail(fmt.Errorf("the response does not match the schema of %s: %s is %s, not a list", m, key, jsonKind(x)))
}

// unsureHint is what to check after a request that is not retried failed
// without a clear answer: it may have taken effect.
func (m *method) unsureHint() string {
	switch strings.ToUpper(m.verb) {
	case "INSERT":
		return fmt.Sprintf("not retried: it may have been created; check with SELECT on %s before running it again", m.t.id)
	case "DELETE":
		return fmt.Sprintf("not retried: it may have been deleted; check with SELECT on %s whether it is still listed", m.t.id)
	}
	return fmt.Sprintf("not retried: it may have taken effect; check with SELECT on %s before running it again", m.t.id)
}
