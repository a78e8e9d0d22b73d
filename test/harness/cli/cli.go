// Package cli is the command line around the harness, shaped like the
// StackQL CLI: `exec 'SQL'`, `exec -f file.sql` or statements on stdin, with
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
	"strconv"
	"strings"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/render"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// Exit statuses. Statements run in order and the first failure stops the
// script, so its status is that failure's; every statement is checked
// before anything is sent, so a statement error anywhere means nothing ran.
const (
	ExitOK          = 0
	ExitFailed      = 1   // a statement is wrong: syntax, unknown name, missing parameter, invalid value, unset credential
	ExitUsage       = 2   // bad flags or arguments, unreadable script or registry
	ExitRemote      = 3   // a request failed: error status, network, TLS, timeout, redirect, unreadable response
	ExitInterrupted = 130 // SIGINT, as a shell reports a process it killed (128+2)
	defaultOutput   = "table"
	defaultTimeout  = 30 * time.Second
	defaultRetries  = 2
)

const usage = `usage: harness exec [flags] ['SQL' | -f FILE]   (statements on stdin when neither)

flags:
  -o, --output table|json|csv   output format (default table)
  -f, --file FILE               read statements from FILE
      --var NAME=VALUE          fill {{ NAME }} placeholders (repeatable)
      --registry JSON           provider registry, as the engine takes it:
                                '{"url":"file://<abs>/provider","localDocRoot":"<abs>/provider","verifyConfig":{"nopVerify":true}}'
                                (default: the provider/ directory of this repository)
      --auth JSON               per-provider auth, as the engine takes it:
                                '{"<provider>":{"type":"bearer","credentialsenvvar":"<ENV_VAR>"}}'
                                (default: each provider's config.auth)
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

exit status: 0 every statement succeeded; 1 a statement is wrong (nothing after
it ran); 2 usage error; 3 a request failed (HTTP error, network, TLS, timeout);
130 interrupted. Execution stops at the first failure, whose status is returned.
`

type options struct {
	output   render.Format
	file     string
	sql      string
	hasSQL   bool
	vars     map[string]string
	registry string
	auth     string
	caFile   string
	resolve  []resolveRule
	timeout  time.Duration
	retries  int
	echo     bool
	verbose  bool
	insecure bool
}

// Run runs the command line args (without the program name) and returns the
// exit status. env is the environment, as os.Environ returns it.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	return RunContext(context.Background(), args, stdin, stdout, stderr, env)
}

// RunContext is Run with a context that cancels in-flight requests; the CLI
// cancels it on SIGINT and the run exits ExitInterrupted.
func RunContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	opts, err := parseArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "%v (see harness --help)\n", err)
		return ExitUsage
	}
	script, err := readScript(ctx, opts, stdin)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "interrupted while reading the statements")
			return ExitInterrupted
		}
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	eng, code := engine(opts, stderr, env)
	if eng == nil {
		return code
	}
	err = eng.Exec(ctx, script, func(st *harness.Statement, r *harness.Result) error {
		return show(opts, eng, st, r, stdout, stderr)
	})
	if err == nil {
		return ExitOK
	}
	code = exitCode(ctx, err)
	msg := eng.Redact(err.Error())
	switch {
	case code == ExitInterrupted:
		msg = "interrupted: " + msg
	case isCertificateError(err):
		msg += " (trust its CA with --ca-file)"
	}
	fmt.Fprintln(stderr, msg)
	return code
}

// engine builds the harness engine the options describe; on failure it has
// printed why and returns the exit status.
func engine(opts *options, stderr io.Writer, env []string) (*harness.Engine, int) {
	reg, err := openRegistry(opts.registry)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, ExitUsage
	}
	auth := map[string]registry.Auth{}
	if opts.auth != "" {
		dec := json.NewDecoder(strings.NewReader(opts.auth))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&auth); err != nil {
			fmt.Fprintf(stderr, "--auth: %v\n", err)
			return nil, ExitUsage
		}
	}
	client, err := httpClient(opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, ExitUsage
	}
	if opts.insecure {
		fmt.Fprintln(stderr, "warning: --insecure-skip-tls-verify: TLS certificates are not verified")
	}
	cfg := harness.Config{
		Registry: reg, Auth: auth, Getenv: lookup(env), Client: client,
		Vars: opts.vars, Timeout: opts.timeout, Retries: opts.retries,
		Log: stderr,
	}
	if opts.verbose {
		cfg.Trace = stderr
	}
	return harness.New(cfg), ExitOK
}

// show prints one statement's result.
func show(opts *options, eng *harness.Engine, st *harness.Statement, r *harness.Result, stdout, stderr io.Writer) error {
	if opts.echo {
		fmt.Fprintf(stdout, "%s;\n", eng.Redact(st.Text))
	}
	if r.HasTable() {
		if err := render.Write(stdout, opts.output, r.Result); err != nil {
			return err
		}
	}
	if r.Message != "" {
		if opts.echo {
			fmt.Fprintln(stdout, r.Message)
		} else {
			fmt.Fprintln(stderr, r.Message)
		}
	}
	return nil
}

// exitCode classifies the failure that stopped a script.
func exitCode(ctx context.Context, err error) int {
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return ExitInterrupted
	case transport.IsRemote(err):
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
		takes := map[string]bool{"o": true, "output": true, "f": true, "file": true, "var": true, "registry": true,
			"auth": true, "ca-file": true, "resolve": true, "timeout": true, "retries": true}
		switch {
		case name == "h" || name == "help":
			return nil, errHelp
		case name == "echo":
			o.echo = true
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
	case "f", "file":
		o.file = val
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
	switch {
	case o.hasSQL && o.file != "":
		return "", errors.New("give the SQL as an argument or with -f, not both")
	case o.hasSQL && o.sql != "-":
		return o.sql, nil
	case o.file != "":
		b, err := os.ReadFile(o.file)
		if err != nil {
			return "", fmt.Errorf("-f: %w", err)
		}
		return string(b), nil
	}
	if stdin == nil {
		return "", errors.New("no statements: give SQL, -f FILE or stdin")
	}
	return readAll(ctx, stdin)
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
