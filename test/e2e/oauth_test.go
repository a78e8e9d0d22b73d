package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/databrickscfg"
	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// The workspaces of the OAuth tests, two per cloud to which the service
// principal is assigned and one (awsC) to which it is not. All belong to
// sim.DefaultAccountID.
const (
	awsA = "dbc-oauth0001.cloud.databricks.com"
	awsB = "dbc-oauth0002.cloud.databricks.com"
	awsC = "dbc-oauth0003.cloud.databricks.com"
	azA  = "adb-1000000000000001.1.azuredatabricks.net"
	azB  = "adb-1000000000000002.2.azuredatabricks.net"
	gcpA = "1000000000000003.3.gcp.databricks.com"
	gcpB = "1000000000000004.4.gcp.databricks.com"

	spAppID = "6d1f0c2a-7b3e-4f5a-8c9d-0e1f2a3b4c5d"

	envClientID     = "DATABRICKS_CLIENT_ID"
	envClientSecret = "DATABRICKS_CLIENT_SECRET"
)

var assignedHosts = []string{awsA, awsB, azA, azB, gcpA, gcpB}

// accountConsole is each cloud's account console host.
var accountConsole = map[string]string{
	"aws":   "accounts.cloud.databricks.com",
	"azure": "accounts.azuredatabricks.net",
	"gcp":   "accounts.gcp.databricks.com",
}

func workspaceTokenURL(host string) string { return "https://" + host + "/oidc/v1/token" }

func accountTokenURL(console, account string) string {
	return "https://" + console + "/oidc/accounts/" + account + "/v1/token"
}

// oauthWorld is the simulator with a service principal holding an OAuth
// secret, assigned to assignedHosts, each of which holds one personal
// access token of the principal ("sp in <host>") and one of another user.
type oauthWorld struct {
	e      *env
	secret string
}

func newOAuthWorld(t *testing.T) *oauthWorld {
	t.Helper()
	var wss []workspaceSetup
	for _, h := range append(append([]string(nil), assignedHosts...), awsC) {
		wss = append(wss, workspaceSetup{Name: h, Tokens: []tokenSetup{{Comment: "the user's, not the principal's", LifetimeSeconds: 3600}}})
	}
	w := &oauthWorld{e: start(t, setup{Workspaces: wss}), secret: "dose" + strings.TrimPrefix(newBearer(), "dapi")}
	if err := w.e.srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: spAppID, Secret: w.secret, Name: "tokens-bot"}); err != nil {
		t.Fatal(err)
	}
	for _, h := range assignedHosts {
		ws := w.e.srv.Workspace(h)
		if err := ws.Assign(spAppID, sim.RolePlainUser); err != nil {
			t.Fatal(err)
		}
		// The principal's own sign-in, to give it a token of its own.
		bearer := ws.AddServicePrincipal("tokens-bot", spAppID)
		if _, err := ws.CreateToken(bearer, 3600, "sp in "+h); err != nil {
			t.Fatal(err)
		}
	}
	w.e.srv.ResetLog()
	return w
}

