// Package jsonrows decodes the list in a JSON response straight into rows of
// SQL values: it walks to the list named by a simple objectKey ($.a.b),
// reads each object's wanted properties and skips the rest, without building
// maps. It is the hot path of a SELECT over hundreds of items.
//
// It must give exactly what decoding with encoding/json (UseNumber) and
// converting with value.FromJSON would; where it cannot (an objectKey with
// wildcards or filters, items that are not objects) it says so and the
// caller takes the general path.
package jsonrows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// ErrUnsupported means the document or objectKey needs the general path.
var ErrUnsupported = errors.New("jsonrows: needs the general decoder")

// Path parses a simple objectKey ("$", "$.a", "$.a.b") into its keys; ok is
// false for anything else (brackets, wildcards, filters, recursive descent).
func Path(objectKey string) (keys []string, ok bool) {
	if objectKey == "" || objectKey == "$" {
		return nil, true
	}
	rest, found := strings.CutPrefix(objectKey, "$.")
	if !found {
		return nil, false
	}
	for _, k := range strings.Split(rest, ".") {
		if k == "" || strings.ContainsAny(k, "[]*?@()'\" $") {
			return nil, false
		}
		keys = append(keys, k)
	}
	return keys, true
}

// Decode reads the list at path in doc and returns one row per item, with
// width columns: the property named c goes to index cols[c]. A missing key along the path or a null list means
// no rows. It returns ErrUnsupported when an item is not an object or the
// value at path is an object (the general path turns that into one row).
func Decode(doc []byte, path []string, cols map[string]int, width int) ([][]value.Value, error) {
	d := &decoder{b: doc}
	var rows [][]value.Value
	d.ws()
	found, err := d.walk(path, func() error {
		var err error
		rows, err = d.list(cols, width)
		return err
	})
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.i != len(d.b) {
		return nil, d.syntax("end of document")
	}
	if !found {
		return nil, nil
	}
	return rows, nil
}

// walk descends path from the value at the cursor, calls list on the value
// it names and consumes everything else, so the whole document is checked.
func (d *decoder) walk(path []string, list func() error) (bool, error) {
	if len(path) == 0 {
		return true, list()
	}
	switch d.peek() {
	case 'n':
		return false, d.literal("null")
	case '{':
	default:
		return false, ErrUnsupported
	}
	found := false
	err := d.object(func(key string) error {
		if key != path[0] {
			return d.skip()
		}
		if found {
			return ErrUnsupported // a repeated key: the last one wins elsewhere
		}
		var err error
		found, err = d.walk(path[1:], list)
		return err
	})
	return found, err
}

// list reads the array at the cursor into rows.
func (d *decoder) list(cols map[string]int, width int) ([][]value.Value, error) {
	switch d.peek() {
	case 'n':
		return nil, d.literal("null")
	case '[':
	default:
		return nil, ErrUnsupported
	}
	d.i++
	rows := [][]value.Value{}
	d.ws()
	if d.peek() == ']' {
		d.i++
		return rows, nil
	}
	for {
		d.ws()
		if d.peek() != '{' {
			return nil, ErrUnsupported
		}
		row := make([]value.Value, width)
		if err := d.object(func(key string) error {
			i, want := cols[key]
			if !want {
				return d.skip()
			}
			v, err := d.value()
			if err != nil {
				return err
			}
			row[i] = v
			return nil
		}); err != nil {
			return nil, err
		}
		rows = append(rows, row)
		d.ws()
		switch d.next() {
		case ',':
			continue
		case ']':
			return rows, nil
		}
		return nil, d.syntax("',' or ']'")
	}
}

// Blank reports whether b holds only JSON whitespace (space, tab, CR, LF).
func Blank(b []byte) bool {
	d := &decoder{b: b}
	d.ws()
	return d.i == len(b)
}

type decoder struct {
	b []byte
	i int
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *decoder) next() byte {
	c := d.peek()
	d.i++
	return c
}

func (d *decoder) syntax(want string) error {
	return fmt.Errorf("invalid JSON at offset %d: want %s", d.i, want)
}

// object calls member for each key of the object at the cursor; member must
// consume the value.
func (d *decoder) object(member func(key string) error) error {
	d.i++ // '{'
	d.ws()
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		d.ws()
		k, err := d.str()
		if err != nil {
			return err
		}
		d.ws()
		if d.next() != ':' {
			return d.syntax("':'")
		}
		d.ws()
		if err := member(k); err != nil {
			return err
		}
		d.ws()
		switch d.next() {
		case ',':
			continue
		case '}':
			return nil
		}
		return d.syntax("',' or '}'")
	}
}

// value reads one JSON value as a SQL value, as value.FromJSON would.
func (d *decoder) value() (value.Value, error) {
	switch c := d.peek(); {
	case c == '"':
		s, err := d.str()
		return value.String(s), err
	case c == '-' || c >= '0' && c <= '9':
		start := d.i
		if err := d.number(); err != nil {
			return value.Value{}, err
		}
		return value.Number(string(d.b[start:d.i])), nil
	case c == 't':
		return value.Boolean(true), d.literal("true")
	case c == 'f':
		return value.Boolean(false), d.literal("false")
	case c == 'n':
		return value.Value{}, d.literal("null")
	case c == '{' || c == '[':
		start := d.i
		if err := d.skip(); err != nil {
			return value.Value{}, err
		}
		return nested(d.b[start:d.i])
	}
	return value.Value{}, d.syntax("a value")
}

// nested canonicalises an object or array as value.FromJSON does: decoded
// with UseNumber and re-encoded compactly with sorted keys.
func nested(raw []byte) (value.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return value.Value{}, err
	}
	return value.FromJSON(x), nil
}

func (d *decoder) literal(lit string) error {
	if !bytes.HasPrefix(d.b[d.i:], []byte(lit)) {
		return d.syntax(lit)
	}
	d.i += len(lit)
	return nil
}

// number scans a JSON number.
func (d *decoder) number() error {
	start := d.i
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		d.i = start
		return d.syntax("a number")
	}
	if d.peek() == '.' {
		d.i++
		if !d.digits() {
			return d.syntax("a digit")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if !d.digits() {
			return d.syntax("a digit")
		}
	}
	return nil
}

func (d *decoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// str reads a JSON string; plain ASCII-safe strings are sliced, anything
// with escapes or invalid UTF-8 goes through encoding/json.
func (d *decoder) str() (string, error) {
	if d.peek() != '"' {
		return "", d.syntax("a string")
	}
	start := d.i
	d.i++
	plain := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			raw := d.b[start+1 : d.i-1]
			if plain && utf8.Valid(raw) {
				return string(raw), nil
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", err
			}
			return s, nil
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return "", d.syntax("no control characters in a string")
		default:
			d.i++
		}
	}
	return "", d.syntax("a closing quote")
}

// skip consumes one JSON value of any kind.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		return d.object(func(string) error { return d.skip() })
	case c == '[':
		d.i++
		d.ws()
		if d.peek() == ']' {
			d.i++
			return nil
		}
		for {
			d.ws()
			if err := d.skip(); err != nil {
				return err
			}
			d.ws()
			switch d.next() {
			case ',':
				continue
			case ']':
				return nil
			}
			return d.syntax("',' or ']'")
		}
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	default:
		return d.number()
	}
}
