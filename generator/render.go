package generator

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// Layout of the provider in StackQL registry form, relative to provider/.
func (m *model) versionDir() string { return path.Join("src", m.provider.ID, m.provider.Version) }
func (m *model) providerPath() string {
	return path.Join(m.versionDir(), "provider.yaml")
}
func (m *model) servicePath() string {
	return path.Join(m.versionDir(), "services", m.service.Name+".yaml")
}
func (m *model) docsPath(r resource) string {
	return path.Join("docs", m.provider.ID, m.service.Name, r.Name+".md")
}

// render writes every output file from the validated model.
func render(m *model) (Files, error) {
	files := Files{}
	prov, err := marshalYAML(m.providerDoc())
	if err != nil {
		return nil, err
	}
	files[m.providerPath()] = prov
	svcDoc, err := m.serviceDoc()
	if err != nil {
		return nil, err
	}
	svc, err := marshalYAML(svcDoc)
	if err != nil {
		return nil, err
	}
	files[m.servicePath()] = svc
	for _, r := range m.resources {
		page, err := renderDocs(m.docsPage(r))
		if err != nil {
			return nil, err
		}
		files[m.docsPath(r)] = page
	}
	return files, nil
}

func (m *model) providerDoc() map[string]any {
	auth := map[string]any{}
	for k, v := range m.provider.Auth {
		auth[k] = v
	}
	return map[string]any{
		"id":          m.provider.ID,
		"name":        m.provider.ID,
		"version":     m.provider.Version,
		"description": m.provider.Description,
		"providerServices": map[string]any{
			m.service.Name: map[string]any{
				"id":          m.service.Name + ":" + m.provider.Version,
				"name":        m.service.Name,
				"title":       m.service.Title,
				"description": m.service.Description,
				"version":     m.provider.Version,
				"preferred":   true,
				"service": map[string]any{
					// Relative to the registry's src/ directory, as the engine resolves it.
					"$ref": path.Join(m.provider.ID, m.provider.Version, "services", m.service.Name+".yaml"),
				},
			},
		},
		"config": map[string]any{"auth": auth},
	}
}

// serviceDoc is the source OpenAPI document plus the resources the engine
// reads from components.x-stackQL-resources.
func (m *model) serviceDoc() (map[string]any, error) {
	var doc map[string]any
	if err := m.specNode.Decode(&doc); err != nil {
		return nil, m.specNode.errorf("%s", err)
	}
	routeHostVariables(doc)
	components, _ := doc["components"].(map[string]any)
	if components == nil {
		components = map[string]any{}
		doc["components"] = components
	}
	resources := map[string]any{}
	for _, r := range m.resources {
		methods := map[string]any{}
		verbs := map[string][]any{"select": {}, "insert": {}, "update": {}, "delete": {}, "replace": {}}
		for _, meth := range r.Methods {
			response := map[string]any{"mediaType": "application/json", "openAPIDocKey": "200"}
			if meth.ObjectKey != "" {
				response["objectKey"] = meth.ObjectKey
				// The engine fails on a list whose key is absent (Databricks
				// answers {} for no tokens: "unknown key token_infos"); this
				// transform puts [] there, and leaves other bodies as they are.
				response["overrideMediaType"] = "application/json"
				response["transform"] = map[string]any{
					"type": "golang_template_json_v0.3.0",
					"body": emptyListTransform(meth.ObjectKey),
				}
			}
			methods[meth.Name] = map[string]any{
				"operation": map[string]any{"$ref": "#/paths/" + jsonPointerEscape(meth.Path) + "/" + meth.HTTP},
				"response":  response,
			}
			// EXEC-only methods stay out of sqlVerbs: any-sdk's JSON schema
			// rejects an exec key there.
			if meth.Verb != "exec" {
				ref := fmt.Sprintf("#/components/x-stackQL-resources/%s/methods/%s", r.Name, meth.Name)
				verbs[meth.Verb] = append(verbs[meth.Verb], map[string]any{"$ref": ref})
			}
		}
		resources[r.Name] = map[string]any{
			"id":          m.resourceID(r),
			"name":        r.Name,
			"title":       r.Title,
			"description": r.Description,
			"methods":     methods,
			"sqlVerbs":    verbs,
		}
	}
	components["x-stackQL-resources"] = resources
	return doc, nil
}

// hostRoute follows a host variable's name in an emitted server URL.
const hostRoute = ":[^/]+"

// routeHostVariables writes each server variable in a server URL's host as
// "{name:[^/]+}", any-sdk's syntax for a variable with its own routing
// pattern. Both the engine and any-sdk route a request back to its operation
// through gorilla/mux, which matches a plain host variable as one DNS label,
// so a value holding dots (a whole workspace host such as
// "adb-1234567890123456.7.azuredatabricks.net") would find no operation
// (measured: "FindRoute() failure: no matching operation was found").
// The variable keeps its name: any-sdk strips the pattern when it fills the
// URL. Values are checked against the variable's x-pattern elsewhere; this
// pattern only routes.
func routeHostVariables(doc map[string]any) {
	servers, _ := doc["servers"].([]any)
	for _, s := range servers {
		srv, _ := s.(map[string]any)
		u, _ := srv["url"].(string)
		scheme, rest, ok := strings.Cut(u, "://")
		if !ok {
			continue
		}
		host, path, _ := strings.Cut(rest, "/")
		vars, _ := srv["variables"].(map[string]any) // none: nothing to route
		for name := range vars {
			host = strings.ReplaceAll(host, "{"+name+"}", "{"+name+hostRoute+"}")
		}
		if path != "" || strings.HasSuffix(rest, "/") {
			host += "/" + path
		}
		srv["url"] = scheme + "://" + host
	}
}

func (m *model) resourceID(r resource) string {
	return m.provider.ID + "." + m.service.Name + "." + r.Name
}

func jsonPointerEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// marshalYAML encodes with sorted map keys and two-space indentation, so the
// same model always gives the same bytes.
func marshalYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// emptyListTransform is the response template for a list at objectKey
// ($.a.b): the document reduced to the list, with [] where the list, or a
// key on the way to it, is missing or null. toJson exists in the engine's
// templates from v0.2.0 on.
func emptyListTransform(objectKey string) string {
	keys := strings.Split(strings.TrimPrefix(objectKey, "$."), ".")
	var open, test, close strings.Builder
	path := ""
	for _, k := range keys {
		path += "." + k
		open.WriteString(`{"` + k + `": `)
		test.WriteString("{{ if " + path + " }}")
		close.WriteString("}")
	}
	list := "{{ toJson " + path + " }}" + strings.Repeat("{{ else }}[]{{ end }}", len(keys))
	return open.String() + test.String() + list + close.String()
}
