package generator

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// node is a YAML node together with the file it came from and its YAML path,
// so that every validation error can say exactly where the problem is.
type node struct {
	*yaml.Node
	file string
	path string
}

// parseYAML parses a source file into its root mapping node. It rejects
// malformed YAML, duplicate keys anywhere in the document and a root that is
// not a mapping.
func parseYAML(f File) (node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(f.Data, &doc); err != nil {
		return node{}, fmt.Errorf("%s: %s", f.Path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return node{}, fmt.Errorf("%s: empty document", f.Path)
	}
	root := node{Node: doc.Content[0], file: f.Path}
	if root.Kind != yaml.MappingNode {
		return node{}, root.errorf("the document must be a mapping")
	}
	if err := root.checkDuplicateKeys(); err != nil {
		return node{}, err
	}
	return root, nil
}

// errorf formats an error that names the file and the YAML path of n.
func (n node) errorf(format string, args ...any) error {
	where := n.path
	if where == "" {
		where = "(root)"
	}
	return fmt.Errorf("%s: %s: %s", n.file, where, fmt.Sprintf(format, args...))
}

func (n node) child(key string, v *yaml.Node) node {
	p := key
	if n.path != "" {
		p = n.path + "." + key
	}
	return node{Node: v, file: n.file, path: p}
}

// entry is one key/value pair of a mapping, in document order.
type entry struct {
	key string
	val node
}

// entries returns the pairs of a mapping node in document order.
func (n node) entries() []entry {
	if n.Node == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]entry, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		out = append(out, entry{key: k, val: n.child(k, n.Content[i+1])})
	}
	return out
}

// get returns the value under key in a mapping node.
func (n node) get(key string) (node, bool) {
	for _, e := range n.entries() {
		if e.key == key {
			return e.val, true
		}
	}
	return node{}, false
}

// lookup follows a sequence of mapping keys.
func (n node) lookup(keys ...string) (node, bool) {
	cur := n
	for _, k := range keys {
		next, ok := cur.get(k)
		if !ok {
			return node{}, false
		}
		cur = next
	}
	return cur, true
}

// str returns the scalar under key; a required key that is missing or empty
// is an error.
func (n node) str(key string, required bool) (string, error) {
	v, ok := n.get(key)
	if !ok || (v.Kind == yaml.ScalarNode && v.Value == "") {
		if required {
			return "", n.errorf("missing %q", key)
		}
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		return "", v.errorf("must be a string")
	}
	return v.Value, nil
}

// find returns the node under n that a decoder error points at, with its
// YAML path: with key, the value of the mapping key of that name on line;
// with column, the value that starts at line and column; otherwise the first
// value on line that is not a mapping. Aliases are not followed: what they
// stand for is found where its anchor is.
func (n node) find(line, column int, key string) (node, bool) {
	var found node
	var visit func(cur node) bool
	visit = func(cur node) bool {
		if key == "" && cur.Line == line && (cur.Column == column || column == 0 && cur.Kind != yaml.MappingNode) {
			found = cur
			return true
		}
		switch cur.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(cur.Content); i += 2 {
				k, v := cur.Content[i], cur.child(cur.Content[i].Value, cur.Content[i+1])
				if key != "" && k.Line == line && k.Value == key {
					found = v
					return true
				}
				if visit(v) {
					return true
				}
			}
		case yaml.SequenceNode:
			for i, c := range cur.Content {
				if visit(node{Node: c, file: cur.file, path: fmt.Sprintf("%s[%d]", cur.path, i)}) {
					return true
				}
			}
		}
		return false
	}
	ok := visit(n)
	return found, ok
}

func (n node) checkDuplicateKeys() error {
	return n.walk(func(m node) error {
		seen := map[string]bool{}
		for _, e := range m.entries() {
			if seen[e.key] {
				what := "key"
				if strings.HasSuffix(m.path, ".methods") {
					what = "method"
				}
				return e.val.errorf("duplicate %s %q", what, e.key)
			}
			seen[e.key] = true
		}
		return nil
	})
}

// walk calls fn for every mapping node under n, n included.
func (n node) walk(fn func(node) error) error {
	switch n.Kind {
	case yaml.MappingNode:
		if err := fn(n); err != nil {
			return err
		}
		for _, e := range n.entries() {
			if err := e.val.walk(fn); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			item := node{Node: c, file: n.file, path: fmt.Sprintf("%s[%d]", n.path, i)}
			if err := item.walk(fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// refPath turns a local JSON reference such as "#/components/schemas/TokenInfo"
// into the YAML path components.schemas.TokenInfo.
func refPath(ref string) []string {
	ref = strings.TrimPrefix(ref, "#/")
	parts := strings.Split(ref, "/")
	for i, p := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
	}
	return parts
}
