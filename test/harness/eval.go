package harness

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stackql/stackql-parser/go/vt/sqlparser"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// scope names the columns an expression may reference: the resource's
// response columns and the method's parameters.
type scope struct {
	cols       map[string]int // column -> index in a row
	affs       []value.Affinity
	qualifiers map[string]bool // table alias, resource name or full id
	table      string          // for messages
}

func newScope(table string) *scope {
	return &scope{cols: map[string]int{}, qualifiers: map[string]bool{}, table: table}
}

func (s *scope) add(name string, aff value.Affinity) {
	if _, ok := s.cols[name]; ok {
		return
	}
	s.cols[name] = len(s.affs)
	s.affs = append(s.affs, aff)
}

// row is one source row: values indexed as in its scope.
type row []value.Value

// expr is a compiled expression.
type expr func(r row) value.Operand

func (s *scope) column(c *sqlparser.ColName) (int, error) {
	if q := names(c.Qualifier); len(q) > 0 && !s.qualifiers[strings.Join(q, ".")] {
		return 0, fmt.Errorf("unknown table %q in column %q", strings.Join(q, "."), sqlparser.String(c))
	}
	name := c.Name.GetRawVal()
	i, ok := s.cols[name]
	if !ok {
		return 0, fmt.Errorf("unknown column %q in %s", name, s.table)
	}
	return i, nil
}

// compile turns a parsed expression into a function of a row. Only what
// local evaluation needs is supported; anything else is an error naming it.
func (s *scope) compile(e sqlparser.Expr) (expr, error) {
	switch n := e.(type) {
	case *sqlparser.ColName:
		i, err := s.column(n)
		if err != nil {
			return nil, err
		}
		aff := s.affs[i]
		return func(r row) value.Operand { return value.Operand{V: r[i], Aff: aff} }, nil
	case *sqlparser.SQLVal, *sqlparser.NullVal, sqlparser.BoolVal:
		v, err := literal(e)
		if err != nil {
			return nil, err
		}
		return func(row) value.Operand { return value.Operand{V: v} }, nil
	case *sqlparser.UnaryExpr:
		if v, err := literal(e); err == nil {
			return func(row) value.Operand { return value.Operand{V: v} }, nil
		}
		if n.Operator != sqlparser.UMinusStr && n.Operator != sqlparser.UPlusStr {
			return nil, fmt.Errorf("unsupported operator %q", n.Operator)
		}
		x, err := s.compile(n.Expr)
		if err != nil {
			return nil, err
		}
		if n.Operator == sqlparser.UPlusStr {
			// +x is x without its affinity, as in SQLite: +col = '1' compares
			// the stored value with the text as it is.
			return func(r row) value.Operand { return value.Operand{V: x(r).V} }, nil
		}
		return func(r row) value.Operand { return value.Operand{V: value.Arith("-", value.Int(0), x(r).V)} }, nil
	case *sqlparser.AndExpr:
		return s.logic(n.Left, n.Right, value.And)
	case *sqlparser.OrExpr:
		return s.logic(n.Left, n.Right, value.Or)
	case *sqlparser.NotExpr:
		x, err := s.compile(n.Expr)
		if err != nil {
			return nil, err
		}
		return func(r row) value.Operand { return value.Operand{V: value.Not(x(r).V)} }, nil
	case *sqlparser.IsExpr:
		return s.is(n)
	case *sqlparser.RangeCond:
		return s.between(n)
	case *sqlparser.ComparisonExpr:
		return s.comparison(n)
	case *sqlparser.BinaryExpr:
		switch n.Operator {
		case "+", "-", "*", "/", "%":
		default:
			return nil, fmt.Errorf("unsupported operator %q", n.Operator)
		}
		a, err := s.compile(n.Left)
		if err != nil {
			return nil, err
		}
		b, err := s.compile(n.Right)
		if err != nil {
			return nil, err
		}
		op := n.Operator
		return func(r row) value.Operand { return value.Operand{V: value.Arith(op, a(r).V, b(r).V)} }, nil
	}
	return nil, fmt.Errorf("unsupported expression %q", sqlparser.String(e))
}

