// Package cli is the command line around the harness, shaped like the
// StackQL CLI: `exec 'SQL'`, `exec -i file.sql` or statements on stdin, with
// the engine's --registry, --auth and --output flags.
//
// Unlike the engine it exits non-zero when a statement fails, with a status
// that tells a local mistake from a remote failure. It must not print a
// credential: errors and the --verbose trace pass through the engine's
// redaction.
package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"golang.org/x/term"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/render"
	"github.com/stackql-labs/databricks-tokens/test/harness/termtext"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// Exit statuses. Statements run in order and the first failure stops the
// script, so its status is that failure's; every statement is checked
// before anything is sent, so a statement error anywhere means nothing ran.
const (
	ExitOK          = 0
	ExitFailed      = 1   // a statement is wrong: syntax, unknown name, missing parameter, invalid value, unset credential
	ExitUsage       = 2   // bad flags or arguments, unreadable script or registry
	ExitRemote      = 3   // a request failed (an OAuth token request too): error status, network, TLS, timeout, redirect, unreadable response
	ExitInterrupted = 130 // SIGINT, as a shell reports a process it killed (128+2)
	defaultOutput   = "table"
	defaultTimeout  = 30 * time.Second
	defaultRetries  = 2
)

const usage = `usage: harness exec [flags] ['SQL' | -i FILE]   (statements on stdin when neither)

flags (the StackQL engine's where it has one):
  -i, --infile FILE             read the statements from FILE
  -f, --outfile FILE            write the results to FILE (as the engine's -f does; errors stay on stderr)
  -o, --output table|json|csv   output format (default table)
  -H, --hideheaders             leave out the header row (table, csv)
      --iqldata FILE            a JSON object whose keys fill Go-template placeholders {{ .name }}
      --var NAME=VALUE          fill the docs pages' {{ NAME }} placeholders (repeatable)
      --dryrun                  print each request (secrets masked) instead of sending it
      --registry JSON           provider registry, as the engine takes it:
                                '{"url":"file://<abs>/provider","localDocRoot":"<abs>/provider","verifyConfig":{"nopVerify":true}}'
                                (default: the provider/ directory of this repository)
      --auth JSON               per-provider auth, as the engine takes it:
                                '{"<provider>":{"type":"bearer","credentialsenvvar":"<ENV_VAR>"}}'
                                (default: each provider's config.auth)
      --profile NAME            take credentials from this profile of the credential source (the
                                harness command: configuration profiles of the API's own CLI, see README)
      --ca-file PATH            trust only the CA certificates in PATH (like curl --cacert)
      --resolve HOST:PORT=ADDR:PORT
                                connect to ADDR:PORT for HOST:PORT; HOST may be *.domain (repeatable)
      --insecure-skip-tls-verify
                                do not verify TLS certificates (never against a real workspace)
      --timeout DURATION        per-request timeout, from sending to the last byte (default 30s)
      --retries N               retries of a GET answered 429 or 503, after its Retry-After
                                (default 2); other requests are never retried
      --verbose                 trace each request and response on stderr (secrets masked)
      --echo                    print each statement before its result
      --keep-going              when some list requests of a SELECT fail (a parameter IN (...)),
                                print the rows of the others, report each failure on stderr, run the
                                rest of the script and exit 3; by default the first failure stops all

exit status: 0 every statement succeeded; 1 a statement is wrong (nothing after
it ran); 2 usage error; 3 a request failed (HTTP error, network, TLS, timeout);
130 interrupted. Execution stops at the first failure, whose status is returned
(with --keep-going, a SELECT's failed requests do not stop it; the status is 3).
When stderr is a terminal, a statement that sends several requests shows its
progress there.
`

// maxInput bounds a script and an --iqldata file: /dev/zero must not be
// read until memory runs out.
const maxInput = 16 << 20

type options struct {
	output      render.Format
	infile      string
	outfile     string
	iqldata     string
	sql         string
	hasSQL      bool
	vars        map[string]string
	registry    string
	auth        string
	caFile      string
	resolve     []resolveRule
	timeout     time.Duration
	retries     int
	echo        bool
	keepGoing   bool
	profile     string
	verbose     bool
	insecure    bool
	hideHeaders bool
	dryRun      bool
}

// Run runs the command line args (without the program name) and returns the
// exit status. env is the environment, as os.Environ returns it.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	return RunContext(context.Background(), args, stdin, stdout, stderr, env)
}

