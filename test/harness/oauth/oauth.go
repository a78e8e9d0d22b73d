// Package oauth gets OAuth 2.0 client-credentials (machine-to-machine)
// access tokens the way the StackQL engine's --auth type "oauth2" does: a
// POST to the token URL with HTTP Basic client_id:client_secret and the form
// grant_type=client_credentials&scope=<scopes joined by spaces>; the
// access_token of the answer is then sent as a bearer token. A Source fetches
// a token once, shares that one request among concurrent callers and keeps
// the token until shortly before it expires.
//
// Its errors are one line and never hold the client secret or an access
// token, whatever the token endpoint answers.
package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// Lifetimes of a token.
const (
	// DefaultLifetime is how long a token is kept when the answer has no
	// expires_in (RFC 6749 leaves it to the server; the identity providers of the large clouds send 3600).
	DefaultLifetime = time.Hour
	// MaxLifetime bounds a longer expires_in: the token is fetched again
	// after a day at the latest.
	MaxLifetime = 24 * time.Hour
	// MaxSkew is how long before its expiry a token is replaced at most; a
	// short-lived token is replaced when 90% of its lifetime has passed.
	MaxSkew = 30 * time.Second
)

// maxBody bounds the token endpoint's answer, as x/oauth2 does.
const maxBody = 1 << 20

// Config is one OAuth client: the fields of the engine's --auth
// {"type": "oauth2", "grant_type": "client_credentials", "token_url": ...,
// "client_id_env_var": ..., "client_secret_env_var": ..., "scopes": [...]}
// with the two variables already looked up.
type Config struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scopes       []string
	// Client sends the token request; nil means http.DefaultClient. A copy
	// is used that never follows redirects. Its Transport sees the answer,
	// access token included, before OnToken does: do not trace it, or mask
	// by pattern.
	Client *http.Client
	// Now is the clock that decides when a token has expired; nil means
	// time.Now.
	Now func() time.Time
	// OnToken, if set, is called with each access token fetched, before any
	// caller receives it (to add it to a redactor).
	OnToken func(accessToken string)
}

// Source hands out access tokens for one Config. It is safe for
// concurrent use.
type Source struct {
	cfg  Config
	host string // the token URL's host, for errors
	now  func() time.Time
	mask []string // the client secret in every form it is sent in

	mu         sync.Mutex
	token      string
	validUntil time.Time
	failed     error   // a refusal that a new request would only repeat
	flight     *flight // the request under way, if any
	tokens     []string
}

// flight is one token request shared by every caller waiting for it.
type flight struct {
	done    chan struct{}
	token   string
	err     error
	waiters int
	cancel  context.CancelFunc
}

// New validates cfg and returns its Source. Nothing is sent yet.
func New(cfg Config) (*Source, error) {
	u, err := checkTokenURL(cfg.TokenURL)
	if err != nil {
		return nil, err
	}
	if err := checkCredential("client id", cfg.ClientID); err != nil {
		return nil, err
	}
	if err := checkCredential("client secret", cfg.ClientSecret); err != nil {
		return nil, err
	}
	for _, sc := range cfg.Scopes {
		if sc == "" || strings.IndexFunc(sc, badTokenRune) >= 0 {
			return nil, fmt.Errorf("oauth scope %q: must be non-empty, without spaces or control characters", clip(sc, 100))
		}
	}
	cfg.Scopes = append([]string(nil), cfg.Scopes...)
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	// The secret as typed, as x/oauth2 escapes it into the Basic header, and
	// the header's value.
	esc := url.QueryEscape(cfg.ClientSecret)
	mask := []string{cfg.ClientSecret, esc,
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(cfg.ClientID) + ":" + esc))}
	return &Source{cfg: cfg, host: u.Host, now: now, mask: mask}, nil
}

// checkTokenURL accepts an absolute https URL (http only to a loopback
// address or localhost) with a host and without user info or fragment.
func checkTokenURL(raw string) (*url.URL, error) {
	shown := transport.HideUserinfo(raw)
	bad := func(why string) error { return fmt.Errorf("token_url %q: %s", clip(shown, 200), why) }
	if raw == "" {
		return nil, errors.New("token_url is empty")
	}
	if strings.IndexFunc(raw, badTokenRune) >= 0 {
		return nil, bad("holds a space, control or non-ASCII character")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("not a URL")
	}
	switch {
	case !u.IsAbs() || u.Opaque != "":
		return nil, bad("must be an absolute https URL")
	case u.User != nil:
		return nil, bad("must not hold user info")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, bad("must not have a fragment")
	case u.Hostname() == "":
		return nil, bad("has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad("has an invalid port")
		}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); !strings.EqualFold(h, "localhost") && (ip == nil || !ip.IsLoopback()) {
			return nil, bad("must be https")
		}
	default:
		return nil, bad("must be https")
	}
	return u, nil
}

// badTokenRune reports characters that have no place in a URL, a scope, a
// credential or an access token: spaces, controls and anything not ASCII.
func badTokenRune(r rune) bool { return r <= ' ' || r >= 0x7f }

func checkCredential(what, v string) error {
	if v == "" {
		return fmt.Errorf("oauth %s is empty", what)
	}
	if strings.IndexFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return fmt.Errorf("oauth %s holds a control character", what) // the value is never shown
	}
	return nil
}

// Secrets returns what a redactor must mask: the client secret (as typed,
// URL-escaped, and the Basic header value) and every access token fetched
// so far.
func (s *Source) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.mask...)
	return append(out, s.tokens...)
}

