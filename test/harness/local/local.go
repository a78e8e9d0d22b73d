// Package local evaluates the local part of a statement in an in-memory
// SQLite database, as the StackQL engine does: API rows are loaded into
// tables whose columns are typed from the response schema, and SQLite runs
// the statement. Everything SQLite answers (GROUP BY, DISTINCT, CASE, date
// and JSON functions, subqueries, joins, UNION) therefore works with
// SQLite's own semantics.
//
// It must not know about providers, HTTP or output formats: it takes
// tables, rows and SQL text, and returns columns and rows.
package local

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// Column is one column of a loaded table, typed by its OpenAPI schema type
// (integer, number, boolean, string, object, array, or "" for untyped).
type Column struct {
	Name string
	Type string
}

// Table is a table to load: its SQL name and its columns.
type Table struct {
	Name    string
	Columns []Column
}

// declType is the SQLite column type declared for a schema type. It sets
// the column's affinity (INTEGER, REAL, TEXT, NUMERIC for BOOLEAN) and lets
// a result column name its origin: BOOLEAN reads back as true/false, JSON
// (objects and arrays, stored as JSON text so json_extract works) nests in
// JSON output.
func declType(schemaType string) string {
	switch schemaType {
	case "integer":
		return "INTEGER"
	case "number":
		return "REAL"
	case "boolean":
		return "BOOLEAN"
	case "string":
		return "TEXT"
	case "object", "array":
		return "JSON"
	}
	return ""
}

// DB is one in-memory database: one connection, used by one goroutine.
type DB struct {
	db   *sql.DB
	conn *sql.Conn
}

var dbSeq atomic.Int64

// Open returns an empty in-memory database with the one-row table "dual"
// (the parser reads a SELECT without FROM as FROM dual).
func Open(ctx context.Context) (*DB, error) {
	// A private in-memory database per DB: "file::memory:" would be shared.
	dsn := fmt.Sprintf("file:harness%d?mode=memory&cache=private", dbSeq.Add(1))
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	d := &DB{db: db, conn: conn}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE dual (dummy TEXT); INSERT INTO dual VALUES ('X')`); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close releases the database.
func (d *DB) Close() {
	_ = d.conn.Close()
	_ = d.db.Close()
}

// Quote quotes an identifier for SQLite.
func Quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// Create creates t, empty.
func (d *DB) Create(ctx context.Context, t Table) error {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + Quote(t.Name) + " (")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Quote(c.Name))
		if dt := declType(c.Type); dt != "" {
			b.WriteString(" " + dt)
		}
	}
	b.WriteString(")")
	_, err := d.conn.ExecContext(ctx, b.String())
	return err
}

// Load inserts rows into t (created before) with one statement: the rows
// travel as one JSON array of arrays that SQLite's json_each unpacks. Binding
// each value as its own parameter costs a cgo call per value, which for a
// list of hundreds of items costs more than the request.
func (d *DB) Load(ctx context.Context, t Table, rows [][]value.Value) error {
	if len(rows) == 0 || len(t.Columns) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + Quote(t.Name) + " SELECT ")
	for i := range t.Columns {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "json_extract(value, '$[%d]')", i)
	}
	q.WriteString(" FROM json_each(?)")
	_, err := d.conn.ExecContext(ctx, q.String(), string(encodeRows(rows, len(t.Columns))))
	return err
}

// encodeRows writes rows as a JSON array of arrays. Objects and arrays
// (JSON text) are embedded, so json_extract returns them as JSON text;
// booleans become true/false, which json_extract returns as 1/0.
func encodeRows(rows [][]value.Value, width int) []byte {
	b := make([]byte, 0, len(rows)*width*24)
	b = append(b, '[')
	for ri, r := range rows {
		if ri > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for i := range width {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, r[i])
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendJSON(b []byte, v value.Value) []byte {
	switch {
	case v.Kind == value.Null:
		return append(b, "null"...)
	case v.Bool:
		return strconv.AppendBool(b, v.I != 0)
	case v.Kind == value.Integer:
		return strconv.AppendInt(b, v.I, 10)
	case v.Kind == value.Real:
		if math.IsInf(v.F, 0) || math.IsNaN(v.F) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, v.F, 'g', -1, 64)
	case v.JSON:
		return append(b, v.S...)
	}
	return appendString(b, v.S)
}

// appendString writes s as a JSON string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// ColumnNames lists t's columns, in order.
func (t Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Compile compiles query over empty tables in a fresh database, without
// running it: a statement SQLite cannot evaluate (an unknown column or
// function) is refused before any request is sent.
func Compile(ctx context.Context, query string, tables ...Table) error {
	db, err := Open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, t := range tables {
		if err := db.Create(ctx, t); err != nil {
			return err
		}
	}
	return db.Check(ctx, query)
}

// Check compiles query without running it, so a statement SQLite cannot
// evaluate is refused before any request is sent.
func (d *DB) Check(ctx context.Context, query string) error {
	st, err := d.conn.PrepareContext(ctx, query)
	if err != nil {
		return Error(err)
	}
	return st.Close()
}

// Query runs query and returns its column names and rows. It reads through
// the driver directly: database/sql's per-row locking and conversions cost
// more than SQLite's own work on a result of hundreds of rows.
func (d *DB) Query(ctx context.Context, query string) (cols []string, out [][]value.Value, err error) {
	err = d.conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("local: the SQLite driver cannot query")
		}
		rs, err := q.QueryContext(ctx, query, nil)
		if err != nil {
			return err
		}
		defer rs.Close()
		cols = rs.Columns()
		decl := make([]string, len(cols))
		if ct, ok := rs.(driver.RowsColumnTypeDatabaseTypeName); ok {
			for i := range decl {
				decl[i] = ct.ColumnTypeDatabaseTypeName(i)
			}
		}
		out = [][]value.Value{}
		dest := make([]driver.Value, len(cols))
		for {
			if err := rs.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			row := make([]value.Value, len(cols))
			for i, x := range dest {
				row[i] = fromSQLite(x, decl[i])
			}
			out = append(out, row)
		}
	})
	if err != nil {
		return nil, nil, Error(err)
	}
	return cols, out, nil
}

// fromSQLite converts what the driver scanned; decl is the column's
// declared type when the column is a table column, else "".
func fromSQLite(x any, decl string) value.Value {
	switch t := x.(type) {
	case nil:
		return value.Value{}
	case int64:
		return value.Int(t)
	case float64:
		return value.Float(t)
	case bool: // the driver reads a BOOLEAN column's 0/1 as bool
		return value.Boolean(t)
	case []byte:
		return value.String(string(t))
	case string:
		if decl == "JSON" && (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) {
			return value.JSONText(t)
		}
		return value.String(t)
	}
	return value.String(fmt.Sprint(x))
}

// Error turns a SQLite error into the one line a user should read.
func Error(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return &SQLError{Msg: se.Error()}
	}
	return err
}

// SQLError is a statement SQLite refused (an unknown column, a wrong
// function, a type it cannot compare): the statement is wrong.
type SQLError struct{ Msg string }

func (e *SQLError) Error() string { return "sqlite: " + e.Msg }
