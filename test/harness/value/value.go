// Package value holds one SQL value as the harness carries it between the
// API, SQLite and the output: SQLite's storage classes, plus what JSON output
// needs to print it typed (a boolean, a nested object).
//
// It does not evaluate SQL: SQLite does (package local). It must not know
// about providers, HTTP or output formats.
package value

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Kind is a SQLite storage class (BLOB is not used: APIs speak JSON).
type Kind uint8

// Storage classes.
const (
	Null Kind = iota
	Integer
	Real
	Text
)

// Value is one SQL value. The zero Value is NULL.
type Value struct {
	Kind Kind
	I    int64
	F    float64
	S    string
	// Bool marks an Integer that came from a JSON boolean, so it prints as
	// true/false; SQLite stores it as 1/0.
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
func JSONText(s string) Value { return Value{Kind: Text, S: s, JSON: true} }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// IsNull reports whether v is NULL.
func (v Value) IsNull() bool { return v.Kind == Null }

// FromJSON converts a value decoded with json.Decoder.UseNumber: missing
// and null are NULL, objects and arrays are JSON text, numbers are integers
// when they fit in 64 bits.
func FromJSON(x any) Value {
	switch t := x.(type) {
	case nil:
		return Value{}
	case string:
		return String(t)
	case json.Number:
		return Number(string(t))
	case float64:
		return Float(t)
	case int64:
		return Int(t)
	case int:
		return Int(int64(t))
	case bool:
		return Boolean(t)
	}
	b, err := MarshalJSON(x)
	if err != nil {
		return Value{}
	}
	return JSONText(string(b))
}

// Number is the value of a JSON number's text: an integer when it is one
// and fits in 64 bits, else a real; text beyond the range of a float stays
// text, as json.Number keeps it.
func Number(s string) Value {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Int(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return Float(f)
	}
	return String(s)
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

// JSONKind names v's JSON type, with its article, for messages.
func (v Value) JSONKind() string {
	switch {
	case v.Kind == Null:
		return "null"
	case v.Bool:
		return "a boolean"
	case v.JSON && strings.HasPrefix(v.S, "["):
		return "an array"
	case v.JSON:
		return "an object"
	case v.Kind == Text:
		return "a string"
	}
	return "a number"
}

// Integer returns v as an integer if it is one, or is text or a real that
// holds one exactly (a literal '3600' given for an integer field).
func (v Value) Integer() (int64, bool) {
	switch n := v.numeric(); {
	case n.Kind == Integer && !n.Bool:
		return n.I, true
	case n.Kind == Real && n.F == math.Trunc(n.F) && n.F >= -9.2233720368547758e18 && n.F < 9.2233720368547758e18:
		return int64(n.F), true
	}
	return 0, false
}

// Float returns v as a number if it is one, or is text that holds one.
func (v Value) Float() (float64, bool) {
	switch n := v.numeric(); {
	case n.Kind == Integer && !n.Bool:
		return float64(n.I), true
	case n.Kind == Real:
		return n.F, true
	}
	return 0, false
}

// numeric converts text that is a well-formed number, as SQLite's numeric
// affinity does; other values are returned as they are.
func (v Value) numeric() Value {
	if v.Kind != Text || v.JSON {
		return v
	}
	t := strings.TrimSpace(v.S)
	if t == "" || strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "inf") {
		return v
	}
	if i, err := strconv.ParseInt(t, 10, 64); err == nil {
		return Int(i)
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return Float(f)
	}
	return v
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
