package oauth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testID     = "9b3c1f7e-client"
	testSecret = "dose0123456789abcdefSECRET"
	testToken  = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig-ACCESS"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// endpoint is a TLS token endpoint answering with answer, counting requests.
type endpoint struct {
	srv   *httptest.Server
	count atomic.Int64
}

func newEndpoint(t *testing.T, answer http.HandlerFunc) *endpoint {
	t.Helper()
	e := &endpoint{}
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.count.Add(1)
		answer(w, r)
	}))
	e.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes refused on purpose
	e.srv.StartTLS()
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) config(c *clock) Config {
	cfg := Config{
		TokenURL:     e.srv.URL + "/oidc/v1/token",
		ClientID:     testID,
		ClientSecret: testSecret,
		Scopes:       []string{"all-apis"},
		Client:       e.srv.Client(),
	}
	if c != nil {
		cfg.Now = c.Now
	}
	return cfg
}

// source is a Source for the endpoint on clock c.
func (e *endpoint) source(t *testing.T, c *clock) *Source {
	t.Helper()
	s, err := New(e.config(c))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *endpoint) host() string { return strings.TrimPrefix(e.srv.URL, "https://") }

func jsonAnswer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func tokenAnswer(expiresIn string) http.HandlerFunc {
	return jsonAnswer(200, `{"access_token":"`+testToken+`","token_type":"Bearer","expires_in":`+expiresIn+`}`)
}

// checkClean fails if msg could hurt: several lines, control characters, a
// secret, or too long.
func checkClean(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, r := range msg {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Errorf("error %q holds control character %q", msg, r)
		}
	}
	for _, s := range append(secrets, testSecret, testToken, base64.StdEncoding.EncodeToString([]byte(testID+":"+testSecret))) {
		if strings.Contains(msg, s) {
			t.Errorf("error %q holds secret %q", msg, s)
		}
	}
	if len(msg) > 600 {
		t.Errorf("error is %d bytes long", len(msg))
	}
}

func TestTokenRequest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scopes []string
		want   string // the scope form field; "" = absent
	}{
		{"one scope", []string{"all-apis"}, "all-apis"},
		{"two scopes", []string{"all-apis", "offline_access"}, "all-apis offline_access"},
		{"no scope", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
				id, secret, ok := r.BasicAuth()
				body, _ := io.ReadAll(r.Body)
				form, err := url.ParseQuery(string(body))
				switch {
				case r.Method != http.MethodPost || r.URL.Path != "/oidc/v1/token":
					t.Errorf("request %s %s", r.Method, r.URL.Path)
				case !ok || id != testID || secret != testSecret:
					t.Errorf("basic auth %q, %v", r.Header.Get("Authorization"), ok)
				case r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
					t.Errorf("content type %q", r.Header.Get("Content-Type"))
				case err != nil:
					t.Errorf("form %q: %v", body, err)
				case form.Get("grant_type") != "client_credentials" || form.Get("scope") != tc.want || form.Has("scope") != (tc.want != ""):
					t.Errorf("form %q", body)
				case form.Has("client_secret") || form.Has("client_id"):
					t.Errorf("credentials in the form %q", body)
				}
				tokenAnswer("3600")(w, r)
			})
			var seen []string
			cfg := e.config(newClock())
			cfg.Scopes = tc.scopes
			cfg.OnToken = func(tok string) { seen = append(seen, tok) }
			s, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.Token(context.Background())
			if err != nil || tok != testToken {
				t.Fatalf("Token() = %q, %v", tok, err)
			}
			if len(seen) != 1 || seen[0] != testToken {
				t.Errorf("OnToken saw %q", seen)
			}
			if secrets := strings.Join(s.Secrets(), " "); !strings.Contains(secrets, testSecret) || !strings.Contains(secrets, testToken) {
				t.Errorf("Secrets() = %q", s.Secrets())
			}
		})
	}
}

