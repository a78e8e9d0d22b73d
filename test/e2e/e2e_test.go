// Package e2e runs the harness CLI in-process against the workspace simulator
// over TLS with the generated provider, one case per directory under
// testdata/ (see README.md there), comparing what a user would see.
package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

var update = flag.Bool("update", false, "rewrite the expected stdout, stderr and exit files")

// epoch is the simulator clock's start: 2024-01-02T03:04:05Z.
var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

const user = "e2e@example.com"

// setup is a case's setup.json: the simulator's state before the run.
type setup struct {
	// Workspaces to serve; the first is where DATABRICKS_TOKEN is valid.
	// Default: one workspace, dbc-abcd0123-a1bc, with no tokens.
	Workspaces []workspaceSetup `json:"workspaces"`
	Faults     []faultSetup     `json:"faults"`
	// Token is "" for a valid bearer token, "none" for an unset
	// DATABRICKS_TOKEN, or "revoked" for a token the workspace rejects.
	Token string `json:"token"`
	// UntrustedCA leaves out --ca-file: the simulator's certificate is then
	// checked against the system's roots, as a stranger's would be.
	UntrustedCA bool `json:"untrusted_ca"`
	// SignInEverywhere makes DATABRICKS_TOKEN valid in every workspace, as
	// one account-level sign-in would be, instead of the first only.
	SignInEverywhere bool `json:"sign_in_everywhere"`
	// Clock "now" starts the simulator's clock at the current second instead
	// of epoch, for queries that compare with SQLite's 'now'.
	Clock string `json:"clock"`
	// Role is the role of DATABRICKS_TOKEN's user in every workspace: "" or
	// "user" (a plain user) or "admin" (a workspace admin).
	Role string `json:"role"`
}

// userSetup is another user of a workspace, with tokens of its own.
type userSetup struct {
	Name string `json:"name"`
	// Role is "" or "user", "admin" or "service_principal" (which needs
	// ApplicationID).
	Role          string       `json:"role"`
	ApplicationID string       `json:"application_id"`
	Tokens        []tokenSetup `json:"tokens"`
}

type tokenSetup struct {
	Comment         string `json:"comment"`
	LifetimeSeconds int64  `json:"lifetime_seconds"`
}

type workspaceSetup struct {
	Name            string `json:"name"`
	MaxLifetimeDays int    `json:"max_lifetime_days"`
	Quota           int    `json:"quota"`
	// Tokens are created one by one, a millisecond apart, in this order;
	// their ids are ${TOKEN_ID_1}... in args, their values ${TOKEN_VALUE_1}...
	Tokens []tokenSetup `json:"tokens"`
	// Users are other users of the workspace; their tokens are created after
	// Tokens, user by user, and numbered on from them.
	Users []userSetup `json:"users"`
	// Legacy tokens never expire (expiry_time -1).
	Legacy []string `json:"legacy"`
	// Bulk tokens are seeded at once, all with BulkComment.
	Bulk        int    `json:"bulk"`
	BulkComment string `json:"bulk_comment"`
}

type faultSetup struct {
	Workspace string            `json:"workspace"`
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Times     int               `json:"times"`
	Status    int               `json:"status"`
	Body      string            `json:"body"`
	Header    map[string]string `json:"header"`
	NonJSON   bool              `json:"non_json"`
	Drop      bool              `json:"drop"`
	Truncate  bool              `json:"truncate"`
	Delay     string            `json:"delay"` // a Go duration, e.g. "30s"
}

// tickingClock advances a millisecond every time it is read, so tokens
// created one after another have distinct, reproducible times.
type tickingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// env is a simulator prepared for one case.
type env struct {
	srv       *sim.Server
	caFile    string
	untrusted bool
	bearer    string
	vars      map[string]string // ${NAME} substitutions for args
	regJSON   string
	issued    []string // token values the setup created
}

func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func registryFlag(t testing.TB) string {
	p := filepath.Join(repoRoot(t), "provider")
	b, _ := json.Marshal(map[string]any{"url": "file://" + p, "localDocRoot": p, "verifyConfig": map[string]bool{"nopVerify": true}})
	return string(b)
}

