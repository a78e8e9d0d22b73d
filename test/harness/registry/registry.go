// Package registry finds and loads provider documents from a local StackQL
// provider registry (<root>/src/<provider>/<version>/provider.yaml and the
// service documents it references), through any-sdk.
//
// It loads lazily and only what a statement names: one provider header and
// one service document, each parsed once. It must not download, verify
// signatures or write anything.
package registry

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/stackql/any-sdk/public/formulation"
	"gopkg.in/yaml.v3"
)

// Config is the engine's --registry JSON. Only local (file://) registries are
// supported; verifyConfig is accepted and ignored (local documents are not
// signed).
type Config struct {
	URL          string          `json:"url"`
	LocalDocRoot string          `json:"localDocRoot"`
	VerifyConfig json.RawMessage `json:"verifyConfig,omitempty"`
}

// ParseConfig parses a --registry value.
func ParseConfig(s string) (Config, error) {
	var c Config
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("--registry: %w", err)
	}
	return c, nil
}

// Root returns the registry's document root directory.
func (c Config) Root() (string, error) {
	if c.LocalDocRoot != "" {
		return c.LocalDocRoot, nil
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return "", fmt.Errorf("--registry: url %q: %w", c.URL, err)
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("--registry: url %q: only file:// registries are supported", c.URL)
	}
	return u.Path, nil
}

// Registry is a local provider registry.
type Registry struct {
	root string

	mu        sync.Mutex
	providers map[string]*Provider

	secretsOnce sync.Once
	secrets     []*regexp.Regexp

	// nodes caches each service document read as YAML: the secret shapes
	// are read before any service resolves, and resolving reads the same
	// file again for its required bodies.
	nodesMu sync.Mutex
	nodes   map[string]*yaml.Node
}

// node parses the YAML document at path once per registry.
func (r *Registry) node(path string) (*yaml.Node, error) {
	r.nodesMu.Lock()
	defer r.nodesMu.Unlock()
	if n, ok := r.nodes[path]; ok {
		return n, nil
	}
	n, err := readNode(path)
	if err != nil {
		return nil, err
	}
	if r.nodes == nil {
		r.nodes = map[string]*yaml.Node{}
	}
	r.nodes[path] = n
	return n, nil
}

// Open opens the registry rooted at root (the directory holding src/).
func Open(root string) (*Registry, error) {
	st, err := os.Stat(filepath.Join(root, "src"))
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("registry %s: no src directory", root)
	}
	return &Registry{root: root, providers: map[string]*Provider{}}, nil
}

// Discover finds the provider/ registry of the repository that dir is in,
// looking in dir and its parents.
func Discover(dir string) (string, error) {
	for {
		p := filepath.Join(dir, "provider")
		if st, err := os.Stat(filepath.Join(p, "src")); err == nil && st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no provider registry: pass --registry (no provider/src above the working directory)")
		}
		dir = parent
	}
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// Provider loads the latest version of the named provider.
func (r *Registry) Provider(name string) (*Provider, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.providers[name]; ok {
		return p, nil
	}
	if !nameRE.MatchString(name) || strings.Contains(name, "..") {
		return nil, fmt.Errorf("provider %q not found", name)
	}
	dir := filepath.Join(r.root, "src", name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("provider %q not found in registry %s", name, r.root)
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("provider %q has no versions in registry %s", name, r.root)
	}
	sort.Strings(versions) // as any-sdk picks the latest document
	p, err := loadProvider(filepath.Join(r.root, "src"), name, versions[len(versions)-1])
	if err == nil {
		p.reg = r
	}
	if err != nil {
		return nil, err
	}
	r.providers[name] = p
	return p, nil
}

// Auth is a provider's default authentication, as provider.yaml's
// config.auth states it (the same keys as the engine's --auth JSON).
type Auth struct {
	Type              string `json:"type" yaml:"type"`
	CredentialsEnvVar string `json:"credentialsenvvar" yaml:"credentialsenvvar"`
	ValuePrefix       string `json:"valuePrefix" yaml:"valuePrefix"`
	Name              string `json:"name" yaml:"name"`
	Location          string `json:"location" yaml:"location"`
	UsernameVar       string `json:"username_var" yaml:"username_var"`
	PasswordVar       string `json:"password_var" yaml:"password_var"`
	// oauth2, client credentials: the access token is fetched from TokenURL
	// with the client ID and secret these variables hold.
	ClientIDEnvVar     string   `json:"client_id_env_var" yaml:"client_id_env_var"`
	ClientSecretEnvVar string   `json:"client_secret_env_var" yaml:"client_secret_env_var"`
	GrantType          string   `json:"grant_type" yaml:"grant_type"`
	TokenURL           string   `json:"token_url" yaml:"token_url"`
	Scopes             []string `json:"scopes" yaml:"scopes"`
}

