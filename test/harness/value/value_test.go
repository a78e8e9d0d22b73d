package value

import (
	"encoding/json"
	"testing"
)

func show(v Value) string {
	if v.IsNull() {
		return "NULL"
	}
	return v.Text()
}

func TestCompareOpFollowsSQLiteAffinity(t *testing.T) {
	col := func(v Value, a Affinity) Operand { return Operand{V: v, Aff: a} }
	lit := func(v Value) Operand { return Operand{V: v} }
	for _, tc := range []struct {
		name string
		op   string
		a, b Operand
		want string
	}{
		{"integer column vs text literal compares numerically", "=", col(Int(100), IntegerAffinity), lit(String("100")), "1"},
		{"integer column vs text literal ordering", ">", col(Int(1000), IntegerAffinity), lit(String("999")), "1"},
		{"text column vs integer literal compares as text", "=", col(String("123"), TextAffinity), lit(Int(123)), "1"},
		{"text column vs integer literal text order", "<", col(String("9"), TextAffinity), lit(Int(10)), "0"},
		{"two literals: number sorts before text", "<", lit(Int(5)), lit(String("4")), "1"},
		{"null makes null", "=", col(Value{}, TextAffinity), lit(String("null")), "NULL"},
		{"null is not the string null", "!=", col(Value{}, TextAffinity), lit(String("null")), "NULL"},
		{"int and real", "=", lit(Int(3)), lit(Float(3.0)), "1"},
		{"large int vs real exact", "<", lit(Int(9007199254740993)), lit(Float(9007199254740992)), "0"},
		{"text compare is case-sensitive", "=", col(String("A"), TextAffinity), lit(String("a")), "0"},
	} {
		got := show(CompareOp(tc.op, tc.a, tc.b))
		if got != tc.want {
			t.Errorf("%s: %v %s %v = %s, want %s", tc.name, tc.a, tc.op, tc.b, got, tc.want)
		}
	}
}

