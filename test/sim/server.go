package sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Config configures a Server. The zero value serves TLS on 127.0.0.1 at a free port.
type Config struct {
	Plain bool             // serve plain HTTP instead of TLS
	Now   func() time.Time // clock for token times and expiry, called concurrently; default time.Now
	Addr  string           // listen address; default "127.0.0.1:0"
	// CAFile, if set, receives the CA certificate (PEM) at start, for other processes.
	CAFile string
	// BodyReadTimeout is how long a client has to send a request's whole body once its
	// headers are in; default 10s. A body not in by then is abandoned and nothing is
	// done. Headers (and the TLS handshake) have 10s of their own.
	BodyReadTimeout time.Duration
	// AccessTokenTTL is how long an OAuth access token from a token endpoint
	// (/oidc/v1/token) authenticates, measured by Now, and its expires_in; default one
	// hour, as Databricks issues them. It must be a whole number of seconds.
	AccessTokenTTL time.Duration
}

// Read limits: a client that stalls is cut off rather than holding a request forever.
const (
	headerReadTimeout      = 10 * time.Second
	defaultBodyReadTimeout = 10 * time.Second
)

// Server serves every simulated workspace from one loopback listener.
type Server struct {
	plain       bool
	now         func() time.Time
	bodyTimeout time.Duration
	ln          net.Listener
	http        *http.Server
	ca          *authority // nil when plain
	pool        *x509.CertPool
	dialer      net.Dialer
	served      chan struct{} // closed when Serve returns
	faults      faultQueue
	log         requestLog
	oauth       oauthState
	closeErr    error
	closed      sync.Once

	mu         sync.RWMutex
	workspaces map[string]*Workspace
	onClose    []func()
}

// OnClose runs fn when the server closes, e.g. to stop a Proxy with it.
func (s *Server) OnClose(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onClose = append(s.onClose, fn)
}

// Start listens and serves until Close. It serves no workspace until AddWorkspace.
func Start(cfg Config) (*Server, error) {
	s := &Server{
		plain:       cfg.Plain,
		now:         cfg.Now,
		bodyTimeout: cfg.BodyReadTimeout,
		served:      make(chan struct{}),
		workspaces:  make(map[string]*Workspace),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.bodyTimeout <= 0 {
		s.bodyTimeout = defaultBodyReadTimeout
	}
	if err := s.oauth.init(cfg.AccessTokenTTL); err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.http = &http.Server{
		Handler: http.HandlerFunc(s.serveHTTP),
		// Headers and the TLS handshake; readBody sets the body's own deadline. Not
		// ReadTimeout: it would count the header time against the body too, and would
		// also become the idle timeout, closing keep-alive connections that clients
		// expect to reuse for POSTs, which they cannot retry.
		ReadHeaderTimeout: headerReadTimeout,
		// Handshakes refused for unknown workspaces would otherwise be logged as errors.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	if !s.plain {
		ca, err := newAuthority()
		if err != nil {
			return nil, fmt.Errorf("start simulator: %w", err)
		}
		s.ca = ca
		s.pool = x509.NewCertPool()
		s.pool.AppendCertsFromPEM(ca.caPEM)
		s.http.TLSConfig = &tls.Config{
			MinVersion:     tls.VersionTLS12,
			GetCertificate: s.certificate,
		}
		if cfg.CAFile != "" {
			if err := s.WriteCA(cfg.CAFile); err != nil {
				return nil, fmt.Errorf("start simulator: %w", err)
			}
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start simulator on %q: %w", addr, err)
	}
	s.ln = ln
	go func() {
		defer close(s.served)
		if s.plain {
			_ = s.http.Serve(ln)
		} else {
			_ = s.http.ServeTLS(ln, "", "") // ServeTLS, not a tls.Listener, so HTTP/2 is offered as Databricks does
		}
	}()
	return s, nil
}

// Close stops the listener and drops open connections. It is safe to call twice.
func (s *Server) Close() error {
	s.closed.Do(func() {
		s.mu.RLock()
		hooks := s.onClose
		s.mu.RUnlock()
		for _, fn := range hooks {
			fn()
		}
		s.closeErr = s.http.Close()
		<-s.served
	})
	return s.closeErr
}

// Addr returns the listener address, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port returns the listener port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// CAPEM returns the CA certificate in PEM, or nil when the server is plain HTTP.
func (s *Server) CAPEM() []byte {
	if s.ca == nil {
		return nil
	}
	return append([]byte(nil), s.ca.caPEM...)
}

// WriteCA writes the CA certificate (PEM) to path, for processes that cannot call CAPEM.
func (s *Server) WriteCA(path string) error {
	if s.ca == nil {
		return fmt.Errorf("write ca to %q: plain HTTP server has no CA", path)
	}
	if err := os.WriteFile(path, s.ca.caPEM, 0o644); err != nil {
		return fmt.Errorf("write ca: %w", err)
	}
	return nil
}

// AddWorkspace starts serving a workspace. name is its host (an AWS, Azure or GCP
// workspace host) or a bare DNS label, short for "<label>.cloud.databricks.com".
func (s *Server) AddWorkspace(name string, opts WorkspaceOptions) (*Workspace, error) {
	w, err := newWorkspace(s, name, opts)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workspaces[w.name] != nil {
		return nil, fmt.Errorf("workspace %q already exists", w.name)
	}
	s.workspaces[w.name] = w
	return w, nil
}

// RemoveWorkspace stops serving a workspace and forgets its tokens.
func (s *Server) RemoveWorkspace(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := lookupKey(name)
	_, ok := s.workspaces[key]
	delete(s.workspaces, key)
	return ok
}

// Workspace returns the workspace with that host (or AWS deployment name), or nil.
func (s *Server) Workspace(name string) *Workspace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.workspaces[lookupKey(name)]
}

// workspaceForHost resolves a host name (no port, lower case) to a workspace, or nil.
// A bare label is no host: only full names are served.
func (s *Server) workspaceForHost(host string) *Workspace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.workspaces[host]
}