func TestCaching(t *testing.T) {
	for _, tc := range []struct {
		expiresIn    string
		kept, renewd time.Duration // clock offsets: still cached, fetched again
	}{
		{"3600", 3569 * time.Second, 3570 * time.Second}, // 30 s early
		{"100", 89 * time.Second, 90 * time.Second},      // 10% early
		{"null", 59 * time.Minute, 3570 * time.Second},   // DefaultLifetime
		{"9999999999", 24*time.Hour - 31*time.Second, 24*time.Hour - 30*time.Second},
	} {
		t.Run(tc.expiresIn, func(t *testing.T) {
			c := newClock()
			e := newEndpoint(t, tokenAnswer(tc.expiresIn))
			s := e.source(t, c)
			for range 10 {
				if _, err := s.Token(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if n := e.count.Load(); n != 1 {
				t.Fatalf("%d requests for 10 calls, want 1", n)
			}
			c.Advance(tc.kept)
			s.Token(context.Background())
			if n := e.count.Load(); n != 1 {
				t.Fatalf("fetched again at +%v", tc.kept)
			}
			c.Advance(tc.renewd - tc.kept)
			s.Token(context.Background())
			if n := e.count.Load(); n != 2 {
				t.Fatalf("%d requests at +%v, want 2", n, tc.renewd)
			}
		})
	}
}

// waitForWaiters returns once n callers wait for s's request.
func waitForWaiters(s *Source, n int) {
	for {
		s.mu.Lock()
		got := 0
		if s.flight != nil {
			got = s.flight.waiters
		}
		s.mu.Unlock()
		if got >= n {
			return
		}
		runtime.Gosched()
	}
}

func TestConcurrentCallersShareOneRequest(t *testing.T) {
	release := make(chan struct{})
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		tokenAnswer("3600")(w, r)
	})
	s := e.source(t, newClock())
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Token(context.Background())
			if err == nil && tok != testToken {
				err = fmt.Errorf("token %q", tok)
			}
			errs <- err
		}()
	}
	waitForWaiters(s, n)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := e.count.Load(); got != 1 {
		t.Errorf("%d token requests, want 1", got)
	}
}

func TestCancellation(t *testing.T) {
	t.Run("last caller gone cancels the request", func(t *testing.T) {
		entered, cancelled := make(chan struct{}), make(chan struct{})
		var first atomic.Bool
		e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
			if first.CompareAndSwap(false, true) {
				io.ReadAll(r.Body) // the server watches the connection once the body is read
				close(entered)
				<-r.Context().Done()
				close(cancelled)
				return
			}
			tokenAnswer("3600")(w, r)
		})
		s := e.source(t, newClock())
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-entered; cancel() }()
		_, err := s.Token(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Token() error %v, want context.Canceled", err)
		}
		checkClean(t, err.Error())
		<-cancelled // the endpoint saw the request go away
		if tok, err := s.Token(context.Background()); err != nil || tok != testToken {
			t.Errorf("after a cancellation, Token() = %q, %v", tok, err)
		}
	})
	t.Run("one caller gone, another still waiting", func(t *testing.T) {
		release := make(chan struct{})
		e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
			<-release
			tokenAnswer("3600")(w, r)
		})
		s := e.source(t, newClock())
		type result struct {
			tok string
			err error
		}
		patient := make(chan result)
		go func() {
			tok, err := s.Token(context.Background())
			patient <- result{tok, err}
		}()
		waitForWaiters(s, 1)
		ctx, cancel := context.WithCancel(context.Background())
		impatient := make(chan error)
		go func() { _, err := s.Token(ctx); impatient <- err }()
		waitForWaiters(s, 2)
		cancel()
		if err := <-impatient; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller got %v", err)
		}
		close(release)
		if r := <-patient; r.err != nil || r.tok != testToken {
			t.Errorf("waiting caller got %q, %v", r.tok, r.err)
		}
		if n := e.count.Load(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		e := newEndpoint(t, tokenAnswer("3600"))
		s := e.source(t, newClock())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Token(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v", err)
		}
		if n := e.count.Load(); n != 0 {
			t.Errorf("%d requests, want 0", n)
		}
	})
}

