package generator

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// mappingSource is openapi/sql-mapping.yaml as written. It is decoded with
// KnownFields, so a misspelt key is an error instead of being ignored.
type mappingSource struct {
	Provider  *providerSource           `yaml:"provider"`
	Service   *serviceSource            `yaml:"service"`
	Resources map[string]resourceSource `yaml:"resources"`
}

type providerSource struct {
	ID          text        `yaml:"id"`
	Version     text        `yaml:"version"`
	Description text        `yaml:"description"`
	Auth        *authSource `yaml:"auth"`
}

// authSource is the provider's config.auth: the keys of it the engine reads.
type authSource struct {
	Type              text `yaml:"type"`
	CredentialsEnvVar text `yaml:"credentialsenvvar"`
	ValuePrefix       text `yaml:"valuePrefix"`
	Location          text `yaml:"location"`
	Name              text `yaml:"name"`
	UsernameVar       text `yaml:"username_var"`
	PasswordVar       text `yaml:"password_var"`
}

type authKey struct {
	key string
	val text
}

// keys pairs each auth key with its value.
func (a *authSource) keys() []authKey {
	return []authKey{
		{"type", a.Type},
		{"credentialsenvvar", a.CredentialsEnvVar},
		{"valuePrefix", a.ValuePrefix},
		{"location", a.Location},
		{"name", a.Name},
		{"username_var", a.UsernameVar},
		{"password_var", a.PasswordVar},
	}
}

type serviceSource struct {
	Name        text `yaml:"name"`
	Title       text `yaml:"title"`
	Description text `yaml:"description"`
}

type resourceSource struct {
	Title       text                    `yaml:"title"`
	Description text                    `yaml:"description"`
	Methods     map[string]methodSource `yaml:"methods"`
}

type methodSource struct {
	Operation text `yaml:"operation"`
	Verb      text `yaml:"verb"`
	ObjectKey text `yaml:"objectKey"`
}

// text is a scalar of the mapping. The decoder hands it its node, so a value
// that is not a scalar is refused with the position the YAML path is found
// by. A null value leaves it empty, as if the key were absent.
type text struct {
	Value string
	set   bool // the key is present with a non-null scalar
}

func (t *text) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &valueError{line: n.Line, column: n.Column, msg: "must be a string"}
	}
	*t = text{Value: n.Value, set: true}
	return nil
}

// valueError is a value the decoder refused, at the position of its node.
type valueError struct {
	line, column int
	msg          string
}

func (e *valueError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.line, e.column, e.msg)
}

// The decoder reports unknown keys and values of the wrong kind as text that
// names only a line; these find the line (and the key) to give a YAML path.
// Every field of the mapping types that is not text is a mapping, so a value
// the decoder cannot unmarshal is one that must be a mapping.
var (
	unknownKeyRE = regexp.MustCompile(`^line (\d+): field (.*) not found in type \S+$`)
	notMappingRE = regexp.MustCompile(`^line (\d+): cannot unmarshal `)
)

// decodeError turns an error of the strict decoder into one line that names
// the file and, where it can be found, the YAML path of the offending key.
func decodeError(root node, err error) error {
	var ve *valueError
	if errors.As(err, &ve) {
		if at, ok := root.find(ve.line, ve.column, ""); ok {
			return at.errorf("%s", ve.msg)
		}
		return fmt.Errorf("%s: %w", root.file, err)
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		first := te.Errors[0]
		if m := unknownKeyRE.FindStringSubmatch(first); m != nil {
			line, _ := strconv.Atoi(m[1])
			if at, ok := root.find(line, 0, m[2]); ok {
				return at.errorf("unknown key %q", m[2])
			}
		}
		if m := notMappingRE.FindStringSubmatch(first); m != nil {
			line, _ := strconv.Atoi(m[1])
			if at, ok := root.find(line, 0, ""); ok {
				return at.errorf("must be a mapping")
			}
		}
		return fmt.Errorf("%s: %s", root.file, first)
	}
	return fmt.Errorf("%s: %s", root.file, strings.TrimPrefix(oneLine(err.Error()), "yaml: "))
}

// decodeMapping decodes the mapping source strictly. m.mapping, its parsed
// node, is what error messages find YAML paths and the order of keys in.
func (m *model) decodeMapping(src File) (*mappingSource, error) {
	var doc mappingSource
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, decodeError(m.mapping, err)
	}
	return &doc, nil
}

// need returns the value of a required key of the mapping at at.
func need(at node, key string, t text) (string, error) {
	if t.Value == "" {
		return "", at.errorf("missing %q", key)
	}
	return t.Value, nil
}

