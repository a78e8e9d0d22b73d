package generator

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzLoad feeds arbitrary source bytes to the source loading and checks
// (everything before any-sdk sees a document). It must never panic, and
// every rejection must be a one-line error that names the file.
func FuzzLoad(f *testing.F) {
	src := sources(f)
	f.Add(src.Spec.Data, src.Mapping.Data)
	// Each bad-source case of the generate command is a seed too.
	cases, _ := filepath.Glob(filepath.Join("cmd", "generate", "testdata", "*", "case.yaml"))
	for _, c := range cases {
		raw, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		var edit struct{ File, Replace, With string }
		if err := yaml.Unmarshal(raw, &edit); err != nil {
			f.Fatal(err)
		}
		spec, mapping := string(src.Spec.Data), string(src.Mapping.Data)
		if edit.File == "token-api.yaml" {
			spec = strings.Replace(spec, edit.Replace, edit.With, 1)
		} else {
			mapping = strings.Replace(mapping, edit.Replace, edit.With, 1)
		}
		f.Add([]byte(spec), []byte(mapping))
	}
	f.Fuzz(func(t *testing.T, spec, mapping []byte) {
		in := Sources{Spec: File{Path: "spec.yaml", Data: spec}, Mapping: File{Path: "mapping.yaml", Data: mapping}}
		m, err := load(in)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Fatalf("multi-line error: %q", msg)
			}
			if !strings.HasPrefix(msg, "spec.yaml: ") && !strings.HasPrefix(msg, "mapping.yaml: ") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			return
		}
		if _, err := render(m); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	})
}

// FuzzRefs rewires the $refs among the spec's schemas and runs the whole
// generator. The input adds schemas R0, R1, ... and then, two bytes at a
// time, gives a schema a $ref to another: as a property, as the items of an
// array property, or as the whole schema. That reaches direct and indirect
// cycles, cycles through items, long chains and schemas that refer to one
// another many times over. Generate must give files or an error, never
// panic or overflow the stack (either kills the fuzzing process), and must
// refuse the spec with a $ref cycle exactly when the $refs make one.
func FuzzRefs(f *testing.F) {
	src := sources(f)
	existing := len(schemaNames(f, src.Spec.Data))
	r := func(i int) byte { return byte(existing + i) } // index of R<i>
	const asProperty, asItems, asSchema = 0, 1, 2
	edge := func(from byte, shape byte, to byte) []byte { return []byte{from*3 + shape, to} }
	seed := func(n byte, edges ...[]byte) []byte {
		return append([]byte{n}, slices.Concat(edges...)...)
	}
	f.Add(seed(0))                             // the spec as it is
	f.Add(seed(1, edge(r(0), asSchema, r(0)))) // R0: {$ref: R0}
	f.Add(seed(2, edge(r(0), asSchema, r(1)), edge(r(1), asSchema, r(0))))
	f.Add(seed(1, edge(r(0), asProperty, r(0)))) // through a property
	f.Add(seed(1, edge(r(0), asItems, r(0))))    // through items
	f.Add(seed(0, edge(0, asProperty, 2)))       // TokenInfo -> CreateTokenResponse -> TokenInfo
	chain, cycle, doubled := [][]byte{edge(0, asProperty, r(0))}, [][]byte{}, [][]byte{}
	for i := 0; i < 31; i++ {
		chain = append(chain, edge(r(i), asSchema, r(i+1)))
		cycle = append(cycle, edge(r(i), asProperty, r(i+1)))
		doubled = append(doubled, edge(r(i), asProperty, r(i+1)), edge(r(i), asItems, r(i+1)))
	}
	f.Add(seed(32, chain...))                                        // a chain of 32 $refs, used by TokenInfo
	f.Add(seed(32, append(cycle, edge(r(31), asProperty, r(0)))...)) // a cycle of 32
	f.Add(seed(32, doubled...))                                      // 2^31 ways down
	f.Fuzz(func(t *testing.T, plan []byte) {
		spec, cyclic := rewireRefs(t, src.Spec.Data, plan)
		files, err := Generate(Sources{Spec: File{Path: "spec.yaml", Data: spec}, Mapping: src.Mapping})
		if (err == nil) == (files == nil) {
			t.Fatalf("files %v and error %v", files != nil, err)
		}
		if err == nil {
			if cyclic {
				t.Fatalf("a spec with a $ref cycle was accepted:\n%s", spec)
			}
			return
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Fatalf("multi-line error: %q", msg)
		}
		if got := strings.Contains(msg, "$ref cycle"); got != cyclic {
			t.Fatalf("$ref cycle in the spec: %v; error: %s\n%s", cyclic, msg, spec)
		}
		if cyclic && !strings.HasPrefix(msg, "spec.yaml: components.schemas.") {
			t.Fatalf("the cycle error does not name the $ref: %s", msg)
		}
	})
}