func TestRefusals(t *testing.T) {
	long := strings.Repeat("a very long description ", 100)
	for _, tc := range []struct {
		name   string
		answer http.HandlerFunc
		want   string // the error after "oauth token endpoint <host>: "
		sticky bool   // a second call sends nothing
	}{
		{"wrong secret", jsonAnswer(401, `{"error":"invalid_client","error_description":"Client authentication failed"}`),
			"401 invalid_client: Client authentication failed", true},
		{"error without description", jsonAnswer(400, `{"error":"invalid_scope"}`), "400 invalid_scope", true},
		{"html 500", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			io.WriteString(w, "<html>\n<body><h1>Oops</h1>\n"+testSecret+"</body></html>")
		}, "500 Internal Server Error", false},
		{"503 json", jsonAnswer(503, `{"error":"temporarily_unavailable"}`), "503 temporarily_unavailable", false},
		{"429", jsonAnswer(429, `{}`), "429 Too Many Requests", false},
		{"odd status", jsonAnswer(599, `nope`), "599", false},
		{"control characters", jsonAnswer(401, `{"error":"bad\u001b[31m\nclient","error_description":"line1\nline2\r\u001b]0;pwned\u0007\u0085 end"}`),
			`401 bad\x1b[31m\x0aclient: line1\x0aline2\x0d\x1b]0;pwned\x07\u0085 end`, true},
		{"echoes the secret", jsonAnswer(401, `{"error":"invalid_client","error_description":"secret `+testSecret+` is wrong"}`),
			"401 invalid_client: secret [REDACTED] is wrong", true},
		{"echoes the basic header", jsonAnswer(401, `{"error":"invalid_client","error_description":"Basic `+base64.StdEncoding.EncodeToString([]byte(testID+":"+testSecret))+`"}`),
			"401 invalid_client: Basic [REDACTED]", true},
		{"echoes the secret split by a control character", jsonAnswer(401, `{"error":"x","error_description":"`+testSecret[:5]+`\n`+testSecret[5:]+`"}`),
			`401 x: ` + testSecret[:5] + `\x0a[REDACTED]`, true},
		{"echoes the token cut short", tokenAnswer(`"` + testToken[:30] + `\u0000` + testToken[30:] + `"`),
			`expires_in "[REDACTED]\u0000[REDACTED]" is not a number`, true},
		{"long description", jsonAnswer(401, `{"error":"invalid_client","error_description":"`+long+`"}`),
			"401 invalid_client: " + long[:200] + "…", true},
		{"huge body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			io.WriteString(w, `{"access_token":"`+strings.Repeat("x", 2<<20)+`"}`)
		}, "200 OK: the answer is larger than 1048576 bytes", true},
		{"not json", jsonAnswer(200, `<html>ok</html>`), "200 OK: the answer is not a JSON object", true},
		{"json array", jsonAnswer(200, `["`+testToken+`"]`), "200 OK: the answer is not a JSON object", true},
		{"form encoded", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			io.WriteString(w, "access_token="+testToken)
		}, "200 OK: the answer is application/x-www-form-urlencoded, not JSON", true},
		{"error in a 200", jsonAnswer(200, `{"error":"invalid_grant","error_description":"nope"}`), "200 OK with error invalid_grant: nope", true},
		{"no access_token", jsonAnswer(200, `{"token_type":"Bearer","expires_in":3600}`), "the answer has no access_token", true},
		{"null access_token", jsonAnswer(200, `{"access_token":null}`), "the answer has no access_token", true},
		{"empty access_token", jsonAnswer(200, `{"access_token":""}`), "access_token is empty", true},
		{"numeric access_token", jsonAnswer(200, `{"access_token":12345}`), "access_token is not a string", true},
		{"access_token with newline", jsonAnswer(200, `{"access_token":"`+testToken+`\n"}`),
			"access_token holds a space, control or non-ASCII character", true},
		{"access_token with space", jsonAnswer(200, `{"access_token":"a b"}`),
			"access_token holds a space, control or non-ASCII character", true},
		{"token_type mac", jsonAnswer(200, `{"access_token":"`+testToken+`","token_type":"mac"}`), `token_type "mac" is not Bearer`, true},
		{"token_type echoes the token", jsonAnswer(200, `{"access_token":"`+testToken+`","token_type":"x`+testToken+`"}`),
			`token_type "x[REDACTED]" is not Bearer`, true},
		{"token_type number", jsonAnswer(200, `{"access_token":"`+testToken+`","token_type":1}`), "token_type is not a string", true},
		{"expires_in negative", tokenAnswer("-5"), "expires_in -5 is not positive", true},
		{"expires_in zero", tokenAnswer("0"), "expires_in 0 is not positive", true},
		{"expires_in string", tokenAnswer(`"3600"`), `expires_in "3600" is not a number`, true},
		{"expires_in fraction", tokenAnswer("1.5"), "expires_in 1.5 is not a whole number of seconds", true},
		{"expires_in exponent", tokenAnswer("3.6e3"), "expires_in 3.6e3 is not a whole number of seconds", true},
		{"expires_in beyond 64 bits", tokenAnswer("99999999999999999999"), "expires_in 99999999999999999999 is too large", true},
		{"expires_in object", tokenAnswer(`{"s":1}`), `expires_in {"s":1} is not a number`, true},
		{"expires_in echoes the token", tokenAnswer(`"` + testToken + `"`), `expires_in "[REDACTED]" is not a number`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEndpoint(t, tc.answer)
			s := e.source(t, newClock())
			tok, err := s.Token(context.Background())
			if err == nil {
				t.Fatalf("Token() = %q, want an error", tok)
			}
			want := "oauth token endpoint " + e.host() + ": " + tc.want
			if err.Error() != want {
				t.Errorf("error\n got %q\nwant %q", err, want)
			}
			checkClean(t, err.Error())
			_, err2 := s.Token(context.Background())
			if err2 == nil || err2.Error() != err.Error() {
				t.Errorf("second call: %v", err2)
			}
			if wantN := map[bool]int64{true: 1, false: 2}[tc.sticky]; e.count.Load() != wantN {
				t.Errorf("%d requests for two calls, want %d", e.count.Load(), wantN)
			}
		})
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	elsewhere := newEndpoint(t, tokenAnswer("3600"))
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.srv.URL+"/steal", http.StatusTemporaryRedirect)
	})
	s := e.source(t, newClock())
	_, err := s.Token(context.Background())
	want := "oauth token endpoint " + e.host() + ": 307 Temporary Redirect: redirects are not followed"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if n := elsewhere.count.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

