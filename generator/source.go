package generator

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// model is the validated view of the sources that rendering works from.
type model struct {
	spec      *openapi3.T
	specNode  node
	mapping   node // sql-mapping.yaml parsed, for the YAML paths of decoder errors and the order of keys
	provider  providerInfo
	service   serviceInfo
	resources []resource
}

type providerInfo struct {
	ID, Version, Description string
	Auth                     map[string]string // config.auth
}

type serviceInfo struct {
	Name, Title, Description string
}

type resource struct {
	Name, Title, Description string
	Methods                  []method
}

// method is one SQL-addressable method of a resource, resolved against the
// operation it calls.
type method struct {
	Name      string
	Verb      string // select, insert, update, delete, replace or exec
	ObjectKey string // JSONPath of the rows in the response, "" when the response is the row
	Path      string // HTTP path of the operation
	HTTP      string // lowercase HTTP method
	Op        *openapi3.Operation
	where     node // the method in the mapping, for error messages
}

// sqlVerbs are the verbs a method may be mapped to; exec means reachable only
// with EXEC, so the method is left out of sqlVerbs in the service document:
// any-sdk's JSON schema for sqlVerbs rejects an exec key.
var sqlVerbs = []string{"select", "insert", "update", "delete", "replace", "exec"}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// versionRE is the version pattern of any-sdk's provider schema.
var versionRE = regexp.MustCompile(`^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$`)

// load parses and checks both sources and resolves the mapping against the spec.
func load(src Sources) (*model, error) {
	specNode, err := parseYAML(src.Spec)
	if err != nil {
		return nil, err
	}
	if err := checkRefs(specNode); err != nil {
		return nil, err
	}
	if err := checkSpecNode(specNode); err != nil {
		return nil, err
	}
	spec, err := loadOpenAPI(src.Spec.Path, src.Spec.Data)
	if err != nil {
		return nil, err
	}
	mapNode, err := parseYAML(src.Mapping)
	if err != nil {
		return nil, err
	}
	m := &model{spec: spec, specNode: specNode, mapping: mapNode}
	if err := m.loadMapping(src.Mapping); err != nil {
		return nil, err
	}
	if err := m.checkEngineConstraints(); err != nil {
		return nil, err
	}
	return m, nil
}

// loadOpenAPI loads and validates an OpenAPI 3.0 document with kin-openapi,
// the library (and version) the StackQL engine validates providers with.
func loadOpenAPI(path string, data []byte) (doc *openapi3.T, err error) {
	// kin-openapi v0.88 panics on some malformed documents (found by
	// FuzzLoad: a null requestBody); that is a bad source, not a crash.
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%s: openapi: document cannot be resolved (kin-openapi: %v)", path, r)
		}
	}()
	loader := openapi3.NewLoader()
	doc, err = loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: openapi: %s", path, oneLine(err.Error()))
	}
	if err := doc.Validate(context.Background()); err != nil {
		if at := locate(doc); at != "" {
			return nil, fmt.Errorf("%s: %s: openapi: %s", path, at, oneLine(err.Error()))
		}
		return nil, fmt.Errorf("%s: openapi: %s", path, oneLine(err.Error()))
	}
	return doc, nil
}

// checkSpecNode enforces what kin-openapi does not: rules the engine depends
// on and the project's own rule that every property is described.
func checkSpecNode(root node) error {
	return root.walk(func(n node) error {
		// The real engine rejects "type: required": required is a list of
		// property names on the object schema, never a type.
		if t, ok := n.get("type"); ok && t.Kind == yaml.ScalarNode && t.Value == "required" {
			return t.errorf("\"type: required\" is not OpenAPI; list required properties with \"required: [name, ...]\" on the object schema")
		}
		if props, ok := n.get("properties"); ok && props.Kind == yaml.MappingNode && isSchemaPath(props.path) {
			for _, p := range props.entries() {
				if _, ok := p.val.get("$ref"); ok {
					continue
				}
				if d, _ := p.val.str("description", false); strings.TrimSpace(d) == "" {
					return p.val.errorf("property %q has no description", p.key)
				}
			}
		}
		return nil
	})
}

// isSchemaPath tells schema "properties" apart from a mapping key that merely
// happens to be called properties.
func isSchemaPath(path string) bool {
	return strings.HasPrefix(path, "components.schemas.") || strings.Contains(path, ".schema.")
}

type operationRef struct {
	path, http string
	op         *openapi3.Operation
}

// operationsByID indexes operations by operationId; an id used twice is an
// error (OpenAPI forbids it, kin-openapi v0.88 does not check).
func (m *model) operationsByID() (map[string]operationRef, error) {
	out := map[string]operationRef{}
	for _, path := range slices.Sorted(maps.Keys(m.spec.Paths)) {
		ops := m.spec.Paths[path].Operations()
		for _, verb := range slices.Sorted(maps.Keys(ops)) {
			op, http := ops[verb], strings.ToLower(verb)
			if op.OperationID == "" {
				continue
			}
			if prev, dup := out[op.OperationID]; dup {
				at := m.specNode.child("paths", nil).child(path, nil).child(http, nil).child("operationId", nil)
				return nil, at.errorf("operationId %q is also used at paths.%s.%s", op.OperationID, prev.path, prev.http)
			}
			out[op.OperationID] = operationRef{path: path, http: http, op: op}
		}
	}
	return out, nil
}