// Token returns a valid access token, fetching one if there is none or it
// is about to expire. Concurrent callers share one request. A caller whose
// ctx ends stops waiting; the request is cancelled once no one waits.
// A refusal from the endpoint (an HTTP 4xx answer other than 408 and 429,
// a redirect, or an answer that is not a valid token) is kept: later calls
// return the same error without asking again.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.failed != nil {
		s.mu.Unlock()
		return "", s.failed
	}
	if s.token != "" && s.now().Before(s.validUntil) {
		tok := s.token
		s.mu.Unlock()
		return tok, nil
	}
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return "", s.ctxError(err)
	}
	f := s.flight
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		s.flight = f
		go s.run(fctx, f)
	}
	f.waiters++
	s.mu.Unlock()

	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		s.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if s.flight == f {
				s.flight = nil // the next caller starts afresh
			}
		}
		s.mu.Unlock()
		return "", s.ctxError(ctx.Err())
	}
}

func (s *Source) run(ctx context.Context, f *flight) {
	defer f.cancel()
	start := s.now()
	tok, life, sticky, err := s.fetch(ctx)
	if err == nil && s.cfg.OnToken != nil {
		s.cfg.OnToken(tok)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flight == f {
		s.flight = nil
	}
	if err == nil {
		s.tokens = append(s.tokens, tok)
		skew := min(MaxSkew, life/10)
		s.token, s.validUntil = tok, start.Add(life-skew)
	} else if sticky {
		s.failed = err
	}
	f.token, f.err = tok, err
	close(f.done)
}

// fetch sends one token request. sticky says a new request would get the
// same refusal.
func (s *Source) fetch(ctx context.Context) (token string, life time.Duration, sticky bool, err error) {
	rec := &capture{}
	client := *s.cfg.Client
	rec.next = client.Transport
	if rec.next == nil {
		rec.next = http.DefaultTransport
	}
	client.Transport = rec
	// The credential goes to the token URL and nowhere else.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc := clientcredentials.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.cfg.ClientSecret,
		TokenURL:     s.cfg.TokenURL,
		Scopes:       s.cfg.Scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	t, libErr := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, &client))
	if !rec.answered {
		if ctx.Err() != nil {
			return "", 0, false, s.ctxError(ctx.Err())
		}
		// No answer: a transport error. url.Error holds the URL, which is
		// named already; keep the cause.
		msg := "no answer"
		if libErr != nil {
			var ue *url.Error
			if errors.As(libErr, &ue) {
				libErr = ue.Err
			}
			msg = s.clean(libErr.Error(), maxDescBytes, nil)
		}
		// The cause stays reachable (errors.As finds a certificate error, for
		// the CLI's --ca-file hint); only msg, cleaned, is ever printed.
		te := s.errorf("%s", msg).(*tokenError)
		te.cause = libErr
		return "", 0, false, te
	}
	if rec.readErr != nil {
		if ctx.Err() != nil {
			return "", 0, false, s.ctxError(ctx.Err())
		}
		return "", 0, false, s.errorf("reading the answer: %s", s.clean(rec.readErr.Error(), maxDescBytes, nil))
	}
	token, life, err = s.parse(rec)
	if err != nil {
		return "", 0, rec.status < 500 && rec.status != 408 && rec.status != 429, err
	}
	// The library must agree; it parses the same bytes.
	if libErr != nil || t == nil || t.AccessToken != token {
		return "", 0, true, s.errorf("the answer is not a token response x/oauth2 accepts")
	}
	return token, life, false, nil
}

// capture records the token endpoint's answer for parse, bounded as
// x/oauth2 bounds it.
type capture struct {
	next     http.RoundTripper
	answered bool
	status   int
	ctype    string // the media type of the answer
	body     []byte
	tooBig   bool
	readErr  error
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	c.answered, c.status = true, resp.StatusCode
	c.ctype, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	if err != nil {
		c.readErr = err
		return nil, err
	}
	if len(body) > maxBody {
		c.tooBig, body = true, body[:maxBody]
	}
	c.body = body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// errorf builds an error about the token endpoint, with the client
// secret, every access token known and extra masked.
func (s *Source) errorf(format string, args ...any) error {
	return s.errorfMasking(nil, format, args...)
}

func (s *Source) errorfMasking(extra []string, format string, args ...any) error {
	msg := "oauth token endpoint " + s.host + ": " + fmt.Sprintf(format, args...)
	return &tokenError{msg: transport.MaskSecrets(s.masked(msg), extra)}
}

func (s *Source) ctxError(err error) error {
	return &tokenError{msg: "oauth token endpoint " + s.host + ": " + err.Error(), cause: err}
}

// tokenError is one line of text; cause, if set, is what errors.Is and
// errors.As find (a context error, or a transport error such as an
// untrusted certificate), never printed.
type tokenError struct {
	msg   string
	cause error
}

func (e *tokenError) Error() string { return e.msg }

// IsEndpointError reports whether err is, or wraps, a failure of the token
// endpoint (an error answer, an unusable one, no answer): the configuration
// was accepted, and the server, the network or the credentials it holds are
// what is wrong.
func IsEndpointError(err error) bool {
	var te *tokenError
	return errors.As(err, &te)
}
func (e *tokenError) Unwrap() error { return e.cause }

// masked replaces the client secret and every access token known in s.
func (s *Source) masked(text string) string {
	s.mu.Lock()
	secrets := append(append([]string(nil), s.mask...), s.tokens...)
	s.mu.Unlock()
	return transport.MaskSecrets(text, secrets)
}