func TestTransportErrors(t *testing.T) {
	t.Run("untrusted certificate", func(t *testing.T) {
		e := newEndpoint(t, tokenAnswer("3600"))
		cfg := e.config(newClock())
		cfg.Client = nil // http.DefaultClient does not trust the test CA
		s, _ := New(cfg)
		_, err := s.Token(context.Background())
		if err == nil || !strings.HasPrefix(err.Error(), "oauth token endpoint "+e.host()+": ") || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("error %v", err)
		}
		checkClean(t, err.Error())
		if n := e.count.Load(); n != 0 {
			t.Errorf("handler ran %d times", n)
		}
	})
	t.Run("closed connection, then retried", func(t *testing.T) {
		var first atomic.Bool
		e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
			if first.CompareAndSwap(false, true) {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			tokenAnswer("3600")(w, r)
		})
		s := e.source(t, newClock())
		_, err := s.Token(context.Background())
		if err == nil || !strings.HasPrefix(err.Error(), "oauth token endpoint "+e.host()+": ") {
			t.Fatalf("error %v", err)
		}
		checkClean(t, err.Error())
		if tok, err := s.Token(context.Background()); err != nil || tok != testToken {
			t.Errorf("retry: %q, %v", tok, err)
		}
	})
}

func TestNewRefusesConfig(t *testing.T) {
	ok := Config{TokenURL: "https://accounts.cloud.databricks.com/oidc/accounts/abc/v1/token", ClientID: testID, ClientSecret: testSecret}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // "" = accepted
	}{
		{"https", func(c *Config) {}, ""},
		{"https with port and query", func(c *Config) { c.TokenURL = "https://h.example:8443/t?x=1" }, ""},
		{"http to loopback", func(c *Config) { c.TokenURL = "http://127.0.0.1:8080/token" }, ""},
		{"http to localhost", func(c *Config) { c.TokenURL = "http://LOCALHOST/token" }, ""},
		{"http to ipv6 loopback", func(c *Config) { c.TokenURL = "http://[::1]:9/token" }, ""},
		{"http elsewhere", func(c *Config) { c.TokenURL = "http://example.com/x" }, `token_url "http://example.com/x": must be https`},
		{"http to a name under localhost", func(c *Config) { c.TokenURL = "http://localhost.evil.com/x" }, `token_url "http://localhost.evil.com/x": must be https`},
		{"ftp", func(c *Config) { c.TokenURL = "ftp://example.com/x" }, `token_url "ftp://example.com/x": must be https`},
		{"empty", func(c *Config) { c.TokenURL = "" }, `token_url is empty`},
		{"relative", func(c *Config) { c.TokenURL = "/oidc/v1/token" }, `token_url "/oidc/v1/token": must be an absolute https URL`},
		{"no scheme", func(c *Config) { c.TokenURL = "example.com/x" }, `token_url "example.com/x": must be an absolute https URL`},
		{"opaque", func(c *Config) { c.TokenURL = "https:example.com" }, `token_url "https:example.com": must be an absolute https URL`},
		{"no host", func(c *Config) { c.TokenURL = "https:///x" }, `token_url "https:///x": has no host`},
		{"userinfo with password", func(c *Config) { c.TokenURL = "https://me:hunter22@example.com/x" },
			`token_url "https://xxxxx@example.com/x": must not hold user info`},
		{"userinfo token", func(c *Config) { c.TokenURL = "https://dapi0123456789@example.com/x" },
			`token_url "https://xxxxx@example.com/x": must not hold user info`},
		{"userinfo and a space", func(c *Config) { c.TokenURL = "https://me:hunter22@example.com/x y" },
			`token_url "https://xxxxx@example.com/x y": holds a space, control or non-ASCII character`},
		{"userinfo and a newline", func(c *Config) { c.TokenURL = "https://me:hunter22@example.com/x\n" },
			`token_url "https://xxxxx@example.com/x\n": holds a space, control or non-ASCII character`},
		{"at sign in the path", func(c *Config) { c.TokenURL = "http://example.com/a@b" }, `token_url "http://example.com/a@b": must be https`},
		{"fragment", func(c *Config) { c.TokenURL = "https://example.com/x#y" }, `token_url "https://example.com/x#y": must not have a fragment`},
		{"empty fragment", func(c *Config) { c.TokenURL = "https://example.com/x#" }, `token_url "https://example.com/x#": must not have a fragment`},
		{"space", func(c *Config) { c.TokenURL = "https://example.com/x y" }, `token_url "https://example.com/x y": holds a space, control or non-ASCII character`},
		{"newline", func(c *Config) { c.TokenURL = "https://example.com/x\nHost: evil" }, `token_url "https://example.com/x\nHost: evil": holds a space, control or non-ASCII character`},
		{"escape", func(c *Config) { c.TokenURL = "https://example.com/\x1b[31m" }, `token_url "https://example.com/\x1b[31m": holds a space, control or non-ASCII character`},
		{"unicode", func(c *Config) { c.TokenURL = "https://exämple.com/x" }, `token_url "https://exämple.com/x": holds a space, control or non-ASCII character`},
		{"bad port", func(c *Config) { c.TokenURL = "https://example.com:99999/x" }, `token_url "https://example.com:99999/x": has an invalid port`},
		{"not a url", func(c *Config) { c.TokenURL = "https://[::1/x" }, `token_url "https://[::1/x": not a URL`},
		{"no client id", func(c *Config) { c.ClientID = "" }, "oauth client id is empty"},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "oauth client secret is empty"},
		{"secret with newline", func(c *Config) { c.ClientSecret = testSecret + "\n" }, "oauth client secret holds a control character"},
		{"scope with space", func(c *Config) { c.Scopes = []string{"all-apis sql"} }, `oauth scope "all-apis sql": must be non-empty, without spaces or control characters`},
		{"empty scope", func(c *Config) { c.Scopes = []string{""} }, `oauth scope "": must be non-empty, without spaces or control characters`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.edit(&cfg)
			_, err := New(cfg)
			var c Cache
			_, cerr := c.Get(cfg)
			switch {
			case tc.want == "" && (err != nil || cerr != nil):
				t.Errorf("New: %v; Cache.Get: %v", err, cerr)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("New error\n got %v\nwant %s", err, tc.want)
			case tc.want != "" && (cerr == nil || cerr.Error() != tc.want):
				t.Errorf("Cache.Get error %v", cerr)
			}
			if err != nil {
				checkClean(t, err.Error(), "hunter22", "dapi0123456789")
			}
		})
	}
}

