package local

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strconv"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// TestLoadRoundTrips loads one value of each kind into a column of each
// schema type and reads it back unchanged, typed as JSON output needs it.
func TestLoadRoundTrips(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		typ string
		in  value.Value
	}{
		{"integer", value.Int(math.MaxInt64)},
		{"integer", value.Int(-1)},
		{"number", value.Float(12.5)},
		{"string", value.String(`it's "quoted" \ back`)},
		{"string", value.String("デプロイ用 \x1b[31m\u0085")},
		{"string", value.String("")},
		{"boolean", value.Boolean(true)},
		{"boolean", value.Boolean(false)},
		{"object", value.JSONText(`{"a":[1,2],"b":null}`)},
		{"array", value.JSONText(`["x",{"y":1}]`)},
		{"string", value.Value{}},
	} {
		db, err := Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tbl := Table{Name: "t", Columns: []Column{{Name: "c", Type: tc.typ}}}
		if err := db.Create(ctx, tbl); err != nil {
			t.Fatal(err)
		}
		if err := db.Load(ctx, tbl, [][]value.Value{{tc.in}}); err != nil {
			t.Fatalf("%s %#v: %v", tc.typ, tc.in, err)
		}
		_, rows, err := db.Query(ctx, `SELECT c FROM t`)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[0][0]; !reflect.DeepEqual(got, tc.in) {
			t.Errorf("%s: loaded %#v, read back %#v", tc.typ, tc.in, got)
		}
	}
}

// TestAffinityIsSQLite's: a text literal compares with an INTEGER column as
// a number, and a JSON column answers json_extract.
func TestAffinityIsSQLite(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tbl := Table{Name: "t", Columns: []Column{{Name: "n", Type: "integer"}, {Name: "o", Type: "object"}}}
	if err := db.Create(ctx, tbl); err != nil {
		t.Fatal(err)
	}
	if err := db.Load(ctx, tbl, [][]value.Value{{value.Int(-1), value.JSONText(`{"id":"x"}`)}, {value.Int(5), value.Value{}}}); err != nil {
		t.Fatal(err)
	}
	cols, rows, err := db.Query(ctx, `SELECT n, json_extract(o, '$.id') AS id FROM t WHERE n < '0'`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]value.Value{{value.Int(-1), value.String("x")}}
	if !reflect.DeepEqual(cols, []string{"n", "id"}) || !reflect.DeepEqual(rows, want) {
		t.Errorf("got %v %#v, want [n id] %#v", cols, rows, want)
	}
}

func TestErrorsAreSQLErrors(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Check(ctx, `SELECT nope FROM dual`)
	var se *SQLError
	if !errors.As(err, &se) || se.Msg != "no such column: nope" {
		t.Errorf("Check: %v, want SQLError no such column: nope", err)
	}
}

// TestLoadInBatches loads more rows than one INSERT carries, a remainder
// included, and reads every row back in order; the database, given back by
// Close, is handed out again empty.
func TestLoadInBatches(t *testing.T) {
	ctx := context.Background()
	tbl := Table{Name: "t", Columns: []Column{{Name: "i", Type: "integer"}, {Name: "s", Type: "string"}}}
	for _, n := range []int{1, loadBatch, 2*loadBatch + 7} {
		db, err := Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Create(ctx, tbl); err != nil {
			t.Fatalf("%d rows: %v (a reused database must come back without its tables)", n, err)
		}
		rows := make([][]value.Value, n)
		for i := range rows {
			rows[i] = []value.Value{value.Int(int64(i)), value.String(strconv.Itoa(i))}
		}
		if err := db.Load(ctx, tbl, rows); err != nil {
			t.Fatal(err)
		}
		_, got, err := db.Query(ctx, `SELECT i, s FROM t ORDER BY rowid`)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, rows) {
			t.Errorf("%d rows loaded, %d read back, or not in order", n, len(got))
		}
	}
}