func (s *scope) logic(l, r sqlparser.Expr, op func(a, b value.Value) value.Value) (expr, error) {
	a, err := s.compile(l)
	if err != nil {
		return nil, err
	}
	b, err := s.compile(r)
	if err != nil {
		return nil, err
	}
	return func(x row) value.Operand { return value.Operand{V: op(a(x).V, b(x).V)} }, nil
}

func (s *scope) is(n *sqlparser.IsExpr) (expr, error) {
	x, err := s.compile(n.Expr)
	if err != nil {
		return nil, err
	}
	var test func(v value.Value) bool
	switch n.Operator {
	case sqlparser.IsNullStr:
		test = value.Value.IsNull
	case sqlparser.IsNotNullStr:
		test = func(v value.Value) bool { return !v.IsNull() }
	case sqlparser.IsTrueStr, sqlparser.IsNotTrueStr, sqlparser.IsFalseStr, sqlparser.IsNotFalseStr:
		want := n.Operator == sqlparser.IsTrueStr || n.Operator == sqlparser.IsNotTrueStr
		negate := strings.Contains(n.Operator, "not")
		test = func(v value.Value) bool {
			t, ok := value.Truthy(v)
			return (ok && t == want) != negate
		}
	default:
		return nil, fmt.Errorf("unsupported operator %q", n.Operator)
	}
	return func(r row) value.Operand { return value.Operand{V: value.Truth(test(x(r).V))} }, nil
}

func (s *scope) between(n *sqlparser.RangeCond) (expr, error) {
	x, err := s.compile(n.Left)
	if err != nil {
		return nil, err
	}
	lo, err := s.compile(n.From)
	if err != nil {
		return nil, err
	}
	hi, err := s.compile(n.To)
	if err != nil {
		return nil, err
	}
	not := n.Operator == sqlparser.NotBetweenStr
	return func(r row) value.Operand {
		xv := x(r)
		v := value.And(value.CompareOp(">=", xv, lo(r)), value.CompareOp("<=", xv, hi(r)))
		if not {
			v = value.Not(v)
		}
		return value.Operand{V: v}
	}, nil
}

func (s *scope) comparison(n *sqlparser.ComparisonExpr) (expr, error) {
	l, err := s.compile(n.Left)
	if err != nil {
		return nil, err
	}
	switch n.Operator {
	case sqlparser.InStr, sqlparser.NotInStr:
		tuple, ok := n.Right.(sqlparser.ValTuple)
		if !ok {
			return nil, fmt.Errorf("unsupported IN operand %q (want a list of values)", sqlparser.String(n.Right))
		}
		items := make([]expr, len(tuple))
		for i, it := range tuple {
			if items[i], err = s.compile(it); err != nil {
				return nil, err
			}
		}
		not := n.Operator == sqlparser.NotInStr
		return func(r row) value.Operand {
			list := make([]value.Value, len(items))
			for i, it := range items {
				list[i] = it(r).V
			}
			v := value.In(l(r), list)
			if not {
				v = value.Not(v)
			}
			return value.Operand{V: v}
		}, nil
	}
	rt, err := s.compile(n.Right)
	if err != nil {
		return nil, err
	}
	switch n.Operator {
	case sqlparser.LikeStr, sqlparser.NotLikeStr:
		esc, err := escapeChar(n.Escape)
		if err != nil {
			return nil, err
		}
		not := n.Operator == sqlparser.NotLikeStr
		return func(r row) value.Operand {
			v := value.Like(l(r).V, rt(r).V, esc)
			if not {
				v = value.Not(v)
			}
			return value.Operand{V: v}
		}, nil
	case sqlparser.NullSafeEqualStr: // SQLite's IS
		return func(r row) value.Operand {
			a, b := l(r), rt(r)
			if a.V.IsNull() || b.V.IsNull() {
				return value.Operand{V: value.Truth(a.V.IsNull() && b.V.IsNull())}
			}
			return value.Operand{V: value.CompareOp("=", a, b)}
		}, nil
	case "=", "!=", "<", "<=", ">", ">=":
		op := n.Operator
		return func(r row) value.Operand { return value.Operand{V: value.CompareOp(op, l(r), rt(r))} }, nil
	}
	return nil, fmt.Errorf("unsupported operator %q", n.Operator)
}