func TestCache(t *testing.T) {
	a := newEndpoint(t, jsonAnswer(200, `{"access_token":"token-of-a","expires_in":3600}`))
	b := newEndpoint(t, jsonAnswer(200, `{"access_token":"token-of-b","expires_in":3600}`))
	var c Cache
	get := func(cfg Config) *Source {
		t.Helper()
		s, err := c.Get(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cfgA, cfgB := a.config(newClock()), b.config(newClock())
	sa := get(cfgA)
	upper := cfgA
	upper.TokenURL = strings.Replace(strings.Replace(cfgA.TokenURL, "https://", "HTTPS://", 1), "/oidc", "/oidc", 1)
	for _, tc := range []struct {
		name string
		cfg  Config
		same bool
	}{
		{"same config", cfgA, true},
		{"scheme in capitals", upper, true},
		{"other URL", cfgB, false},
		{"other client", func() Config { x := cfgA; x.ClientID = "other"; return x }(), false},
		{"other secret", func() Config { x := cfgA; x.ClientSecret = "other-secret"; return x }(), false},
		{"other scopes", func() Config { x := cfgA; x.Scopes = []string{"sql"}; return x }(), false},
		{"other path", func() Config { x := cfgA; x.TokenURL += "2"; return x }(), false},
	} {
		if got := get(tc.cfg); (got == sa) != tc.same {
			t.Errorf("%s: same Source = %v, want %v", tc.name, got == sa, tc.same)
		}
	}

	// 50 workspaces on each of two token URLs: one request per URL.
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, want := cfgA, "token-of-a"
			if i%2 == 1 {
				cfg, want = cfgB, "token-of-b"
			}
			s, err := c.Get(cfg)
			if err != nil {
				t.Error(err)
				return
			}
			if tok, err := s.Token(context.Background()); err != nil || tok != want {
				t.Errorf("workspace %d: %q, %v", i, tok, err)
			}
		}()
	}
	wg.Wait()
	if a.count.Load() != 1 || b.count.Load() != 1 {
		t.Errorf("requests: %d to a, %d to b; want 1 each", a.count.Load(), b.count.Load())
	}
	secrets := strings.Join(c.Secrets(), " ")
	for _, want := range []string{testSecret, "token-of-a", "token-of-b", "other-secret"} {
		if !strings.Contains(secrets, want) {
			t.Errorf("Cache.Secrets() lacks %q", want)
		}
	}
}