// ServiceEntry is one providerServices entry of provider.yaml.
type ServiceEntry struct {
	Name        string `yaml:"name"`
	ID          string `yaml:"id"`
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Version     string `yaml:"version"`
	Preferred   bool   `yaml:"preferred"`
	Service     struct {
		Ref string `yaml:"$ref"`
	} `yaml:"service"`
}

// Provider is one provider version.
type Provider struct {
	Name        string
	Version     string
	Title       string
	Description string
	Auth        *Auth
	// Services are sorted by name.
	Services []ServiceEntry

	srcRoot string
	path    string
	doc     formulation.Provider
	reg     *Registry // whose document cache Service reads through

	mu       sync.Mutex
	services map[string]*Service
}

type providerHeader struct {
	ID               string                  `yaml:"id"`
	Name             string                  `yaml:"name"`
	Title            string                  `yaml:"title"`
	Description      string                  `yaml:"description"`
	ProviderServices map[string]ServiceEntry `yaml:"providerServices"`
	Config           struct {
		Auth *Auth `yaml:"auth"`
	} `yaml:"config"`
}

func loadProvider(srcRoot, name, version string) (*Provider, error) {
	path := filepath.Join(srcRoot, name, version, "provider.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("provider %q: %w", name, err)
	}
	var h providerHeader
	if err := yaml.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	doc, err := formulation.LoadProviderDocFromBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p := &Provider{
		Name: name, Version: version, Title: h.Title, Description: h.Description,
		Auth: h.Config.Auth, srcRoot: srcRoot, path: path, doc: doc,
		services: map[string]*Service{},
	}
	for key, s := range h.ProviderServices {
		if s.Name == "" {
			s.Name = key
		}
		p.Services = append(p.Services, s)
	}
	sort.Slice(p.Services, func(i, j int) bool { return p.Services[i].Name < p.Services[j].Name })
	return p, nil
}

// Doc is the any-sdk provider document.
func (p *Provider) Doc() formulation.Provider { return p.doc }

// Service loads the named service document.
func (p *Provider) Service(name string) (*Service, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.services[name]; ok {
		return s, nil
	}
	var entry *ServiceEntry
	for i := range p.Services {
		if p.Services[i].Name == name {
			entry = &p.Services[i]
		}
	}
	if entry == nil {
		return nil, fmt.Errorf("service %q not found in provider %s%s", name, p.Name, Available(p.serviceNames()))
	}
	ref := strings.SplitN(entry.Service.Ref, "#", 2)[0]
	path := filepath.Join(p.srcRoot, filepath.FromSlash(ref))
	if rel, err := filepath.Rel(p.srcRoot, path); err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("%s: service %q: $ref %q leaves the registry", p.path, name, entry.Service.Ref)
	}
	api, err := formulation.LoadProviderAndServiceFromPaths(p.path, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	doc, err := p.reg.node(path)
	if err != nil {
		return nil, err
	}
	secrets, err := secretPatterns(path, doc)
	if err != nil {
		return nil, err
	}
	bodies, err := requiredBodies(path, doc)
	if err != nil {
		return nil, err
	}
	s := &Service{Entry: *entry, Provider: p, API: api, Secrets: secrets, RequiredBodies: bodies, path: path}
	p.services[name] = s
	return s, nil
}

func (p *Provider) serviceNames() []string {
	var names []string
	for _, s := range p.Services {
		names = append(names, s.Name)
	}
	return names
}

// Service is one loaded service document.
type Service struct {
	Entry    ServiceEntry
	Provider *Provider
	API      formulation.Service
	// RequiredBodies holds the methods ("resource.method") whose request
	// body is required.
	RequiredBodies map[string]bool
	// Secrets are the shapes of the secrets the API returns: the pattern of
	// every string schema the document marks `format: password`.
	Secrets []*regexp.Regexp
	path    string

	once      sync.Once
	resources []string
	resErr    error
}

// Resource returns the named resource of the service.
func (s *Service) Resource(name string) (formulation.Resource, error) {
	r, err := s.API.GetResource(name)
	if err != nil || r == nil {
		names, _ := s.ResourceNames()
		return nil, fmt.Errorf("resource %q not found in %s.%s%s", name, s.Provider.Name, s.Entry.Name, Available(names))
	}
	return r, nil
}

