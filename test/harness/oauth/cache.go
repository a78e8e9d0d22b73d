package oauth

import (
	"strings"
	"sync"
)

// Cache shares Sources: configs with the same token URL (scheme and host
// compared without case), client id, client secret and scopes get the same
// Source, so a thousand workspaces behind one account-level token URL cause
// one token request, while workspace-level token URLs each get their own.
// The Client, Now and OnToken of the first Config are the ones used. The
// zero value is ready to use, and it is safe for concurrent use.
type Cache struct {
	mu sync.Mutex
	m  map[cacheKey]*Source
}

type cacheKey struct{ url, id, secret, scopes string }

// Get returns the Source for cfg, creating it (see New) on first use.
func (c *Cache) Get(cfg Config) (*Source, error) {
	u, err := checkTokenURL(cfg.TokenURL)
	if err != nil {
		return nil, err
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	k := cacheKey{url: u.String(), id: cfg.ClientID, secret: cfg.ClientSecret, scopes: strings.Join(cfg.Scopes, " ")}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[k]; ok {
		return s, nil
	}
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = make(map[cacheKey]*Source)
	}
	c.m[k] = s
	return s, nil
}

// Secrets returns the Secrets of every Source in the cache.
func (c *Cache) Secrets() []string {
	c.mu.Lock()
	srcs := make([]*Source, 0, len(c.m))
	for _, s := range c.m {
		srcs = append(srcs, s)
	}
	c.mu.Unlock()
	var out []string
	for _, s := range srcs {
		out = append(out, s.Secrets()...)
	}
	return out
}
