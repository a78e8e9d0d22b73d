// Package harness is the embedded query engine that proves a StackQL provider
// works. It parses StackQL SQL with the engine's own parser and plans each
// statement against the provider documents through any-sdk: which method a
// verb reaches, with which parameters, and what is left for SQL. The other
// jobs are packages of their own: transport sends the requests (timeouts,
// retries, trace, redaction), local evaluates SQL in SQLite over the rows,
// render prints results.
//
// Everything it knows about an API comes from the provider documents (paths,
// verbs, parameters, object keys, columns, descriptions); it must not contain
// anything specific to one provider. A script is parsed and planned whole
// before anything is sent. It must not print: callers render Results and
// choose where the trace goes.
package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/oauth"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/render"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// Config configures an Engine.
type Config struct {
	// Registry holds the provider documents.
	Registry *registry.Registry
	// Auth overrides a provider's default authentication (provider.yaml's
	// config.auth), keyed by provider name, as the engine's --auth flag does.
	Auth map[string]registry.Auth
	// Credentials, when set, may choose the credential for a request's host
	// (a per-workspace token, or an OAuth client) where no Auth override is
	// given for the provider; when it declines, the provider's auth applies.
	Credentials Credentials
	// Getenv looks up credentials named by the auth configuration.
	Getenv func(string) string
	// Client sends the requests; nil means one on http.DefaultTransport.
	// The engine uses a copy that never follows redirects (see send).
	Client *http.Client
	// Timeout bounds each request, from sending it to reading the whole
	// response; zero means transport.DefaultTimeout.
	Timeout time.Duration
	// Vars fill the {{ name }} placeholders of a script.
	Vars map[string]string
	// Retries is how many times a GET or HEAD answered 429 or 503 is sent
	// again; other methods are never retried (see send).
	Retries int
	// MaxRetryWait caps one wait between retries; zero means 10s. A
	// Retry-After above it ends the retries instead of being cut short.
	MaxRetryWait time.Duration
	// Trace, when set, receives a line for every request sent and one for
	// its response or failure: method, URL, body, status, duration. Secrets
	// are masked and headers are never written.
	Trace io.Writer
	// DryRun, when set, receives each request a statement would send, one
	// line each (method, URL, body; secrets masked), and nothing is sent:
	// every request answers with no body.
	DryRun io.Writer
	// KeepGoing lets a SELECT whose list requests fan out (a parameter
	// IN (...)) return the rows of the requests that succeeded when others
	// fail with a remote error: Result.Failures holds those, and Exec goes on
	// to the next statement and returns a *PartialError at the end. Without
	// it the first failure stops the statement and the script.
	KeepGoing bool
	// Progress, when set, is called after each list request of a statement
	// that sends more than one, with how many are done of how many; calls
	// are not concurrent and done increases by one each time.
	Progress func(done, total int)
	// Log receives any-sdk's warnings (never request bodies: the logger is
	// kept at warn level); nil discards them.
	Log io.Writer
}

// Credentials choose how requests to a host authenticate.
type Credentials interface {
	// For returns the credential for host, or ok false to leave it to the
	// provider's auth.
	For(host string) (c Credential, ok bool, err error)
}

// Credential is one way to authenticate: a bearer token, or an OAuth
// client whose access token is sent as one.
type Credential struct {
	Bearer string
	OAuth  *OAuthClient
}

// OAuthClient is an OAuth 2.0 client-credentials grant.
type OAuthClient struct {
	TokenURL, ClientID, ClientSecret string
	Scopes                           []string
}

// Engine runs statements. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	tr     *transport.Transport
	red    *transport.Redactor
	tokens oauth.Cache // access tokens, one fetch per client and token URL
	logger *logrus.Logger

	authMu sync.Mutex
	auths  map[string]applyFunc // by provider and host: see resolveAuth

	targetMu sync.Mutex
	targets  map[string]*target // resolved resources, by provider.service.resource
}

// New returns an Engine for cfg.
func New(cfg Config) *Engine {
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	e := &Engine{cfg: cfg, red: &transport.Redactor{}, logger: logrus.New()}
	e.tr = transport.New(transport.Config{
		Client: cfg.Client, Timeout: cfg.Timeout, Retries: cfg.Retries,
		MaxRetryWait: cfg.MaxRetryWait, Trace: cfg.Trace,
	}, e.red)
	if cfg.Registry != nil {
		e.red.AddPatterns(cfg.Registry.SecretPatterns())
	}
	e.logger.SetLevel(logrus.WarnLevel) // any-sdk logs request bodies at info
	e.logger.SetOutput(io.Discard)
	if cfg.Log != nil {
		e.logger.SetOutput(e.red.Writer(cfg.Log))
	}
	return e
}

