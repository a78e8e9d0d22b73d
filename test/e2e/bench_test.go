package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

const benchWorkspace = "dbc-abcd0123-a1bc.cloud.databricks.com"

// benchSim serves one workspace whose user has a full quota of 600 tokens.
func benchSim(b *testing.B) (*sim.Server, string) {
	b.Helper()
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	w, err := srv.AddWorkspace(benchWorkspace, sim.WorkspaceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	bearer := w.AddUser(user)
	if err := w.SeedTokens(bearer, 600, "bench"); err != nil {
		b.Fatal(err)
	}
	return srv, bearer
}

// selectBench is one harness engine and one plain client on a simulator
// whose user has 600 tokens.
type selectBench struct {
	srv    *sim.Server
	bearer string
	eng    *harness.Engine
	client *http.Client
}

func newSelectBench(b *testing.B, retries int) *selectBench {
	srv, bearer := benchSim(b)
	reg, err := registry.Open(filepath.Join(repoRoot(b), "provider"))
	if err != nil {
		b.Fatal(err)
	}
	client := srv.Client()
	eng := harness.New(harness.Config{
		Registry: reg, Client: client, Retries: retries,
		Getenv: func(k string) string { return map[string]string{"DATABRICKS_TOKEN": bearer}[k] },
	})
	return &selectBench{srv: srv, bearer: bearer, eng: eng, client: client}
}

const select600 = "SELECT token_id, comment, creation_time, expiry_time FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '" + benchWorkspace + "'"

// viaHarness runs the SELECT through the harness: parse, plan, any-sdk
// request building, the TLS round trip, decoding and local evaluation.
func (sb *selectBench) viaHarness(b *testing.B) {
	n := 0
	err := sb.eng.Exec(context.Background(), select600, func(_ *harness.Statement, r *harness.Result) error {
		n = len(r.Rows)
		return nil
	})
	if err != nil || n != 600 {
		b.Fatalf("harness: %d rows, %v", n, err)
	}
}

// viaNetHTTP makes the same list request with net/http and decodes it with
// encoding/json into a struct, as a hand-written client would.
func (sb *selectBench) viaNetHTTP(b *testing.B) {
	req, _ := http.NewRequest("GET", "https://"+benchWorkspace+"/api/2.0/token/list", nil)
	req.Header.Set("Authorization", "Bearer "+sb.bearer)
	resp, err := sb.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		TokenInfos []struct {
			TokenID      string `json:"token_id"`
			Comment      string `json:"comment"`
			CreationTime int64  `json:"creation_time"`
			ExpiryTime   int64  `json:"expiry_time"`
		} `json:"token_infos"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.TokenInfos) != 600 {
		b.Fatalf("net/http: %d rows, %v", len(out.TokenInfos), err)
	}
}

// BenchmarkHarnessSelect600 and BenchmarkPlainList600 are the two sides of
// the harness overhead target (ratio <= 1.5, computed by make bench).
func BenchmarkHarnessSelect600(b *testing.B) {
	sb := newSelectBench(b, 0)
	sb.viaHarness(b) // warm the connection and the registry cache
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sb.viaHarness(b)
	}
}

func BenchmarkPlainList600(b *testing.B) {
	sb := newSelectBench(b, 0)
	sb.viaNetHTTP(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sb.viaNetHTTP(b)
	}
}

// BenchmarkSelect600Ratio alternates the two in one loop, on one simulator
// and one connection, so machine noise hits both alike; its ratio metric is
// the steadier reading of the same target.
func BenchmarkSelect600Ratio(b *testing.B) {
	sb := newSelectBench(b, 0)
	sb.viaHarness(b)
	sb.viaNetHTTP(b)
	b.ResetTimer()
	var th, tp time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		sb.viaHarness(b)
		t1 := time.Now()
		sb.viaNetHTTP(b)
		th += t1.Sub(t0)
		tp += time.Since(t1)
	}
	b.ReportMetric(float64(th.Nanoseconds())/float64(b.N), "harness-ns/op")
	b.ReportMetric(float64(tp.Nanoseconds())/float64(b.N), "nethttp-ns/op")
	b.ReportMetric(float64(th)/float64(tp), "ratio")
}

// BenchmarkListClean and BenchmarkListRetry3 time a harness SELECT that
// succeeds at once and one answered 503 (Retry-After: 0) twice before it
// succeeds: the cost of the harness's retries.
func BenchmarkListClean(b *testing.B) {
	sb := newSelectBench(b, 2)
	sb.viaHarness(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sb.viaHarness(b)
	}
}

func BenchmarkListRetry3(b *testing.B) {
	sb := newSelectBench(b, 2)
	sb.srv.Inject(sim.Fault{Path: "/api/2.0/token/list", Status: 503, Times: 2, Header: http.Header{"Retry-After": {"0"}}})
	sb.srv.ResetLog()
	sb.viaHarness(b)
	var statuses []int
	for _, r := range sb.srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []int{503, 503, 200}) {
		b.Fatalf("statuses %v, want 503 503 200", statuses)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sb.srv.Inject(sim.Fault{Path: "/api/2.0/token/list", Status: 503, Times: 2, Header: http.Header{"Retry-After": {"0"}}})
		b.StartTimer()
		sb.viaHarness(b)
	}
}

// cliBinaries builds the CLI and the peakrss meter into dir. The CLI is
// copied before it is measured: a binary the linker has just written shows
// about 18 MiB more peak RSS than a copy of the same file.
func cliBinaries(b *testing.B, dir string) (bin, meter string) {
	built, meter := filepath.Join(dir, "harness.built"), filepath.Join(dir, "peakrss")
	for out, pkg := range map[string]string{built: "./test/cmd/harness", meter: "./test/e2e/internal/peakrss"} {
		build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
		build.Dir = repoRoot(b)
		build.Env = append(os.Environ(), "CGO_ENABLED=1") // SQLite is C
		if msg, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, msg)
		}
	}
	bin = filepath.Join(dir, "harness")
	if msg, err := exec.Command("cp", built, bin).CombinedOutput(); err != nil {
		b.Fatalf("cp: %v\n%s", err, msg)
	}
	return bin, meter
}

// cliBench prepares a CLI benchmark against srv: a directory, the CLI and
// the meter built into it, srv's CA written there, and the meter's report path.
func cliBench(b *testing.B, srv *sim.Server) (dir, bin, meter, ca, report string) {
	dir = b.TempDir()
	bin, meter = cliBinaries(b, dir)
	ca = filepath.Join(dir, "ca.pem")
	if err := srv.WriteCA(ca); err != nil {
		b.Fatal(err)
	}
	return dir, bin, meter, ca, filepath.Join(dir, "rusage.json")
}

// measured is one run of a command under peakrss.
type measured struct {
	wall   time.Duration
	rssKiB int64
	stdout string
}

func measure(b *testing.B, meter, report string, env []string, args ...string) measured {
	cmd := exec.Command(meter, append([]string{"-o", report}, args...)...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		b.Fatalf("%s: %v\n%s%s", args[0], err, out.String(), errb.String())
	}
	var m struct {
		WallNS    int64 `json:"wall_ns"`
		MaxRSSKiB int64 `json:"maxrss_kib"`
	}
	raw, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(raw, &m) != nil {
		b.Fatalf("peakrss report: %v %s", err, raw)
	}
	return measured{wall: time.Duration(m.WallNS), rssKiB: m.MaxRSSKiB, stdout: out.String()}
}

// median and p90 of walls: a shared machine adds outliers that a mean would
// report as the command's own cost.
func quantile(walls []time.Duration, q float64) float64 {
	s := slices.Clone(walls)
	slices.Sort(s)
	return float64(s[int(float64(len(s)-1)*q+0.5)].Microseconds()) / 1000
}

const cliSelect = "SELECT token_id, creation_time FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '" + benchWorkspace + "' AND comment LIKE 'BENCH%' ORDER BY creation_time DESC LIMIT 5"

// BenchmarkCLISelect600 execs the CLI binary once per iteration, as a user
// would, running a filtered SELECT over 600 tokens against a simulator in
// this process, and reports its median wall time and peak RSS. With
// STACKQL=<path to a stackql binary>, each iteration also runs the real
// engine on the same statement through the simulator's CONNECT proxy, and
// the ratio of the medians is reported (target: harness at most half the
// engine's wall time). Both run under internal/peakrss, so their rusage is
// not inflated by this (large) process's memory at fork time.
func BenchmarkCLISelect600(b *testing.B) {
	srv, bearer := benchSim(b)
	dir, bin, meter, ca, report := cliBench(b, srv)
	harnessArgs := []string{bin, "exec",
		"--registry", registryFlag(b),
		"--ca-file", ca,
		"--resolve", "*.cloud.databricks.com:443=" + srv.Addr(),
		"--output", "csv",
		cliSelect,
	}
	env := []string{"DATABRICKS_TOKEN=" + bearer}
	var engineArgs []string
	if stackql := os.Getenv("STACKQL"); stackql != "" {
		proxy, err := srv.StartProxy()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { proxy.Close() })
		engineArgs = []string{stackql, "exec", "--approot", filepath.Join(dir, "approot"),
			"--registry", registryFlag(b),
			"--auth", `{"databricks_workspace":{"type":"bearer","credentialsenvvar":"DATABRICKS_TOKEN"}}`,
			"--tls.CABundle", ca, "--http.proxy.host", "127.0.0.1", "--http.proxy.port", strconv.Itoa(proxy.Port()),
			"--output", "csv",
			cliSelect,
		}
		// The first run creates the approot; it is not measured.
		measure(b, meter, report, append(env, "HOME="+dir), engineArgs...)
	}
	var walls, engineWalls []time.Duration
	var peak, enginePeak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := measure(b, meter, report, env, harnessArgs...)
		if strings.Count(m.stdout, "\n") != 6 {
			b.Fatalf("harness printed %q, want a header and 5 rows", m.stdout)
		}
		walls = append(walls, m.wall)
		peak = max(peak, m.rssKiB)
		if engineArgs != nil {
			m := measure(b, meter, report, append(env, "HOME="+dir), engineArgs...)
			engineWalls = append(engineWalls, m.wall)
			enginePeak = max(enginePeak, m.rssKiB)
		}
	}
	b.ReportMetric(quantile(walls, 0.5), "wall-ms")
	b.ReportMetric(quantile(walls, 0.9), "wall-p90-ms")
	b.ReportMetric(float64(peak)/1024, "maxrss-MiB")
	if engineWalls != nil {
		b.ReportMetric(quantile(engineWalls, 0.5), "engine-wall-ms")
		b.ReportMetric(float64(enginePeak)/1024, "engine-maxrss-MiB")
		b.ReportMetric(quantile(walls, 0.5)/quantile(engineWalls, 0.5), "engine-ratio")
	}
}

// BenchmarkCLIInit runs `SHOW METHODS` (no network) with
// GODEBUG=inittrace=1 and reports the time package initialisers took, the
// share of a short command that the dependency graph costs before main.
func BenchmarkCLIInit(b *testing.B) {
	dir := b.TempDir()
	bin, _ := cliBinaries(b, dir)
	var inits, walls []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "exec", "--registry", registryFlag(b), "SHOW METHODS IN databricks_workspace.workspace.user_tokens")
		cmd.Env = []string{"GODEBUG=inittrace=1"}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("harness: %v\n%s", err, errb.String())
		}
		walls = append(walls, float64(time.Since(start).Microseconds())/1000)
		total := 0.0
		for _, line := range strings.Split(errb.String(), "\n") {
			// init <pkg> @<t> ms, <d> ms clock, <n> bytes, <m> allocs
			f := strings.Fields(line)
			if len(f) >= 7 && f[0] == "init" && f[6] == "clock," {
				d, _ := strconv.ParseFloat(f[4], 64)
				total += d
			}
		}
		inits = append(inits, total)
	}
	slices.Sort(inits)
	slices.Sort(walls)
	b.ReportMetric(inits[len(inits)/2], "init-ms")
	b.ReportMetric(walls[len(walls)/2], "wall-ms")
}

// fanOutWorkspaces and fanOutDelay are issue #12's scale: a thousand
// workspaces, each answering its token list after 50 ms.
const (
	fanOutWorkspaces = 1000
	fanOutDelay      = 50 * time.Millisecond
	fanOutClient     = "bench-fanout-sp"
)

// BenchmarkCLIFanOut1000 execs the CLI binary once per iteration on
// SELECT COUNT(*) … WHERE deployment_name IN (1,000 workspaces), one OAuth
// service principal authenticating with the account-level token endpoint
// (--auth oauth2), each workspace answering after 50 ms and holding one
// token of the principal. It reports the median wall time, peak RSS and the
// token requests one run sends (want 1).
func BenchmarkCLIFanOut1000(b *testing.B) {
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	const secret = "bench-fanout-secret-0123456789"
	if err := srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: fanOutClient, Secret: secret}); err != nil {
		b.Fatal(err)
	}
	hosts := make([]string, fanOutWorkspaces)
	for i := range hosts {
		w, err := srv.AddWorkspace(fmt.Sprintf("dbc-fan%04d", i), sim.WorkspaceOptions{})
		if err != nil {
			b.Fatal(err)
		}
		bearer := w.AddServicePrincipal(fanOutClient, fanOutClient)
		if err := w.Assign(fanOutClient, sim.RolePlainUser); err != nil {
			b.Fatal(err)
		}
		if _, err := w.CreateToken(bearer, 3600, "fan-out"); err != nil {
			b.Fatal(err)
		}
		hosts[i] = "'" + w.Host() + "'"
	}
	srv.Inject(sim.Fault{Path: "/api/2.0/token/list", Delay: fanOutDelay, Times: -1})

	dir, bin, meter, ca, report := cliBench(b, srv)
	auth := fmt.Sprintf(`{"databricks_workspace":{"type":"oauth2","client_id_env_var":"DATABRICKS_CLIENT_ID","client_secret_env_var":"DATABRICKS_CLIENT_SECRET","grant_type":"client_credentials","token_url":"https://accounts.cloud.databricks.com/oidc/accounts/%s/v1/token","scopes":["all-apis"]}}`, sim.DefaultAccountID)
	args := []string{bin, "exec",
		"--registry", registryFlag(b),
		"--auth", auth,
		"--ca-file", ca,
		"--resolve", "*.cloud.databricks.com:443=" + srv.Addr(),
		"--output", "csv", "-H",
		"SELECT COUNT(*) AS n FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN (" + strings.Join(hosts, ", ") + ")",
	}
	env := []string{"DATABRICKS_CLIENT_ID=" + fanOutClient, "DATABRICKS_CLIENT_SECRET=" + secret, "HOME=" + dir}
	var walls []time.Duration
	var peak int64
	tokenRequests := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		srv.ResetLog()
		m := measure(b, meter, report, env, args...)
		if want := strconv.Itoa(fanOutWorkspaces) + "\n"; m.stdout != want {
			b.Fatalf("harness printed %q, want %q", m.stdout, want)
		}
		walls = append(walls, m.wall)
		peak = max(peak, m.rssKiB)
		b.StopTimer()
		n := 0
		for _, r := range srv.Requests() {
			if strings.HasPrefix(r.Path, "/oidc/") {
				n++
			}
		}
		tokenRequests = max(tokenRequests, n)
		b.StartTimer()
	}
	b.ReportMetric(quantile(walls, 0.5), "wall-ms")
	b.ReportMetric(quantile(walls, 0.9), "wall-p90-ms")
	b.ReportMetric(float64(peak)/1024, "maxrss-MiB")
	b.ReportMetric(float64(tokenRequests), "token-requests")
}
