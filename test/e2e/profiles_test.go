package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/databrickscfg"
	"github.com/stackql-labs/databricks-tokens/test/harness/cli"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// profileWorld is two workspaces, AWS and Azure, each with its own user and
// token: a personal access token is valid in one workspace only.
type profileWorld struct {
	e             *env
	aws, azure    *sim.Workspace
	awsPAT, azPAT string
	home          string
}

func newProfileWorld(t *testing.T) *profileWorld {
	t.Helper()
	w := &profileWorld{e: start(t, setup{Workspaces: []workspaceSetup{{Name: "dbc-prof0001"}, {Name: "adb-1234567890123456.7.azuredatabricks.net"}}})}
	w.aws = w.e.srv.Workspace("dbc-prof0001")
	w.azure = w.e.srv.Workspace("adb-1234567890123456.7.azuredatabricks.net")
	w.awsPAT = w.aws.AddUser("ana@example.com")
	w.azPAT = w.azure.AddUser("bo@example.com")
	for ws, bearer := range map[*sim.Workspace]string{w.aws: w.awsPAT, w.azure: w.azPAT} {
		if _, err := ws.CreateToken(bearer, 3600, "in "+string(ws.Cloud())); err != nil {
			t.Fatal(err)
		}
	}
	w.home = t.TempDir()
	return w
}

// config writes ~/.databrickscfg.
func (w *profileWorld) config(t *testing.T, text string) {
	t.Helper()
	text = strings.NewReplacer("${AWS_PAT}", w.awsPAT, "${AZ_PAT}", w.azPAT).Replace(text)
	if err := os.WriteFile(filepath.Join(w.home, ".databrickscfg"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run runs the harness command's way: Databricks profiles as the credential source.
func (w *profileWorld) run(env []string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = cli.RunWith(context.Background(), databrickscfg.Source, append(w.e.baseArgs(), args...), nil, &out, &errb, append([]string{"HOME=" + w.home}, env...))
	return code, out.String(), errb.String()
}

const twoProfiles = `[prod]
host = https://dbc-prof0001.cloud.databricks.com
token = ${AWS_PAT}

[azure]
host = https://adb-1234567890123456.7.azuredatabricks.net/
token = ${AZ_PAT}
`

const fanOutBoth = "SELECT deployment_name, comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name IN ('dbc-prof0001.cloud.databricks.com', 'adb-1234567890123456.7.azuredatabricks.net') ORDER BY comment"

func TestProfiles(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		env      []string
		args     []string
		wantCode int
		wantOut  string // exact stdout, when not ""
		wantErr  string // stderr contains
	}{
		{
			name: "each workspace its own token, found by host", config: twoProfiles,
			args: []string{"-o", "csv", fanOutBoth}, wantCode: cli.ExitOK,
			wantOut: "deployment_name,comment\ndbc-prof0001.cloud.databricks.com,in aws\nadb-1234567890123456.7.azuredatabricks.net,in azure\n",
		},
		{
			name: "a named profile is used for its host", config: twoProfiles,
			args:     []string{"-o", "csv", "--profile", "azure", "SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'adb-1234567890123456.7.azuredatabricks.net'"},
			wantCode: cli.ExitOK, wantOut: "comment\nin azure\n",
		},
		{
			name: "DATABRICKS_CONFIG_PROFILE names it too", config: twoProfiles, env: []string{"DATABRICKS_CONFIG_PROFILE=prod"},
			args:     []string{"-o", "csv", "SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-prof0001.cloud.databricks.com'"},
			wantCode: cli.ExitOK, wantOut: "comment\nin aws\n",
		},
		{
			name: "a named profile never goes to another workspace", config: twoProfiles,
			args:     []string{"--profile", "prod", fanOutBoth},
			wantCode: cli.ExitFailed, wantErr: `profile "prod" is for host dbc-prof0001.cloud.databricks.com, not adb-1234567890123456.7.azuredatabricks.net`,
		},
		{
			name: "an unknown profile", config: twoProfiles, args: []string{"--profile", "nope", fanOutBoth},
			wantCode: cli.ExitUsage, wantErr: `"nope"`,
		},
		{
			name: "DATABRICKS_TOKEN wins over host profiles", config: twoProfiles, env: []string{"DATABRICKS_TOKEN=dapi0123456789abcdef0123456789abcdef"},
			args: []string{fanOutBoth}, wantCode: cli.ExitRemote, wantErr: "http 403: Invalid access token.",
		},
		{
			name: "a host no profile names falls back to DATABRICKS_TOKEN, unset", config: "[prod]\nhost = https://dbc-prof0001.cloud.databricks.com\ntoken = ${AWS_PAT}\n",
			args: []string{fanOutBoth}, wantCode: cli.ExitFailed, wantErr: "environment variable DATABRICKS_TOKEN is not set",
		},
		{
			name: "a broken file names its line, never the token", config: "[prod]\nhost = https://dbc-prof0001.cloud.databricks.com\ntoken = ${AWS_PAT}\n[broken\n",
			args: []string{fanOutBoth}, wantCode: cli.ExitUsage, wantErr: ".databrickscfg",
		},
		{
			name: "a host that would move the token elsewhere", config: "[prod]\nhost = https://evil.example@dbc-prof0001.cloud.databricks.com\ntoken = ${AWS_PAT}\n",
			args: []string{"--profile", "prod", fanOutBoth}, wantCode: cli.ExitUsage, wantErr: "prod",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newProfileWorld(t)
			w.config(t, tc.config)
			code, out, errText := w.run(tc.env, tc.args...)
			if code != tc.wantCode || (tc.wantOut != "" && out != tc.wantOut) || !strings.Contains(errText, tc.wantErr) {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr: %q\nwant it to contain %q", code, tc.wantCode, out, tc.wantOut, errText, tc.wantErr)
			}
			// A statement that is wrong, a credential among it, sends nothing,
			// not even to the workspaces it has a credential for.
			if reqs := w.e.srv.Requests(); (tc.wantCode == cli.ExitFailed || tc.wantCode == cli.ExitUsage) && len(reqs) > 0 {
				t.Errorf("exit %d, yet the simulator received %+v", code, reqs)
			}
			if strings.Count(errText, "\n") > 1 {
				t.Errorf("stderr has more than one line: %q", errText)
			}
			for _, secret := range []string{w.awsPAT, w.azPAT} {
				if strings.Contains(out+errText, secret) {
					t.Errorf("a token from the config file was printed: %q %q", out, errText)
				}
			}
		})
	}
}
