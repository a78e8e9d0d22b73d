package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
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
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		want    options
		wantErr string
	}{
		{args: nil, want: options{addr: "127.0.0.1:0", workspaces: []string{defaultWorkspace}, user: "user@example.com"}},
		{args: []string{"-workspace", "a", "-workspace", "b, c,", "-plain", "-user", "u@x", "-addr", "127.0.0.1:9999", "-ca-file", "/tmp/x.pem"},
			want: options{addr: "127.0.0.1:9999", plain: true, caFile: "/tmp/x.pem", workspaces: []string{"a", "b", "c"}, user: "u@x"}},
		{args: []string{"extra"}, wantErr: `unexpected argument "extra"`},
		{args: []string{"-nope"}, wantErr: "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		got, err := parseFlags(tt.args, io.Discard)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseFlags(%q): err = %v, want %q", tt.args, err, tt.wantErr)
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
	srv, banner, err := start(options{addr: "127.0.0.1:0", caFile: caFile, workspaces: []string{"dbc-abcd0123-a1bc", "dbc-second"}, user: "user@example.com"})
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
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)

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
	_, _, err := start(options{addr: "127.0.0.1:0", plain: true, workspaces: []string{"Not_A_Label"}})
	if err == nil || !strings.Contains(err.Error(), `"Not_A_Label" is neither a DNS label`) {
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