// oauthAuth is the engine's --auth for the provider: oauth2 client
// credentials from DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET; edit
// changes the fields first.
func oauthAuth(tokenURL string, edit func(map[string]any)) string {
	a := map[string]any{
		"type": "oauth2", "client_id_env_var": envClientID, "client_secret_env_var": envClientSecret,
		"grant_type": "client_credentials", "token_url": tokenURL, "scopes": []string{"all-apis"},
	}
	if edit != nil {
		edit(a)
	}
	b, err := json.Marshal(map[string]any{"databricks_workspace": a})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// clientEnv is the environment of a run as the principal.
func (w *oauthWorld) clientEnv() []string {
	return []string{"HOME=/nonexistent", envClientID + "=" + spAppID, envClientSecret + "=" + w.secret}
}

// runCLI runs the CLI in-process against the simulator.
func runCLI(e *env, src cli.CredentialSource, environ []string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = cli.RunWith(context.Background(), src, append(e.baseArgs(), args...), nil, &out, &errb, environ)
	return code, out.String(), errb.String()
}

// sent is what the simulator received, one "METHOD host path status" per
// request, sorted (fan-out requests are concurrent).
func sent(srv *sim.Server) []string {
	var lines []string
	for _, r := range srv.Requests() {
		lines = append(lines, fmt.Sprintf("%s %s %s %d", r.Method, r.Host, r.Path, r.Status))
	}
	sort.Strings(lines)
	return lines
}

func tokenRequest(host string, status int) string {
	return fmt.Sprintf("POST %s /oidc/v1/token %d", host, status)
}

func accountTokenRequest(console, account string, status int) string {
	return fmt.Sprintf("POST %s /oidc/accounts/%s/v1/token %d", console, account, status)
}

func listRequest(host string, status int) string {
	return fmt.Sprintf("GET %s %s %d", host, sim.PathList, status)
}

func sortedLines(lines ...string) []string {
	out := append([]string(nil), lines...)
	sort.Strings(out)
	return out
}

func checkSent(t *testing.T, srv *sim.Server, want []string) {
	t.Helper()
	got := sent(srv)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the simulator received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// noSecrets fails if the client secret, in any form it is sent in, an
// access token (a JWT: "eyJ" opens its base64url JSON header) or an
// Authorization header shows in a run's output.
func noSecrets(t *testing.T, label, stdout, stderr, clientID, secret string) {
	t.Helper()
	forms := map[string]string{
		"the client secret":              secret,
		"the URL-escaped client secret":  url.QueryEscape(secret),
		"the HTTP Basic credential":      base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret))),
		"an access token (JWT)":          "eyJ",
		"an Authorization header":        "Authorization",
		"the secret's middle (cut form)": secret[8 : len(secret)-8],
	}
	for what, s := range forms {
		if s != "" && strings.Contains(stdout+stderr, s) {
			t.Errorf("%s: %s appears in the output\nstdout:\n%s\nstderr:\n%s", label, what, stdout, stderr)
		}
	}
}

// oneLine checks that stderr is exactly one line holding every want.
func oneLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	for _, s := range want {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr %q does not contain %q", stderr, s)
		}
	}
}

func selectIn(hosts ...string) string {
	return "SELECT deployment_name, comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('" +
		strings.Join(hosts, "', '") + "') ORDER BY comment"
}

// rowsCSV is the -o csv output of selectIn over hosts: the principal's own
// token in each, and never the other user's.
func rowsCSV(hosts ...string) string {
	sorted := append([]string(nil), hosts...)
	sort.Strings(sorted)
	out := "deployment_name,comment\n"
	for _, h := range sorted {
		out += h + ",sp in " + h + "\n"
	}
	return out
}

// TestOAuthWorkspaceTokenURL: a workspace's own token endpoint gives an
// access token for that workspace; the SELECT returns the principal's
// tokens after exactly one token request and one list request.
func TestOAuthWorkspaceTokenURL(t *testing.T) {
	for _, host := range []string{awsA, azA, gcpA} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			w := newOAuthWorld(t)
			code, out, errText := runCLI(w.e, nil, w.clientEnv(), "-o", "csv", "--auth", oauthAuth(workspaceTokenURL(host), nil), selectIn(host))
			if code != cli.ExitOK || out != rowsCSV(host) || errText != "" {
				t.Errorf("exit %d, want 0\nstdout:\n%s\nwant:\n%s\nstderr: %q", code, out, rowsCSV(host), errText)
			}
			checkSent(t, w.e.srv, sortedLines(tokenRequest(host, 200), listRequest(host, 200)))
			noSecrets(t, host, out, errText, spAppID, w.secret)
		})
	}

	// Statements of one run share the access token: an INSERT then a SELECT
	// ask the token endpoint once.
	t.Run("insert then select, one token", func(t *testing.T) {
		t.Parallel()
		w := newOAuthWorld(t)
		script := "INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, data__lifetime_seconds, deployment_name) SELECT 'made through oauth', 600, '" + awsA + "';\n" +
			"SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '" + awsA + "' ORDER BY comment;"
		code, out, errText := runCLI(w.e, nil, w.clientEnv(), "-o", "csv", "--verbose", "--auth", oauthAuth(workspaceTokenURL(awsA), nil), script)
		want := "comment\nmade through oauth\nsp in " + awsA + "\n"
		if code != cli.ExitOK || !strings.HasSuffix(out, want) {
			t.Errorf("exit %d, want 0\nstdout:\n%s\nwant it to end with:\n%s\nstderr: %q", code, out, want, errText)
		}
		checkSent(t, w.e.srv, sortedLines(tokenRequest(awsA, 200), "POST "+awsA+" "+sim.PathCreate+" 200", listRequest(awsA, 200)))
		noSecrets(t, "insert", out, errText, spAppID, w.secret)
	})
}

