// Command benchtable reads `go test -bench` output on stdin and prints one
// table of every benchmark, then the project's targets (absolute limits and
// ratios between two benchmarks) with the measured value and a verdict.
// It only reports; it never fails the build, because machines here are noisy.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// target is a limit on one metric of one benchmark, or, when Over is set, on
// the ratio of that metric between two benchmarks.
type target struct {
	Issue  string
	Name   string // what is measured, in words
	Bench  string // benchmark name without the -N suffix
	Over   string // denominator benchmark for a ratio, "" for an absolute limit
	Metric string // e.g. "ns/op", "B/op", "ms/run"
	Max    float64
	Unit   string  // unit to print the value in
	Scale  float64 // value is divided by Scale before printing and comparing
}

var targets = []target{
	{"#3", "generate + validate in memory", "BenchmarkGenerate", "", "ns/op", 50, "ms", 1e6},
	{"#4", "list of 600 tokens, per request", "BenchmarkList600/tls", "", "p50-ns", 2, "ms", 1e6},
	{"#4", "memory per stored token", "BenchmarkTokenMemory", "", "bytes/token", 0, "B", 1},
	{"#4", "create throughput (parallel, TLS)", "BenchmarkCreate", "", "creates/s", 0, "creates/s", 1},
	{"#9", "SELECT over 600 tokens: harness (SQLite) / plain net/http, interleaved", "BenchmarkSelect600Ratio", "", "ratio", 1.6, "x", 1},
	{"#9", "SELECT over 600 tokens: harness (SQLite) / plain net/http, separate runs", "BenchmarkHarnessSelect600", "BenchmarkPlainList600", "ns/op", 1.6, "x", 1},
	{"#9", "CLI process: filtered SELECT over 600 tokens, wall", "BenchmarkCLISelect600", "", "wall-ms", 0, "ms", 1},
	{"#9", "CLI process: the same SELECT in the real engine, wall (STACKQL=...)", "BenchmarkCLISelect600", "", "engine-wall-ms", 0, "ms", 1},
	{"#9", "CLI process: harness wall / real engine wall (STACKQL=...)", "BenchmarkCLISelect600", "", "engine-ratio", 0.5, "x", 1},
	{"#9", "CLI process: filtered SELECT over 600 tokens, peak RSS", "BenchmarkCLISelect600", "", "maxrss-MiB", 36, "MiB", 1},
	{"#9", "CLI process: package init time (SHOW METHODS, inittrace)", "BenchmarkCLIInit", "", "init-ms", 0, "ms", 1},
	{"#12", "CLI process: SELECT over 1,000 workspaces (50 ms each, one OAuth principal), wall", "BenchmarkCLIFanOut1000", "", "wall-ms", 2000, "ms", 1},
	{"#12", "CLI process: the same fan-out, peak RSS", "BenchmarkCLIFanOut1000", "", "maxrss-MiB", 0, "MiB", 1},
	{"#12", "CLI process: the same fan-out, OAuth token requests per run", "BenchmarkCLIFanOut1000", "", "token-requests", 1, "", 1},
	{"#6", "list succeeding on 3rd try (Retry-After: 0) / clean list", "BenchmarkListRetry3", "BenchmarkListClean", "ns/op", 0, "x", 1},
}

type result struct {
	name    string
	metrics map[string]float64
	order   []string
}

func main() {
	results, err := parse(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	print(os.Stdout, results)
}

// parse collects benchmark lines and echoes everything else (package
// headers, failures) so nothing is hidden.
func parse(r io.Reader, echo io.Writer) (map[string]*result, error) {
	results := map[string]*result{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "---") || strings.Contains(line, "panic") {
				fmt.Fprintln(echo, line)
			}
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		res := &result{name: name, metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			res.metrics[f[i+1]] = v
			res.order = append(res.order, f[i+1])
		}
		results[name] = res
	}
	return results, sc.Err()
}

func print(w io.Writer, results map[string]*result) {
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tmetrics")
	for _, n := range names {
		r := results[n]
		var parts []string
		for _, m := range r.order {
			parts = append(parts, fmt.Sprintf("%s %s", humanize(r.metrics[m]), m))
		}
		fmt.Fprintf(tw, "%s\t%s\n", n, strings.Join(parts, "   "))
	}
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "issue\ttarget\tmeasured\tlimit\tverdict")
	for _, t := range targets {
		v, ok := t.value(results)
		measured, verdict := "not run", "-"
		if ok {
			measured = fmt.Sprintf("%.2f %s", v, t.Unit)
			switch {
			case t.Max == 0:
				verdict = "reported"
			case v <= t.Max:
				verdict = "ok"
			default:
				verdict = "MISSED"
			}
		}
		limit := "-"
		if t.Max > 0 {
			limit = fmt.Sprintf("<= %g %s", t.Max, t.Unit)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Issue, t.Name, measured, limit, verdict)
	}
	tw.Flush()
}

func (t target) value(results map[string]*result) (float64, bool) {
	r, ok := results[t.Bench]
	if !ok {
		return 0, false
	}
	v, ok := r.metrics[t.Metric]
	if !ok {
		return 0, false
	}
	if t.Over == "" {
		return v / t.Scale, true
	}
	d, ok := results[t.Over]
	if !ok || d.metrics[t.Metric] == 0 {
		return 0, false
	}
	return v / d.metrics[t.Metric], true
}

func humanize(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
