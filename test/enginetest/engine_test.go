//go:build enginetest

package enginetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
	"github.com/stackql-labs/databricks-tokens/test/internal/docexamples"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// getEngine is printed when STACKQL is not set.
const getEngine = `STACKQL is not set, so there is no engine to compare the harness with.

To run this test, build a StackQL engine from a git clone or mirror of
github.com/stackql/stackql (the Go module proxy does not serve it), e.g.

    git -C <clone> checkout <release tag, e.g. v0.10.582>
    (cd <clone> && CGO_ENABLED=1 go build -o <dir>/stackql ./stackql)

and point STACKQL at the binary:

    STACKQL=<dir>/stackql make engine-test

A script that builds engines is outside this repository; do not commit an
engine binary (or its path) to it.`

const (
	// engineAuth is the engine's --auth, also given to the harness.
	engineAuth = `{"databricks_workspace":{"type":"bearer","credentialsenvvar":"DATABRICKS_TOKEN"}}`
	// despatched is the notice both print on stderr after an EXEC that
	// succeeded; any other stderr is a failure.
	despatched = "The operation was despatched successfully"
	// emptyListFailure is how the engine fails on a list response without
	// token_infos, which is what Databricks (and the simulator) answer when
	// the user has no tokens, unless the provider's listtokens response has
	// a transform that puts [] there.
	emptyListFailure = "error processing response: unknown key token_infos"
	user             = "enginetest@example.com"
	engineTimeout    = 2 * time.Minute
)

// epoch is where each simulator's clock stands while it is seeded; it moves
// one second before the example runs, and then stands still, so both sides
// see the same creation and expiry times.
var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// seed is the workspace state an example runs on.
type seed struct {
	name     string
	desc     string
	existing bool // the workspace holds docexamples' existing token
}

var seeds = []seed{
	// As test/e2e's TestDocsExamplesRun.
	{name: "one-token", desc: "a workspace whose user has one token", existing: true},
	// Where a list response has no token_infos at all.
	{name: "no-tokens", desc: "a workspace whose user has no token"},
}

// workspace is a fresh simulator serving docexamples.Workspace, seeded.
type workspace struct {
	srv        *sim.Server
	caFile     string
	bearer     string
	existingID string
}

func newWorkspace(t *testing.T, s seed, host string) *workspace {
	t.Helper()
	clock := sim.NewClock(epoch)
	srv, err := sim.Start(sim.Config{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w, err := srv.AddWorkspace(host, sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// An admin, with docexamples' service principal: see docexamples.
	ws := &workspace{srv: srv, bearer: w.AddAdmin(user), caFile: filepath.Join(t.TempDir(), "ca.pem")}
	w.AddServicePrincipal(docexamples.ServicePrincipal, docexamples.ApplicationID)
	if s.existing {
		r, err := w.CreateToken(ws.bearer, docexamples.ExistingLifetimeSeconds, docexamples.ExistingComment)
		if err != nil {
			t.Fatal(err)
		}
		ws.existingID = r.TokenInfo.TokenID
	}
	clock.Advance(time.Second)
	if err := srv.WriteCA(ws.caFile); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	return ws
}

// run is what one side did.
type run struct {
	code     int
	stdout   string
	stderr   string
	requests []sim.Request
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// registryFlag is --registry for this repository's provider/, as both take it.
func registryFlag(t *testing.T) string {
	p := filepath.Join(repoRoot(t), "provider")
	b, _ := json.Marshal(map[string]any{"url": "file://" + p, "localDocRoot": p, "verifyConfig": map[string]bool{"nopVerify": true}})
	return string(b)
}

// runEngine runs the engine on sql, reaching ws through its CONNECT proxy,
// with a new approot and HOME.
func runEngine(t *testing.T, stackql string, ws *workspace, sql string) run {
	t.Helper()
	proxy, err := ws.srv.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), engineTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, stackql, "exec",
		"--approot", filepath.Join(dir, "approot"),
		"--registry", registryFlag(t),
		"--auth", engineAuth,
		"--tls.CABundle", ws.caFile,
		"--http.proxy.host", "127.0.0.1",
		"--http.proxy.port", strconv.Itoa(proxy.Port()),
		"-o", "json",
		sql)
	cmd.Env = []string{"DATABRICKS_TOKEN=" + ws.bearer, "HOME=" + dir}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", stackql, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %s", stackql, engineTimeout)
	}
	return run{code: code, stdout: stdout.String(), stderr: stderr.String(), requests: ws.srv.Requests()}
}

