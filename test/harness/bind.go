package harness

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// literal evaluates a constant: a string, number, boolean or NULL, or a
// signed number.
func literal(e sqlparser.Expr) (value.Value, error) {
	switch n := e.(type) {
	case *sqlparser.NullVal:
		return value.Value{}, nil
	case sqlparser.BoolVal:
		return value.Boolean(bool(n)), nil
	case *sqlparser.UnaryExpr:
		v, err := literal(n.Expr)
		if err != nil {
			return v, err
		}
		switch {
		case n.Operator == sqlparser.UPlusStr:
			return v, nil
		case n.Operator == sqlparser.UMinusStr && v.Kind == value.Integer && !v.Bool:
			return value.Int(-v.I), nil
		case n.Operator == sqlparser.UMinusStr && v.Kind == value.Real:
			return value.Float(-v.F), nil
		}
	case *sqlparser.SQLVal:
		s := string(n.Val)
		switch n.Type {
		case sqlparser.StrVal:
			return value.String(s), nil
		case sqlparser.IntVal:
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return value.Int(i), nil
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return value.Float(f), nil
			}
		case sqlparser.FloatVal:
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return value.Float(f), nil
			}
		case sqlparser.HexNum:
			if i, err := strconv.ParseInt(s[2:], 16, 64); err == nil {
				return value.Int(i), nil
			}
		}
	}
	return value.Value{}, fmt.Errorf("unsupported value %q (want a literal)", sqlparser.String(e))
}

// conjuncts splits a WHERE expression at its top-level ANDs.
func conjuncts(e sqlparser.Expr) []sqlparser.Expr {
	switch n := e.(type) {
	case nil:
		return nil
	case *sqlparser.AndExpr:
		return append(conjuncts(n.Left), conjuncts(n.Right)...)
	}
	return []sqlparser.Expr{e}
}

// binding is the values one parameter takes: one for "=", several for IN.
type binding struct {
	values []value.Value
}

// bindParams finds, among the terms, "param = literal", "literal = param"
// and "param IN (literals...)" for the parameters in params whose column
// mine accepts. Repeated constraints intersect (a = 'x' AND a IN ('x','y')
// is 'x').
func bindParams(terms []sqlparser.Expr, params map[string]string, mine func(*sqlparser.ColName) bool) map[string]*binding {
	out := map[string]*binding{}
	for _, c := range terms {
		name, vals, ok := paramConstraint(c, params, mine)
		if !ok {
			continue
		}
		if b, seen := out[name]; seen {
			b.values = intersect(b.values, vals)
			continue
		}
		out[name] = &binding{values: dedupe(vals)}
	}
	return out
}

// paramConstraint reads one term as a parameter's values, if it is one.
func paramConstraint(c sqlparser.Expr, params map[string]string, mine func(*sqlparser.ColName) bool) (string, []value.Value, bool) {
	cmp, ok := c.(*sqlparser.ComparisonExpr)
	if !ok {
		return "", nil, false
	}
	col, other := asColumn(cmp.Left), cmp.Right
	if col == nil && cmp.Operator == sqlparser.EqualStr {
		col, other = asColumn(cmp.Right), cmp.Left
	}
	if col == nil || !mine(col) {
		return "", nil, false
	}
	name := col.Name.GetRawVal()
	if _, isParam := params[name]; !isParam {
		return "", nil, false
	}
	switch cmp.Operator {
	case sqlparser.EqualStr:
		v, err := literal(other)
		if err != nil {
			return "", nil, false // a column-to-column comparison is SQLite's
		}
		return name, []value.Value{v}, true
	case sqlparser.InStr:
		tuple, ok := other.(sqlparser.ValTuple)
		if !ok {
			return "", nil, false
		}
		var vals []value.Value
		for _, it := range tuple {
			v, err := literal(it)
			if err != nil {
				return "", nil, false
			}
			vals = append(vals, v)
		}
		return name, vals, true
	}
	return "", nil, false
}

func asColumn(e sqlparser.Expr) *sqlparser.ColName {
	c, _ := e.(*sqlparser.ColName)
	return c
}

// dedupe drops NULLs ("= NULL" matches nothing) and repeated values: a
// parameter value is sent as its text, so equal text is the same request.
func dedupe(vals []value.Value) []value.Value {
	var out []value.Value
	for _, v := range vals {
		if !v.IsNull() && !slices.ContainsFunc(out, func(o value.Value) bool { return o.Text() == v.Text() }) {
			out = append(out, v)
		}
	}
	return out
}

func intersect(a, b []value.Value) []value.Value {
	var out []value.Value
	for _, x := range a {
		if slices.ContainsFunc(b, func(y value.Value) bool { return x.Text() == y.Text() }) {
			out = append(out, x)
		}
	}
	return out
}

// mentions reports whether e references column name, among the columns
// mine accepts, anywhere.
func mentions(e sqlparser.Expr, name string, mine func(*sqlparser.ColName) bool) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.ColName); ok && c.Name.GetRawVal() == name && mine(c) {
			found = true
		}
		return !found, nil
	}, e)
	return found
}
