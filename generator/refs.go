package generator

import (
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxExpansion bounds the size of the spec with every $ref replaced by what
// it refers to, counted in YAML nodes. kin-openapi validates a schema by
// walking it with each $ref resolved and remembers nothing between walks, so
// schemas that refer to one another twice over, level after level, cost it
// twice as much per level. The Token API's spec expands to under a
// thousand nodes.
const maxExpansion = 100_000

// checkRefs refuses a spec whose $refs form a cycle or expand beyond
// maxExpansion. It runs on the parsed YAML, before anything that follows
// $refs: kin-openapi's loader resolves a $ref by recursion and overflows the
// stack on a cycle (a fatal error, not a panic), and rendering and any-sdk
// walk the resolved schemas. A cycle through properties or items, a
// recursive schema, is refused as well: StackQL flattens a schema into
// columns, which a recursive schema makes endless, and a token API needs
// none.
//
// The check sees the spec as a graph of YAML nodes: a node leads to its
// children and an alias to its anchor, and a mapping with a $ref leads only
// to the node the $ref points at (OpenAPI ignores the keys beside $ref).
// A cycle in that graph through at least one $ref is a $ref cycle.
func checkRefs(root node) error {
	g := refGraph{root: root.Node, paths: map[*yaml.Node]string{}, rank: map[*yaml.Node]int{}, refs: map[string]*yaml.Node{}}
	g.index(root.Node, "")
	if err := g.cycles(root.file); err != nil {
		return err
	}
	return g.expansion(root.file)
}

type refGraph struct {
	root  *yaml.Node
	paths map[*yaml.Node]string // YAML path of every node, aliases not followed
	order []*yaml.Node          // $ref mappings in document order
	rank  map[*yaml.Node]int    // index of a $ref mapping in order
	refs  map[string]*yaml.Node // resolved $refs
}

// index records the YAML path of every node under n and the $ref mappings
// in document order.
func (g *refGraph) index(n *yaml.Node, path string) {
	type item struct {
		n    *yaml.Node
		path string
	}
	stack := []item{{n, path}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, seen := g.paths[it.n]; seen {
			continue
		}
		g.paths[it.n] = it.path
		if _, ok := refOf(it.n); ok {
			g.rank[it.n] = len(g.order)
			g.order = append(g.order, it.n)
		}
		var next []item
		switch it.n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(it.n.Content); i += 2 {
				p := it.n.Content[i].Value
				if it.path != "" {
					p = it.path + "." + p
				}
				next = append(next, item{it.n.Content[i+1], p})
			}
		case yaml.SequenceNode:
			for i, c := range it.n.Content {
				next = append(next, item{c, it.path + "[" + strconv.Itoa(i) + "]"})
			}
		}
		for i := len(next) - 1; i >= 0; i-- { // pushed in reverse: visited in document order
			stack = append(stack, next[i])
		}
	}
}

// refOf returns the $ref of a mapping that has one with a string value.
func refOf(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == "$ref" && v.Kind == yaml.ScalarNode {
			return v.Value, true
		}
	}
	return "", false
}

// next lists the nodes n leads to.
func (g *refGraph) next(n *yaml.Node) []*yaml.Node {
	if ref, ok := refOf(n); ok {
		if t := g.resolve(ref); t != nil {
			return []*yaml.Node{t}
		}
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			return []*yaml.Node{n.Alias}
		}
	case yaml.MappingNode:
		out := make([]*yaml.Node, 0, len(n.Content)/2)
		for i := 1; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i])
		}
		return out
	case yaml.SequenceNode:
		return n.Content
	}
	return nil
}

// resolve finds the node a local $ref ("#/components/schemas/A") points at,
// or nil: kin-openapi reports a $ref that does not resolve, and refuses one
// to another document. A pointer that runs into another $ref on its way
// stops there: the graph then leads on through that $ref, to everything
// under its target, which includes what the pointer meant.
func (g *refGraph) resolve(ref string) *yaml.Node {
	if t, ok := g.refs[ref]; ok {
		return t
	}
	t := g.lookup(ref)
	g.refs[ref] = t
	return t
}

