// Package render writes query results the way the StackQL CLI does, with no
// remote control character reaching the terminal: a bordered table drawn by
// the engine's own github.com/olekukonko/tablewriter, JSON or CSV.
//
// It only formats; it must not evaluate, reorder or drop rows.
//
// Text from the remote side (any cell, any column name) is escaped before it
// is printed. A C0 control character or DEL is written as \xHH (ESC as \x1b,
// BEL as \x07), a C1 control as \u00HH (NEL as \u0085), the line and
// paragraph separators as \u2028 and \u2029, and each byte of invalid UTF-8
// as \xHH (like Go's %q, but other text, backslashes included, is left as it
// is, so the escaping is for safety and cannot be reversed).
// What is kept raw depends on the format:
//
//   - Safe, for one line of terminal text such as an error message, keeps no
//     control character: newline is \x0a and tab \x09.
//   - A table keeps newlines in cells and headers: tablewriter never prints
//     them but splits the text there and rewraps it at the width of its
//     longest line (at most 30 columns), as in the engine, so short lines
//     stay apart and longer ones are reflowed. Tab is escaped, as it has no
//     fixed width.
//   - CSV keeps newline (the field is quoted) and tab; carriage return is
//     escaped.
//   - JSON strings are escaped by encoding/json (\u001b, \u2028), and DEL
//     and C1 controls, which it leaves raw, are written as \u007f and \u0085;
//     JSON text passed through from an API is treated the same way.
//
// Bidirectional and other format characters are not escaped.
package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/stackql-labs/databricks-tokens/test/harness/value"
)

// Format is an output format.
type Format string

// Output formats, as named by the engine's --output flag.
const (
	Table Format = "table"
	JSON  Format = "json"
	CSV   Format = "csv"
)

// ParseFormat validates a --output value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Table, JSON, CSV:
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q (want table, json or csv)", s)
}

// Result is what a statement returns: named columns and rows of values.
type Result struct {
	Columns []string
	Rows    [][]value.Value
}

// Options say how to render: the format and, as the engine's -H does,
// whether to leave out the header (tables and CSV; JSON keys are names).
type Options struct {
	Format      Format
	HideHeaders bool
}

// Write renders r to w.
func Write(w io.Writer, r Result, o Options) error {
	switch o.Format {
	case JSON:
		return writeJSON(w, r)
	case CSV:
		return writeCSV(w, r, o.HideHeaders)
	}
	return writeTable(w, r, o.HideHeaders)
}

// cell is the text of a value in table and CSV output: NULL is empty, as in
// the engine (pgtype's text encoding of NULL) and psql.
func cell(v value.Value) string { return v.Text() }

func writeCSV(w io.Writer, r Result, hideHeaders bool) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		rec[i] = csvText(c)
	}
	if !hideHeaders {
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	for _, row := range r.Rows {
		for i := range rec {
			rec[i] = csvText(cell(row[i]))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeJSON writes an array of objects whose keys follow the column order;
// JSON object and array columns are nested rather than quoted. The whole
// document then goes through jsonSafe.
func writeJSON(w io.Writer, r Result) error {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, row := range r.Rows {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for j, c := range r.Columns {
			if j > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(&buf, c)
			buf.WriteByte(':')
			writeJSONValue(&buf, row[j])
		}
		buf.WriteByte('}')
	}
	buf.WriteString("]\n")
	_, err := w.Write(jsonSafe(buf.Bytes()))
	return err
}

func writeJSONValue(buf *bytes.Buffer, v value.Value) {
	switch v.Kind {
	case value.Null:
		buf.WriteString("null")
	case value.Integer:
		if v.Bool {
			buf.WriteString(v.Text())
			return
		}
		buf.WriteString(strconv.FormatInt(v.I, 10))
	case value.Real:
		b, err := json.Marshal(v.F)
		if err != nil { // NaN and infinities have no JSON form
			writeJSONString(buf, v.Text())
			return
		}
		buf.Write(b)
	default:
		if v.JSON && json.Valid([]byte(v.S)) {
			buf.WriteString(v.S)
			return
		}
		writeJSONString(buf, v.S)
	}
}

func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Truncate(buf.Len() - 1)
}