// serves reports whether host (no port, lower case) is a served workspace or an
// account console host.
func (s *Server) serves(host string) bool {
	_, account := accountHosts[host]
	return account || s.workspaceForHost(host) != nil
}

// DialContext connects to the simulator for any workspace host it serves, and for the
// account console hosts (accounts.cloud.databricks.com, accounts.azuredatabricks.net,
// accounts.gcp.databricks.com), whatever the port, so clients keep the production URL.
// Other names fail as an unknown host does (the simulator never resolves real names);
// IP literals and localhost are dialled as given.
func (s *Server) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	name := canonicalHost(host)
	if name == "localhost" || net.ParseIP(name) != nil {
		return s.dialer.DialContext(ctx, network, addr)
	}
	if !s.serves(name) {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return s.dialer.DialContext(ctx, "tcp", s.Addr())
}

// Transport returns a new transport that dials through DialContext and, over TLS,
// trusts only the simulator's CA. It ignores proxy settings from the environment.
func (s *Server) Transport() *http.Transport {
	t := &http.Transport{
		DialContext:         s.DialContext,
		MaxIdleConnsPerHost: 64, // parallel tests share a host; the default 2 would redo handshakes
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	if !s.plain {
		t.TLSClientConfig = &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12}
	}
	return t
}

// Client returns a new client using Transport.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport()}
}

// certificate serves the leaf to workspaces the server knows and to the account
// console hosts, and refuses other names, as a host that does not serve them would. A
// missing SNI (a client dialling an IP) is let through: the Host header decides then.
func (s *Server) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := canonicalHost(hello.ServerName)
	if name == "" || name == "localhost" {
		return &s.ca.leaf, nil
	}
	if s.serves(name) {
		return s.ca.leafFor(name)
	}
	return nil, fmt.Errorf("no workspace is served at %q", name)
}

func (s *Server) scheme() string {
	if s.plain {
		return "http"
	}
	return "https"
}

func (s *Server) nowMillis() int64 { return s.now().UnixMilli() }

// canonicalHost lower-cases a host name and drops a trailing root dot.
func canonicalHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// hostOnly strips the port from a Host header value.
func hostOnly(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return hostport
}
