// Command sim runs the Databricks workspace simulator until SIGINT or SIGTERM, for
// poking at it by hand or pointing another process at it.
//
//	go run ./test/sim/cmd/sim -workspace dbc-abcd0123-a1bc,adb-1234567890123456.7.azuredatabricks.net \
//	    -admin -seed count=3 -seed legacy,comment=old \
//	    -principal id=ci-robot,secret=s3cr3t,role=admin \
//	    -fault status=503,path=/api/2.0/token/list,times=2 -token-ttl 10m
//
// It prints the listener address, the CA file (in a temporary directory removed on
// exit, unless -ca-file names one), a ready bearer token per workspace and a curl
// command that lists that user's tokens, each service principal's client ID and secret
// with curl commands that get an access token, and the command lines for the StackQL
// engine (through a CONNECT proxy) and for the harness (go run ./test/cmd/harness).
// The bearer tokens and secrets are local test credentials, so printing them is
// intended. It must not be used as a real endpoint: it keeps everything in memory and
// trusts nothing but its own CA.
//
// Flags:
//
//	-addr ADDR          listen address (default 127.0.0.1:0)
//	-plain              serve plain HTTP instead of TLS
//	-ca-file PATH       where to write the CA certificate
//	-workspace HOST     a workspace to serve: an AWS deployment name (dbc-x, short for
//	                    dbc-x.cloud.databricks.com) or a host of any cloud
//	                    (adb-<id>.<n>.azuredatabricks.net, <id>.<n>.gcp.databricks.com);
//	                    repeat or comma-separate
//	-user NAME          the user of the printed bearer tokens (default user@example.com)
//	-admin              make that user a workspace admin in every workspace
//	-account-id UUID    the account of every workspace and service principal
//	-token-ttl DURATION lifetime of OAuth access tokens, whole seconds (default 1h)
//	-seed SPEC          seed tokens for the user (repeatable)
//	-principal SPEC     a service principal with an OAuth secret (repeatable)
//	-fault SPEC         queue a fault (repeatable)
//
// A SPEC is comma-separated keys, each KEY=VALUE or a bare KEY for a switch; a value
// cannot hold a comma. workspace=HOST may be repeated and, when absent, means every
// workspace:
//
//	-seed      count=N (1-600, default 1), legacy (tokens that never expire,
//	           expiry_time -1), comment=TEXT, workspace=HOST
//	-principal id=CLIENT_ID, secret=SECRET (both required), name=NAME,
//	           role=user|admin (default user), workspace=HOST
//	-fault     status=CODE (200-599), delay=DURATION, drop, truncate, nonjson (at
//	           least one of these), workspace=HOST (one; an account console host
//	           too), method=METHOD, path=/PATH, times=N (default 1; -1 every request)
//
// Every invalid flag is a one-line error naming the flag and its value, with
// secret=… masked.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

const defaultWorkspace = "dbc-abcd0123-a1bc"

// accountConsoles are the account hosts, by cloud, as the simulator serves them.
var accountConsoles = map[sim.Cloud]string{
	sim.AWS:   "accounts.cloud.databricks.com",
	sim.Azure: "accounts.azuredatabricks.net",
	sim.GCP:   "accounts.gcp.databricks.com",
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sim:", err)
		os.Exit(1)
	}
}

// options are the command-line flags.
type options struct {
	addr       string
	plain      bool
	caFile     string
	workspaces []string
	user       string
	admin      bool
	accountID  string
	tokenTTL   time.Duration
	seeds      []seedSpec
	principals []principalSpec
	faults     []faultSpec
}

// seedSpec is one -seed.
type seedSpec struct {
	spec       string // as given, for errors and the banner
	count      int
	legacy     bool
	comment    string
	workspaces []string // none: every workspace
}

// principalSpec is one -principal.
type principalSpec struct {
	spec       string // as given, secret masked
	id, secret string
	name       string
	admin      bool
	workspaces []string // none: every workspace
}

// faultSpec is one -fault.
type faultSpec struct {
	spec  string
	fault sim.Fault
}

// workspaceList collects -workspace, repeated or comma-separated.
type workspaceList []string

func (l *workspaceList) String() string { return strings.Join(*l, ",") }

func (l *workspaceList) Set(v string) error {
	for name := range strings.SplitSeq(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			*l = append(*l, name)
		}
	}
	return nil
}