// runHarness runs the harness CLI in this process on the example as
// written, its placeholders filled with --var, with the same registry and
// auth as the engine.
func runHarness(t *testing.T, ws *workspace, ex docexamples.Example, host string) run {
	t.Helper()
	args := []string{"exec",
		"--registry", registryFlag(t),
		"--auth", engineAuth,
		"--ca-file", ws.caFile,
		"--resolve", "*.cloud.databricks.com:443=" + ws.srv.Addr(),
		"--resolve", "*.azuredatabricks.net:443=" + ws.srv.Addr(),
		"--resolve", "*.gcp.databricks.com:443=" + ws.srv.Addr(),
		"-o", "json",
	}
	args = append(args, docexamples.VarArgs(docexamples.VarsOn(host, ws.existingID))...)
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, strings.NewReader(ex.SQL), &stdout, &stderr,
		[]string{"DATABRICKS_TOKEN=" + ws.bearer, "HOME=" + t.TempDir()})
	return run{code: code, stdout: stdout.String(), stderr: stderr.String(), requests: ws.srv.Requests()}
}

func TestDocsExamplesEngineVsHarness(t *testing.T) {
	stackql := os.Getenv("STACKQL")
	if stackql == "" {
		t.Skip(getEngine)
	}
	if _, err := exec.LookPath(stackql); err != nil {
		t.Fatalf("STACKQL=%s: %v", stackql, err)
	}
	examples, err := docexamples.Load(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		t.Run(ex.Name(), func(t *testing.T) {
			for _, host := range docexamples.Hosts {
				for _, s := range seeds {
					t.Run(host+"/"+s.name, func(t *testing.T) {
						if !s.existing && ex.Uses("token_id") {
							t.Skip("the example names an existing token ({{ token_id }}), and this workspace has none")
						}
						compareExample(t, stackql, ex, s, host)
					})
				}
			}
		})
	}
}

func compareExample(t *testing.T, stackql string, ex docexamples.Example, s seed, host string) {
	ews := newWorkspace(t, s, host)
	sql, err := ex.Fill(docexamples.VarsOn(host, ews.existingID))
	if err != nil {
		t.Fatal(err)
	}
	eng := runEngine(t, stackql, ews, sql)
	hws := newWorkspace(t, s, host)
	har := runHarness(t, hws, ex, host)

	en := newNormaliser(ews.existingID)
	hn := newNormaliser(hws.existingID)
	var problems []string
	problem := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	// Exit status and stderr: the engine exits 0 even when a statement
	// failed, so anything on its stderr but the EXEC notice is a failure.
	engNotice, engErr := splitStderr(eng.stderr)
	harNotice, harErr := splitStderr(har.stderr)
	known := strings.Contains(eng.stderr, emptyListFailure)
	if known {
		problem("KNOWN ENGINE FAILURE: the engine printed %q: it cannot read a list response without token_infos, "+
			"which is what a workspace answers when the user has no tokens (a transform on the provider's listtokens response that puts [] there avoids it)", emptyListFailure)
	}
	if eng.code != 0 {
		problem("the engine exited %d", eng.code)
	}
	if engErr != "" && !known {
		problem("the engine reported an error on stderr:\n%s", indent(engErr))
	}
	if har.code != 0 {
		problem("the harness exited %d", har.code)
	}
	if harErr != "" {
		problem("the harness reported an error on stderr:\n%s", indent(harErr))
	}
	if engNotice != harNotice {
		problem("the engine printed the EXEC notice %q: %t; the harness: %t", despatched, engNotice, harNotice)
	}

	// Results.
	er, eerr := parseResult(eng.stdout, en)
	hr, herr := parseResult(har.stdout, hn)
	switch {
	case eerr != nil:
		problem("the engine's stdout is not JSON rows: %v", eerr)
	case herr != nil:
		problem("the harness's stdout is not JSON rows: %v", herr)
	default:
		if er.printed != hr.printed {
			problem("the engine printed a result: %t; the harness: %t", er.printed, hr.printed)
		}
		if !slices.Equal(er.columns, hr.columns) {
			problem("columns differ: engine %v, harness %v", er.columns, hr.columns)
		}
		if len(er.rows) != len(hr.rows) {
			problem("row counts differ: engine %d, harness %d", len(er.rows), len(hr.rows))
		} else if !slices.Equal(er.rows, hr.rows) {
			if slices.Equal(sortedCopy(er.rows), sortedCopy(hr.rows)) {
				problem("the same rows in a different order")
			} else {
				problem("rows differ")
			}
		}
	}

	// Requests.
	ereq, hreq := requestLines(eng.requests, en), requestLines(har.requests, hn)
	if !slices.Equal(ereq, hreq) {
		problem("the simulators received different requests (below)")
	}

	summary := fmt.Sprintf("--- statement sent to the engine (the harness got the example as written, with --var):\n%s\n"+
		"--- engine: exit %d\nstdout: %s\nstderr: %s\nrows:%s\nrequests:%s\n"+
		"--- harness: exit %d\nstdout: %s\nstderr: %s\nrows:%s\nrequests:%s",
		strings.TrimSpace(sql),
		eng.code, en.text(strings.TrimSpace(eng.stdout)), strings.TrimSpace(eng.stderr), rowsText(er.rows), rowsText(ereq),
		har.code, hn.text(strings.TrimSpace(har.stdout)), strings.TrimSpace(har.stderr), rowsText(hr.rows), rowsText(hreq))
	if len(problems) > 0 {
		t.Errorf("%s example %d (%s), on %s: the engine and the harness differ:\n- %s\n%s",
			ex.Page, ex.N, ex.Name(), s.desc, strings.Join(problems, "\n- "), summary)
		return
	}
	t.Logf("the same: exit 0, %d row(s), columns %v\nrows:%s\nrequests:%s", len(er.rows), er.columns, rowsText(er.rows), rowsText(ereq))
}