// CredentialSource opens the per-host credentials of a run (see
// harness.Credentials) from profile, the --profile flag ("" when it is not
// given), and the environment. It returns every secret it holds, which is
// masked from the start. A run without a source refuses --profile.
type CredentialSource func(profile string, getenv func(string) string) (creds harness.Credentials, secrets []string, err error)

// RunContext is Run with a context that cancels in-flight requests; the CLI
// cancels it on SIGINT and the run exits ExitInterrupted.
//
// Every line written to stderr is masked (credentials from the environment,
// values of the shapes the provider documents declare secret, whether or not
// a statement got as far as naming a service) and has its control
// characters escaped.
func RunContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	return RunWith(ctx, nil, args, stdin, stdout, stderr, env)
}

// RunWith is RunContext with the credential source --profile selects from.
func RunWith(ctx context.Context, src CredentialSource, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	// The registry is opened once, before the flags are checked, so that even
	// a usage error is masked with the secret shapes it declares.
	flags := rawFlags(args, "--registry", "--auth", "--profile")
	reg, regErr := openRegistry(flags["--registry"])
	early := earlyRedactor(reg, flags["--auth"], env)
	errs := &errorLine{w: stderr, red: []redactor{early}}
	var creds harness.Credentials
	if src != nil {
		c, secrets, err := src(flags["--profile"], lookup(env))
		for _, s := range secrets {
			early.AddSecret(s)
		}
		if err != nil {
			errs.print(err.Error())
			return ExitUsage
		}
		creds = c
	}
	opts, err := parseArgs(args)
	if err == nil && opts.profile != "" && src == nil {
		err = errors.New("--profile: this command reads no credential profiles")
	}
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	if err != nil {
		errs.print(err.Error() + " (see harness --help)")
		return ExitUsage
	}
	script, err := readScript(ctx, opts, stdin)
	if err != nil {
		if ctx.Err() != nil {
			errs.print("interrupted while reading the statements")
			return ExitInterrupted
		}
		errs.print(err.Error())
		return ExitUsage
	}
	if script, err = fillTemplates(opts, script); err != nil {
		errs.print(err.Error())
		return ExitFailed
	}
	out := stdout
	if opts.outfile != "" {
		f := &lazyFile{path: opts.outfile}
		defer f.Close()
		out = f
	}
	if regErr != nil {
		errs.print(regErr.Error())
		return ExitUsage
	}
	eng, code := engine(opts, reg, creds, errs, out, env)
	if eng == nil {
		return code
	}
	errs.red = append(errs.red, eng) // and what the engine learns as it runs
	err = eng.Exec(ctx, script, func(st *harness.Statement, r *harness.Result) error {
		return show(opts, eng, st, r, out, errs)
	})
	if err == nil {
		return ExitOK
	}
	code = exitCode(ctx, err)
	msg := err.Error()
	switch {
	case code == ExitInterrupted:
		msg = "interrupted: " + msg
	case isCertificateError(err):
		msg += " (trust its CA with --ca-file)"
	}
	errs.print(msg)
	return code
}

// errorLine writes one line to stderr, masked and escaped.
type errorLine struct {
	w   io.Writer
	red []redactor
}

type redactor interface{ Redact(string) string }

func (e *errorLine) print(s string) {
	for _, r := range e.red {
		s = r.Redact(s)
	}
	fmt.Fprintln(e.w, termtext.Safe(s))
}

// Write lets any-sdk's log lines through the same masking (one per call).
func (e *errorLine) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		e.print(line)
	}
	return len(p), nil
}

// rawFlags reads the values of the named flags from args, before (and
// whether or not) the arguments parse.
func rawFlags(args []string, names ...string) map[string]string {
	out := map[string]string{}
	for i, a := range args {
		for _, name := range names {
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				out[name] = v
			} else if a == name && i+1 < len(args) {
				out[name] = args[i+1]
			}
		}
	}
	return out
}

// earlyRedactor masks what is printed before the engine exists (a usage
// error can echo an argument holding a token): the secret shapes of the
// registry (or, when it cannot be opened, of this repository's), and the
// values of the environment variables its providers' auth, or --auth, read
// credentials from.
func earlyRedactor(reg *registry.Registry, authFlag string, env []string) *transport.Redactor {
	red := &transport.Redactor{}
	if reg == nil {
		reg, _ = openRegistry("")
	}
	var vars []string
	if reg != nil {
		red.AddPatterns(reg.SecretPatterns())
		vars = reg.CredentialVars()
	}
	var auth map[string]registry.Auth
	if json.Unmarshal([]byte(authFlag), &auth) == nil {
		for _, a := range auth {
			vars = append(vars, a.Vars()...)
		}
	}
	get := lookup(env)
	for _, name := range vars {
		red.AddSecret(get(name))
	}
	return red
}

