package render

import (
	"bytes"
	"io"

	"github.com/olekukonko/tablewriter"
)

// writeTable prints r with the engine's own table library, configured exactly
// as the engine configures it; everything else is tablewriter's default:
// headers centred, cells that look like numbers right-aligned and others
// left-aligned, cells wider than 30 columns wrapped at spaces, a line after
// every row (so an empty result is just the header block), widths measured in
// terminal columns by go-runewidth.
//
// Header and cell text is escaped with tableText first, so what tablewriter
// measures is exactly what reaches the terminal.
func writeTable(w io.Writer, r Result, hideHeaders bool) error {
	var buf bytes.Buffer
	table := tablewriter.NewWriter(&buf)
	table.SetCenterSeparator("|")
	table.SetRowLine(true)
	table.SetAutoFormatHeaders(false)
	header := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		header[i] = tableText(c)
	}
	if !hideHeaders {
		table.SetHeader(header)
	}
	for _, row := range r.Rows {
		rec := make([]string, len(r.Columns))
		for i := range rec {
			rec[i] = tableText(cell(row[i]))
		}
		table.Append(rec)
	}
	table.Render()
	_, err := w.Write(buf.Bytes())
	return err
}