func start(t testing.TB, s setup) *env {
	t.Helper()
	clock := &tickingClock{t: epoch}
	switch s.Clock {
	case "now":
		clock.t = time.Now().Truncate(time.Second)
	case "":
	default:
		t.Fatalf("setup.json: clock %q: want \"now\" or nothing", s.Clock)
	}
	srv, err := sim.Start(sim.Config{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{srv: srv, vars: map[string]string{}, regJSON: registryFlag(t), untrusted: s.UntrustedCA}
	e.caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := srv.WriteCA(e.caFile); err != nil {
		t.Fatal(err)
	}
	if len(s.Workspaces) == 0 {
		s.Workspaces = []workspaceSetup{{Name: "dbc-abcd0123-a1bc"}}
	}
	n := 0
	for i, ws := range s.Workspaces {
		w, err := srv.AddWorkspace(ws.Name, sim.WorkspaceOptions{MaxTokenLifetimeDays: ws.MaxLifetimeDays, QuotaPerUser: ws.Quota})
		if err != nil {
			t.Fatal(err)
		}
		bearer := e.bearer
		if i == 0 || !s.SignInEverywhere {
			bearer = newBearer()
		}
		switch s.Role {
		case "", "user":
			w.AddUserBearer(user, bearer)
		case "admin":
			w.AddAdminBearer(user, bearer)
		default:
			t.Fatalf("setup.json: role %q: want \"user\" or \"admin\"", s.Role)
		}
		if i == 0 {
			e.bearer = bearer
		}
		createTokens := func(bearer string, tokens []tokenSetup) {
			for _, tk := range tokens {
				r, err := w.CreateToken(bearer, tk.LifetimeSeconds, tk.Comment)
				if err != nil {
					t.Fatal(err)
				}
				n++
				e.vars["TOKEN_ID_"+strconv.Itoa(n)] = r.TokenInfo.TokenID
				e.vars["TOKEN_VALUE_"+strconv.Itoa(n)] = r.TokenValue
				e.issued = append(e.issued, r.TokenValue)
			}
		}
		createTokens(bearer, ws.Tokens)
		for _, u := range ws.Users {
			var b string
			switch u.Role {
			case "", "user":
				b = w.AddUser(u.Name)
			case "admin":
				b = w.AddAdmin(u.Name)
			case "service_principal":
				b = w.AddServicePrincipal(u.Name, u.ApplicationID)
			default:
				t.Fatalf("setup.json: user %q: role %q: want \"user\", \"admin\" or \"service_principal\"", u.Name, u.Role)
			}
			createTokens(b, u.Tokens)
		}
		for _, c := range ws.Legacy {
			w.SeedLegacyToken(bearer, c)
		}
		if ws.Bulk > 0 {
			if err := w.SeedTokens(bearer, ws.Bulk, ws.BulkComment); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range s.Faults {
		h := map[string][]string{}
		for k, v := range f.Header {
			h[k] = []string{v}
		}
		var delay time.Duration
		if f.Delay != "" {
			if delay, err = time.ParseDuration(f.Delay); err != nil {
				t.Fatalf("setup.json: fault delay: %v", err)
			}
		}
		srv.Inject(sim.Fault{Workspace: f.Workspace, Method: f.Method, Path: f.Path, Times: f.Times,
			Status: f.Status, Body: f.Body, Header: h, NonJSON: f.NonJSON, Drop: f.Drop,
			Truncate: f.Truncate, Delay: delay})
	}
	switch s.Token {
	case "none":
		e.bearer = ""
	case "revoked":
		e.bearer = "dapi00000000000000000000000000000000"
	}
	return e
}

// newBearer is a fresh sign-in credential, shaped as the simulator's.
func newBearer() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "dapi" + hex.EncodeToString(b[:])
}

// baseArgs point the CLI at the simulator over TLS, as a user would point
// it at a workspace in another process.
func (e *env) baseArgs() []string {
	args := []string{"exec", "--registry", e.regJSON}
	if !e.untrusted {
		args = append(args, "--ca-file", e.caFile)
	}
	for _, domain := range []string{"cloud.databricks.com", "azuredatabricks.net", "gcp.databricks.com"} {
		args = append(args, "--resolve", "*."+domain+":443="+e.srv.Addr())
	}
	return args
}

func (e *env) environ() []string {
	env := []string{"HOME=/nonexistent"}
	if e.bearer != "" {
		env = append(env, "DATABRICKS_TOKEN="+e.bearer)
	}
	return env
}

var (
	tokenIDRE    = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	tokenValueRE = regexp.MustCompile(`\bdapi[0-9a-f]{32}\b`)
	portRE       = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	// A --verbose response line ends in its duration.
	traceTimeRE = regexp.MustCompile(`(?m)^(< .* (?:\d{3}|error)) [0-9.]+(?:µs|ms|s|m)\b`)
)

// normalise replaces the simulator's random ids and secrets with numbered
// placeholders of the same width (so tables stay aligned), numbered in order
// of first appearance, the listener's port with PORT and trace durations
// with D.
func normalise(s string) string {
	s = numbered(s, tokenIDRE, "token_id")
	s = numbered(s, tokenValueRE, "token_value")
	s = traceTimeRE.ReplaceAllString(s, "$1 D")
	return portRE.ReplaceAllString(s, "127.0.0.1:PORT")
}

func numbered(s string, re *regexp.Regexp, label string) string {
	seen := map[string]string{}
	return re.ReplaceAllStringFunc(s, func(m string) string {
		if r, ok := seen[m]; ok {
			return r
		}
		r := fmt.Sprintf("<%s_%d>", label, len(seen)+1)
		r += strings.Repeat(".", max(0, len(m)-len(r)))
		seen[m] = r
		return r
	})
}

// readArgs reads a case's args file: one argument per line, blank lines and
// lines starting with # ignored, ${NAME} replaced from vars.
func readArgs(t *testing.T, path string, vars map[string]string) []string {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, os.Expand(line, func(k string) string {
			v, ok := vars[k]
			if !ok {
				t.Fatalf("%s: no value for ${%s}", path, k)
			}
			return v
		}))
	}
	return out
}

// requestLog is what the simulator received, one "METHOD host path status"
// line per request (status 0: no answer was sent; the path with its query,
// if any), sorted, since fan-out
// requests are concurrent. A token id in a path (token management's
// /tokens/{token_id}) is written as the setup's ${TOKEN_ID_n}, before
// sorting, so the order does not depend on random ids; any other id is
// numbered as normalise does.
func requestLog(srv *sim.Server, vars map[string]string) string {
	ids := strings.NewReplacer()
	var pairs []string
	for k, v := range vars {
		if strings.HasPrefix(k, "TOKEN_ID_") {
			pairs = append(pairs, v, "${"+k+"}")
		}
	}
	if len(pairs) > 0 {
		ids = strings.NewReplacer(pairs...)
	}
	var lines []string
	for _, r := range srv.Requests() {
		path := r.Path
		if r.Query != "" {
			path += "?" + r.Query
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %d\n", r.Method, r.Host, ids.Replace(path), r.Status))
	}
	sort.Strings(lines)
	return normalise(strings.Join(lines, ""))
}

func TestCases(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "query.sql"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases found: %v", err)
	}
	for _, q := range dirs {
		dir := filepath.Dir(q)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			runCase(t, dir)
		})
	}
}