// TestOAuthAccountTokenURL: one account-level access token authenticates
// in every workspace of the account console's cloud the principal is
// assigned to: a fan-out returns rows from all after one token request.
func TestOAuthAccountTokenURL(t *testing.T) {
	tests := []struct {
		cloud string
		hosts []string
	}{
		{"aws", []string{awsA, awsB}},
		{"azure", []string{azA, azB}},
		{"gcp", []string{gcpA, gcpB}},
	}
	for _, tc := range tests {
		t.Run(tc.cloud, func(t *testing.T) {
			t.Parallel()
			w := newOAuthWorld(t)
			console := accountConsole[tc.cloud]
			code, out, errText := runCLI(w.e, nil, w.clientEnv(), "-o", "csv", "--verbose",
				"--auth", oauthAuth(accountTokenURL(console, sim.DefaultAccountID), nil), selectIn(tc.hosts...))
			if code != cli.ExitOK || out != rowsCSV(tc.hosts...) {
				t.Errorf("exit %d, want 0\nstdout:\n%s\nwant:\n%s\nstderr: %q", code, out, rowsCSV(tc.hosts...), errText)
			}
			want := []string{accountTokenRequest(console, sim.DefaultAccountID, 200)}
			for _, h := range tc.hosts {
				want = append(want, listRequest(h, 200))
			}
			checkSent(t, w.e.srv, sortedLines(want...))
			noSecrets(t, tc.cloud, out, errText, spAppID, w.secret)
		})
	}
}

