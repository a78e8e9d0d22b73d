package generator

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed docs.md.tmpl
var docsTemplate string

var docsTmpl = template.Must(template.New("docs").Funcs(template.FuncMap{
	"cell": cell,
	"join": strings.Join,
}).Parse(docsTemplate))

// docsPage is everything the resource's docs page shows; the template only
// lays it out.
type docsPage struct {
	ID, Name, Description string
	Fields                []field // columns of SELECT
	Methods               []docsMethod
	Params                []field // parameters taken in WHERE or as @name
	Selects, Inserts      []example
	Updates, Replaces     []example
	Deletes, Execs        []example
	Returning             []field // columns of INSERT ... RETURNING
	Errors                []docsError
	ErrorBodies           []errorBody
}

type field struct {
	Name, Type, Description string
}

type docsMethod struct {
	Name, AccessibleBy, Description string
	Required, Optional              []string
	Body                            []field // data__ columns or @@json keys
}

type example struct {
	Method, Description, SQL string
}

type docsError struct {
	Status      int
	Description string
	Body        string // name of the JSON schema of the body, "" if none
	Methods     []string
}

// errorBody is a schema error responses answer with, and its fields.
type errorBody struct {
	Name, Description string
	Fields            []field
}

func renderDocs(p docsPage) ([]byte, error) {
	var buf bytes.Buffer
	if err := docsTmpl.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("docs template: %w", err)
	}
	return buf.Bytes(), nil
}

func (m *model) docsPage(r resource) docsPage {
	p := docsPage{ID: m.resourceID(r), Name: r.Name, Description: r.Description}
	server := m.serverParams()
	params := slices.Clone(server) // every parameter of the page, for its table
	errs := map[int]*docsError{}
	bodies := map[string]bool{}
	for _, meth := range r.Methods {
		dm := docsMethod{Name: meth.Name, AccessibleBy: meth.Verb, Description: oneLine(meth.Op.Description)}
		for _, sp := range server { // every method takes the server variables
			dm.Required = append(dm.Required, sp.Name)
		}
		var required []field
		for _, prm := range meth.Op.Parameters {
			f := paramField(prm.Value)
			if prm.Value.Required {
				dm.Required = append(dm.Required, prm.Value.Name)
				required = append(required, f)
			} else {
				dm.Optional = append(dm.Optional, prm.Value.Name)
			}
			if !slices.ContainsFunc(params, func(p field) bool { return p.Name == f.Name }) {
				params = append(params, f)
			}
		}
		if body := requestSchema(meth.Op); body != nil {
			dm.Body = m.fields(body)
		}
		p.Methods = append(p.Methods, dm)

		switch meth.Verb {
		case "select":
			if len(p.Fields) == 0 {
				p.Fields = m.fields(m.rowSchema(meth))
			}
			p.Selects = append(p.Selects, example{meth.Name, dm.Description, m.selectSQL(r, meth, append(m.serverParams(), required...))})
		case "insert":
			returning := m.fields(responseSchema(meth.Op))
			if len(p.Returning) == 0 {
				p.Returning = returning
			}
			p.Inserts = append(p.Inserts, example{meth.Name, dm.Description, m.insertSQL(r, dm, append(m.serverParams(), required...), returning)})
		case "update", "replace":
			ex := example{meth.Name, dm.Description, m.updateSQL(r, meth.Verb, dm, append(m.serverParams(), required...))}
			if meth.Verb == "update" {
				p.Updates = append(p.Updates, ex)
			} else {
				p.Replaces = append(p.Replaces, ex)
			}
		case "delete":
			p.Deletes = append(p.Deletes, example{meth.Name, dm.Description, m.deleteSQL(r, append(m.serverParams(), required...))})
		case "exec":
			p.Execs = append(p.Execs, example{meth.Name, dm.Description, m.execSQL(r, dm, append(m.serverParams(), required...))})
		}
		for code, resp := range meth.Op.Responses {
			status, err := strconv.Atoi(code)
			if err != nil || status < 300 {
				continue
			}
			e := errs[status]
			if e == nil {
				e = &docsError{Status: status, Description: oneLine(*resp.Value.Description)}
				if mt := resp.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Ref != "" {
					e.Body = path.Base(mt.Schema.Ref)
					if !bodies[e.Body] {
						bodies[e.Body] = true
						p.ErrorBodies = append(p.ErrorBodies, errorBody{e.Body, oneLine(mt.Schema.Value.Description), m.fields(mt.Schema)})
					}
				}
				errs[status] = e
			}
			e.Methods = append(e.Methods, meth.Name)
		}
	}
	p.Params = params
	for _, e := range errs {
		p.Errors = append(p.Errors, *e)
	}
	sort.Slice(p.Errors, func(i, j int) bool { return p.Errors[i].Status < p.Errors[j].Status })
	sort.Slice(p.ErrorBodies, func(i, j int) bool { return p.ErrorBodies[i].Name < p.ErrorBodies[j].Name })
	return p
}

// paramField is an operation parameter as the docs page lists it.
func paramField(p *openapi3.Parameter) field {
	f := field{Name: p.Name, Description: oneLine(p.Description)}
	if p.Schema != nil && p.Schema.Value != nil {
		f.Type = p.Schema.Value.Type
	}
	return f
}