// caseRun is one run of a case directory.
type caseRun struct {
	env            *env
	query          []byte
	stdout, stderr string
	code           int
}

// runDir runs the case in dir against a fresh simulator, with extra
// arguments after the case's own.
func runDir(t *testing.T, dir string, extra ...string) *caseRun {
	var s setup
	if b, err := os.ReadFile(filepath.Join(dir, "setup.json")); err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("setup.json: %v", err)
		}
	}
	e := start(t, s)
	query, err := os.ReadFile(filepath.Join(dir, "query.sql"))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	e.vars["CASE_DIR"] = abs
	e.vars["OUT_FILE"] = filepath.Join(t.TempDir(), "out.txt")
	args := append(e.baseArgs(), readArgs(t, filepath.Join(dir, "args"), e.vars)...)
	var stdout, stderr bytes.Buffer
	code := cli.Run(append(args, extra...), bytes.NewReader(query), &stdout, &stderr, e.environ())
	return &caseRun{env: e, query: query, stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func runCase(t *testing.T, dir string) {
	r := runDir(t, dir)
	got := map[string]string{
		"stdout":   normalise(r.stdout),
		"stderr":   normalise(r.stderr),
		"exit":     strconv.Itoa(r.code) + "\n",
		"requests": requestLog(r.env.srv, r.env.vars),
	}
	for k, v := range got { // paths differ per checkout
		got[k] = strings.ReplaceAll(v, r.env.vars["CASE_DIR"], "${CASE_DIR}")
	}
	if b, err := os.ReadFile(r.env.vars["OUT_FILE"]); err == nil {
		got["outfile"] = normalise(string(b))
	} else {
		got["outfile"] = "(not written)\n"
	}
	if strings.Contains(r.stdout+r.stderr, r.env.bearer) && r.env.bearer != "" {
		t.Errorf("the bearer token appears in the output")
	}
	query := r.query
	for _, name := range []string{"stdout", "stderr", "exit", "requests", "outfile"} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); (name == "requests" || name == "outfile") && err != nil {
			continue // optional: only cases that assert on what was sent or written
		}
		if *update {
			if err := os.WriteFile(path, []byte(got[name]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got[name] != string(want) {
			t.Errorf("%s differs\n--- statement(s):\n%s\n--- want %s:\n%s\n--- got %s:\n%s", name, query, name, want, name, got[name])
		}
	}
}
