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
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"

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
	db     *sql.DB
	conn   *sql.Conn
	tables []string // created by Create, dropped by Close
	broken bool     // a failed load may have left a transaction open
}

var dbSeq atomic.Int64

// idle holds databases given back by Close, emptied, for Open to hand out
// again: a statement compiles its SQL in one database and runs it in
// another, and opening one costs as much as loading a hundred rows.
var idle struct {
	sync.Mutex
	dbs []*DB
}

const maxIdle = 4

// Open returns an empty in-memory database with the one-row table "dual"
// (the parser reads a SELECT without FROM as FROM dual).
func Open(ctx context.Context) (*DB, error) {
	idle.Lock()
	if n := len(idle.dbs); n > 0 {
		d := idle.dbs[n-1]
		idle.dbs = idle.dbs[:n-1]
		idle.Unlock()
		return d, nil
	}
	idle.Unlock()
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
		d.release()
		return nil, err
	}
	return d, nil
}

// Close drops the tables Create made and gives the database back for
// reuse, or releases it.
func (d *DB) Close() {
	if d.broken {
		d.release()
		return
	}
	for _, name := range d.tables {
		if _, err := d.conn.ExecContext(context.Background(), "DROP TABLE "+Quote(name)); err != nil {
			d.release()
			return
		}
	}
	d.tables = d.tables[:0]
	idle.Lock()
	defer idle.Unlock()
	if len(idle.dbs) < maxIdle {
		idle.dbs = append(idle.dbs, d)
		return
	}
	d.release()
}

func (d *DB) release() {
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
	if _, err := d.conn.ExecContext(ctx, b.String()); err != nil {
		return err
	}
	d.tables = append(d.tables, t.Name)
	return nil
}

// loadBatch is how many rows one INSERT statement of Load carries. Each
// value is bound as a parameter (a cgo call), which is cheaper than having
// SQLite parse the rows out of JSON or SQL text; batching saves a step and a
// reset per row. SQLite allows 32766 parameters a statement.
const (
	loadBatch = 100
	maxParams = 32766
)

// Load inserts rows into t (created before) in one transaction, with a
// prepared multi-row INSERT of up to loadBatch rows run once per batch.
func (d *DB) Load(ctx context.Context, t Table, rows [][]value.Value) error {
	width := len(t.Columns)
	if len(rows) == 0 || width == 0 {
		return nil
	}
	per := max(1, min(len(rows), loadBatch, maxParams/width))
	return d.conn.Raw(func(dc any) error {
		conn, ok := dc.(interface {
			driver.ConnPrepareContext
			driver.ExecerContext
		})
		if !ok {
			return errors.New("local: the SQLite driver cannot prepare")
		}
		if _, err := conn.ExecContext(ctx, "BEGIN", nil); err != nil {
			return err
		}
		err := insert(ctx, conn, t, rows, per)
		if err == nil {
			_, err = conn.ExecContext(ctx, "COMMIT", nil)
		}
		d.broken = err != nil
		return err
	})
}

// insert runs one prepared statement of per rows over the full batches and
// one more for the rest.
func insert(ctx context.Context, conn driver.ConnPrepareContext, t Table, rows [][]value.Value, per int) error {
	width := len(t.Columns)
	args := make([]driver.NamedValue, per*width)
	for i := range args {
		args[i].Ordinal = i + 1
	}
	for len(rows) > 0 {
		n := min(per, len(rows))
		st, err := conn.PrepareContext(ctx, insertSQL(t, n))
		if err != nil {
			return err
		}
		for ; len(rows) >= n; rows = rows[n:] {
			for i, r := range rows[:n] {
				for j := range width {
					args[i*width+j].Value = driverValue(r[j])
				}
			}
			if _, err := st.(driver.StmtExecContext).ExecContext(ctx, args[:n*width]); err != nil {
				st.Close()
				return err
			}
		}
		st.Close()
	}
	return nil
}

// insertSQL is INSERT INTO t VALUES (?, …), … for n rows.
func insertSQL(t Table, n int) string {
	row := "(" + strings.Repeat("?,", len(t.Columns)-1) + "?)"
	return "INSERT INTO " + Quote(t.Name) + " VALUES " + strings.Repeat(row+",", n-1) + row
}

// driverValue is v as bound to a parameter: objects and arrays as their
// JSON text (so json_extract reads them), booleans as 1/0, and an infinite
// or NaN number as NULL, as in JSON.
func driverValue(v value.Value) driver.Value {
	switch {
	case v.Kind == value.Null:
		return nil
	case v.Kind == value.Integer:
		return v.I
	case v.Kind == value.Real:
		if math.IsInf(v.F, 0) || math.IsNaN(v.F) {
			return nil
		}
		return v.F
	}
	return v.S
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
