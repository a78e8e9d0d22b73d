package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

func TestRunFindsTheRepositoryProvider(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"exec", "-o", "csv", "SHOW RESOURCES IN databricks_workspace.workspace"}, nil, &out, &errb, nil)
	if code != 0 || !strings.Contains(out.String(), "user_tokens,databricks_workspace.workspace.user_tokens") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	if code := run([]string{"exec", "SELECT * FROM databricks_workspace.workspace.user_tokens"}, nil, &out, &errb, nil); code != 1 {
		t.Errorf("a failed statement exited %d, want 1", code)
	}
}

// TestInterruptCancelsInFlightRequest builds the CLI, runs it against a
// simulator whose answer is a minute late, and sends SIGINT once the
// request is on its way (the --verbose trace says so): the request is
// cancelled at once and the CLI exits 130 with one line naming it.
func TestInterruptCancelsInFlightRequest(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "harness")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ws, err := srv.AddWorkspace("dbc-abcd0123-a1bc", sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bearer := ws.AddUser("u@example.com")
	ca := filepath.Join(dir, "ca.pem")
	if err := srv.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, sql, want string
	}{
		{"list", sim.PathList,
			"SELECT token_id FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'",
			"interrupted: line 1: GET dbc-abcd0123-a1bc.cloud.databricks.com/api/2.0/token/list: cancelled"},
		{"create", sim.PathCreate,
			"INSERT INTO databricks_workspace.workspace.user_tokens (data__comment, deployment_name) SELECT 'x', 'dbc-abcd0123-a1bc.cloud.databricks.com' RETURNING token_value",
			"interrupted: line 1: POST dbc-abcd0123-a1bc.cloud.databricks.com/api/2.0/token/create: cancelled " +
				"(not retried: it may have been created; check with SELECT on databricks_workspace.workspace.user_tokens before running it again)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arrived := make(chan struct{}, 1)
			srv.Inject(sim.Fault{Path: tc.path, Delay: time.Minute, Arrived: arrived})
			defer srv.ClearFaults()
			cmd := exec.Command(bin, "exec", "--verbose", "--ca-file", ca,
				"--resolve", "*.cloud.databricks.com:443="+srv.Addr(), tc.sql)
			cmd.Env = []string{"DATABRICKS_TOKEN=" + bearer}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stderr)
			var got []string
			for lines.Scan() && !strings.HasPrefix(lines.Text(), "> ") {
				got = append(got, lines.Text())
			}
			select { // in flight: the server has the whole request
			case <-arrived:
			case <-time.After(10 * time.Second):
				t.Fatalf("the request never reached the simulator:\n%s", strings.Join(got, "\n"))
			}
			sent := time.Now()
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			for lines.Scan() {
				got = append(got, lines.Text())
			}
			err = cmd.Wait()
			took := time.Since(sent)
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Errorf("exit %d (%v), want 130\n%s", code, err, strings.Join(got, "\n"))
			}
			if len(got) == 0 || got[len(got)-1] != tc.want {
				t.Errorf("stderr ends\n%q\nwant\n%q", got, tc.want)
			}
			if took > 5*time.Second {
				t.Errorf("exited %v after SIGINT, want at once", took)
			}
		})
	}
}