// loadMapping decodes sql-mapping.yaml into the model and resolves each
// method against the operation it calls.
func (m *model) loadMapping(src File) error {
	doc, err := m.decodeMapping(src)
	if err != nil {
		return err
	}
	root := m.mapping
	if doc.Provider == nil {
		return root.errorf("missing %q", "provider")
	}
	prov, p := root.child("provider", nil), doc.Provider
	if m.provider.ID, err = need(prov, "id", p.ID); err != nil {
		return err
	}
	if m.provider.Version, err = need(prov, "version", p.Version); err != nil {
		return err
	}
	if !versionRE.MatchString(m.provider.Version) {
		return prov.child("version", nil).errorf("version %q must look like v00.00.00000 (any-sdk's pattern %s)", m.provider.Version, versionRE)
	}
	if m.provider.Description, err = need(prov, "description", p.Description); err != nil {
		return err
	}
	if p.Auth == nil {
		return prov.errorf("missing %q", "auth")
	}
	auth := prov.child("auth", nil)
	if _, err := need(auth, "type", p.Auth.Type); err != nil {
		return err
	}
	m.provider.Auth = map[string]string{}
	for _, kv := range p.Auth.keys() {
		if !kv.val.set {
			continue
		}
		if m.provider.Auth[kv.key], err = need(auth, kv.key, kv.val); err != nil {
			return err
		}
	}

	if doc.Service == nil {
		return root.errorf("missing %q", "service")
	}
	svc, s := root.child("service", nil), doc.Service
	if m.service.Name, err = need(svc, "name", s.Name); err != nil {
		return err
	}
	if m.service.Title, err = need(svc, "title", s.Title); err != nil {
		return err
	}
	if m.service.Description, err = need(svc, "description", s.Description); err != nil {
		return err
	}
	for _, n := range []struct {
		v   string
		key string
		at  node
	}{{m.provider.ID, "id", prov}, {m.service.Name, "name", svc}} {
		if !nameRE.MatchString(n.v) {
			return n.at.errorf("%s %q must be lowercase letters, digits and underscores", n.key, n.v)
		}
	}

	ops, err := m.operationsByID()
	if err != nil {
		return err
	}
	if doc.Resources == nil {
		return root.errorf("missing %q", "resources")
	}
	resources := root.child("resources", nil)
	if len(doc.Resources) == 0 {
		return resources.errorf("no resources")
	}
	for _, name := range m.keyOrder("resources") {
		r, err := m.loadResource(resources.child(name, nil), name, doc.Resources[name], ops)
		if err != nil {
			return err
		}
		m.resources = append(m.resources, r)
	}
	return nil
}

// keyOrder lists the keys of the mapping at path in sql-mapping.yaml in
// document order, which the decoded Go maps do not keep.
func (m *model) keyOrder(path ...string) []string {
	n, _ := m.mapping.lookup(path...)
	var keys []string
	for _, e := range n.entries() {
		keys = append(keys, e.key)
	}
	return keys
}

func (m *model) loadResource(at node, name string, src resourceSource, ops map[string]operationRef) (resource, error) {
	if !nameRE.MatchString(name) {
		return resource{}, at.errorf("resource name %q must be lowercase letters, digits and underscores", name)
	}
	r := resource{Name: name}
	var err error
	if r.Title, err = need(at, "title", src.Title); err != nil {
		return resource{}, err
	}
	if r.Description, err = need(at, "description", src.Description); err != nil {
		return resource{}, err
	}
	if src.Methods == nil {
		return resource{}, at.errorf("missing %q", "methods")
	}
	methods := at.child("methods", nil)
	if len(src.Methods) == 0 {
		return resource{}, methods.errorf("no methods")
	}
	for _, mname := range m.keyOrder("resources", name, "methods") {
		meth, err := m.loadMethod(methods.child(mname, nil), mname, src.Methods[mname], ops)
		if err != nil {
			return resource{}, err
		}
		r.Methods = append(r.Methods, meth)
	}
	return r, nil
}

func (m *model) loadMethod(at node, name string, src methodSource, ops map[string]operationRef) (method, error) {
	if !nameRE.MatchString(name) {
		return method{}, at.errorf("method name %q must be lowercase letters, digits and underscores", name)
	}
	opID, err := need(at, "operation", src.Operation)
	if err != nil {
		return method{}, err
	}
	ref, ok := ops[opID]
	if !ok {
		return method{}, at.child("operation", nil).errorf("unknown operation %q: no operationId %q in %s", opID, opID, m.specNode.file)
	}
	// any-sdk names a method by its operationId, so a method of another name
	// could not be found by the name the mapping gives it.
	if opID != name {
		return method{}, at.child("operation", nil).errorf("method %q calls operation %q: any-sdk names a method by its operationId, so the two must be equal", name, opID)
	}
	verb, err := need(at, "verb", src.Verb)
	if err != nil {
		return method{}, err
	}
	if !contains(sqlVerbs, verb) {
		return method{}, at.child("verb", nil).errorf("unknown sql verb %q (want one of %s)", verb, strings.Join(sqlVerbs, ", "))
	}
	meth := method{Name: name, Verb: verb, ObjectKey: src.ObjectKey.Value, Path: ref.path, HTTP: ref.http, Op: ref.op, where: at}
	if meth.ObjectKey != "" {
		if _, err := m.objectKeySchema(meth); err != nil {
			return method{}, at.child("objectKey", nil).errorf("%s", err)
		}
	}
	return meth, nil
}