// ResourceNames lists the service's resources in document order.
func (s *Service) ResourceNames() ([]string, error) {
	s.once.Do(func() {
		b, err := os.ReadFile(s.path)
		if err != nil {
			s.resErr = err
			return
		}
		var doc struct {
			Components struct {
				Resources yaml.Node `yaml:"x-stackQL-resources"`
			} `yaml:"components"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			s.resErr = fmt.Errorf("%s: %w", s.path, err)
			return
		}
		n := doc.Components.Resources
		for i := 0; i+1 < len(n.Content); i += 2 {
			s.resources = append(s.resources, n.Content[i].Value)
		}
	})
	return s.resources, s.resErr
}

// Available says which names a lookup could have matched, for an error
// about one that matched none: " (available: a, b)", or "" for none.
func Available(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (available: " + strings.Join(names, ", ") + ")"
}

// CredentialVars names the environment variables the providers' default
// auth reads credentials from, so their values can be masked from the
// start. Providers that cannot be loaded are skipped.
func (r *Registry) CredentialVars() []string {
	dirs, _ := filepath.Glob(filepath.Join(r.root, "src", "*"))
	var out []string
	for _, d := range dirs {
		if p, err := r.Provider(filepath.Base(d)); err == nil && p.Auth != nil {
			out = append(out, p.Auth.Vars()...)
		}
	}
	return out
}

// Vars names the environment variables a's credentials are read from.
func (a Auth) Vars() []string {
	var out []string
	for _, v := range []string{a.CredentialsEnvVar, a.UsernameVar, a.PasswordVar, a.ClientSecretEnvVar} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// SecretPatterns returns the secret shapes every service document in the
// registry declares, so text can be masked before (or without) any
// statement resolving a service: a token value typed into a statement with
// a syntax error must not be echoed either. Documents that cannot be read
// are skipped; resolving them reports why.
func (r *Registry) SecretPatterns() []*regexp.Regexp {
	r.secretsOnce.Do(func() { r.secrets = r.readSecretPatterns() })
	return r.secrets
}

func (r *Registry) readSecretPatterns() []*regexp.Regexp {
	paths, _ := filepath.Glob(filepath.Join(r.root, "src", "*", "*", "services", "*.yaml"))
	var out []*regexp.Regexp
	for _, p := range paths {
		doc, err := r.node(p)
		if err != nil {
			continue
		}
		if res, err := secretPatterns(p, doc); err == nil {
			out = append(out, res...)
		}
	}
	return out
}

// secretPatterns reads the service document for string schemas marked
// `format: password` and returns their patterns, unanchored, so output can
// mask any value of that shape. any-sdk's schema view does not expose
// format or pattern, hence this second, cheap read.
func secretPatterns(path string, doc *yaml.Node) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Kind == yaml.MappingNode {
			var format, pattern string
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch n.Content[i].Value {
				case "format":
					format = n.Content[i+1].Value
				case "pattern":
					pattern = n.Content[i+1].Value
				}
			}
			if format == "password" && pattern != "" {
				re, err := regexp.Compile(strings.TrimSuffix(strings.TrimPrefix(pattern, "^"), "$"))
				if err != nil {
					return fmt.Errorf("%s: secret pattern %q: %w", path, pattern, err)
				}
				out = append(out, re)
			}
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(doc)
}

// readNode parses a YAML document.
func readNode(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &doc, nil
}

// requiredBodies lists the methods whose request body is required
// (`requestBody.required: true` on the operation a method's
// `operation.$ref` names), as "resource.method": any-sdk's view does not
// expose it, and a statement that would send such a method no body is
// wrong before anything is sent.
func requiredBodies(path string, doc *yaml.Node) (map[string]bool, error) {
	type operation struct {
		RequestBody struct {
			Required bool `yaml:"required"`
		} `yaml:"requestBody"`
	}
	var d struct {
		Paths      map[string]map[string]yaml.Node `yaml:"paths"`
		Components struct {
			Resources map[string]struct {
				Methods map[string]struct {
					Operation struct {
						Ref string `yaml:"$ref"`
					} `yaml:"operation"`
				} `yaml:"methods"`
			} `yaml:"x-stackQL-resources"`
		} `yaml:"components"`
	}
	if err := doc.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]bool{}
	for rname, r := range d.Components.Resources {
		for mname, m := range r.Methods {
			// #/paths/<path, ~1 for />/<verb>
			ref, ok := strings.CutPrefix(m.Operation.Ref, "#/paths/")
			i := strings.LastIndex(ref, "/")
			if !ok || i < 0 {
				continue
			}
			p := strings.NewReplacer("~1", "/", "~0", "~").Replace(ref[:i])
			n, ok := d.Paths[p][ref[i+1:]]
			var op operation
			if ok && n.Kind == yaml.MappingNode && n.Decode(&op) == nil && op.RequestBody.Required {
				out[rname+"."+mname] = true
			}
		}
	}
	return out, nil
}
