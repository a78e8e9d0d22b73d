package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// defaults is what parseFlags returns for no flags.
func defaults() options {
	return options{addr: "127.0.0.1:0", workspaces: []string{defaultWorkspace}, user: "user@example.com",
		accountID: sim.DefaultAccountID, tokenTTL: time.Hour}
}

// with is the defaults changed by fn.
func with(fn func(*options)) options {
	o := defaults()
	fn(&o)
	return o
}

// TestParseFlags has a row per flag: accepted values, and refused ones with the
// one-line error naming the flag and the value (a secret masked).
func TestParseFlags(t *testing.T) {
	t.Parallel()
	const acct = "0d26daa6-5e44-4c97-a497-ef015f91254a"
	tests := []struct {
		args    []string
		want    options
		wantErr string
	}{
		{args: nil, want: defaults()},
		{args: []string{"-workspace", "a", "-workspace", "b, c,", "-plain", "-user", "u@x", "-addr", "127.0.0.1:9999", "-ca-file", "/tmp/x.pem"},
			want: with(func(o *options) {
				o.addr, o.plain, o.caFile, o.workspaces, o.user = "127.0.0.1:9999", true, "/tmp/x.pem", []string{"a", "b", "c"}, "u@x"
			})},
		{args: []string{"-workspace", "adb-1234567890123456.7.azuredatabricks.net,1234567890123456.3.gcp.databricks.com"},
			want: with(func(o *options) {
				o.workspaces = []string{"adb-1234567890123456.7.azuredatabricks.net", "1234567890123456.3.gcp.databricks.com"}
			})},
		{args: []string{"extra"}, wantErr: `unexpected argument "extra"`},
		{args: []string{"-nope"}, wantErr: "flag provided but not defined: -nope"},
		{args: []string{"-user", " "}, wantErr: `-user " ": want a user name`},
		{args: []string{"-addr", "localhost"}, wantErr: `-addr "localhost": want HOST:PORT`},

		{args: []string{"-admin"}, want: with(func(o *options) { o.admin = true })},

		{args: []string{"-account-id", acct}, want: with(func(o *options) { o.accountID = acct })},
		{args: []string{"-account-id", "ACCT-1"}, wantErr: `-account-id "ACCT-1": want a lowercase UUID`},

		{args: []string{"-token-ttl", "10m"}, want: with(func(o *options) { o.tokenTTL = 10 * time.Minute })},
		{args: []string{"-token-ttl", "1500ms"}, wantErr: `-token-ttl "1.5s": want a whole number of seconds`},
		{args: []string{"-token-ttl", "0s"}, wantErr: `-token-ttl "0s": want a whole number of seconds, at least 1s`},
		{args: []string{"-token-ttl", "soon"}, wantErr: `invalid value "soon" for flag -token-ttl`},

		{args: []string{"-seed", "count=3,comment=old,workspace=a,workspace=b", "-seed", "legacy"},
			want: with(func(o *options) {
				o.seeds = []seedSpec{
					{spec: "count=3,comment=old,workspace=a,workspace=b", count: 3, comment: "old", workspaces: []string{"a", "b"}},
					{spec: "legacy", count: 1, legacy: true},
				}
			})},
		{args: []string{"-seed", "count=0"}, wantErr: `-seed "count=0": count "0": want a number from 1 to 600`},
		{args: []string{"-seed", "count=601"}, wantErr: `-seed "count=601": count "601"`},
		{args: []string{"-seed", "legacy=yes"}, wantErr: `-seed "legacy=yes": legacy takes no value`},
		{args: []string{"-seed", "colour=red"}, wantErr: `-seed "colour=red": unknown key "colour" (want comment, count, legacy, workspace)`},
		{args: []string{"-seed", ""}, wantErr: `-seed "": empty`},
		{args: []string{"-seed", "comment"}, wantErr: `-seed "comment": comment needs a value`},
		{args: []string{"-seed", "count=1,count=2"}, wantErr: `-seed "count=1,count=2": count given twice`},
		{args: []string{"-seed", "comment=" + strings.Repeat("x", 1001)}, wantErr: "comment of 1001 characters: at most 1000"},

		{args: []string{"-principal", "id=app-1,secret=s3cr3t,name=robot,role=admin,workspace=a", "-principal", "id=app-2,secret=x=y"},
			want: with(func(o *options) {
				o.principals = []principalSpec{
					{spec: "id=app-1,secret=***,name=robot,role=admin,workspace=a", id: "app-1", secret: "s3cr3t", name: "robot", admin: true, workspaces: []string{"a"}},
					{spec: "id=app-2,secret=***", id: "app-2", secret: "x=y"},
				}
			})},
		{args: []string{"-principal", "id=app-1"}, wantErr: `-principal "id=app-1": secret=SECRET is required`},
		{args: []string{"-principal", "secret=s3cr3t"}, wantErr: `-principal "secret=***": id=CLIENT_ID is required`},
		{args: []string{"-principal", "id=app-1,secret=s3cr3t,role=owner"}, wantErr: `-principal "id=app-1,secret=***,role=owner": role "owner": want user or admin`},
		{args: []string{"-principal", "id=app 1,secret=s3cr3t"}, wantErr: `-principal "id=app 1,secret=***": id=CLIENT_ID is required, without spaces`},
		{args: []string{"-principal", "id=app-1,secret=s3cr3t,secret=s3cr3t"}, wantErr: `-principal "id=app-1,secret=***,secret=***": secret given twice`},

		{args: []string{"-fault", "status=503,workspace=a,method=get,path=/api/2.0/token/list,times=2", "-fault", "delay=2s,times=-1",
			"-fault", "drop,path=/oidc/v1/token", "-fault", "truncate,nonjson"},
			want: with(func(o *options) {
				o.faults = []faultSpec{
					{spec: "status=503,workspace=a,method=get,path=/api/2.0/token/list,times=2",
						fault: sim.Fault{Status: 503, Workspace: "a", Method: "GET", Path: "/api/2.0/token/list", Times: 2}},
					{spec: "delay=2s,times=-1", fault: sim.Fault{Delay: 2 * time.Second, Times: -1}},
					{spec: "drop,path=/oidc/v1/token", fault: sim.Fault{Drop: true, Path: "/oidc/v1/token"}},
					{spec: "truncate,nonjson", fault: sim.Fault{Truncate: true, NonJSON: true}},
				}
			})},
		{args: []string{"-fault", "method=GET"}, wantErr: `-fault "method=GET": want at least one of status=CODE`},
		{args: []string{"-fault", "status=99"}, wantErr: `-fault "status=99": status "99": want an HTTP status from 200 to 599`},
		{args: []string{"-fault", "status=busy"}, wantErr: `-fault "status=busy": status "busy"`},
		{args: []string{"-fault", "delay=-1s"}, wantErr: `-fault "delay=-1s": delay "-1s": want a positive duration`},
		{args: []string{"-fault", "drop,status=500"}, wantErr: `-fault "drop,status=500": drop sends no response`},
		{args: []string{"-fault", "status=500,path=api"}, wantErr: `-fault "status=500,path=api": path "api": want a URL path starting with /`},
		{args: []string{"-fault", "status=500,times=0"}, wantErr: `-fault "status=500,times=0": times "0"`},
		{args: []string{"-fault", "status=500,times=-2"}, wantErr: `-fault "status=500,times=-2": times "-2"`},
		{args: []string{"-fault", "status=500,method=GE T"}, wantErr: `-fault "status=500,method=GE T": method "GE T"`},
		{args: []string{"-fault", "status=500,workspace="}, wantErr: `-fault "status=500,workspace=": workspace needs a host`},
		{args: []string{"-fault", "status=500,workspace=a,workspace=b"}, wantErr: "workspace given twice"},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		got, err := parseFlags(tt.args, &stderr)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Errorf("parseFlags(%q): err = %v, want one line with %q", tt.args, err, tt.wantErr)
			}
			if strings.Contains(err.Error()+stderr.String(), "s3cr3t") {
				t.Errorf("parseFlags(%q): the secret is shown: %v %s", tt.args, err, stderr.String())
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseFlags(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

var curlLineRE = regexp.MustCompile(`curl --cacert (\S+) --resolve ([^:]+):(\d+):127\.0\.0\.1 -H 'Authorization: Bearer (dapi[0-9a-f]{32})' (https://\S+)`)

// TestPrintedCurlCommandWorks follows the printed instructions: the CA file, the
// --resolve mapping and the bearer must together list tokens.
func TestPrintedCurlCommandWorks(t *testing.T) {
	t.Parallel()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	srv, banner, err := start(with(func(o *options) { o.caFile, o.workspaces = caFile, []string{"dbc-abcd0123-a1bc", "dbc-second"} }))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })

	if !strings.Contains(banner, "--http.proxy.port=") || !strings.Contains(banner, "DATABRICKS_TOKEN=dapi") {
		t.Errorf("banner lacks the StackQL engine command line:\n%s", banner)
	}
	lines := curlLineRE.FindAllStringSubmatch(banner, -1)
	if len(lines) != 2 || !strings.Contains(banner, "listening on "+srv.Addr()) || !strings.Contains(banner, "CA certificate: "+caFile) {
		t.Fatalf("banner lacks the address, the CA file or a curl line per workspace:\n%s", banner)
	}
	pool := caPool(t, caFile)

	for _, m := range lines {
		ca, host, port, bearer, url := m[1], m[2], m[3], m[4], m[5]
		if ca != caFile {
			t.Errorf("curl uses CA %q, want %q", ca, caFile)
		}
		// The same request curl would send, with --resolve done by the dialer.
		client := &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if addr != host+":"+port {
					t.Errorf("dialled %q, want %s:%s", addr, host, port)
				}
				return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
			},
		}}
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "{}" {
			t.Errorf("GET %s: %d %s, want 200 {}", url, resp.StatusCode, body)
		}
	}

	// And with curl itself, when the machine has it.
	if _, err := exec.LookPath("curl"); err == nil {
		line := strings.TrimSpace(lines[0][0])
		out, err := exec.Command("sh", "-c", line+" --silent --show-error").CombinedOutput()
		if err != nil || !bytes.Equal(out, []byte("{}")) {
			t.Errorf("%s\n%s %v, want {}", line, out, err)
		}
	}
}