func TestThreeValuedLogic(t *testing.T) {
	T, F, N := Truth(true), Truth(false), Value{}
	for _, tc := range []struct {
		name string
		got  Value
		want string
	}{
		{"NOT NULL", Not(N), "NULL"},
		{"NULL OR TRUE", Or(N, T), "1"},
		{"NULL OR FALSE", Or(N, F), "NULL"},
		{"NULL AND FALSE", And(N, F), "0"},
		{"NULL AND TRUE", And(N, T), "NULL"},
		{"text 'abc' is false", Not(String("abc")), "1"},
		{"x IN (1, NULL) no match", In(Operand{V: Int(2)}, []Value{Int(1), N}), "NULL"},
		{"x IN (2, NULL) match", In(Operand{V: Int(2)}, []Value{Int(1), N, Int(2)}), "1"},
		// SQLite 3.40.1: NULL IN () is 0, NULL IN (NULL) and NULL IN (1) are NULL.
		{"NULL IN ()", In(Operand{V: N}, nil), "0"},
		{"NOT (NULL IN ())", Not(In(Operand{V: N}, nil)), "1"},
		{"NULL IN (NULL)", In(Operand{V: N}, []Value{N}), "NULL"},
		{"NULL IN (1)", In(Operand{V: N}, []Value{Int(1)}), "NULL"},
		{"1 IN ()", In(Operand{V: Int(1)}, nil), "0"},
	} {
		if got := show(tc.got); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestInListHasNoAffinity: SQLite reads x IN (a, b) as x = +a OR x = +b,
// so a column in the list loses its affinity and only x's converts. The
// answers were recorded from SQLite 3.40.1 with
// CREATE TABLE t (i INTEGER, s TEXT) holding (1795620706305, '42').
func TestInListHasNoAffinity(t *testing.T) {
	i := Operand{V: Int(1795620706305), Aff: IntegerAffinity}
	s := Operand{V: String("42"), Aff: TextAffinity}
	for _, tc := range []struct {
		sql    string
		got    Value
		sqlite string
	}{
		{"SELECT '1795620706305' IN (i) FROM t", In(Operand{V: String("1795620706305")}, []Value{i.V}), "0"},
		{"SELECT '1795620706305' = i FROM t", CompareOp("=", Operand{V: String("1795620706305")}, i), "1"},
		{"SELECT i IN ('1795620706305', 'x') FROM t", In(i, []Value{String("1795620706305"), String("x")}), "1"},
		{"SELECT 42 IN (s) FROM t", In(Operand{V: Int(42)}, []Value{s.V}), "0"},
		{"SELECT s IN (42) FROM t", In(s, []Value{Int(42)}), "1"},
		{"SELECT s IN (i, 42) FROM t", In(s, []Value{i.V, Int(42)}), "1"},
		{"SELECT i IN (s) FROM t", In(i, []Value{s.V}), "0"},
	} {
		if got := show(tc.got); got != tc.sqlite {
			t.Errorf("%s = %s, SQLite says %s", tc.sql, got, tc.sqlite)
		}
	}
}

func TestLike(t *testing.T) {
	for _, tc := range []struct {
		s, p string
		esc  rune
		want bool
	}{
		{"Hello", "hello", 0, true},
		{"HELLO world", "hello%", 0, true},
		{"abc", "a_c", 0, true},
		{"abc", "a_", 0, false},
		{"ÄBC", "äbc", 0, false}, // only ASCII folds
		{"ÄBC", "Äbc", 0, true},
		{"50%", "50\\%", '\\', true},
		{"50x", "50\\%", '\\', false},
		{"", "%", 0, true},
		{"abc", "%b%", 0, true},
		{"abc", "%%c", 0, true},
		{"abc", "%_%_%_%_", 0, false},
	} {
		got := Like(String(tc.s), String(tc.p), tc.esc)
		if (got.I == 1) != tc.want {
			t.Errorf("%q LIKE %q = %v, want %v", tc.s, tc.p, got.I == 1, tc.want)
		}
	}
	if !Like(Value{}, String("%"), 0).IsNull() {
		t.Error("NULL LIKE '%' should be NULL")
	}
}

func TestFromJSONAppliesAffinity(t *testing.T) {
	for _, tc := range []struct {
		in   any
		aff  Affinity
		want Value
	}{
		{json.Number("1700000000000"), IntegerAffinity, Int(1700000000000)},
		{json.Number("5.0"), IntegerAffinity, Int(5)},
		{json.Number("5"), RealAffinity, Float(5)},
		{json.Number("12"), TextAffinity, String("12")},
		{"42", IntegerAffinity, Int(42)},
		{"4x", IntegerAffinity, String("4x")},
		{nil, TextAffinity, Value{}},
		{true, NumericAffinity, Boolean(true)},
		{map[string]any{"b": json.Number("1"), "a": "x<"}, TextAffinity, JSONText(`{"a":"x<","b":1}`)},
	} {
		got := FromJSON(tc.in, tc.aff)
		if got != tc.want {
			t.Errorf("FromJSON(%v, %d) = %#v, want %#v", tc.in, tc.aff, got, tc.want)
		}
	}
}

func TestCompareOrder(t *testing.T) {
	ordered := []Value{{}, Int(-1), Float(0.5), Int(1), String(""), String("A"), String("a")}
	for i := range ordered {
		for j := range ordered {
			got := Compare(ordered[i], ordered[j])
			want := cmp(i, j)
			if got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", show(ordered[i]), show(ordered[j]), got, want)
			}
		}
	}
	if s := Float(1).Text(); s != "1.0" {
		t.Errorf("Float(1).Text() = %q, want 1.0", s)
	}
}

func TestArith(t *testing.T) {
	for _, tc := range []struct {
		op   string
		a, b Value
		want string
	}{
		{"+", Int(1), Int(2), "3"},
		{"-", Int(1700000003600000), Int(1700000000000000), "3600000"},
		{"/", Int(7), Int(2), "3"},
		{"/", Int(-7), Int(2), "-3"},
		{"/", Int(1), Int(0), "NULL"},
		{"%", Int(-7), Int(3), "-1"},
		{"%", Float(5.5), Int(2), "1.0"},
		{"*", Int(9223372036854775807), Int(2), "1.84467440737096e+19"},
		{"+", String("12abc"), Int(1), "13"},
		{"+", String("abc"), Int(1), "1"},
		{"+", Value{}, Int(1), "NULL"},
		{"/", Float(1), Int(4), "0.25"},
	} {
		if got := show(Arith(tc.op, tc.a, tc.b)); got != tc.want {
			t.Errorf("%s %s %s = %s, want %s", show(tc.a), tc.op, show(tc.b), got, tc.want)
		}
	}
}