// rowsText lists rows or requests, one an indented line, after a label.
func rowsText(lines []string) string {
	if len(lines) == 0 {
		return " none"
	}
	return "\n" + indent(strings.Join(lines, "\n"))
}

// splitStderr separates the EXEC success notice from the rest of stderr.
func splitStderr(s string) (notice bool, rest string) {
	var other []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		switch strings.TrimSpace(line) {
		case despatched:
			notice = true
		case "":
		default:
			other = append(other, line)
		}
	}
	return notice, strings.Join(other, "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

var (
	tokenIDRE    = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	tokenValueRE = regexp.MustCompile(`\bdapi[0-9a-f]{32}\b`)
)

// normaliser replaces one side's token ids and values by the part they
// play: the workspace's existing token, or the nth new one, so both sides
// read alike when they did the same.
type normaliser struct {
	existingID string
	ids        map[string]string
	values     map[string]string
}

func newNormaliser(existingID string) *normaliser {
	return &normaliser{existingID: existingID, ids: map[string]string{}, values: map[string]string{}}
}

func (n *normaliser) text(s string) string {
	s = tokenIDRE.ReplaceAllStringFunc(s, func(id string) string {
		if id == n.existingID {
			return "<existing token_id>"
		}
		if _, ok := n.ids[id]; !ok {
			n.ids[id] = fmt.Sprintf("<new token_id %d>", len(n.ids)+1)
		}
		return n.ids[id]
	})
	return tokenValueRE.ReplaceAllStringFunc(s, func(v string) string {
		if _, ok := n.values[v]; !ok {
			n.values[v] = fmt.Sprintf("<token_value %d>", len(n.values)+1)
		}
		return n.values[v]
	})
}

// result is a side's stdout read as rows.
type result struct {
	printed bool     // anything at all was printed
	columns []string // every key of every row, sorted
	rows    []string // each row as "name=value | ...", names sorted, values as text
}

// parseResult reads -o json output: a JSON array of objects per statement
// (the engine prints null for a result without rows). Every value becomes
// text, as the engine renders it: a string as itself, a number as its
// digits, NULL as null, an object or array (or a string holding one, as the
// engine renders object columns) as compact JSON with sorted keys.
func parseResult(stdout string, n *normaliser) (result, error) {
	var r result
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.UseNumber()
	cols := map[string]bool{}
	for {
		var rows []map[string]any
		err := dec.Decode(&rows)
		if err == io.EOF {
			break
		}
		if err != nil {
			return r, err
		}
		r.printed = true
		for _, row := range rows {
			var fields []string
			for _, k := range slices.Sorted(maps.Keys(row)) {
				cols[k] = true
				fields = append(fields, k+"="+n.text(valueText(row[k])))
			}
			r.rows = append(r.rows, strings.Join(fields, " | "))
		}
	}
	r.columns = slices.Sorted(maps.Keys(cols))
	return r, nil
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			var inner any
			if dec.Decode(&inner) == nil && !dec.More() {
				return canonicalJSON(inner)
			}
		}
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	default:
		return canonicalJSON(v)
	}
}

// canonicalJSON is v as compact JSON, object keys sorted, nothing escaped
// that JSON does not require.
func canonicalJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// requestLines are the requests a simulator received, "METHOD host
// path?query status body" (a JSON body canonical), sorted.
func requestLines(reqs []sim.Request, n *normaliser) []string {
	var out []string
	for _, r := range reqs {
		line := r.Method + " " + r.Host + " " + r.Path
		if r.Query != "" {
			line += "?" + r.Query
		}
		line += " " + strconv.Itoa(r.Status)
		if r.Body != "" {
			line += " " + valueText(r.Body)
		}
		out = append(out, n.text(line))
	}
	slices.Sort(out)
	return out
}
