package harness

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stackql/any-sdk/public/formulation"
	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// bodyPrefix marks request-body fields among columns and @parameters.
const bodyPrefix = "data__"

// target is a resolved provider.service.resource.
type target struct {
	e    *Engine // whose credentials checkParam resolves for a host
	prov *registry.Provider
	svc  *registry.Service
	rsc  formulation.Resource
	id   string

	once    sync.Once
	methods []*method // every method the SQL verbs reach, in the engine's order

	patternMu sync.Mutex
	patterns  map[string]*regexp.Regexp // compiled x-patterns: one compile serves every method
}

// names splits a parsed dotted name into its parts, outermost first.
func names(tn sqlparser.TableName) []string {
	var parts []string
	for _, p := range []string{tn.QualifierThird.GetRawVal(), tn.QualifierSecond.GetRawVal(), tn.Qualifier.GetRawVal(), tn.Name.GetRawVal()} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

func (e *Engine) provider(name string) (*registry.Provider, error) {
	if e.cfg.Registry == nil {
		return nil, fmt.Errorf("no provider registry configured")
	}
	return e.cfg.Registry.Provider(name)
}

func (e *Engine) service(prov, svc string) (*registry.Provider, *registry.Service, error) {
	p, err := e.provider(prov)
	if err != nil {
		return nil, nil, err
	}
	s, err := p.Service(svc)
	if err != nil {
		return nil, nil, err
	}
	e.red.AddPatterns(s.Secrets)
	return p, s, nil
}

// resolveResource resolves provider.service.resource, once per engine:
// its methods are read from the documents the first time they are needed.
func (e *Engine) resolveResource(parts []string) (*target, error) {
	id := strings.Join(parts, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%q is not a resource: want provider.service.resource", id)
	}
	e.targetMu.Lock()
	defer e.targetMu.Unlock()
	if t, ok := e.targets[id]; ok {
		return t, nil
	}
	p, s, err := e.service(parts[0], parts[1])
	if err != nil {
		return nil, err
	}
	r, err := s.Resource(parts[2])
	if err != nil {
		return nil, err
	}
	t := &target{e: e, prov: p, svc: s, rsc: r, id: id}
	if e.targets == nil {
		e.targets = map[string]*target{}
	}
	e.targets[id] = t
	return t, nil
}

// method is what the harness needs to know about one resource method, all
// read from the provider documents.
type method struct {
	t    *target
	op   formulation.StandardOperationStore
	key  string // the method's name in x-stackQL-resources
	verb string // SELECT, INSERT, DELETE, ..., EXEC

	params   map[string]string // non-body parameter -> schema type
	required []string          // required parameters, sorted; body ones as data__x
	server   []serverVar

	body         map[string]formulation.Schema // request body properties
	bodyRequired map[string]bool
}

type serverVar struct {
	name   string
	inHost bool
	// wholeHost: the variable is the URL's whole host, so its value is a
	// DNS name; a variable that is part of a host is one DNS label.
	wholeHost bool
	v         *openapi3.ServerVariable
	pattern   *regexp.Regexp // x-pattern, if declared
}

func (m *method) String() string { return fmt.Sprintf("method %q of %s", m.key, m.t.id) }

func newMethod(t *target, op formulation.StandardOperationStore) *method {
	pm := op.ToPresentationMap(false)
	m := &method{
		t: t, op: op,
		key:    fmt.Sprint(pm["MethodName"]),
		verb:   fmt.Sprint(pm["SQLVerb"]),
		params: map[string]string{},
		body:   map[string]formulation.Schema{},

		bodyRequired: map[string]bool{},
	}
	req := map[string]bool{}
	for name, a := range op.GetRequiredNonBodyParameters() {
		m.params[name] = a.GetType()
		req[name] = true
	}
	for name, a := range op.GetOptionalParameters() {
		if !strings.HasPrefix(name, bodyPrefix) {
			m.params[name] = a.GetType()
		}
	}
	for name, a := range op.GetRequiredParameters() {
		if !strings.HasPrefix(name, bodyPrefix) {
			m.params[name] = a.GetType()
			req[name] = true
		}
	}
	servers, ok := op.GetServers()
	if !ok || len(servers) == 0 {
		servers, _ = t.svc.API.GetServers()
	}
	if len(servers) > 0 {
		host := serverHost(servers[0].URL)
		for name, v := range servers[0].Variables {
			inHost := strings.Contains(host, "{"+name+"}")
			wholeHost := host == "{"+name+"}"
			m.server = append(m.server, serverVar{name: name, inHost: inHost, wholeHost: wholeHost, v: v, pattern: t.pattern(v)})
			m.params[name] = "string"
			req[name] = true // the engine requires every server variable
		}
		sort.Slice(m.server, func(i, j int) bool { return m.server[i].name < m.server[j].name })
	}
	if rb, err := op.GetRequestBodySchema(); err == nil && rb != nil && !rb.IsEmpty() {
		if props, err := rb.GetProperties(); err == nil {
			for name, s := range props {
				m.body[name] = s
				if rb.IsRequired(name) {
					m.bodyRequired[name] = true
					req[bodyPrefix+name] = true
				}
			}
		}
	}
	for name := range req {
		m.required = append(m.required, name)
	}
	sort.Strings(m.required)
	return m
}

// routePattern matches a server variable written with any-sdk's routing
// pattern, "{name:pattern}"; any-sdk fills it as "{name}".
var routePattern = regexp.MustCompile(`\{([^{}:]+):[^{}]*\}`)

// serverHost returns the host part of a server URL template, its variables
// written "{name}".
func serverHost(u string) string {
	u = routePattern.ReplaceAllString(u, "{$1}")
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

// methodByKey finds a method by its x-stackQL-resources name.
func (t *target) methodByKey(key string) (*method, error) {
	op, err := t.rsc.FindMethod(key)
	if err != nil || op == nil {
		return nil, fmt.Errorf("method %q not found in resource %s%s", key, t.id, registry.Available(t.methodKeys("")))
	}
	return t.method(op), nil
}

// method is the method of op: the one read with the resource's methods,
// or, for a method no SQL verb reaches, read now.
func (t *target) method(op formulation.StandardOperationStore) *method {
	key := fmt.Sprint(op.ToPresentationMap(false)["MethodName"])
	for _, m := range t.methodsFor("") {
		if m.key == key {
			return m
		}
	}
	return newMethod(t, op)
}

// methodsFor lists the methods a SQL verb reaches, in the engine's order.
func (t *target) methodsFor(verb string) []*method {
	t.once.Do(func() {
		ops, err := t.rsc.GetMethodsMatched().OrderMethods()
		if err != nil {
			return
		}
		for _, op := range ops {
			t.methods = append(t.methods, newMethod(t, op))
		}
	})
	var out []*method
	for _, m := range t.methods {
		if verb == "" || strings.EqualFold(m.verb, verb) {
			out = append(out, m)
		}
	}
	return out
}

func (t *target) methodKeys(verb string) []string {
	var keys []string
	for _, m := range t.methodsFor(verb) {
		keys = append(keys, m.key)
	}
	sort.Strings(keys)
	return keys
}

// bindTerms picks the verb's method from the parameters the terms (a
// WHERE's top-level AND terms) constrain with = or IN, among the columns
// mine accepts, and returns it with those bindings. A required parameter
// left unconstrained is an error naming it and the method.
func (t *target) bindTerms(verb string, terms []sqlparser.Expr, mine func(*sqlparser.ColName) bool) (*method, map[string]*binding, error) {
	return t.bindTermsWith(verb, terms, mine, nil)
}

// bindTermsWith is bindTerms for a statement that supplies more than its
// WHERE: an UPDATE's SET, say (data__x names and parameters).
func (t *target) bindTermsWith(verb string, terms []sqlparser.Expr, mine func(*sqlparser.ColName) bool, also map[string]bool) (*method, map[string]*binding, error) {
	// Parameters any method of the verb takes.
	candidates := map[string]string{}
	for _, m := range t.methodsFor(verb) {
		maps.Copy(candidates, m.params)
	}
	bound := bindParams(terms, candidates, mine)
	supplied := maps.Clone(also)
	if supplied == nil {
		supplied = map[string]bool{}
	}
	for p := range bound {
		supplied[p] = true
	}
	m, err := t.chooseMethod(verb, supplied)
	if err != nil {
		return nil, nil, err
	}
	if miss := m.missing(supplied); len(miss) > 0 {
		err := m.missingError(miss)
		if slices.ContainsFunc(terms, func(e sqlparser.Expr) bool { return mentions(e, miss[0], mine) }) {
			err = fmt.Errorf("%w (constrain it with = or IN joined to the rest of WHERE by AND)", err)
		}
		return nil, nil, err
	}
	return m, bound, nil
}

// chooseMethod picks the method a SQL verb reaches given the parameters the
// statement supplies, as the engine does (any-sdk's first method, in
// sqlVerbs order, whose required parameters are all supplied); when none
// qualifies it returns the first method so the caller can name what is
// missing.
func (t *target) chooseMethod(verb string, supplied map[string]bool) (*method, error) {
	params := map[string]any{}
	for k := range supplied {
		params[k] = true
	}
	if op, _, ok := t.rsc.GetFirstNamespaceMethodMatchFromSQLVerb(verb, params); ok && op != nil {
		return t.method(op), nil
	}
	if op, _, ok := t.rsc.GetFirstMethodFromSQLVerb(verb); ok && op != nil {
		return t.method(op), nil
	}
	return nil, fmt.Errorf("resource %s has no %s method", t.id, strings.ToUpper(verb))
}

// missing returns the required parameters not in supplied.
func (m *method) missing(supplied map[string]bool) []string {
	var out []string
	for _, r := range m.required {
		if !supplied[r] {
			out = append(out, r)
		}
	}
	return out
}

func (m *method) missingError(missing []string) error {
	q := make([]string, len(missing))
	for i, s := range missing {
		q[i] = fmt.Sprintf("%q", s)
	}
	noun := "parameter"
	if len(q) > 1 {
		noun = "parameters"
	}
	return fmt.Errorf("missing required %s %s for %s", noun, strings.Join(q, ", "), m)
}

// checkParam validates a parameter value before it reaches a URL: a server
// variable that is the whole host must be a DNS name, labels joined by dots,
// and one that is part of a host a DNS label (anything else could rewrite the
// authority, e.g. "a@evil.example", or move the host under another domain), and any server
// variable must satisfy its enum and x-pattern (the error quotes the
// variable's description, which says what the pattern means); a path or query value must not carry control
// characters. A value in the path (a path parameter, or a server variable
// in the server URL's path) must arrive as one segment meaning itself:
// any-sdk places it verbatim, so "/", "?", "#" or "%" (the server decodes
// "%2e%2e" to "..") would reach another resource with the credential.
func (m *method) checkParam(name string, v value.Value) error {
	s := v.Text()
	if sv := m.serverVar(name); sv != nil {
		if sv.wholeHost {
			if problem := transport.HostProblem(s); problem != "" {
				return fmt.Errorf("parameter %q: %q is not a valid host name: %s", name, s, problem)
			}
		} else if sv.inHost {
			if problem := transport.LabelProblem(s); problem != "" {
				return fmt.Errorf("parameter %q: %q is not a valid DNS label: %s", name, s, problem)
			}
		}
		if sv.v != nil && len(sv.v.Enum) > 0 && !slices.Contains(sv.v.Enum, s) {
			return fmt.Errorf("parameter %q: %q is not one of %s", name, s, strings.Join(sv.v.Enum, ", "))
		}
		if sv.pattern != nil && !sv.pattern.MatchString(s) {
			if d := strings.Join(strings.Fields(sv.v.Description), " "); d != "" {
				return fmt.Errorf("parameter %q: %q does not match its pattern; %s", name, s, lowerFirst(d))
			}
			return fmt.Errorf("parameter %q: %q does not match %s", name, s, sv.pattern)
		}
		// The host is known: its credential must be too, before anything of
		// the script is sent (a fan-out must not reach one workspace and then
		// find it has no credential for the next).
		if sv.wholeHost && m.t.e != nil {
			if err := m.t.e.checkAuth(m.t.prov, s); err != nil {
				return err
			}
		}
		if sv.inHost {
			return nil // a DNS name holds nothing the checks below refuse
		}
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("parameter %q: value contains a control character", name)
		}
	}
	if s == "." || s == ".." {
		return fmt.Errorf("parameter %q: %q cannot be a path segment", name, s)
	}
	if i := strings.IndexAny(s, "/?#%"); i >= 0 && m.inPath(name) {
		return fmt.Errorf("parameter %q: %q cannot be a path segment: it contains %q", name, s, s[i:i+1])
	}
	return nil
}

// lowerFirst lowers the first letter of a sentence used inside another.
func lowerFirst(s string) string {
	if s == "" || !unicode.IsUpper(rune(s[0])) {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// serverVar returns the server variable called name, or nil.
func (m *method) serverVar(name string) *serverVar {
	for i := range m.server {
		if m.server[i].name == name {
			return &m.server[i]
		}
	}
	return nil
}

// inPath reports whether name's value goes into the URL path: a server
// variable outside the host, or a required parameter that is not a server
// variable (OpenAPI path parameters are always required; a required query
// parameter is treated as one too, which only refuses more).
func (m *method) inPath(name string) bool {
	if sv := m.serverVar(name); sv != nil {
		return !sv.inHost
	}
	return slices.Contains(m.required, name)
}

// pattern returns a server variable's x-pattern, if it declares one,
// compiled once per resource: a host pattern with bounded repetitions
// ({0,61}) takes a quarter of a millisecond to compile.
func (t *target) pattern(v *openapi3.ServerVariable) *regexp.Regexp {
	if v == nil {
		return nil
	}
	raw, ok := v.Extensions["x-pattern"]
	if !ok {
		return nil
	}
	var p string
	switch s := raw.(type) {
	case json.RawMessage:
		if json.Unmarshal(s, &p) != nil {
			return nil
		}
	case string:
		p = s
	}
	t.patternMu.Lock()
	defer t.patternMu.Unlock()
	if re, ok := t.patterns[p]; ok {
		return re
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	if t.patterns == nil {
		t.patterns = map[string]*regexp.Regexp{}
	}
	t.patterns[p] = re
	return re
}