// serverParams are the server variables, which the engine turns into
// required parameters of every method.
func (m *model) serverParams() []field {
	var out []field
	vars, _ := m.specNode.lookup("servers")
	if len(vars.Content) == 0 {
		return nil
	}
	first := node{Node: vars.Content[0], file: vars.file, path: vars.path + "[0]"}
	vs, _ := first.get("variables")
	for _, v := range vs.entries() {
		desc, _ := v.val.str("description", false)
		def, _ := v.val.str("default", false)
		if def != "" {
			desc = fmt.Sprintf("%s (default: %s)", desc, def)
		}
		out = append(out, field{Name: v.key, Type: "string", Description: desc})
	}
	return out
}

// fields lists the properties of an object schema in source order, which
// kin-openapi's maps do not keep.
func (m *model) fields(s *openapi3.SchemaRef) []field {
	if s == nil || s.Value == nil {
		return nil
	}
	var order []string
	if s.Ref != "" {
		if props, ok := m.specNode.lookup(append(refPath(s.Ref), "properties")...); ok {
			for _, e := range props.entries() {
				order = append(order, e.key)
			}
		}
	}
	if len(order) != len(s.Value.Properties) {
		order = order[:0]
		for name := range s.Value.Properties {
			order = append(order, name)
		}
		sort.Strings(order)
	}
	out := make([]field, 0, len(order))
	for _, name := range order {
		p := s.Value.Properties[name]
		desc := p.Value.Description
		typ := p.Value.Type
		if typ == "" {
			typ = "any" // a schema without a type takes any JSON value
		}
		out = append(out, field{Name: name, Type: typ, Description: oneLine(desc)})
	}
	return out
}

// placeholder is the seed page's {{ name }} for a field, quoted with q
// unless the field is a number or boolean.
func placeholder(f field, q string) string {
	switch f.Type {
	case "integer", "number", "boolean":
		return "{{ " + f.Name + " }}"
	}
	return q + "{{ " + f.Name + " }}" + q
}

func (m *model) selectSQL(r resource, meth method, params []field) string {
	var b strings.Builder
	b.WriteString("SELECT\n")
	for i, f := range m.fields(m.rowSchema(meth)) {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(f.Name)
	}
	fmt.Fprintf(&b, "\nFROM %s\n", m.resourceID(r))
	whereParams(&b, params)
	b.WriteString(";")
	return b.String()
}

// whereParams writes the required parameters as WHERE ... AND ... lines.
func whereParams(b *strings.Builder, params []field) {
	for i, prm := range params {
		kw := "WHERE"
		if i > 0 {
			kw = "AND"
		}
		fmt.Fprintf(b, "%s %s = %s -- required\n", kw, prm.Name, placeholder(prm, "'"))
	}
}

func (m *model) deleteSQL(r resource, params []field) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DELETE FROM %s\n", m.resourceID(r))
	whereParams(&b, params)
	b.WriteString(";")
	return b.String()
}

// updateSQL is an UPDATE or REPLACE (verb) statement: the request body as
// SET data__ columns, the required parameters in WHERE.
func (m *model) updateSQL(r resource, verb string, dm docsMethod, params []field) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\nSET\n", strings.ToUpper(verb), m.resourceID(r))
	for i, f := range dm.Body {
		sep := ","
		if i == len(dm.Body)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "data__%s = %s%s\n", f.Name, placeholder(f, "'"), sep)
	}
	whereParams(&b, params)
	b.WriteString(";")
	return b.String()
}

func (m *model) insertSQL(r resource, dm docsMethod, params, returned []field) string {
	var cols, vals []string
	for _, f := range dm.Body {
		cols = append(cols, "data__"+f.Name)
		vals = append(vals, placeholder(f, "'"))
	}
	for _, prm := range params {
		cols = append(cols, prm.Name)
		vals = append(vals, placeholder(prm, "'"))
	}
	var returning []string
	for _, f := range returned {
		returning = append(returning, f.Name)
	}
	sql := fmt.Sprintf("INSERT INTO %s (\n%s\n)\nSELECT\n%s\n", m.resourceID(r), strings.Join(cols, ",\n"), strings.Join(vals, ",\n"))
	if len(returning) > 0 {
		sql += "RETURNING\n" + strings.Join(returning, ",\n") + "\n"
	}
	return sql + ";"
}

func (m *model) execSQL(r resource, dm docsMethod, params []field) string {
	var b strings.Builder
	fmt.Fprintf(&b, "EXEC %s.%s\n", m.resourceID(r), dm.Name)
	for _, prm := range params {
		fmt.Fprintf(&b, "@%s=%s -- required\n", prm.Name, placeholder(prm, "'"))
	}
	if len(dm.Body) > 0 {
		b.WriteString("@@json=\n'{\n")
		for i, f := range dm.Body {
			sep := ","
			if i == len(dm.Body)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "\"%s\": %s%s\n", f.Name, placeholder(f, `"`), sep)
		}
		b.WriteString("}'\n")
	}
	b.WriteString(";")
	return b.String()
}

// oneLineText folds a description onto one line for a table cell.

// cell escapes text for a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