// TestOAuthRefused: a wrong or unusable OAuth client fails with one line
// on stderr. A client the token endpoint refuses sends no API request; a
// token URL or --auth the harness cannot use sends nothing at all. Neither
// the secret nor an access token shows, in a plain run, with --verbose or
// with --dryrun (which sends nothing).
func TestOAuthRefused(t *testing.T) {
	acct := accountTokenURL(accountConsole["aws"], sim.DefaultAccountID)
	acctReq := accountTokenRequest(accountConsole["aws"], sim.DefaultAccountID, 200)
	tests := []struct {
		name     string
		tokenURL string
		edit     func(map[string]any)         // of the --auth object
		env      func(w *oauthWorld) []string // default clientEnv
		prepare  func(t *testing.T, w *oauthWorld)
		hosts    []string // of the SELECT; default awsA
		wantCode int
		wantErr  []string // the stderr line contains each
		notErr   []string // and none of these
		wantSent []string // sorted; nil: nothing at all
	}{
		{
			name: "wrong secret, workspace token URL", tokenURL: workspaceTokenURL(awsA),
			env:      func(w *oauthWorld) []string { return wrongSecret(w) },
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint " + awsA, "401 invalid_client"},
			wantSent: []string{tokenRequest(awsA, 401)},
		},
		{
			name: "wrong secret, account token URL, fan-out", tokenURL: acct, hosts: []string{awsA, awsB},
			env:      func(w *oauthWorld) []string { return wrongSecret(w) },
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint accounts.cloud.databricks.com", "401 invalid_client"},
			wantSent: []string{accountTokenRequest("accounts.cloud.databricks.com", sim.DefaultAccountID, 401)},
		},
		{
			name: "unknown client id", tokenURL: workspaceTokenURL(awsA),
			env: func(w *oauthWorld) []string {
				return []string{envClientID + "=nobody", envClientSecret + "=" + w.secret}
			},
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint " + awsA, "401 invalid_client"},
			wantSent: []string{tokenRequest(awsA, 401)},
		},
		{
			name: "another account's token URL", tokenURL: accountTokenURL("accounts.cloud.databricks.com", "00000000-0000-4000-8000-000000000000"),
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint accounts.cloud.databricks.com", "401 invalid_client"},
			wantSent: []string{accountTokenRequest("accounts.cloud.databricks.com", "00000000-0000-4000-8000-000000000000", 401)},
		},
		{
			name: "not assigned, workspace token URL", tokenURL: workspaceTokenURL(awsC), hosts: []string{awsC},
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint " + awsC, "401 invalid_client"},
			wantSent: []string{tokenRequest(awsC, 401)},
		},
		{
			name: "not assigned, account token", tokenURL: acct, hosts: []string{awsC},
			wantCode: cli.ExitRemote, wantErr: []string{"GET " + awsC + sim.PathList + ": http 403: Invalid access token."},
			wantSent: sortedLines(acctReq, listRequest(awsC, 403)),
		},
		{
			name: "account token of another cloud's console", tokenURL: acct, hosts: []string{azA},
			wantCode: cli.ExitRemote, wantErr: []string{"GET " + azA + sim.PathList + ": http 403: Invalid access token."},
			wantSent: sortedLines(acctReq, listRequest(azA, 403)),
		},
		{
			name: "a scope the endpoint refuses", tokenURL: workspaceTokenURL(awsA),
			edit:     func(a map[string]any) { a["scopes"] = []string{"sql"} },
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint " + awsA, "400 invalid_scope"},
			wantSent: []string{tokenRequest(awsA, 400)},
		},
		{
			name: "token endpoint echoes the secret", tokenURL: workspaceTokenURL(awsA),
			prepare: func(t *testing.T, w *oauthWorld) {
				w.e.srv.Inject(sim.Fault{Path: sim.PathOAuthToken, Status: 401,
					Body: `{"error":"invalid_client","error_description":"secret ` + w.secret + ` is wrong"}`})
			},
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint " + awsA, "401 invalid_client", "[REDACTED]"},
			wantSent: []string{tokenRequest(awsA, 401)},
		},
		{
			name: "token endpoint answers a token it calls mac", tokenURL: workspaceTokenURL(awsA),
			prepare: func(t *testing.T, w *oauthWorld) {
				w.e.srv.Inject(sim.Fault{Path: sim.PathOAuthToken, Status: 200,
					Body: `{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl","token_type":"mac eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl","expires_in":3600}`})
			},
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint " + awsA, "is not Bearer"},
			wantSent: []string{tokenRequest(awsA, 200)},
		},
		{
			name: "token endpoint behind an untrusted certificate", tokenURL: workspaceTokenURL(awsA),
			prepare:  func(t *testing.T, w *oauthWorld) { w.e.untrusted = true },
			wantCode: cli.ExitRemote, wantErr: []string{"oauth token endpoint " + awsA, "certificate signed by unknown authority", "(trust its CA with --ca-file)"},
			// The handshake fails: the simulator logs no request.
		},
		{
			name: "http to a host that is not loopback", tokenURL: "http://" + awsA + "/oidc/v1/token",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url", "must be https"},
		},
		{
			name: "userinfo before the account console", tokenURL: "https://evil.example@accounts.cloud.databricks.com/oidc/accounts/" + sim.DefaultAccountID + "/v1/token",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url", "user info"}, notErr: []string{"evil.example"},
		},
		{
			name: "user and password before the workspace", tokenURL: "https://" + spAppID + ":hunter2hunter2@" + awsA + "/oidc/v1/token",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url", "user info"}, notErr: []string{"hunter2"},
		},
		{
			name: "a header injected with CR LF", tokenURL: workspaceTokenURL(awsA) + "\r\nX-Injected: 1",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url", "control"},
		},
		{
			name: "a NUL byte", tokenURL: "https://accounts.cloud.databricks.com\x00.evil.example/oidc/v1/token",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url", "control"},
		},
		{
			name: "a fragment", tokenURL: workspaceTokenURL(awsA) + "#x",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url", "fragment"},
		},
		{
			name: "a relative token URL", tokenURL: "/oidc/v1/token",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url", "absolute"},
		},
		{
			name: "an empty token URL", tokenURL: "",
			wantCode: cli.ExitFailed, wantErr: []string{"token_url"},
		},
		{
			name: "no token_url at all", edit: func(a map[string]any) { delete(a, "token_url") },
			wantCode: cli.ExitFailed, wantErr: []string{"token_url"},
		},
		{
			name: "grant type password", tokenURL: workspaceTokenURL(awsA),
			edit:     func(a map[string]any) { a["grant_type"] = "password" },
			wantCode: cli.ExitFailed, wantErr: []string{`grant_type "password"`, "client_credentials"},
		},
		{
			name: "grant type authorization_code", tokenURL: workspaceTokenURL(awsA),
			edit:     func(a map[string]any) { a["grant_type"] = "authorization_code" },
			wantCode: cli.ExitFailed, wantErr: []string{`grant_type "authorization_code"`},
		},
		{
			name: "client secret variable unset", tokenURL: workspaceTokenURL(awsA),
			env:      func(w *oauthWorld) []string { return []string{envClientID + "=" + spAppID} },
			wantCode: cli.ExitFailed, wantErr: []string{envClientSecret, "not set"},
		},
		{
			name: "client id variable unset", tokenURL: workspaceTokenURL(awsA),
			env:      func(w *oauthWorld) []string { return []string{envClientSecret + "=" + w.secret} },
			wantCode: cli.ExitFailed, wantErr: []string{envClientID, "not set"},
		},
		{
			name: "no client secret variable named", tokenURL: workspaceTokenURL(awsA),
			edit:     func(a map[string]any) { delete(a, "client_secret_env_var") },
			wantCode: cli.ExitFailed, wantErr: []string{"client secret"},
		},
		{
			name: "a secret ending in a line break", tokenURL: workspaceTokenURL(awsA),
			env: func(w *oauthWorld) []string {
				return []string{envClientID + "=" + spAppID, envClientSecret + "=" + w.secret + "\n"}
			},
			wantCode: cli.ExitFailed, wantErr: []string{envClientSecret, "line break"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []string{"plain", "verbose", "dryrun"} {
				w := newOAuthWorld(t)
				if tc.prepare != nil {
					tc.prepare(t, w)
				}
				environ := w.clientEnv()
				if tc.env != nil {
					environ = append([]string{"HOME=/nonexistent"}, tc.env(w)...)
				}
				hosts := tc.hosts
				if hosts == nil {
					hosts = []string{awsA}
				}
				args := []string{"--auth", oauthAuth(tc.tokenURL, tc.edit), selectIn(hosts...)}
				if mode != "plain" {
					args = append([]string{"--" + mode}, args...)
				}
				code, out, errText := runCLI(w.e, nil, environ, args...)
				noSecrets(t, mode, out, errText, spAppID, w.secret)
				switch mode {
				case "dryrun":
					// Nothing is sent, so no token is fetched either.
					if code != cli.ExitOK {
						t.Errorf("--dryrun: exit %d, want 0; stderr %q", code, errText)
					}
					checkSent(t, w.e.srv, nil)
					continue
				case "verbose":
					// The trace lines, then the one error line.
					if i := strings.LastIndex(strings.TrimSuffix(errText, "\n"), "\n"); i >= 0 {
						errText = errText[i+1:]
					}
				}
				if code != tc.wantCode {
					t.Errorf("%s: exit %d, want %d; stderr %q", mode, code, tc.wantCode, errText)
				}
				if out != "" {
					t.Errorf("%s: stdout %q, want nothing", mode, out)
				}
				oneLine(t, errText, tc.wantErr...)
				for _, s := range tc.notErr {
					if strings.Contains(errText, s) {
						t.Errorf("%s: stderr %q shows %q", mode, errText, s)
					}
				}
				checkSent(t, w.e.srv, tc.wantSent)
			}
		})
	}
}