// Statement is one statement of a script, parsed.
type Statement struct {
	// Text is the statement as written (placeholders filled), trimmed.
	Text string
	// Line and Column locate its first character in the script (1-based).
	Line, Column int
	ast          sqlparser.Statement
}

// Result is what a statement returns. Statements that return no rows
// (EXEC of a method without a response body, INSERT without RETURNING,
// DELETE) have no columns and a Message, as the engine prints one.
type Result struct {
	render.Result
	Message string
	// Failures are the requests that failed under Config.KeepGoing, each
	// naming its method and host; the rows are those of the others.
	Failures []error
}

// HasTable reports whether the result is a table (possibly empty).
func (r *Result) HasTable() bool { return len(r.Columns) > 0 }

// despatched is the engine's message for a mutation without rows.
const despatched = "The operation was despatched successfully"

// Plan is a statement resolved against the provider documents, ready to run.
type Plan struct {
	Statement *Statement
	run       func(ctx context.Context) (*Result, error)
}

// Run sends the statement's requests and evaluates its result. On failure
// the result, when not nil, holds the rows done before it (a created token's
// value is shown once, so it must not be dropped).
func (p *Plan) Run(ctx context.Context) (*Result, error) {
	r, err := p.run(ctx)
	if err != nil {
		// r, if not nil, holds what the statement did before it failed.
		return r, p.Statement.errorf("%w", err)
	}
	return r, nil
}

// Prepare parses a script and resolves every statement before anything is
// sent, so a script with a syntax error, an unknown column or a missing
// parameter anywhere changes nothing.
func (e *Engine) Prepare(script string) ([]*Plan, error) {
	stmts, err := e.Parse(script)
	if err != nil {
		return nil, err
	}
	plans := make([]*Plan, 0, len(stmts))
	for _, s := range stmts {
		p, err := e.plan(s)
		if err != nil {
			return nil, s.errorf("%w", err)
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// Exec prepares a script and runs its statements in order, handing each
// result to fn; it stops at the first failure, or before the next statement
// once ctx is cancelled.
func (e *Engine) Exec(ctx context.Context, script string, fn func(*Statement, *Result) error) error {
	plans, err := e.Prepare(script)
	if err != nil {
		return err
	}
	var partial *PartialError
	for _, p := range plans {
		if ctx.Err() != nil {
			return p.Statement.errorf("not run: %w", transport.ErrCancelled)
		}
		r, err := p.Run(ctx)
		if r != nil && len(r.Failures) > 0 {
			for i, f := range r.Failures {
				r.Failures[i] = p.Statement.errorf("%w", f)
			}
			if partial == nil {
				partial = &PartialError{First: r.Failures[0]}
			}
			partial.Failed += len(r.Failures)
			partial.Statements++
		}
		if r != nil {
			if ferr := fn(p.Statement, r); ferr != nil && err == nil {
				err = ferr
			}
		}
		if err != nil {
			return err
		}
	}
	if partial != nil {
		return partial
	}
	return nil
}

// PartialError ends a script run with Config.KeepGoing in which requests
// failed: their errors were in the results, the rest of the script ran.
type PartialError struct {
	First      error // the first failure, for its kind (see transport.IsRemote)
	Failed     int   // failed requests, over all statements
	Statements int   // statements with failed requests
}

func (e *PartialError) Error() string {
	reqs, stmts := "requests", "statements"
	if e.Failed == 1 {
		reqs = "request"
	}
	if e.Statements == 1 {
		stmts = "statement"
	}
	return fmt.Sprintf("%d %s failed in %d %s; the results hold the rows of the others", e.Failed, reqs, e.Statements, stmts)
}

func (e *PartialError) Unwrap() error { return e.First }

// IsRemote reports whether err is a failure of a request the statement
// needed, an API request or an OAuth token request, rather than of the
// statement: fixing the statement will not help.
func IsRemote(err error) bool { return transport.IsRemote(err) || oauth.IsEndpointError(err) }

func (s *Statement) errorf(format string, args ...any) error {
	return &StatementError{Line: s.Line, Err: fmt.Errorf(format, args...)}
}

// StatementError is a failure of one statement, located by its first line.
type StatementError struct {
	Line int
	Err  error
}

func (e *StatementError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *StatementError) Unwrap() error { return e.Err }

// Redact masks every credential the engine has used in s, and every value
// of a shape the provider documents declare secret.
func (e *Engine) Redact(s string) string { return e.red.Redact(s) }