// specList collects a repeatable SPEC flag as given. It never fails: the flag package
// would quote the value, secret and all, in its error, so specs are checked after
// parsing, by parseFlags.
type specList []string

func (l *specList) String() string { return strings.Join(*l, " ") }

func (l *specList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

var accountIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var workspaces workspaceList
	var seeds, principals, faults specList
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address")
	fs.BoolVar(&o.plain, "plain", false, "serve plain HTTP instead of TLS")
	fs.StringVar(&o.caFile, "ca-file", "", "where to write the CA certificate (PEM) (default a file in a new temporary directory, removed on exit)")
	fs.Var(&workspaces, "workspace", "`HOST` to serve: an AWS deployment name or a workspace host of any cloud; repeat or comma-separate (default "+defaultWorkspace+")")
	fs.StringVar(&o.user, "user", "user@example.com", "user the printed bearer tokens belong to")
	fs.BoolVar(&o.admin, "admin", false, "make -user a workspace admin in every workspace")
	fs.StringVar(&o.accountID, "account-id", sim.DefaultAccountID, "account of every workspace and service principal (a lowercase UUID)")
	fs.DurationVar(&o.tokenTTL, "token-ttl", time.Hour, "lifetime of OAuth access tokens (whole seconds)")
	fs.Var(&seeds, "seed", "seed tokens for -user; `SPEC` is count=N,legacy,comment=TEXT,workspace=HOST (repeatable)")
	fs.Var(&principals, "principal", "a service principal with an OAuth secret; `SPEC` is id=CLIENT_ID,secret=SECRET,name=NAME,role=user|admin,workspace=HOST (repeatable)")
	fs.Var(&faults, "fault", "queue a fault; `SPEC` is status=CODE,delay=DURATION,drop,truncate,nonjson,workspace=HOST,method=M,path=/P,times=N (repeatable)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.workspaces = workspaces
	if len(o.workspaces) == 0 {
		o.workspaces = []string{defaultWorkspace}
	}
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		return options{}, fmt.Errorf("-addr %q: want HOST:PORT, such as 127.0.0.1:0", o.addr)
	}
	if strings.TrimSpace(o.user) == "" {
		return options{}, fmt.Errorf("-user %q: want a user name", o.user)
	}
	if !accountIDRE.MatchString(o.accountID) {
		return options{}, fmt.Errorf("-account-id %q: want a lowercase UUID", o.accountID)
	}
	if o.tokenTTL < time.Second || o.tokenTTL%time.Second != 0 {
		return options{}, fmt.Errorf("-token-ttl %q: want a whole number of seconds, at least 1s", o.tokenTTL.String())
	}
	for _, s := range seeds {
		spec, err := parseSeed(s)
		if err != nil {
			return options{}, fmt.Errorf("-seed %q: %w", s, err)
		}
		o.seeds = append(o.seeds, spec)
	}
	for _, s := range principals {
		spec, err := parsePrincipal(s)
		if err != nil {
			return options{}, fmt.Errorf("-principal %q: %w", maskSecret(s), err)
		}
		o.principals = append(o.principals, spec)
	}
	for _, s := range faults {
		spec, err := parseFault(s)
		if err != nil {
			return options{}, fmt.Errorf("-fault %q: %w", s, err)
		}
		o.faults = append(o.faults, spec)
	}
	return o, nil
}

// field is one KEY[=VALUE] of a SPEC.
type field struct {
	key, value string
	hasValue   bool
}

// keyKind says what a SPEC key takes.
type keyKind int

const (
	valueOnce  keyKind = iota // KEY=VALUE, at most once
	valueMany                 // KEY=VALUE, repeatable
	switchOnce                // bare KEY
)

// splitSpec splits a SPEC into fields and checks each key against keys.
func splitSpec(spec string, keys map[string]keyKind) ([]field, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("empty")
	}
	seen := map[string]bool{}
	var out []field
	for part := range strings.SplitSeq(spec, ",") {
		k, v, has := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		kind, ok := keys[k]
		switch {
		case k == "":
			return nil, errors.New("a field has no key")
		case !ok:
			return nil, fmt.Errorf("unknown key %q (want %s)", k, keyNames(keys))
		case kind == switchOnce && has:
			return nil, fmt.Errorf("%s takes no value", k)
		case kind != switchOnce && !has:
			return nil, fmt.Errorf("%s needs a value: %s=…", k, k)
		case kind != valueMany && seen[k]:
			return nil, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		out = append(out, field{key: k, value: v, hasValue: has})
	}
	return out, nil
}