// schemaNames lists the names under components.schemas in document order.
func schemaNames(tb testing.TB, spec []byte) []string {
	var doc yaml.Node
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range specSchemas(tb, &doc).entries() {
		names = append(names, e.key)
	}
	return names
}

func specSchemas(tb testing.TB, doc *yaml.Node) node {
	s, ok := node{Node: doc.Content[0]}.lookup("components", "schemas")
	if !ok {
		tb.Fatal("the spec has no components.schemas")
	}
	return s
}

// rewireRefs applies a FuzzRefs plan to spec and reports whether the
// schemas' $refs then form a cycle.
func rewireRefs(tb testing.TB, spec, plan []byte) ([]byte, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		tb.Fatal(err)
	}
	schemas := specSchemas(tb, &doc)
	if len(plan) > 0 {
		for i := range int(plan[0]) % 33 {
			def := &yaml.Node{}
			if err := yaml.Unmarshal([]byte("{type: object, description: added by FuzzRefs}"), def); err != nil {
				tb.Fatal(err)
			}
			schemas.Content = append(schemas.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprintf("R%d", i)}, def.Content[0])
		}
		plan = plan[1:]
	}
	var names []string
	byName := map[string]*yaml.Node{}
	for _, e := range schemas.entries() {
		names = append(names, e.key)
		byName[e.key] = e.val.Node
	}
	replaced := map[string]bool{}
	for i := 0; i+1 < len(plan); i += 2 {
		from := names[int(plan[i]/3)%len(names)]
		to := names[int(plan[i+1])%len(names)]
		if replaced[from] {
			continue
		}
		ref := refMapping(to)
		s := byName[from]
		switch plan[i] % 3 {
		case 0:
			addProperty(s, fmt.Sprintf("f%d", i), ref)
		case 1:
			addProperty(s, fmt.Sprintf("f%d", i), &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				str("type"), str("array"), str("description"), str("added by FuzzRefs"), str("items"), ref}})
		case 2:
			*s = *ref
			replaced[from] = true
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		tb.Fatal(err)
	}
	return out, schemaCycle(byName)
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func refMapping(schema string) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("$ref"), str("#/components/schemas/" + schema)}}
}

func addProperty(schema *yaml.Node, name string, val *yaml.Node) {
	props, ok := node{Node: schema}.get("properties")
	if !ok {
		props = node{Node: &yaml.Node{Kind: yaml.MappingNode}}
		schema.Content = append(schema.Content, str("properties"), props.Node)
	}
	props.Content = append(props.Content, str(name), val)
}

// schemaCycle reports whether the schemas' $refs to one another form a
// cycle, by the names the $refs give.
func schemaCycle(byName map[string]*yaml.Node) bool {
	edges := map[string][]string{}
	var refs func(from string, n *yaml.Node)
	refs = func(from string, n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "$ref" {
					edges[from] = append(edges[from], strings.TrimPrefix(n.Content[i+1].Value, "#/components/schemas/"))
				}
			}
		}
		for _, c := range n.Content {
			refs(from, c)
		}
	}
	for name, n := range byName {
		refs(name, n)
	}
	state := map[string]int{} // 1: being visited, 2: done
	var visit func(string) bool
	visit = func(s string) bool {
		switch state[s] {
		case 1:
			return true
		case 2:
			return false
		}
		state[s] = 1
		for _, t := range edges[s] {
			if visit(t) {
				return true
			}
		}
		state[s] = 2
		return false
	}
	for name := range byName {
		if visit(name) {
			return true
		}
	}
	return false
}
