package value

import (
	"encoding/json"
	"testing"
)

func TestFromJSON(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want Value
	}{
		{json.Number("1700000000000"), Int(1700000000000)},
		{json.Number("5.0"), Float(5)},
		{json.Number("1e400"), String("1e400")},
		{"42", String("42")},
		{nil, Value{}},
		{true, Boolean(true)},
		{map[string]any{"b": json.Number("1"), "a": "x<"}, JSONText(`{"a":"x<","b":1}`)},
		{[]any{json.Number("1")}, JSONText(`[1]`)},
	} {
		if got := FromJSON(tc.in); got != tc.want {
			t.Errorf("FromJSON(%v) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestIntegerAndFloatReadNumericText(t *testing.T) {
	for _, tc := range []struct {
		in      Value
		i       int64
		iok     bool
		f       float64
		fok     bool
		display string
	}{
		{Int(3600), 3600, true, 3600, true, "3600"},
		{String("3600"), 3600, true, 3600, true, "3600"},
		{String(" 42 "), 42, true, 42, true, " 42 "},
		{Float(5), 5, true, 5, true, "5.0"},
		{Float(5.5), 0, false, 5.5, true, "5.5"},
		{String("4x"), 0, false, 0, false, "4x"},
		{String("0x10"), 0, false, 0, false, "0x10"},
		{Boolean(true), 0, false, 0, false, "true"},
		{Value{}, 0, false, 0, false, ""},
	} {
		i, iok := tc.in.Integer()
		f, fok := tc.in.Float()
		if i != tc.i || iok != tc.iok || f != tc.f || fok != tc.fok || tc.in.Text() != tc.display {
			t.Errorf("%#v: Integer() = %d, %v; Float() = %g, %v; Text() = %q; want %d, %v; %g, %v; %q",
				tc.in, i, iok, f, fok, tc.in.Text(), tc.i, tc.iok, tc.f, tc.fok, tc.display)
		}
	}
}