// fillTemplates fills the docs pages' {{ name }} placeholders from --var
// and, with --iqldata, the engine's Go-template placeholders {{ .name }}
// from that file's JSON object.
func fillTemplates(o *options, script string) (string, error) {
	script, err := harness.FillPlaceholders(script, o.vars)
	if err != nil || o.iqldata == "" {
		return script, err
	}
	raw, err := readLimited(o.iqldata)
	if err != nil {
		return "", fmt.Errorf("--iqldata: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var data map[string]any
	if err := dec.Decode(&data); err != nil || data == nil || dec.More() {
		return "", fmt.Errorf("--iqldata %s: want one JSON object", o.iqldata)
	}
	t, err := template.New("script").Option("missingkey=error").Parse(script)
	if err != nil {
		return "", fmt.Errorf("--iqldata: %s", templateError(err))
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("--iqldata: %s", templateError(err))
	}
	return b.String(), nil
}

// templateError reads "template: script:3: ..." as "line 3: ...".
func templateError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "template: script:")
	if line, rest, ok := strings.Cut(msg, ":"); ok {
		if _, nerr := strconv.Atoi(line); nerr == nil {
			return "line " + line + ":" + rest
		}
	}
	return msg
}

// lazyFile is --outfile: created at the first result, so a script refused
// before it ran leaves no file behind.
type lazyFile struct {
	path string
	f    *os.File
}

func (l *lazyFile) Write(p []byte) (int, error) {
	if l.f == nil {
		f, err := os.Create(l.path)
		if err != nil {
			return 0, fmt.Errorf("-f/--outfile: %w", err)
		}
		l.f = f
	}
	return l.f.Write(p)
}

func (l *lazyFile) Close() {
	if l.f != nil {
		_ = l.f.Close()
	}
}

// engine builds the harness engine the options describe; on failure it has
// printed why and returns the exit status.
func engine(opts *options, reg *registry.Registry, creds harness.Credentials, errs *errorLine, out io.Writer, env []string) (*harness.Engine, int) {
	auth := map[string]registry.Auth{}
	if opts.auth != "" {
		dec := json.NewDecoder(strings.NewReader(opts.auth))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&auth); err != nil {
			errs.print("--auth: " + err.Error())
			return nil, ExitUsage
		}
	}
	client, err := httpClient(opts)
	if err != nil {
		errs.print(err.Error())
		return nil, ExitUsage
	}
	if opts.insecure {
		errs.print("warning: --insecure-skip-tls-verify: TLS certificates are not verified")
	}
	cfg := harness.Config{
		Registry: reg, Auth: auth, Credentials: creds, Getenv: lookup(env), Client: client,
		Timeout: opts.timeout, Retries: opts.retries,
		Log: errs,
	}
	if opts.verbose {
		cfg.Trace = errs.w
	}
	cfg.KeepGoing = opts.keepGoing
	if isTerminal(errs.w) && !opts.verbose {
		cfg.Progress = progressLine(errs.w)
	}
	if opts.dryRun {
		cfg.DryRun = out
	}
	return harness.New(cfg), ExitOK
}

// show prints one statement's result; a dry run has none to print.
func show(opts *options, eng *harness.Engine, st *harness.Statement, r *harness.Result, out io.Writer, errs *errorLine) error {
	if opts.echo {
		fmt.Fprintf(out, "%s;\n", eng.Redact(st.Text))
	}
	if opts.dryRun {
		return nil
	}
	if r.HasTable() {
		if err := render.Write(out, r.Result, render.Options{Format: opts.output, HideHeaders: opts.hideHeaders}); err != nil {
			return err
		}
	}
	for _, f := range r.Failures {
		errs.print(f.Error())
	}
	if r.Message != "" {
		if opts.echo {
			fmt.Fprintln(out, r.Message)
		} else {
			errs.print(r.Message)
		}
	}
	return nil
}

