package jsonrows

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stackql/any-sdk/pkg/jsonpath"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

var (
	cols  = map[string]int{"id": 0, "n": 1, "s": 2, "o": 3, "b": 4}
	width = 5
)

// generic is the general path: encoding/json with UseNumber, any-sdk's
// JSONPath, value.FromJSON.
func generic(doc []byte, key string) ([][]value.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	if !Blank(doc[dec.InputOffset():]) {
		return nil, errors.New("trailing data")
	}
	if key != "$" {
		got, err := jsonpath.Get(key, x)
		if err != nil {
			if strings.Contains(err.Error(), "unknown key") || strings.Contains(err.Error(), "value type <nil>") {
				return nil, nil
			}
			return nil, err
		}
		x = got
	}
	if x == nil {
		return nil, nil
	}
	items, ok := x.([]any)
	if !ok {
		return nil, ErrUnsupported
	}
	rows := [][]value.Value{}
	for _, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, ErrUnsupported
		}
		r := make([]value.Value, width)
		for name, i := range cols {
			r[i] = value.FromJSON(obj[name])
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func direct(doc []byte, key string) ([][]value.Value, error) {
	path, ok := Path(key)
	if !ok {
		return nil, ErrUnsupported
	}
	return Decode(doc, path, cols, width)
}

var docs = []struct {
	key, doc string
}{
	{"$.items", `{"items": [{"id": "a", "n": 1, "s": "x"}, {"id": "b", "n": "2", "s": 3}]}`},
	{"$.items", `{"other": {"items": []}, "items": [], "tail": [1, {"a": null}]}`},
	{"$.items", `{}`},
	{"$.items", `{"items": null}`},
	{"$.items", `  {"a": true, "items": [ {"id":"q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} ] , "z": false}  `},
	{"$.items", "{\"items\": [{\"id\": \"bad utf8 \xff\xfe\"}]}"},
	{"$.items", `{"items": [{"n": 9223372036854775807}, {"n": 9223372036854775808}, {"n": -0}, {"n": 1.5e3}, {"n": 1e999}, {"n": 12.0}]}`},
	{"$.items", `{"items": [{"o": {"b": [1, 2.50, {"c": "<&>"}], "a": null}}, {"o": [3, "x"]}, {"b": true}, {"b": false}, {"b": "1"}]}`},
	{"$.items", `{"items": [{"id": "first", "id": "second"}]}`},
	{"$.data.items", `{"data": {"items": [{"id": "deep"}], "next": null}, "data2": 1}`},
	{"$.data.items", `{"data": null}`},
	{"$.data.items", `{"data": [1, 2]}`},
	{"$", `[{"id": "root"}]`},
	{"$", `{"id": "an object"}`},
	{"$.items", `{"items": [1, 2]}`},
	{"$.items", `{"items": {"id": "x"}}`},
	{"$.items", `{"items": [{"id": "x"}]} trailing`},
	{"$.items", `{"items": [{"id": "x"},]}`},
	{"$.items", `{"items": [{"id": 01}]}`},
	{"$.items", `{"items": [{"id": "unterminated}]}`},
	{"$.items", `{"items": [{"id": "x"}], "items": [{"id": "y"}]}`},
	{"$.items[*]", `{"items": [{"id": "x"}]}`},
}

func TestDecodeAgreesWithTheGeneralPath(t *testing.T) {
	for _, tc := range docs {
		want, werr := generic([]byte(tc.doc), tc.key)
		got, gerr := direct([]byte(tc.doc), tc.key)
		if errors.Is(gerr, ErrUnsupported) {
			continue // the caller takes the general path
		}
		if (werr != nil) != (gerr != nil) {
			t.Errorf("%s %s: general error %v, direct error %v", tc.key, tc.doc, werr, gerr)
			continue
		}
		if werr == nil && !reflect.DeepEqual(want, got) && !(len(want) == 0 && len(got) == 0) {
			t.Errorf("%s %s:\ngeneral %#v\ndirect  %#v", tc.key, tc.doc, want, got)
		}
	}
}

func TestPath(t *testing.T) {
	for key, want := range map[string][]string{"$": nil, "": nil, "$.a": {"a"}, "$.a.b_c": {"a", "b_c"}} {
		got, ok := Path(key)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("Path(%q) = %v, %v; want %v", key, got, ok, want)
		}
	}
	for _, key := range []string{"$..a", "$.a[0]", "$.a[*]", "a.b", "$.a.", "$.a[?(@.x)]"} {
		if _, ok := Path(key); ok {
			t.Errorf("Path(%q) accepted a key it cannot walk", key)
		}
	}
}

func FuzzDecodeAgreesWithTheGeneralPath(f *testing.F) {
	for _, tc := range docs {
		f.Add(tc.doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		want, werr := generic([]byte(doc), "$.items")
		got, gerr := direct([]byte(doc), "$.items")
		if errors.Is(gerr, ErrUnsupported) || errors.Is(werr, ErrUnsupported) {
			return
		}
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%q: general error %v, direct error %v", doc, werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(want, got) && !(len(want) == 0 && len(got) == 0) {
			t.Fatalf("%q:\ngeneral %#v\ndirect  %#v", doc, want, got)
		}
	})
}