func escapeChar(e sqlparser.Expr) (rune, error) {
	if e == nil {
		return 0, nil
	}
	v, err := literal(e)
	if err != nil || v.Kind != value.Text || utf8.RuneCountInString(v.S) != 1 {
		return 0, fmt.Errorf("ESCAPE expression must be a single character")
	}
	r, _ := utf8.DecodeRuneInString(v.S)
	return r, nil
}

// literal evaluates a constant: a string, number, boolean or NULL, or a
// signed number.
func literal(e sqlparser.Expr) (value.Value, error) {
	switch n := e.(type) {
	case *sqlparser.NullVal:
		return value.Value{}, nil
	case sqlparser.BoolVal:
		return value.Truth(bool(n)), nil
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

// bindParams finds, among top-level conjuncts, "param = literal",
// "literal = param" and "param IN (literals...)" for the parameters in
// params. Repeated constraints intersect (a = 'x' AND a IN ('x','y') is 'x').
func bindParams(where sqlparser.Expr, params map[string]string) (map[string]*binding, error) {
	out := map[string]*binding{}
	for _, c := range conjuncts(where) {
		name, vals, ok, err := paramConstraint(c, params)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if b, seen := out[name]; seen {
			b.values = intersect(b.values, vals)
			continue
		}
		out[name] = &binding{values: dedupe(vals)}
	}
	return out, nil
}

func paramConstraint(c sqlparser.Expr, params map[string]string) (string, []value.Value, bool, error) {
	cmp, ok := c.(*sqlparser.ComparisonExpr)
	if !ok {
		return "", nil, false, nil
	}
	col, other := asColumn(cmp.Left), cmp.Right
	if col == nil && cmp.Operator == sqlparser.EqualStr {
		col, other = asColumn(cmp.Right), cmp.Left
	}
	if col == nil {
		return "", nil, false, nil
	}
	name := col.Name.GetRawVal()
	if _, isParam := params[name]; !isParam {
		return "", nil, false, nil
	}
	switch cmp.Operator {
	case sqlparser.EqualStr:
		v, err := literal(other)
		if err != nil {
			return "", nil, false, nil // a column-to-column comparison is evaluated locally
		}
		return name, []value.Value{v}, true, nil
	case sqlparser.InStr:
		tuple, ok := other.(sqlparser.ValTuple)
		if !ok {
			return "", nil, false, nil
		}
		var vals []value.Value
		for _, it := range tuple {
			v, err := literal(it)
			if err != nil {
				return "", nil, false, nil
			}
			vals = append(vals, v)
		}
		return name, vals, true, nil
	}
	return "", nil, false, nil
}

func asColumn(e sqlparser.Expr) *sqlparser.ColName {
	c, _ := e.(*sqlparser.ColName)
	return c
}

func dedupe(vals []value.Value) []value.Value {
	var out []value.Value
	for _, v := range vals {
		if v.IsNull() {
			continue // "= NULL" matches nothing
		}
		dup := false
		for _, o := range out {
			if value.Compare(o, v) == 0 {
				dup = true
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

func intersect(a, b []value.Value) []value.Value {
	var out []value.Value
	for _, x := range a {
		for _, y := range b {
			if value.Compare(x, y) == 0 {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// mentions reports whether e references column name anywhere.
func mentions(e sqlparser.Expr, name string) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.ColName); ok && c.Name.GetRawVal() == name {
			found = true
		}
		return !found, nil
	}, e)
	return found
}
