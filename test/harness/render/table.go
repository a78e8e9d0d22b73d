package render

import (
	"io"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The engine prints tables with github.com/olekukonko/tablewriter (v0.0.x)
// configured with SetCenterSeparator("|"), SetRowLine(true) and
// SetAutoFormatHeaders(false), everything else default: headers centred,
// numbers right-aligned, other cells left-aligned, cells wider than 30
// columns wrapped at spaces. This file reproduces that layout so output reads
// exactly as a StackQL user expects.
const maxCellWidth = 30

var decimal = regexp.MustCompile(`^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$`)

func writeTable(w io.Writer, r Result) error {
	n := len(r.Columns)
	widths := make([]int, n)
	header := make([][]string, n)
	for i, c := range r.Columns {
		header[i] = wrapCell(c, &widths[i])
	}
	rows := make([][][]string, len(r.Rows))
	for ri, row := range r.Rows {
		rows[ri] = make([][]string, n)
		for i := range n {
			rows[ri][i] = wrapCell(cell(row[i]), &widths[i])
		}
	}
	var b strings.Builder
	line := func() {
		b.WriteByte('|')
		for _, w := range widths {
			b.WriteString(strings.Repeat("-", w+2))
			b.WriteByte('|')
		}
		b.WriteByte('\n')
	}
	line()
	for x := range height(header) {
		b.WriteByte('|')
		for i := range n {
			b.WriteByte(' ')
			b.WriteString(padCenter(lineAt(header[i], x), widths[i]))
			b.WriteString(" |")
		}
		b.WriteByte('\n')
	}
	line()
	for _, row := range rows {
		for x := range height(row) {
			for i := range n {
				s := lineAt(row[i], x)
				b.WriteString("| ")
				if decimal.MatchString(strings.TrimSpace(s)) {
					b.WriteString(padLeft(s, widths[i]))
				} else {
					b.WriteString(padRight(s, widths[i]))
				}
				b.WriteByte(' ')
			}
			b.WriteString("|\n")
		}
		line()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func height(cells [][]string) int {
	h := 0
	for _, c := range cells {
		h = max(h, len(c))
	}
	return h
}

func lineAt(lines []string, x int) string {
	if x < len(lines) {
		return lines[x]
	}
	return ""
}

// wrapCell splits a cell into display lines the way tablewriter's
// parseDimension does (reflowing paragraphs, wrapping at maxCellWidth unless
// a single word is wider) and widens *width to fit.
func wrapCell(s string, width *int) []string {
	raw := strings.Split(s, "\n")
	w := 0
	for _, l := range raw {
		w = max(w, displayWidth(l))
	}
	w = min(w, maxCellWidth)
	lines := wrapString(strings.Join(raw, " "), w)
	for _, l := range lines {
		w = max(w, displayWidth(l))
	}
	*width = max(*width, w)
	return lines
}

// wrapString is tablewriter's minimum-raggedness word wrap.
func wrapString(s string, lim int) []string {
	words := strings.Split(s, " ")
	for _, v := range words {
		lim = max(lim, displayWidth(v))
	}
	var lines []string
	for _, l := range wrapWords(words, 1, lim, 1e5) {
		lines = append(lines, strings.Join(l, " "))
	}
	return lines
}

func wrapWords(words []string, spc, lim, pen int) [][]string {
	n := len(words)
	length := make([][]int, n)
	for i := range n {
		length[i] = make([]int, n)
		length[i][i] = displayWidth(words[i])
		for j := i + 1; j < n; j++ {
			length[i][j] = length[i][j-1] + spc + displayWidth(words[j])
		}
	}
	nbrk := make([]int, n)
	cost := make([]int, n)
	for i := range cost {
		cost[i] = math.MaxInt32
	}
	for i := n - 1; i >= 0; i-- {
		if length[i][n-1] <= lim {
			cost[i] = 0
			nbrk[i] = n
			continue
		}
		for j := i + 1; j < n; j++ {
			d := lim - length[i][j-1]
			c := d*d + cost[j]
			if length[i][j-1] > lim {
				c += pen
			}
			if c < cost[i] {
				cost[i] = c
				nbrk[i] = j
			}
		}
	}
	var lines [][]string
	for i := 0; i < n; i = nbrk[i] {
		lines = append(lines, words[i:nbrk[i]])
	}
	return lines
}

func displayWidth(s string) int { return utf8.RuneCountInString(s) }

func padCenter(s string, w int) string {
	gap := w - displayWidth(s)
	if gap <= 0 {
		return s
	}
	left := gap / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", gap-left)
}

func padLeft(s string, w int) string {
	if gap := w - displayWidth(s); gap > 0 {
		return strings.Repeat(" ", gap) + s
	}
	return s
}

func padRight(s string, w int) string {
	if gap := w - displayWidth(s); gap > 0 {
		return s + strings.Repeat(" ", gap)
	}
	return s
}