func (g *refGraph) lookup(ref string) *yaml.Node {
	if ref != "#" && !strings.HasPrefix(ref, "#/") {
		return nil
	}
	cur := g.root
	if ref == "#" {
		return cur
	}
	for _, part := range refPath(ref) {
		for cur.Kind == yaml.AliasNode && cur.Alias != nil {
			cur = cur.Alias
		}
		if _, isRef := refOf(cur); isRef {
			return cur
		}
		var next *yaml.Node
		switch cur.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == part {
					next = cur.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(part); err == nil && i >= 0 && i < len(cur.Content) {
				next = cur.Content[i]
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

// cycles walks the graph depth first, without recursion, from the root;
// reaching a node that is still on the walk's path closes a cycle.
func (g *refGraph) cycles(file string) error {
	const (
		onPath = 1
		done   = 2
	)
	state := map[*yaml.Node]int{}
	type frame struct {
		n    *yaml.Node
		next []*yaml.Node
	}
	path := []frame{{g.root, g.next(g.root)}}
	state[g.root] = onPath
	for len(path) > 0 {
		top := &path[len(path)-1]
		if len(top.next) == 0 {
			state[top.n] = done
			path = path[:len(path)-1]
			continue
		}
		n := top.next[0]
		top.next = top.next[1:]
		switch state[n] {
		case done:
			continue
		case onPath:
			var refs []*yaml.Node
			for i := len(path) - 1; i >= 0; i-- {
				if _, ok := refOf(path[i].n); ok {
					refs = append(refs, path[i].n)
				}
				if path[i].n == n {
					break
				}
			}
			if len(refs) == 0 {
				// An alias inside its own anchor: not a $ref, and the
				// YAML decoders refuse it.
				continue
			}
			slices.Reverse(refs)
			return g.cycleError(file, refs)
		}
		state[n] = onPath
		path = append(path, frame{n, g.next(n)})
	}
	return nil
}

// cycleError names the $refs of a cycle, from the one first in the document:
// "A -> B -> A" where A holds the first $ref, which points at B.
func (g *refGraph) cycleError(file string, refs []*yaml.Node) error {
	first := 0
	for i, r := range refs {
		if g.rank[r] < g.rank[refs[first]] {
			first = i
		}
	}
	refs = append(refs[first:], refs[:first]...)
	names := []string{g.name(refs[len(refs)-1])}
	for _, r := range refs {
		names = append(names, g.name(r))
	}
	at := node{file: file, path: g.paths[refs[0]]}
	return at.errorf("$ref cycle: %s; the generator refuses recursive $refs (StackQL flattens a schema into columns, which recursion makes endless)", strings.Join(names, " -> "))
}

// name is how a cycle names the target of the $ref r: a schema by its name,
// anything else by its YAML path.
func (g *refGraph) name(r *yaml.Node) string {
	ref, _ := refOf(r)
	p, ok := g.paths[g.resolve(ref)]
	if !ok {
		return ref
	}
	if p == "" {
		return "(root)"
	}
	return strings.TrimPrefix(p, "components.schemas.")
}

// expansion counts the nodes of the spec with every $ref resolved, bottom
// up over the graph (acyclic by now), and refuses a count beyond
// maxExpansion, naming the $ref that contributes the most.
func (g *refGraph) expansion(file string) error {
	size := map[*yaml.Node]int{}
	onPath := map[*yaml.Node]bool{g.root: true}
	type frame struct {
		n    *yaml.Node
		next []*yaml.Node
		i    int
	}
	path := []frame{{n: g.root, next: g.next(g.root)}}
	for len(path) > 0 {
		top := &path[len(path)-1]
		if top.i < len(top.next) {
			n := top.next[top.i]
			top.i++
			if _, sized := size[n]; !sized && !onPath[n] {
				onPath[n] = true
				path = append(path, frame{n: n, next: g.next(n)})
			}
			continue
		}
		total := 1
		for _, c := range top.next {
			total = min(total+size[c], maxExpansion+1)
		}
		size[top.n] = total
		delete(onPath, top.n)
		path = path[:len(path)-1]
	}
	if size[g.root] <= maxExpansion {
		return nil
	}
	var worst *yaml.Node
	for _, r := range g.order {
		if worst == nil || size[r] > size[worst] {
			worst = r
		}
	}
	at := node{file: file, path: g.paths[worst]}
	return at.errorf("$ref expansion: with every $ref resolved the document would have more than %d nodes, more of them through this $ref than any other; refused, as kin-openapi's validation walks every expansion", maxExpansion)
}