func TestStartRejectsBadWorkspace(t *testing.T) {
	t.Parallel()
	_, _, err := start(with(func(o *options) { o.plain, o.workspaces = true, []string{"Not_A_Label"} }))
	if err == nil || !strings.Contains(err.Error(), `-workspace "Not_A_Label": workspace "Not_A_Label" is neither a DNS label`) {
		t.Errorf("start with a bad name: %v", err)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var out bytes.Buffer
	done := make(chan error)
	go func() { done <- run(ctx, []string{"-plain", "-workspace", "dbc-x"}, &out, io.Discard) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

var caLineRE = regexp.MustCompile(`(?m)^CA certificate: (\S+)$`)

// TestCAFilePerRun: without -ca-file each run writes its CA to its own
// temporary directory and removes it on exit, so a second instance cannot
// replace the CA the first one's printed commands point at; a -ca-file the
// user names is written there and kept.
func TestCAFilePerRun(t *testing.T) {
	t.Parallel()
	explicit := filepath.Join(t.TempDir(), "mine.pem")
	first, stopFirst := startRun(t, "-workspace", "dbc-first")
	second, stopSecond := startRun(t, "-workspace", "dbc-second")
	named, stopNamed := startRun(t, "-workspace", "dbc-named", "-ca-file", explicit)

	var paths []string
	for _, banner := range []string{first, second, named} {
		m := caLineRE.FindStringSubmatch(banner)
		if m == nil {
			t.Fatalf("banner names no CA file:\n%s", banner)
		}
		ca := m[1]
		paths = append(paths, ca)
		if !strings.Contains(banner, "--cacert "+ca+" ") || !strings.Contains(banner, "--tls.CABundle="+ca+" ") {
			t.Errorf("the printed commands do not use the CA file %s:\n%s", ca, banner)
		}
		if pemBytes, err := os.ReadFile(ca); err != nil || !x509.NewCertPool().AppendCertsFromPEM(pemBytes) {
			t.Errorf("CA file %s while running: %v, want a PEM certificate", ca, err)
		}
	}
	if paths[0] == paths[1] {
		t.Errorf("two runs share the CA file %s", paths[0])
	}
	if paths[2] != explicit {
		t.Errorf("-ca-file %s: CA written to %s", explicit, paths[2])
	}

	for i, stop := range []func() error{stopFirst, stopSecond, stopNamed} {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
		_, err := os.Stat(filepath.Dir(paths[i]))
		if i < 2 && !os.IsNotExist(err) {
			t.Errorf("after exit, the CA directory %s: %v, want it removed", filepath.Dir(paths[i]), err)
		}
	}
	if _, err := os.Stat(explicit); err != nil {
		t.Errorf("after exit, the -ca-file %s: %v, want it kept", explicit, err)
	}
}

// startRun runs the command with args and returns its banner once printed, and
// a stop that cancels it (as Ctrl-C does) and returns run's error.
func startRun(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if sc.Text() == "stop with Ctrl-C" {
			return banner.String(), stop
		}
	}
	t.Fatalf("run %q ended before its banner: %v\n%s", args, stop(), banner.String())
	return "", nil
}

// mustParse is parseFlags of args, plain HTTP unless the args say -ca-file.
func mustParse(t *testing.T, args ...string) options {
	t.Helper()
	o, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags(%q): %v", args, err)
	}
	if o.caFile == "" {
		o.plain = true
	}
	return o
}

// TestStartFlagErrors: flags that parse but name something the server refuses fail
// at start, one line naming the flag and its value, the secret masked.
func TestStartFlagErrors(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	noDir := filepath.Join(t.TempDir(), "missing", "ca.pem")
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-addr", busy.Addr().String()}, `-addr "` + busy.Addr().String() + `": start simulator on`},
		{[]string{"-ca-file", noDir}, `-ca-file "` + noDir + `": start simulator: write ca`},
		{[]string{"-workspace", "accounts"}, `-workspace "accounts": workspace "accounts": accounts.cloud.databricks.com is the account console's host`},
		{[]string{"-workspace", "a,a"}, `-workspace "a": workspace "a.cloud.databricks.com" already exists`},
		{[]string{"-principal", "id=app-1,secret=s3cr3t,workspace=dbc-nope"}, `-principal "id=app-1,secret=***,workspace=dbc-nope": workspace "dbc-nope" is not served (add it with -workspace)`},
		{[]string{"-principal", "id=app-1,secret=s3cr3t", "-principal", "id=app-1,secret=s3cr3t"}, `-principal "id=app-1,secret=***": service principal "app-1" already exists`},
		{[]string{"-principal", "id=app-1,secret=s3cr3t,name=user@example.com"}, `-principal "id=app-1,secret=***,name=user@example.com": assign "app-1" to dbc-abcd0123-a1bc.cloud.databricks.com: "user@example.com" is already a user`},
		{[]string{"-seed", "count=1,workspace=dbc-nope"}, `-seed "count=1,workspace=dbc-nope": workspace "dbc-nope" is not served`},
		{[]string{"-seed", "count=600", "-seed", "count=1"}, `-seed "count=1": seed 1 tokens for "user@example.com"`},
		{[]string{"-fault", "status=500,workspace=dbc-nope"}, `-fault "status=500,workspace=dbc-nope": workspace "dbc-nope" is not served`},
	}
	for _, tt := range tests {
		srv, _, err := start(mustParse(t, tt.args...))
		if err == nil {
			srv.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("start(%q): %v, want one line with %q and no secret", tt.args, err, tt.wantErr)
		}
	}
}

