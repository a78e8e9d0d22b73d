// Package value holds the SQL values the harness evaluates and gives them
// SQLite's semantics: storage classes, column affinity, cross-type ordering,
// three-valued logic and ASCII case-insensitive LIKE.
//
// It is what makes local evaluation agree with the SQLite the StackQL engine
// embeds, without embedding SQLite. It must not know about providers, HTTP or
// output formats.
package value

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Kind is a SQLite storage class (BLOB is not used: APIs speak JSON).
type Kind uint8

// Storage classes, in SQLite's cross-type sort order.
const (
	Null Kind = iota
	Integer
	Real
	Text
)

// Affinity is a column's type affinity, derived from its declared type.
type Affinity uint8

// Affinities as SQLite defines them; None is what literals and expressions have.
const (
	None Affinity = iota
	TextAffinity
	NumericAffinity
	IntegerAffinity
	RealAffinity
)

// Value is one SQL value. The zero Value is NULL.
type Value struct {
	Kind Kind
	I    int64
	F    float64
	S    string
	// Bool marks an Integer that came from a JSON boolean, so it prints as
	// true/false; it compares as 1/0, as it would in SQLite.
	Bool bool
	// JSON marks Text holding a JSON object or array, so JSON output can
	// nest it instead of quoting it.
	JSON bool
}

// Constructors.
func Int(i int64) Value       { return Value{Kind: Integer, I: i} }
func Float(f float64) Value   { return Value{Kind: Real, F: f} }
func String(s string) Value   { return Value{Kind: Text, S: s} }
func Boolean(b bool) Value    { return Value{Kind: Integer, I: b2i(b), Bool: true} }
func Truth(b bool) Value      { return Value{Kind: Integer, I: b2i(b)} }
func JSONText(s string) Value { return Value{Kind: Text, S: s, JSON: true} }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// IsNull reports whether v is NULL.
func (v Value) IsNull() bool { return v.Kind == Null }

// AffinityOf maps an OpenAPI schema type to the affinity of the SQLite column
// the engine would declare for it.
func AffinityOf(schemaType string) Affinity {
	switch schemaType {
	case "integer":
		return IntegerAffinity
	case "number":
		return RealAffinity
	case "boolean":
		return NumericAffinity
	case "string", "object", "array":
		return TextAffinity
	}
	return None
}

// FromJSON converts a value decoded with json.Decoder.UseNumber into a
// Value stored in a column of affinity aff: missing and null are NULL,
// objects and arrays are JSON text, and the affinity then converts the
// storage class the way SQLite does on INSERT.
func FromJSON(x any, aff Affinity) Value {
	var v Value
	switch t := x.(type) {
	case nil:
		return Value{}
	case string:
		v = String(t)
	case json.Number:
		v = numberFromText(string(t))
	case float64:
		v = Float(t)
	case int64:
		v = Int(t)
	case int:
		v = Int(int64(t))
	case bool:
		v = Boolean(t)
	default:
		b, err := MarshalJSON(t)
		if err != nil {
			return Value{}
		}
		v = JSONText(string(b))
	}
	return v.WithAffinity(aff)
}

// MarshalJSON encodes a decoded JSON value compactly, with object keys sorted
// (as encoding/json does) and numbers kept exactly as received.
func MarshalJSON(x any) ([]byte, error) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(sb.String(), "\n")), nil
}

func numberFromText(s string) Value {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Int(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return Float(f)
	}
	return String(s)
}

// WithAffinity applies a column affinity to v as SQLite does when storing a
// value in such a column.
func (v Value) WithAffinity(aff Affinity) Value {
	switch aff {
	case TextAffinity:
		if v.Kind == Integer || v.Kind == Real {
			if v.Bool {
				return v // a JSON boolean in a string column stays a boolean
			}
			return String(v.Text())
		}
	case NumericAffinity, IntegerAffinity, RealAffinity:
		if v.Kind == Text && !v.JSON {
			if n, ok := parseNumeric(v.S); ok {
				v = n
			}
		}
		switch {
		case aff == RealAffinity && v.Kind == Integer && !v.Bool:
			return Float(float64(v.I))
		case aff != RealAffinity && v.Kind == Real && isExactInt(v.F):
			return Int(int64(v.F))
		}
	}
	return v
}