// responseSchema is the JSON schema of the operation's 200 response, or nil.
func responseSchema(op *openapi3.Operation) *openapi3.SchemaRef {
	resp := op.Responses.Get(200)
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	return mt.Schema
}

// requestSchema is the JSON schema of the operation's request body, or nil.
func requestSchema(op *openapi3.Operation) *openapi3.SchemaRef {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	return mt.Schema
}

// templateName is a key a Go template can name as .key.
var templateName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// objectKeySchema resolves a method's objectKey ("$.a.b") in its response
// schema and returns the schema of the rows it selects.
func (m *model) objectKeySchema(meth method) (*openapi3.SchemaRef, error) {
	s := responseSchema(meth.Op)
	if s == nil {
		return nil, fmt.Errorf("object key %q: operation %q has no JSON 200 response", meth.ObjectKey, meth.Op.OperationID)
	}
	if !strings.HasPrefix(meth.ObjectKey, "$.") {
		return nil, fmt.Errorf("object key %q must start with \"$.\"", meth.ObjectKey)
	}
	for _, part := range strings.Split(strings.TrimPrefix(meth.ObjectKey, "$."), ".") {
		if !templateName.MatchString(part) {
			return nil, fmt.Errorf("object key %q: %q must be a name of letters, digits and _ (the empty-list transform names it in a template)", meth.ObjectKey, part)
		}
		next, ok := s.Value.Properties[part]
		if !ok {
			return nil, fmt.Errorf("object key %q does not exist in the response schema of %q: no property %q", meth.ObjectKey, meth.Op.OperationID, part)
		}
		s = next
	}
	if s.Value.Type == "array" && s.Value.Items != nil {
		s = s.Value.Items
	}
	return s, nil
}

// rowSchema is the schema of one row a method returns.
func (m *model) rowSchema(meth method) *openapi3.SchemaRef {
	if meth.ObjectKey != "" {
		s, _ := m.objectKeySchema(meth)
		return s
	}
	return responseSchema(meth.Op)
}

// checkEngineConstraints enforces what the real StackQL engine needs of a
// provider; each rule here was measured against the engine, and each says
// why where it is checked.
func (m *model) checkEngineConstraints() error {
	// The engine takes the base URL of every method from servers[0].url.
	if len(m.spec.Servers) == 0 {
		return m.specNode.errorf("no servers: the engine needs servers[0].url")
	}
	for _, r := range m.resources {
		for _, meth := range r.Methods {
			opPath := m.specNode.child("paths", nil).child(meth.Path, nil).child(meth.HTTP, nil)
			switch meth.Verb {
			case "exec":
				// An EXEC body must mark nothing required: with a required
				// field the engine rejects EXEC ... @@json='{"token_id": "…"}',
				// the form the seed uses.
				if body := requestSchema(meth.Op); body != nil && len(body.Value.Required) > 0 {
					at := m.schemaNode(body, opPath.path+".requestBody.content.application/json.schema")
					return at.errorf("exec method %q: request body marks %q required; the engine would then reject the seed's @@json form; say it is required in its description instead", meth.Name, body.Value.Required[0])
				}
				// An EXEC method's 200 response must have no content: given a
				// response schema, the engine fails EXEC with "schema
				// unsuitable".
				if resp := meth.Op.Responses.Get(200); resp != nil && resp.Value != nil && len(resp.Value.Content) > 0 {
					return opPath.child("responses", nil).child("200", nil).child("content", nil).errorf(
						"exec method %q: the 200 response must have no content; with a schema the engine fails EXEC with \"schema unsuitable\"", meth.Name)
				}
			case "select":
				if s := m.rowSchema(meth); s == nil || len(s.Value.Properties) == 0 {
					return meth.where.errorf("select method %q: the rows have no properties to become columns", meth.Name)
				}
			case "insert", "update", "replace":
				if requestSchema(meth.Op) == nil {
					return meth.where.errorf("%s method %q: operation %q has no JSON request body for data__ columns", meth.Verb, meth.Name, meth.Op.OperationID)
				}
			}
		}
	}
	return nil
}

// schemaNode names where a schema is defined: the component it references,
// or the inline location.
func (m *model) schemaNode(s *openapi3.SchemaRef, inline string) node {
	if s.Ref != "" {
		return node{file: m.specNode.file, path: strings.Join(refPath(s.Ref), ".")}
	}
	return node{file: m.specNode.file, path: inline}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// oneLine folds multi-line text (an error message, a description) onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
