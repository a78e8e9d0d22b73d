package sim

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Proxy is an HTTP CONNECT proxy on loopback that tunnels to the simulator's
// workspaces. It is how a separate program that cannot take a custom dialer
// (the StackQL engine: --http.proxy.host/--http.proxy.port) reaches
// https://<deployment_name>.cloud.databricks.com unchanged. It tunnels only
// to names the simulator serves (workspaces and the account consoles);
// everything else gets 502.
type Proxy struct {
	ln  net.Listener
	srv *http.Server
	wg  sync.WaitGroup // the copy goroutines of open tunnels

	// http.Server.Close does not close hijacked connections, so the proxy keeps
	// both ends of every tunnel to close them itself.
	mu      sync.Mutex
	closed  bool
	tunnels map[net.Conn]struct{}
}

// StartProxy listens on 127.0.0.1 (port 0) and tunnels CONNECT requests
// through s.DialContext.
func (s *Server) StartProxy() (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, tunnels: make(map[net.Conn]struct{})}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.tunnel(s, w, r) }),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go p.srv.Serve(ln)
	return p, nil
}

// Addr is the proxy's "127.0.0.1:PORT".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Port is the proxy's port.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Close stops the proxy, closes open tunnels (a keep-alive client would hold
// them forever) and waits for their goroutines to end.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

// track records a tunnel's two ends so Close can close them, and counts its two
// goroutines. It reports false once Close has begun; the caller then closes both.
func (p *Proxy) track(client, upstream net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.tunnels[client] = struct{}{}
	p.tunnels[upstream] = struct{}{}
	p.wg.Add(2) // under mu, so no Add follows Close's Wait
	return true
}

func (p *Proxy) untrack(client, upstream net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.tunnels, client)
	delete(p.tunnels, upstream)
}

func (p *Proxy) tunnel(s *Server, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "only CONNECT is supported", http.StatusMethodNotAllowed)
		return
	}
	// DialContext also dials IP literals and localhost as given, for in-process
	// clients; the proxy serves other processes, so it admits workspace and account
	// console names only.
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil || !s.serves(canonicalHost(host)) {
		http.Error(w, fmt.Sprintf("no workspace is served at %q", echo(r.Host)), http.StatusBadGateway)
		return
	}
	upstream, err := s.DialContext(r.Context(), "tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		upstream.Close()
		http.Error(w, "cannot tunnel", http.StatusInternalServerError)
		return
	}
	client, buf, err := hj.Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	if _, err := client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		client.Close()
		upstream.Close()
		return
	}
	if !p.track(client, upstream) {
		client.Close()
		upstream.Close()
		return
	}
	go func() {
		defer p.wg.Done()
		// Bytes the client sent after CONNECT may already sit in buf.
		io.Copy(upstream, buf)
		closeWrite(upstream)
	}()
	go func() {
		defer p.wg.Done()
		io.Copy(client, upstream)
		client.Close()
		upstream.Close()
		p.untrack(client, upstream)
	}()
}

// closeWrite tells upstream the client is done sending, keeping the other
// direction open for the response.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