// parseNumeric reports whether s is a well-formed number (SQLite converts
// text to a number under numeric affinity only if the whole text is one).
func parseNumeric(s string) (Value, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Value{}, false
	}
	if i, err := strconv.ParseInt(t, 10, 64); err == nil {
		return Int(i), true
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "inf") {
		return Value{}, false
	}
	return Float(f), true
}

func isExactInt(f float64) bool {
	return f == math.Trunc(f) && f >= -9.2233720368547758e18 && f < 9.2233720368547758e18
}

// Text renders v as SQLite's text conversion would (NULL renders empty).
func (v Value) Text() string {
	switch v.Kind {
	case Integer:
		if v.Bool {
			if v.I != 0 {
				return "true"
			}
			return "false"
		}
		return strconv.FormatInt(v.I, 10)
	case Real:
		return formatReal(v.F)
	case Text:
		return v.S
	}
	return ""
}

// formatReal mimics SQLite's "%!.15g": always shows a decimal point.
func formatReal(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		if !strings.Contains(s[:i], ".") {
			s = s[:i] + ".0" + s[i:]
		}
		return s
	}
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Compare orders two values the way SQLite's ORDER BY does with the BINARY
// collation: NULL < numbers < text; numbers by value; text bytewise.
func Compare(a, b Value) int {
	ca, cb := classRank(a), classRank(b)
	if ca != cb {
		return cmp(ca, cb)
	}
	switch ca {
	case 0:
		return 0
	case 1:
		return compareNumbers(a, b)
	}
	return strings.Compare(a.S, b.S)
}

func classRank(v Value) int {
	switch v.Kind {
	case Null:
		return 0
	case Integer, Real:
		return 1
	}
	return 2
}

func compareNumbers(a, b Value) int {
	if a.Kind == Integer && b.Kind == Integer {
		return cmp(a.I, b.I)
	}
	if a.Kind == Real && b.Kind == Real {
		return cmp(a.F, b.F)
	}
	if a.Kind == Integer {
		return -compareRealInt(b.F, a.I)
	}
	return compareRealInt(a.F, b.I)
}

// compareRealInt compares a float with an int64 exactly (no precision loss
// for large integers), as SQLite does.
func compareRealInt(f float64, i int64) int {
	if math.IsNaN(f) {
		return -1
	}
	if f < -9.2233720368547758e18 {
		return -1
	}
	if f >= 9.2233720368547758e18 {
		return 1
	}
	t := int64(f)
	if t != i {
		return cmp(t, i)
	}
	return cmp(f, float64(t))
}

func cmp[T int | int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Truthy reports v's truth value in a boolean context: ok is false for NULL.
// Numbers are true when non-zero; text is converted to a number first, as in
// SQLite ('abc' is false, '1x' is true).
func Truthy(v Value) (truth, ok bool) {
	switch v.Kind {
	case Null:
		return false, false
	case Integer:
		return v.I != 0, true
	case Real:
		return v.F != 0, true
	}
	return numericPrefix(v.S) != 0, true
}

// numericPrefix converts the longest numeric prefix of s, as SQLite's
// text-to-number cast does; text without one is 0.
func numericPrefix(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\r")
	end := 0
	seenDigit, seenDot, seenE := false, false, false
	for end < len(s) {
		c := s[end]
		switch {
		case c >= '0' && c <= '9':
			seenDigit = true
		case (c == '+' || c == '-') && (end == 0 || s[end-1] == 'e' || s[end-1] == 'E'):
		case c == '.' && !seenDot && !seenE:
			seenDot = true
		case (c == 'e' || c == 'E') && seenDigit && !seenE:
			seenE = true
		default:
			goto done
		}
		end++
	}
done:
	for end > 0 {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return f
		}
		end--
	}
	return 0
}
