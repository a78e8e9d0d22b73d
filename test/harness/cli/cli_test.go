package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"exec", "--output=json", "SELECT 1", "--var", "a=b=c", "-i", "x.sql", "-f", "out.txt", "--echo", "--resolve", "*.example.com:443=127.0.0.1:8443", "--retries", "0",
		"--verbose", "--insecure-skip-tls-verify", "--timeout", "2s", "-H", "--dryrun", "--iqldata", "d.json"})
	if err != nil {
		t.Fatal(err)
	}
	if o.output != "json" || o.sql != "SELECT 1" || o.vars["a"] != "b=c" || o.infile != "x.sql" || o.outfile != "out.txt" || !o.echo || len(o.resolve) != 1 || o.retries != 0 ||
		!o.verbose || !o.insecure || o.timeout != 2*time.Second || !o.hideHeaders || !o.dryRun || o.iqldata != "d.json" {
		t.Errorf("options = %+v", o)
	}
	// SQL starting with a comment is the SQL, not an unknown flag.
	if o, err := parseArgs([]string{"exec", "-- my tokens\nSELECT 1"}); err != nil || o.sql != "-- my tokens\nSELECT 1" {
		t.Errorf("SQL opening with a comment: %+v, %v", o, err)
	}
	o, err = parseArgs([]string{"exec"})
	if err != nil || o.verbose || o.insecure || o.timeout != 30*time.Second || o.retries != 2 {
		t.Errorf("defaults = %+v, %v; want quiet, verified TLS, 30s, 2 retries", o, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing command (want exec)"},
		{[]string{"query"}, `unknown command "query" (want exec)`},
		{[]string{"exec", "--output", "xml"}, `unknown output format "xml" (want table, json or csv)`},
		{[]string{"exec", "--nope"}, "unknown flag --nope"},
		{[]string{"exec", "--var", "novalue"}, `--var "novalue": want NAME=VALUE`},
		{[]string{"exec", "a", "b"}, `unexpected argument "b" (quote the SQL as one argument)`},
		{[]string{"exec", "--resolve", "host=1.2.3.4"}, `--resolve "host=1.2.3.4": want HOST:PORT=ADDR:PORT`},
		{[]string{"exec", "--timeout", "-1s"}, `--timeout "-1s": must be positive`},
		{[]string{"exec", "--timeout", "0"}, `--timeout "0": must be positive`},
		{[]string{"exec", "--retries", "-1"}, `--retries "-1": want a number >= 0`},
		{[]string{"exec", "--insecure"}, "unknown flag --insecure"},
		{[]string{"exec", "--output"}, "flag --output needs a value"},
		{[]string{"exec", "--file", "x.sql"}, "unknown flag --file: read statements with -i/--infile; -f/--outfile writes the results"},
	} {
		if _, err := parseArgs(tc.args); err == nil || err.Error() != tc.want {
			t.Errorf("parseArgs(%q) error = %v, want %s", tc.args, err, tc.want)
		}
	}
}

func TestResolveRule(t *testing.T) {
	r, err := parseResolve("*.cloud.databricks.com:443=127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{
		"dbc-a.cloud.databricks.com:443": true,
		"DBC-A.Cloud.Databricks.com:443": true,
		"cloud.databricks.com:443":       false,
		"dbc-a.cloud.databricks.com:80":  false,
		"evilcloud.databricks.com:443":   false,
	} {
		if got := r.match(addr); got != want {
			t.Errorf("match(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run([]string{"exec", "-o", "yaml", "SELECT 1"}, nil, &out, &errb, nil); code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(errb.String(), "unknown output format") {
		t.Errorf("stderr = %q", errb.String())
	}
	out.Reset()
	if code := Run([]string{"--help"}, nil, &out, &errb, nil); code != ExitOK || !strings.Contains(out.String(), "usage: harness exec") {
		t.Errorf("--help: exit %d, stdout %q", code, out.String())
	}
}

// TestExitCode checks the classification behind the exit statuses; the
// e2e cases' exit files show each on a real run.
func TestExitCode(t *testing.T) {
	live := context.Background()
	stopped, cancel := context.WithCancel(live)
	cancel()
	remote := func(err error) error {
		return fmt.Errorf("line 1: %w", &transport.RemoteError{Method: "GET", URL: "h/p", Err: err})
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"statement error", live, errors.New(`line 1: unknown column "x"`), ExitFailed},
		{"error status", live, fmt.Errorf("line 1: %w", &transport.RemoteError{Method: "GET", URL: "h/p", Status: 503}), ExitRemote},
		{"network", live, remote(errors.New("connection refused")), ExitRemote},
		{"interrupted", stopped, remote(context.Canceled), ExitInterrupted},
		{"cancelled, but not by the caller", live, remote(context.Canceled), ExitRemote},
		{"statement error after Ctrl-C", stopped, errors.New("line 1: syntax error"), ExitFailed},
	} {
		if got := exitCode(tc.ctx, tc.err); got != tc.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestInterruptWhileReadingStdin: Ctrl-C must end a CLI waiting for
// statements on a terminal.
func TestInterruptWhileReadingStdin(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, w := io.Pipe() // never written: a terminal nobody types into
	defer w.Close()
	var out, errb bytes.Buffer
	if code := RunContext(ctx, []string{"exec"}, r, &out, &errb, nil); code != ExitInterrupted {
		t.Errorf("exit %d, want %d; stderr %q", code, ExitInterrupted, errb.String())
	}
	if errb.String() != "interrupted while reading the statements\n" {
		t.Errorf("stderr = %q", errb.String())
	}
}

// TestCredentialMaskedBeforeAnyRequest: a credential from the environment,
// whatever its shape, is masked in an error printed before the engine has
// sent anything (so before it has used the credential itself).
func TestCredentialMaskedBeforeAnyRequest(t *testing.T) {
	const secret = "notShapedLikeAToken_0123456789"
	for _, args := range [][]string{
		{"exec", "SELECT 1 AS a " + secret},          // a syntax error near it
		{"exec", "--nope=" + secret, "SELECT 1"},     // a usage error quoting it
		{"exec", "SELECT * FROM " + secret + ".x.y"}, // an unknown provider
	} {
		var stdout, stderr bytes.Buffer
		code := Run(args, nil, &stdout, &stderr, []string{"DATABRICKS_TOKEN=" + secret})
		if code == ExitOK || strings.Contains(stderr.String(), secret) || !strings.Contains(stderr.String(), "[REDACTED]") {
			t.Errorf("%q: exit %d, stderr %q; want a failure with the credential masked", args, code, stderr.String())
		}
	}
}

// TestProgressLine draws the count in place and erases itself at the end.
func TestProgressLine(t *testing.T) {
	var b strings.Builder
	p := progressLine(&b)
	p(1, 3) // drawn: the first call is never throttled
	p(2, 3) // within 100 ms of the last: skipped
	p(3, 3) // done: erased
	if got, want := b.String(), "\rrequests: 1/3\r\x1b[K"; got != want {
		t.Errorf("progress wrote %q, want %q", got, want)
	}
	if isTerminal(&b) {
		t.Error("a strings.Builder is not a terminal")
	}
}