var bearerLineRE = regexp.MustCompile(`(?m)^workspace (\S+)\n  user: .*\n  bearer: (dapi[0-9a-f]{32})$`)

// TestStartAppliesFlags starts with every flag and checks, over HTTP, that the
// simulator is set up as they say.
func TestStartAppliesFlags(t *testing.T) {
	t.Parallel()
	const azure = "adb-1234567890123456.7.azuredatabricks.net"
	srv, banner, err := start(mustParse(t,
		"-workspace", "dbc-one,"+azure, "-admin", "-token-ttl", "10m",
		"-seed", "count=3,comment=seeded", "-seed", "legacy,comment=old,workspace="+azure,
		"-principal", "id=app-1,secret=s3cr3t,name=robot,role=admin,workspace=dbc-one",
		"-fault", "status=503,workspace="+azure+",method=GET,path=/api/2.0/token/list",
		"-fault", "status=429,workspace=accounts.cloud.databricks.com",
	))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client := srv.Client()
	bearers := map[string]string{}
	for _, m := range bearerLineRE.FindAllStringSubmatch(banner, -1) {
		bearers[m[1]] = m[2]
	}
	one, az := "dbc-one.cloud.databricks.com", azure
	if len(bearers) != 2 || bearers[one] == "" || bearers[az] == "" {
		t.Fatalf("bearers %v in\n%s", bearers, banner)
	}
	get := func(host, path, bearer string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+host+path, nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s%s: %v", host, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// -fault: the first list in the Azure workspace is 503, then the seeds show.
	if st, body := get(az, sim.PathList, bearers[az]); st != 503 {
		t.Errorf("first list in %s: %d %s, want the injected 503", az, st, body)
	}
	// -seed, -admin.
	for host, want := range map[string]string{one: `"comment":"seeded"`, az: `"expiry_time":-1,"comment":"old"`} {
		st, body := get(host, sim.PathList, bearers[host])
		if st != 200 || strings.Count(body, `"comment":"seeded"`) != 3 || !strings.Contains(body, want) {
			t.Errorf("list in %s: %d %s", host, st, body)
		}
		if st, _ := get(host, sim.PathManagedTokens, bearers[host]); st != 200 {
			t.Errorf("-admin: token management in %s: %d", host, st)
		}
	}
	if !strings.Contains(banner, "seeded: 3 tokens, 0 legacy") || !strings.Contains(banner, "seeded: 3 tokens, 1 legacy") {
		t.Errorf("banner lacks the seed counts:\n%s", banner)
	}
	// -principal, -token-ttl: an admin in dbc-one only, tokens living 600 s.
	tokenReq := func(url string) (int, string) {
		req, _ := http.NewRequest("POST", url, strings.NewReader("grant_type=client_credentials&scope=all-apis"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("app-1", "s3cr3t")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	st, body := tokenReq("http://" + one + sim.PathOAuthToken)
	var tok sim.OAuthTokenResponse
	if st != 200 || json.Unmarshal([]byte(body), &tok) != nil || tok.ExpiresIn != 600 {
		t.Fatalf("workspace token: %d %s, want expires_in 600", st, body)
	}
	if st, _ := get(one, sim.PathManagedTokens, tok.AccessToken); st != 200 {
		t.Errorf("the principal as an admin of %s: %d", one, st)
	}
	if st, _ := tokenReq("http://" + az + sim.PathOAuthToken); st != 401 {
		t.Errorf("token from %s, where the principal is not assigned: %d, want 401", az, st)
	}
	// -fault on an account console.
	acctURL := "http://accounts.cloud.databricks.com/oidc/accounts/" + sim.DefaultAccountID + "/v1/token"
	if st, _ := tokenReq(acctURL); st != 429 {
		t.Errorf("account token with a fault: %d, want 429", st)
	}
	if st, body := tokenReq(acctURL); st != 200 {
		t.Errorf("account token: %d %s", st, body)
	}
}

var (
	tokenCurlRE = regexp.MustCompile(`(?m)^  (workspace|account) token: +curl -u (\S+):(\S+) -d grant_type=client_credentials -d scope=all-apis --cacert (\S+) --resolve ([^:]+):(\d+):127\.0\.0\.1 (https://\S+)$`)
	oauthAuthRE = regexp.MustCompile(`--auth[= ]'(\{"databricks_workspace":\{"type":"oauth2".*\})'`)
	oauthEnvRE  = regexp.MustCompile(`(?m)^  DATABRICKS_CLIENT_ID=(\S+) DATABRICKS_CLIENT_SECRET=(\S+) (stackql exec|go run \./test/cmd/harness exec)`)
)

// TestPrintedOAuthCommands follows the printed token commands (as curl would send
// them, and with curl when the machine has it) and checks the --auth JSON the engine
// and harness lines carry.
func TestPrintedOAuthCommands(t *testing.T) {
	t.Parallel()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	srv, banner, err := start(mustParse(t, "-ca-file", caFile, "-workspace", "dbc-abcd0123-a1bc,1234567890123456.3.gcp.databricks.com",
		"-principal", "id=ci-robot,secret=p@ss-w0rd,workspace=1234567890123456.3.gcp.databricks.com"))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	lines := tokenCurlRE.FindAllStringSubmatch(banner, -1)
	if len(lines) != 2 {
		t.Fatalf("want a workspace and an account token command:\n%s", banner)
	}
	pool := caPool(t, caFile)
	for _, m := range lines {
		kind, id, secret, ca, host, port, url := m[1], m[2], m[3], m[4], m[5], m[6], m[7]
		wantHost := map[string]string{"workspace": "1234567890123456.3.gcp.databricks.com", "account": "accounts.gcp.databricks.com"}[kind]
		if id != "ci-robot" || secret != "p@ss-w0rd" || ca != caFile || host != wantHost {
			t.Errorf("%s token command: %q", kind, m[0])
		}
		client := &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
			},
		}}
		req, _ := http.NewRequest("POST", url, strings.NewReader("grant_type=client_credentials&scope=all-apis"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"access_token":"eyJ`) {
			t.Errorf("%s token: %d %s", kind, resp.StatusCode, body)
		}
		if _, err := exec.LookPath("curl"); err == nil {
			out, err := exec.Command("sh", "-c", strings.TrimSpace(strings.SplitN(m[0], ": ", 2)[1])+" --silent --show-error").CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte(`"token_type":"Bearer"`)) {
				t.Errorf("%s\n%s %v", m[0], out, err)
			}
		}
	}

	auths := oauthAuthRE.FindAllStringSubmatch(banner, -1)
	envs := oauthEnvRE.FindAllStringSubmatch(banner, -1)
	if len(auths) != 2 || len(envs) != 2 {
		t.Fatalf("want the oauth2 --auth and credentials for the engine and the harness:\n%s", banner)
	}
	for _, m := range auths {
		var auth map[string]struct {
			Type           string
			ClientIDEnvVar string   `json:"client_id_env_var"`
			SecretEnvVar   string   `json:"client_secret_env_var"`
			Grant          string   `json:"grant_type"`
			TokenURL       string   `json:"token_url"`
			Scopes         []string `json:"scopes"`
		}
		if err := json.Unmarshal([]byte(m[1]), &auth); err != nil {
			t.Fatalf("--auth %s: %v", m[1], err)
		}
		a := auth["databricks_workspace"]
		if a.Type != "oauth2" || a.ClientIDEnvVar != "DATABRICKS_CLIENT_ID" || a.SecretEnvVar != "DATABRICKS_CLIENT_SECRET" || a.Grant != "client_credentials" ||
			a.TokenURL != "https://1234567890123456.3.gcp.databricks.com/oidc/v1/token" || !reflect.DeepEqual(a.Scopes, []string{"all-apis"}) {
			t.Errorf("--auth %s", m[1])
		}
	}
	for _, m := range envs {
		if m[1] != "ci-robot" || m[2] != "p@ss-w0rd" {
			t.Errorf("credentials %q", m[0])
		}
	}
	if !strings.Contains(banner, "--resolve 1234567890123456.3.gcp.databricks.com:443=127.0.0.1:") {
		t.Errorf("the harness line does not resolve the principal's workspace:\n%s", banner)
	}
}

// caPool trusts the CA certificate the simulator wrote to caFile.
func caPool(t *testing.T, caFile string) *x509.CertPool {
	t.Helper()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("%s holds no PEM certificate", caFile)
	}
	return pool
}
