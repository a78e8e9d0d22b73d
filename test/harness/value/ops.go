package value

import (
	"math"
	"unicode/utf8"
)

// Operand is a value with the affinity of the expression that produced it:
// a column reference carries its column's affinity, a literal has None.
type Operand struct {
	V   Value
	Aff Affinity
}

// CompareOp evaluates a binary comparison ("=", "!=", "<", "<=", ">", ">=")
// with SQLite's rules: NULL if either side is NULL; otherwise, when one side
// has numeric affinity and the other text or none, the other side gets
// numeric affinity; when one side has text affinity and the other none, the
// other gets text affinity; then values compare in cross-type order.
func CompareOp(op string, a, b Operand) Value {
	if a.V.IsNull() || b.V.IsNull() {
		return Value{}
	}
	av, bv := coerce(a, b)
	c := Compare(av, bv)
	switch op {
	case "=":
		return Truth(c == 0)
	case "!=", "<>":
		return Truth(c != 0)
	case "<":
		return Truth(c < 0)
	case "<=":
		return Truth(c <= 0)
	case ">":
		return Truth(c > 0)
	case ">=":
		return Truth(c >= 0)
	}
	return Value{}
}

func isNumeric(a Affinity) bool {
	return a == NumericAffinity || a == IntegerAffinity || a == RealAffinity
}

func coerce(a, b Operand) (Value, Value) {
	av, bv := a.V, b.V
	switch {
	case isNumeric(a.Aff) && !isNumeric(b.Aff):
		bv = bv.WithAffinity(NumericAffinity)
	case isNumeric(b.Aff) && !isNumeric(a.Aff):
		av = av.WithAffinity(NumericAffinity)
	case a.Aff == TextAffinity && b.Aff == None:
		bv = bv.WithAffinity(TextAffinity)
	case b.Aff == TextAffinity && a.Aff == None:
		av = av.WithAffinity(TextAffinity)
	}
	return av, bv
}

// In evaluates x IN (list) as SQLite does: like x = +e1 OR x = +e2 ..., so
// the list's values have no affinity (a column among them loses its own)
// and only x's affinity converts them. An empty list is false, even for a
// NULL x; otherwise NULL when x is NULL, or when no element matches and
// some element is NULL.
func In(x Operand, list []Value) Value {
	if len(list) == 0 {
		return Truth(false)
	}
	if x.V.IsNull() {
		return Value{}
	}
	sawNull := false
	for _, e := range list {
		r := CompareOp("=", x, Operand{V: e})
		if r.IsNull() {
			sawNull = true
			continue
		}
		if r.I == 1 {
			return Truth(true)
		}
	}
	if sawNull {
		return Value{}
	}
	return Truth(false)
}

// Not is three-valued NOT.
func Not(v Value) Value {
	t, ok := Truthy(v)
	if !ok {
		return Value{}
	}
	return Truth(!t)
}

// And is three-valued AND: false wins over NULL.
func And(a, b Value) Value {
	at, aok := Truthy(a)
	bt, bok := Truthy(b)
	switch {
	case aok && !at, bok && !bt:
		return Truth(false)
	case aok && bok:
		return Truth(true)
	}
	return Value{}
}

// Or is three-valued OR: true wins over NULL.
func Or(a, b Value) Value {
	at, aok := Truthy(a)
	bt, bok := Truthy(b)
	switch {
	case aok && at, bok && bt:
		return Truth(true)
	case aok && bok:
		return Truth(false)
	}
	return Value{}
}

// Like evaluates x LIKE pattern [ESCAPE esc] as SQLite does: '%' matches any
// sequence, '_' one character, and ASCII letters match case-insensitively
// (other characters exactly). esc is 0 when there is no ESCAPE clause.
func Like(x, pattern Value, esc rune) Value {
	if x.IsNull() || pattern.IsNull() {
		return Value{}
	}
	return Truth(likeMatch(pattern.Text(), x.Text(), esc))
}

func likeMatch(p, s string, esc rune) bool {
	for len(p) > 0 {
		r, n := utf8.DecodeRuneInString(p)
		switch {
		case esc != 0 && r == esc:
			p = p[n:]
			if len(p) == 0 {
				return false
			}
			r, n = utf8.DecodeRuneInString(p)
			if len(s) == 0 {
				return false
			}
			sr, sn := utf8.DecodeRuneInString(s)
			if foldASCII(sr) != foldASCII(r) {
				return false
			}
			p, s = p[n:], s[sn:]
		case r == '%':
			for len(p) > 0 && (p[0] == '%' || p[0] == '_') {
				if p[0] == '_' {
					if len(s) == 0 {
						return false
					}
					_, sn := utf8.DecodeRuneInString(s)
					s = s[sn:]
				}
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); {
				if likeMatch(p, s[i:], esc) {
					return true
				}
				if i == len(s) {
					break
				}
				_, sn := utf8.DecodeRuneInString(s[i:])
				i += sn
			}
			return false
		case r == '_':
			if len(s) == 0 {
				return false
			}
			_, sn := utf8.DecodeRuneInString(s)
			p, s = p[n:], s[sn:]
		default:
			if len(s) == 0 {
				return false
			}
			sr, sn := utf8.DecodeRuneInString(s)
			if foldASCII(sr) != foldASCII(r) {
				return false
			}
			p, s = p[n:], s[sn:]
		}
	}
	return len(s) == 0
}

func foldASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + ('a' - 'A')
	}
	return r
}

// Arith evaluates +, -, *, / and % as SQLite does: NULL in, NULL out; text
// is cast to a number first; integer arithmetic that overflows becomes
// real; integer division truncates; division or remainder by zero is NULL.
func Arith(op string, a, b Value) Value {
	if a.IsNull() || b.IsNull() {
		return Value{}
	}
	a, b = toNumber(a), toNumber(b)
	if a.Kind == Integer && b.Kind == Integer {
		x, y := a.I, b.I
		switch op {
		case "+":
			if r := x + y; (r > x) == (y > 0) {
				return Int(r)
			}
		case "-":
			if r := x - y; (r < x) == (y > 0) {
				return Int(r)
			}
		case "*":
			if x == 0 || y == 0 {
				return Int(0)
			}
			if r := x * y; r/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64) {
				return Int(r)
			}
		case "/":
			if y == 0 {
				return Value{}
			}
			if !(x == math.MinInt64 && y == -1) {
				return Int(x / y)
			}
		case "%":
			if y == 0 {
				return Value{}
			}
			if y == -1 {
				return Int(0)
			}
			return Int(x % y)
		}
	}
	x, y := asFloat(a), asFloat(b)
	switch op {
	case "+":
		return Float(x + y)
	case "-":
		return Float(x - y)
	case "*":
		return Float(x * y)
	case "/":
		if y == 0 {
			return Value{}
		}
		return Float(x / y)
	case "%":
		xi, yi := int64(x), int64(y)
		if yi == 0 {
			return Value{}
		}
		if yi == -1 {
			return Float(0)
		}
		return Float(float64(xi % yi))
	}
	return Value{}
}

// toNumber casts text to a number as CAST(x AS NUMERIC) does: the longest
// numeric prefix, 0 when there is none.
func toNumber(v Value) Value {
	if v.Kind != Text {
		return v
	}
	if n, ok := parseNumeric(v.S); ok {
		return n
	}
	f := numericPrefix(v.S)
	if isExactInt(f) {
		return Int(int64(f))
	}
	return Float(f)
}

func asFloat(v Value) float64 {
	if v.Kind == Integer {
		return float64(v.I)
	}
	return v.F
}