func keyNames(keys map[string]keyKind) string {
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// maxSeed is the most tokens one -seed creates: a user's default quota.
const maxSeed = 600

func parseSeed(spec string) (seedSpec, error) {
	fields, err := splitSpec(spec, map[string]keyKind{"count": valueOnce, "legacy": switchOnce, "comment": valueOnce, "workspace": valueMany})
	if err != nil {
		return seedSpec{}, err
	}
	s := seedSpec{spec: spec, count: 1}
	for _, f := range fields {
		switch f.key {
		case "count":
			n, err := strconv.Atoi(f.value)
			if err != nil || n < 1 || n > maxSeed {
				return seedSpec{}, fmt.Errorf("count %q: want a number from 1 to %d", f.value, maxSeed)
			}
			s.count = n
		case "legacy":
			s.legacy = true
		case "comment":
			if n := utf8.RuneCountInString(f.value); n > sim.MaxCommentLength {
				return seedSpec{}, fmt.Errorf("comment of %d characters: at most %d", n, sim.MaxCommentLength)
			}
			s.comment = f.value
		case "workspace":
			s.workspaces = append(s.workspaces, f.value)
		}
	}
	return s, nil
}

var secretRE = regexp.MustCompile(`(^|,)(\s*secret=)[^,]*`)

// maskSecret is a -principal SPEC with the secret's value replaced by "***".
func maskSecret(spec string) string { return secretRE.ReplaceAllString(spec, "${1}${2}***") }

func parsePrincipal(spec string) (principalSpec, error) {
	fields, err := splitSpec(spec, map[string]keyKind{"id": valueOnce, "secret": valueOnce, "name": valueOnce, "role": valueOnce, "workspace": valueMany})
	if err != nil {
		return principalSpec{}, err
	}
	p := principalSpec{spec: maskSecret(spec)}
	for _, f := range fields {
		switch f.key {
		case "id":
			p.id = f.value
		case "secret":
			p.secret = f.value
		case "name":
			p.name = f.value
		case "role":
			switch f.value {
			case "user":
			case "admin":
				p.admin = true
			default:
				return principalSpec{}, fmt.Errorf("role %q: want user or admin", f.value)
			}
		case "workspace":
			p.workspaces = append(p.workspaces, f.value)
		}
	}
	bad := func(s string) bool {
		return s == "" || strings.IndexFunc(s, unicode.IsControl) >= 0 || strings.ContainsAny(s, " \t")
	}
	switch {
	case bad(p.id):
		return principalSpec{}, errors.New("id=CLIENT_ID is required, without spaces")
	case bad(p.secret):
		return principalSpec{}, errors.New("secret=SECRET is required, without spaces")
	}
	return p, nil
}

var methodRE = regexp.MustCompile(`^[A-Z]+$`)

func parseFault(spec string) (faultSpec, error) {
	fields, err := splitSpec(spec, map[string]keyKind{
		"status": valueOnce, "delay": valueOnce, "drop": switchOnce, "truncate": switchOnce, "nonjson": switchOnce,
		"workspace": valueOnce, "method": valueOnce, "path": valueOnce, "times": valueOnce,
	})
	if err != nil {
		return faultSpec{}, err
	}
	var f sim.Fault
	for _, fl := range fields {
		switch fl.key {
		case "status":
			n, err := strconv.Atoi(fl.value)
			if err != nil || n < 200 || n > 599 {
				return faultSpec{}, fmt.Errorf("status %q: want an HTTP status from 200 to 599", fl.value)
			}
			f.Status = n
		case "delay":
			d, err := time.ParseDuration(fl.value)
			if err != nil || d <= 0 {
				return faultSpec{}, fmt.Errorf("delay %q: want a positive duration such as 2s", fl.value)
			}
			f.Delay = d
		case "drop":
			f.Drop = true
		case "truncate":
			f.Truncate = true
		case "nonjson":
			f.NonJSON = true
		case "workspace":
			if fl.value == "" {
				return faultSpec{}, errors.New("workspace needs a host")
			}
			f.Workspace = fl.value
		case "method":
			m := strings.ToUpper(fl.value)
			if !methodRE.MatchString(m) {
				return faultSpec{}, fmt.Errorf("method %q: want an HTTP method such as GET", fl.value)
			}
			f.Method = m
		case "path":
			if !strings.HasPrefix(fl.value, "/") {
				return faultSpec{}, fmt.Errorf("path %q: want a URL path starting with /", fl.value)
			}
			f.Path = fl.value
		case "times":
			n, err := strconv.Atoi(fl.value)
			if err != nil || n == 0 || n < -1 {
				return faultSpec{}, fmt.Errorf("times %q: want a positive number, or -1 for every request", fl.value)
			}
			f.Times = n
		}
	}
	switch {
	case f.Status == 0 && f.Delay == 0 && !f.Drop && !f.Truncate && !f.NonJSON:
		return faultSpec{}, errors.New("want at least one of status=CODE, delay=DURATION, drop, truncate, nonjson")
	case f.Drop && (f.Status != 0 || f.Truncate || f.NonJSON):
		return faultSpec{}, errors.New("drop sends no response: it cannot have a status, truncate or nonjson")
	}
	return faultSpec{spec: spec, fault: f}, nil
}

// served is one workspace as start set it up.
type served struct {
	ws     *sim.Workspace
	bearer string
	seeded int
	legacy int
	sps    []string // "<role> <client id>" of the principals assigned to it
}

// start serves the workspaces and returns the server and the text telling a user how
// to reach it.
func start(o options) (*sim.Server, string, error) {
	cfg := sim.Config{Addr: o.addr, Plain: o.plain, AccessTokenTTL: o.tokenTTL}
	if !o.plain {
		cfg.CAFile = o.caFile
	}
	srv, err := sim.Start(cfg)
	var pathErr *fs.PathError
	var netErr *net.OpError
	switch {
	case errors.As(err, &pathErr):
		return nil, "", fmt.Errorf("-ca-file %q: %w", o.caFile, err)
	case errors.As(err, &netErr):
		return nil, "", fmt.Errorf("-addr %q: %w", o.addr, err)
	case err != nil:
		return nil, "", err
	}
	banner, err := setUp(srv, o)
	if err != nil {
		_ = srv.Close()
		return nil, "", err
	}
	return srv, banner, nil
}

// setUp adds what the flags ask for to srv and returns the banner.
func setUp(srv *sim.Server, o options) (string, error) {
	var all []*served
	for _, name := range o.workspaces {
		ws, err := srv.AddWorkspace(name, sim.WorkspaceOptions{AccountID: o.accountID})
		if err != nil {
			return "", fmt.Errorf("-workspace %q: %w", name, err)
		}
		s := &served{ws: ws}
		if o.admin {
			s.bearer = ws.AddAdmin(o.user)
		} else {
			s.bearer = ws.AddUser(o.user)
		}
		all = append(all, s)
	}
	// pick resolves a spec's workspace=… list to served workspaces; none is all.
	pick := func(flagName, spec string, names []string) ([]*served, error) {
		if len(names) == 0 {
			return all, nil
		}
		var out []*served
		for _, n := range names {
			ws := srv.Workspace(n)
			i := indexOf(all, ws)
			if ws == nil || i < 0 {
				return nil, fmt.Errorf("-%s %q: workspace %q is not served (add it with -workspace)", flagName, spec, n)
			}
			out = append(out, all[i])
		}
		return out, nil
	}

	for _, p := range o.principals {
		targets, err := pick("principal", p.spec, p.workspaces)
		if err != nil {
			return "", err
		}
		if err := srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: p.id, Secret: p.secret, AccountID: o.accountID, Name: p.name}); err != nil {
			return "", fmt.Errorf("-principal %q: %s", p.spec, strings.ReplaceAll(err.Error(), p.secret, "***"))
		}
		role, roleName := sim.RolePlainUser, "user"
		if p.admin {
			role, roleName = sim.RoleAdmin, "admin"
		}
		for _, s := range targets {
			if err := s.ws.Assign(p.id, role); err != nil {
				return "", fmt.Errorf("-principal %q: %w", p.spec, err)
			}
			s.sps = append(s.sps, roleName+" "+p.id)
		}
	}
	for _, sd := range o.seeds {
		targets, err := pick("seed", sd.spec, sd.workspaces)
		if err != nil {
			return "", err
		}
		for _, s := range targets {
			if sd.legacy {
				for range sd.count {
					s.ws.SeedLegacyToken(s.bearer, sd.comment)
				}
				s.legacy += sd.count
				continue
			}
			if err := s.ws.SeedTokens(s.bearer, sd.count, sd.comment); err != nil {
				return "", fmt.Errorf("-seed %q: %w", sd.spec, err)
			}
			s.seeded += sd.count
		}
	}
	for _, f := range o.faults {
		if w := f.fault.Workspace; w != "" && srv.Workspace(w) == nil && !isAccountConsole(w) {
			return "", fmt.Errorf("-fault %q: workspace %q is not served (add it with -workspace, or name an account console)", f.spec, w)
		}
		srv.Inject(f.fault)
	}
	return banner(srv, o, all)
}