// isTerminal reports whether w is a terminal (a progress line would only
// clutter a file or a pipe).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressLine draws "requests: done/total" on one line of w, redrawn in
// place at most every 100 ms and erased when the last request is done.
func progressLine(w io.Writer) func(done, total int) {
	var last time.Time
	return func(done, total int) {
		switch {
		case done == total:
			fmt.Fprint(w, "\r\x1b[K")
		case time.Since(last) >= 100*time.Millisecond:
			last = time.Now()
			fmt.Fprintf(w, "\rrequests: %d/%d", done, total)
		}
	}
}

// exitCode classifies the failure that stopped a script.
func exitCode(ctx context.Context, err error) int {
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return ExitInterrupted
	case harness.IsRemote(err):
		return ExitRemote
	}
	return ExitFailed
}

func isCertificateError(err error) bool {
	var ce *tls.CertificateVerificationError
	return errors.As(err, &ce)
}

var errHelp = errors.New("help")

// parseArgs accepts flags before or after the SQL, as the engine does.
func parseArgs(args []string) (*options, error) {
	o := &options{output: defaultOutput, vars: map[string]string{}, timeout: defaultTimeout, retries: defaultRetries}
	if len(args) == 0 {
		return nil, errors.New("missing command (want exec)")
	}
	switch args[0] {
	case "exec":
	case "-h", "--help", "help":
		return nil, errHelp
	default:
		return nil, fmt.Errorf("unknown command %q (want exec)", args[0])
	}
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			for _, p := range rest[i+1:] {
				if err := o.positional(p); err != nil {
					return nil, err
				}
			}
			break
		}
		if !isFlag(a) {
			if err := o.positional(a); err != nil {
				return nil, err
			}
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takes := map[string]bool{"o": true, "output": true, "i": true, "infile": true, "f": true, "outfile": true,
			"iqldata": true, "var": true, "registry": true, "auth": true, "ca-file": true, "resolve": true, "profile": true,
			"timeout": true, "retries": true}
		switch {
		case name == "h" || name == "help":
			return nil, errHelp
		case name == "file":
			return nil, fmt.Errorf("unknown flag %s: read statements with -i/--infile; -f/--outfile writes the results", a)
		case name == "H" || name == "hideheaders":
			o.hideHeaders = true
			continue
		case name == "dryrun":
			o.dryRun = true
			continue
		case name == "echo":
			o.echo = true
			continue
		case name == "keep-going":
			o.keepGoing = true
			continue
		case name == "verbose":
			o.verbose = true
			continue
		case name == "insecure-skip-tls-verify":
			o.insecure = true
			continue
		case !takes[name]:
			return nil, fmt.Errorf("unknown flag %s", a)
		}
		if !hasVal {
			if i+1 >= len(rest) {
				return nil, fmt.Errorf("flag %s needs a value", a)
			}
			i++
			val = rest[i]
		}
		if err := o.set(name, val); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// isFlag tells a flag from SQL that starts with a "--" comment: a flag's
// name is letters, digits and hyphens only.
func isFlag(a string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	if !strings.HasPrefix(a, "-") || name == "" {
		return false
	}
	for _, r := range name {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (o *options) positional(p string) error {
	if o.hasSQL {
		return fmt.Errorf("unexpected argument %q (quote the SQL as one argument)", p)
	}
	o.sql, o.hasSQL = p, true
	return nil
}

func (o *options) set(name, val string) error {
	var err error
	switch name {
	case "o", "output":
		o.output, err = render.ParseFormat(val)
	case "i", "infile":
		o.infile = val
	case "f", "outfile":
		o.outfile = val
	case "iqldata":
		o.iqldata = val
	case "var":
		k, v, ok := strings.Cut(val, "=")
		if !ok || k == "" {
			return fmt.Errorf("--var %q: want NAME=VALUE", val)
		}
		o.vars[k] = v
	case "registry":
		o.registry = val
	case "auth":
		o.auth = val
	case "profile":
		o.profile = val
	case "ca-file":
		o.caFile = val
	case "resolve":
		r, perr := parseResolve(val)
		if perr != nil {
			return perr
		}
		o.resolve = append(o.resolve, r)
	case "timeout":
		o.timeout, err = time.ParseDuration(val)
		if err == nil && o.timeout <= 0 {
			err = errors.New("must be positive")
		}
		if err != nil {
			err = fmt.Errorf("--timeout %q: %v", val, err)
		}
	case "retries":
		o.retries, err = strconv.Atoi(val)
		if err != nil || o.retries < 0 {
			err = fmt.Errorf("--retries %q: want a number >= 0", val)
		}
	}
	return err
}

func readScript(ctx context.Context, o *options, stdin io.Reader) (string, error) {
	if o.outfile != "" && o.infile != "" {
		if a, b := filepath.Clean(o.infile), filepath.Clean(o.outfile); a == b || sameFile(a, b) {
			return "", fmt.Errorf("-f/--outfile %s is the script -i/--infile reads: -f writes the results, as in the engine", o.outfile)
		}
	}
	switch {
	case o.hasSQL && o.infile != "":
		return "", errors.New("give the SQL as an argument or with -i, not both")
	case o.hasSQL && o.sql != "-":
		if len(o.sql) > maxInput {
			return "", fmt.Errorf("the SQL argument is larger than %d MiB", maxInput>>20)
		}
		return o.sql, nil
	case o.infile != "":
		s, err := readLimited(o.infile)
		if err != nil {
			return "", fmt.Errorf("-i/--infile: %w", err)
		}
		return s, nil
	}
	if stdin == nil {
		return "", errors.New("no statements: give SQL, -i FILE or stdin")
	}
	s, err := readAll(ctx, io.LimitReader(stdin, maxInput+1))
	if err == nil && len(s) > maxInput {
		err = fmt.Errorf("the statements on stdin are larger than %d MiB", maxInput>>20)
	}
	return s, err
}

// readLimited reads a file of at most maxInput bytes (a FIFO too, as
// process substitution gives one).
func readLimited(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxInput {
		return "", fmt.Errorf("%s is larger than %d MiB", path, maxInput>>20)
	}
	return string(b), nil
}

func sameFile(a, b string) bool {
	x, err1 := os.Stat(a)
	y, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(x, y)
}

// readAll reads r until EOF or until ctx is cancelled: Ctrl-C must end a
// CLI waiting on a terminal. The read is abandoned, not stopped; the
// process exits right after.
func readAll(ctx context.Context, r io.Reader) (string, error) {
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		b, err := io.ReadAll(r)
		done <- read{b, err}
	}()
	select {
	case rd := <-done:
		return string(rd.b), rd.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func lookup(env []string) func(string) string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// openRegistry opens --registry or, by default, the provider/ directory of
// the repository the working directory is in.
func openRegistry(flag string) (*registry.Registry, error) {
	if flag != "" {
		cfg, err := registry.ParseConfig(flag)
		if err != nil {
			return nil, err
		}
		root, err := cfg.Root()
		if err != nil {
			return nil, err
		}
		return registry.Open(root)
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root, err := registry.Discover(dir)
	if err != nil {
		return nil, err
	}
	return registry.Open(root)
}

// resolveRule maps HOST:PORT (HOST may be *.domain) to ADDR:PORT.
type resolveRule struct {
	host, port, addr string
}

func parseResolve(s string) (resolveRule, error) {
	from, to, ok := strings.Cut(s, "=")
	host, port, err1 := net.SplitHostPort(from)
	_, _, err2 := net.SplitHostPort(to)
	if !ok || err1 != nil || err2 != nil || host == "" {
		return resolveRule{}, fmt.Errorf("--resolve %q: want HOST:PORT=ADDR:PORT", s)
	}
	return resolveRule{host: strings.ToLower(host), port: port, addr: to}, nil
}

func (r resolveRule) match(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || (r.port != "*" && port != r.port) {
		return false
	}
	host = strings.ToLower(host)
	if suffix, ok := strings.CutPrefix(r.host, "*"); ok {
		return strings.HasSuffix(host, suffix) && len(host) > len(suffix)
	}
	return host == r.host
}

func httpClient(o *options) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	// HTTP/1.1: a CLI makes a few requests per host, and a fresh HTTP/2
	// connection costs an extra exchange (settings, window updates) on a list
	// of hundreds of items.
	tr.ForceAttemptHTTP2 = false
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	// A fresh TLS config, never DefaultTransport's: once that transport has
	// been used its config offers h2, which the line above cannot speak.
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.insecure}
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s: no PEM certificates", o.caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	if len(o.resolve) > 0 {
		rules := o.resolve
		dialer := &net.Dialer{Timeout: 10 * time.Second}
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			for _, r := range rules {
				if r.match(addr) {
					return dialer.DialContext(ctx, network, r.addr)
				}
			}
			return dialer.DialContext(ctx, network, addr)
		}
	}
	// No Client.Timeout: the engine times each request itself, so that its
	// error can name the request and the limit.
	return &http.Client{Transport: tr}, nil
}