func wrongSecret(w *oauthWorld) []string {
	return []string{envClientID + "=" + spAppID, envClientSecret + "=dose" + strings.Repeat("0", 32)}
}

// TestOAuthTokenRefreshedAfterExpiry runs three statements in one process
// with access tokens that live one second, on a simulator clock that moves
// with real time: the first statement fetches a token, the second reuses
// it (its answer comes 1.2 s later, from a fault, so the token is never
// checked there), the third, after the token expired, fetches a new one;
// had it sent the old one, the simulator would have answered 403. This is
// the only test that waits (the harness's token cache reads the real
// clock).
func TestOAuthTokenRefreshedAfterExpiry(t *testing.T) {
	t.Parallel()
	e, srv, secret := oneSecondTokens(t)
	// The first list is served as usual, the second answered {} after 1.2 s
	// without looking at its credential, the third as usual. No assertion
	// below depends on how long a step takes.
	srv.Inject(sim.Fault{Workspace: awsA, Path: sim.PathList})
	srv.Inject(sim.Fault{Workspace: awsA, Path: sim.PathList, Status: 200, Body: "{}", Delay: 1200 * time.Millisecond})

	stmt := "SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '" + awsA + "';\n"
	env := []string{"HOME=/nonexistent", envClientID + "=" + spAppID, envClientSecret + "=" + secret}
	code, out, errText := runCLI(e, nil, env, "-o", "csv", "-H", "--verbose", "--auth", oauthAuth(workspaceTokenURL(awsA), nil), stmt+stmt+stmt)
	want := "sp in " + awsA + "\nsp in " + awsA + "\n"
	if code != cli.ExitOK || out != want {
		t.Errorf("exit %d, want 0\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, want, errText)
	}
	// The third list is sent at least 1.2 s after the second was
	// authorized, so its 200 proves a fresh token (the simulator refuses an
	// expired one). How many token requests that took depends on how fast
	// this machine ran the first two statements (a slow one may refresh
	// before the second too), so only the bounds are checked.
	tokens, lists := 0, 0
	for _, r := range srv.Requests() {
		switch {
		case strings.HasPrefix(r.Path, "/oidc/") && r.Status == 200:
			tokens++
		case r.Path == sim.PathList && r.Status == 200:
			lists++
		default:
			t.Errorf("unexpected request %s %s %s %d", r.Method, r.Host, r.Path, r.Status)
		}
	}
	if tokens < 2 || tokens > 3 || lists != 3 {
		t.Errorf("%d token requests and %d lists, want 2 or 3 and 3", tokens, lists)
	}
	noSecrets(t, "expiry", out, errText, spAppID, secret)
}

// TestOAuthProfiles: OAuth clients from ~/.databrickscfg, through the
// harness command's credential source.
func TestOAuthProfiles(t *testing.T) {
	tests := []struct {
		name     string
		config   string // ${SECRET} is the principal's secret, ${ACCOUNT} the account ID
		env      []string
		args     []string
		wantCode int
		wantOut  string
		wantErr  []string // stderr is one line holding each, when set
		wantSent func() []string
	}{
		{
			name:   "account profile, fan-out over two workspaces",
			config: "[acct]\nhost = https://accounts.cloud.databricks.com\naccount_id = ${ACCOUNT}\nclient_id = " + spAppID + "\nclient_secret = ${SECRET}\n",
			args:   []string{"-o", "csv", "--profile", "acct", selectIn(awsA, awsB)}, wantCode: cli.ExitOK, wantOut: rowsCSV(awsA, awsB),
			wantSent: func() []string {
				return sortedLines(accountTokenRequest("accounts.cloud.databricks.com", sim.DefaultAccountID, 200), listRequest(awsA, 200), listRequest(awsB, 200))
			},
		},
		{
			name:   "account profile named by DATABRICKS_CONFIG_PROFILE, Azure console",
			config: "[acct]\nhost = https://accounts.azuredatabricks.net\naccount_id = ${ACCOUNT}\nclient_id = " + spAppID + "\nclient_secret = ${SECRET}\n",
			env:    []string{databrickscfg.EnvProfile + "=acct"},
			args:   []string{"-o", "csv", "--verbose", selectIn(azA, azB)}, wantCode: cli.ExitOK, wantOut: rowsCSV(azA, azB),
			wantSent: func() []string {
				return sortedLines(accountTokenRequest("accounts.azuredatabricks.net", sim.DefaultAccountID, 200), listRequest(azA, 200), listRequest(azB, 200))
			},
		},
		{
			name: "workspace profiles found by host, one token per workspace",
			config: "[a]\nhost = https://" + awsA + "\nclient_id = " + spAppID + "\nclient_secret = ${SECRET}\n" +
				"[b]\nhost = https://" + gcpA + "/\nclient_id = " + spAppID + "\nclient_secret = ${SECRET}\n",
			args: []string{"-o", "csv", selectIn(awsA, gcpA)}, wantCode: cli.ExitOK, wantOut: rowsCSV(awsA, gcpA),
			wantSent: func() []string {
				return sortedLines(tokenRequest(awsA, 200), tokenRequest(gcpA, 200), listRequest(awsA, 200), listRequest(gcpA, 200))
			},
		},
		{
			name:   "account profile with a wrong secret",
			config: "[acct]\nhost = https://accounts.cloud.databricks.com\naccount_id = ${ACCOUNT}\nclient_id = " + spAppID + "\nclient_secret = dose" + strings.Repeat("1", 32) + "\n",
			args:   []string{"--verbose", "--profile", "acct", selectIn(awsA, awsB)}, wantCode: cli.ExitRemote,
			wantErr: []string{"oauth token endpoint accounts.cloud.databricks.com", "401 invalid_client"},
			wantSent: func() []string {
				return []string{accountTokenRequest("accounts.cloud.databricks.com", sim.DefaultAccountID, 401)}
			},
		},
		{
			name:   "account host without account_id",
			config: "[acct]\nhost = https://accounts.cloud.databricks.com\nclient_id = " + spAppID + "\nclient_secret = ${SECRET}\n",
			args:   []string{"--profile", "acct", selectIn(awsA)}, wantCode: cli.ExitUsage, wantErr: []string{"account_id"},
			wantSent: func() []string { return nil },
		},
		{
			name:   "workspace profile used for another workspace",
			config: "[a]\nhost = https://" + awsA + "\nclient_id = " + spAppID + "\nclient_secret = ${SECRET}\n",
			args:   []string{"--profile", "a", selectIn(awsA, awsB)}, wantCode: cli.ExitFailed, wantErr: []string{`profile "a"`, awsB},
			wantSent: func() []string { return nil },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newOAuthWorld(t)
			home := t.TempDir()
			cfg := strings.NewReplacer("${SECRET}", w.secret, "${ACCOUNT}", sim.DefaultAccountID).Replace(tc.config)
			if err := os.WriteFile(filepath.Join(home, ".databrickscfg"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errText := runCLI(w.e, databrickscfg.Source, append([]string{"HOME=" + home}, tc.env...), tc.args...)
			if code != tc.wantCode || out != tc.wantOut {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr: %q", code, tc.wantCode, out, tc.wantOut, errText)
			}
			noSecrets(t, tc.name, out, errText, spAppID, w.secret)
			noSecrets(t, tc.name, out, errText, spAppID, "dose"+strings.Repeat("1", 32))
			if tc.wantErr != nil {
				if i := strings.LastIndex(strings.TrimSuffix(errText, "\n"), "\n"); i >= 0 {
					errText = errText[i+1:] // after a --verbose trace
				}
				oneLine(t, errText, tc.wantErr...)
			}
			checkSent(t, w.e.srv, tc.wantSent())
		})
	}
}

// TestOAuthRetryCarriesAFreshToken: a GET answered 503 waits for its
// Retry-After (1 s) and is sent again; the access token (1 s TTL) has
// expired by then, so the retry must carry a new one, or the workspace
// answers 403. No assertion depends on how long a step takes: the retry is
// sent at least 1 s after the first token was issued.
func TestOAuthRetryCarriesAFreshToken(t *testing.T) {
	t.Parallel()
	e, srv, secret := oneSecondTokens(t)
	srv.Inject(sim.Fault{Workspace: awsA, Path: sim.PathList, Status: 503, Header: http.Header{"Retry-After": {"1"}}})
	env := []string{"HOME=/nonexistent", envClientID + "=" + spAppID, envClientSecret + "=" + secret}
	stmt := "SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '" + awsA + "'"
	code, out, errText := runCLI(e, nil, env, "-o", "csv", "-H", "--auth", oauthAuth(workspaceTokenURL(awsA), nil), stmt)
	if want := "sp in " + awsA + "\n"; code != cli.ExitOK || out != want {
		t.Errorf("exit %d, want 0\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, want, errText)
	}
	checkSent(t, srv, sortedLines(tokenRequest(awsA, 200), tokenRequest(awsA, 200), listRequest(awsA, 503), listRequest(awsA, 200)))
	noSecrets(t, "retry", out, errText, spAppID, secret)
}

// oneSecondTokens is a simulator whose clock follows the real one and whose
// OAuth access tokens live one second (the harness's token cache reads the
// real clock), serving awsA, where the service principal is assigned and
// holds one token.
func oneSecondTokens(t *testing.T) (*env, *sim.Server, string) {
	t.Helper()
	began := time.Now()
	srv, err := sim.Start(sim.Config{AccessTokenTTL: time.Second, Now: func() time.Time { return epoch.Add(time.Since(began)) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{srv: srv, vars: map[string]string{}, regJSON: registryFlag(t), caFile: filepath.Join(t.TempDir(), "ca.pem")}
	if err := srv.WriteCA(e.caFile); err != nil {
		t.Fatal(err)
	}
	ws, err := srv.AddWorkspace(awsA, sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	secret := "dose" + strings.TrimPrefix(newBearer(), "dapi")
	if err := srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: spAppID, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	if err := ws.Assign(spAppID, sim.RolePlainUser); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.CreateToken(ws.AddServicePrincipal(spAppID, spAppID), 3600, "sp in "+awsA); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	return e, srv, secret
}