func indexOf(all []*served, ws *sim.Workspace) int {
	for i, s := range all {
		if s.ws == ws {
			return i
		}
	}
	return -1
}

func isAccountConsole(host string) bool {
	for _, h := range accountConsoles {
		if strings.EqualFold(strings.TrimSuffix(host, "."), h) {
			return true
		}
	}
	return false
}

// banner is the text telling a user how to reach srv.
func banner(srv *sim.Server, o options, all []*served) (string, error) {
	var b strings.Builder
	scheme, caArg := "http", ""
	if o.plain {
		fmt.Fprintf(&b, "databricks workspace simulator listening on %s (plain HTTP)\n", srv.Addr())
	} else {
		scheme, caArg = "https", "--cacert "+shellQuote(o.caFile)+" "
		fmt.Fprintf(&b, "databricks workspace simulator listening on %s (TLS)\n", srv.Addr())
		fmt.Fprintf(&b, "CA certificate: %s\n", o.caFile)
	}
	fmt.Fprintf(&b, "account %s; OAuth access tokens live %ds\n", o.accountID, int64(o.tokenTTL/time.Second))
	// resolve is curl's --resolve for host and the listener, and the URL to use with it.
	resolve := func(host, path string) string {
		return fmt.Sprintf("%s--resolve %s:%d:127.0.0.1 %s://%s:%d%s", caArg, host, srv.Port(), scheme, host, srv.Port(), path)
	}
	role := "user"
	if o.admin {
		role = "admin"
	}
	for _, s := range all {
		fmt.Fprintf(&b, "\nworkspace %s\n", s.ws.Host())
		fmt.Fprintf(&b, "  user:   %s (%s)\n", o.user, role)
		fmt.Fprintf(&b, "  bearer: %s\n", s.bearer)
		if s.seeded+s.legacy > 0 {
			fmt.Fprintf(&b, "  seeded: %d tokens, %d legacy (expiry_time -1)\n", s.seeded, s.legacy)
		}
		if len(s.sps) > 0 {
			fmt.Fprintf(&b, "  service principals: %s\n", strings.Join(s.sps, ", "))
		}
		fmt.Fprintf(&b, "  curl %s--resolve %s:%d:127.0.0.1 -H 'Authorization: Bearer %s' %s://%s:%d%s\n",
			caArg, s.ws.Host(), srv.Port(), s.bearer, scheme, s.ws.Host(), srv.Port(), sim.PathList)
	}

	// firstHost is the first workspace a principal is in.
	firstHost := func(p principalSpec) *sim.Workspace {
		if len(p.workspaces) == 0 {
			return all[0].ws
		}
		return srv.Workspace(p.workspaces[0])
	}
	for _, p := range o.principals {
		ws := firstHost(p)
		console := accountConsoles[ws.Cloud()]
		cred := "-u " + shellQuote(p.id+":"+p.secret) + " -d grant_type=client_credentials -d scope=all-apis"
		fmt.Fprintf(&b, "\nservice principal %s (client ID), OAuth M2M\n", p.id)
		fmt.Fprintf(&b, "  DATABRICKS_CLIENT_ID=%s DATABRICKS_CLIENT_SECRET=%s\n", shellQuote(p.id), shellQuote(p.secret))
		fmt.Fprintf(&b, "  workspace token: curl %s %s\n", cred, resolve(ws.Host(), sim.PathOAuthToken))
		fmt.Fprintf(&b, "  account token:   curl %s %s\n", cred, resolve(console, "/oidc/accounts/"+o.accountID+"/v1/token"))
	}
	if len(o.faults) > 0 {
		fmt.Fprintf(&b, "\nfaults queued:\n")
		for _, f := range o.faults {
			fmt.Fprintf(&b, "  %s\n", f.spec)
		}
	}

	if !o.plain {
		proxy, err := srv.StartProxy()
		if err != nil {
			return "", err
		}
		srv.OnClose(func() { proxy.Close() })
		first := all[0]
		provider, _ := filepath.Abs("provider")
		sql := fmt.Sprintf(`"SELECT token_id, comment, creation_time, expiry_time FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '%s'"`, first.ws.Host())
		registry := fmt.Sprintf(`--registry='{"url":"file://%s","localDocRoot":"%s","verifyConfig":{"nopVerify":true}}'`, provider, provider)
		bearerAuth := `'{"databricks_workspace":{"type":"bearer","credentialsenvvar":"DATABRICKS_TOKEN"}}'`
		engineTail := fmt.Sprintf("--tls.CABundle=%s --http.proxy.host=127.0.0.1 --http.proxy.port=%d", shellQuote(o.caFile), proxy.Port())
		fmt.Fprintf(&b, "\nCONNECT proxy for other programs: %s\n", proxy.Addr())
		fmt.Fprintf(&b, "  the StackQL engine, from this repository:\n")
		fmt.Fprintf(&b, "  DATABRICKS_TOKEN=%s stackql exec %s \\\n", first.bearer, sql)
		fmt.Fprintf(&b, "    %s \\\n", registry)
		fmt.Fprintf(&b, "    --auth=%s \\\n", bearerAuth)
		fmt.Fprintf(&b, "    %s\n", engineTail)

		var oauthEnv, oauthAuth, oauthSQL, oauthResolve string
		if len(o.principals) > 0 {
			p := o.principals[0]
			ws := firstHost(p)
			oauthEnv = fmt.Sprintf("DATABRICKS_CLIENT_ID=%s DATABRICKS_CLIENT_SECRET=%s", shellQuote(p.id), shellQuote(p.secret))
			oauthAuth = fmt.Sprintf(`'{"databricks_workspace":{"type":"oauth2","client_id_env_var":"DATABRICKS_CLIENT_ID","client_secret_env_var":"DATABRICKS_CLIENT_SECRET","grant_type":"client_credentials","token_url":"https://%s%s","scopes":["all-apis"]}}'`, ws.Host(), sim.PathOAuthToken)
			oauthSQL = fmt.Sprintf(`"SELECT token_id, comment, creation_time, expiry_time FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '%s'"`, ws.Host())
			oauthResolve = fmt.Sprintf("--resolve %s:443=127.0.0.1:%d", ws.Host(), srv.Port())
			fmt.Fprintf(&b, "  the same as service principal %s (OAuth client credentials):\n", p.id)
			fmt.Fprintf(&b, "  %s stackql exec %s \\\n", oauthEnv, oauthSQL)
			fmt.Fprintf(&b, "    %s \\\n", registry)
			fmt.Fprintf(&b, "    --auth=%s \\\n", oauthAuth)
			fmt.Fprintf(&b, "    %s\n", engineTail)
		}
		fmt.Fprintf(&b, "\nthe harness (go run ./test/cmd/harness), from this repository:\n")
		fmt.Fprintf(&b, "  DATABRICKS_TOKEN=%s go run ./test/cmd/harness exec --ca-file %s --resolve %s:443=127.0.0.1:%d %s\n",
			first.bearer, shellQuote(o.caFile), first.ws.Host(), srv.Port(), sql)
		if oauthEnv != "" {
			fmt.Fprintf(&b, "  %s go run ./test/cmd/harness exec --ca-file %s %s \\\n    --auth %s \\\n    %s\n",
				oauthEnv, shellQuote(o.caFile), oauthResolve, oauthAuth, oauthSQL)
		}
	}
	b.WriteString("\nstop with Ctrl-C\n")
	return b.String(), nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if !o.plain && o.caFile == "" {
		// A directory per run: a shared default path would let a second instance
		// overwrite the CA that the first one's printed commands point at.
		dir, err := os.MkdirTemp("", "databricks-sim-")
		if err != nil {
			return fmt.Errorf("ca file: %w", err)
		}
		defer os.RemoveAll(dir)
		o.caFile = filepath.Join(dir, "ca.pem")
	}
	srv, banner, err := start(o)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, banner)
	<-ctx.Done()
	return srv.Close()
}

// shellQuote quotes a word for the printed command line when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '@' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
