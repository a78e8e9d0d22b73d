// Command demo runs the seed flow of the docs page against an in-process
// workspace simulator: create two tokens (INSERT ... RETURNING), list them,
// revoke the first with EXEC, list again, then an audit query that SQLite
// evaluates over the rows, an admin's audit and DELETE of a stale token, and
// last a security team's service principal (OAuth M2M, one Databricks config
// profile per workspace) auditing an AWS, an Azure and a GCP workspace in one
// statement, printing each statement and its result as the StackQL CLI would.
//
// It is for `make run`; it talks only to the simulator on loopback and the
// secrets it prints are the simulator's.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/stackql-labs/databricks-tokens/test/databrickscfg"
	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/registry"
	"github.com/stackql-labs/databricks-tokens/test/harness/render"
	"github.com/stackql-labs/databricks-tokens/test/sim"
)

const deployment = "dbc-abcd0123-a1bc.cloud.databricks.com"

// The seed page's statements, verbatim.
const (
	insertSQL = `INSERT INTO databricks_workspace.workspace.user_tokens (
data__lifetime_seconds,
data__comment,
deployment_name
)
SELECT
{{ lifetime_seconds }},
'{{ comment }}',
'{{ deployment_name }}'
RETURNING
token_info,
token_value
;`
	selectSQL = `SELECT
token_id,
comment,
creation_time,
expiry_time
FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = '{{ deployment_name }}' -- required
;`
	// auditSQL shows local SQL running in SQLite over the API's rows.
	auditSQL = `SELECT
comment,
datetime(expiry_time / 1000, 'unixepoch') AS expires_utc,
(expiry_time - creation_time) / 60000 AS lifetime_min
FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = '{{ deployment_name }}'
ORDER BY expiry_time
;`
	// adminAuditSQL is what a workspace admin asks of token management:
	// every user's tokens that expire within 7 days or have not been used
	// for 90 days (or ever).
	adminAuditSQL = `SELECT
created_by_username,
comment,
datetime(expiry_time / 1000, 'unixepoch') AS expires_utc,
CASE WHEN last_used_day IS NULL THEN 'never' ELSE date(last_used_day / 1000, 'unixepoch') END AS last_used,
token_id
FROM databricks_workspace.workspace.tokens
WHERE deployment_name = '{{ deployment_name }}'
AND ((expiry_time != -1 AND expiry_time < (strftime('%s', 'now') + 7 * 86400) * 1000)
  OR last_used_day IS NULL
  OR last_used_day < (strftime('%s', 'now') - 90 * 86400) * 1000)
ORDER BY created_by_username, comment
;`
	adminRevokeSQL = `DELETE FROM databricks_workspace.workspace.tokens
WHERE deployment_name = '{{ deployment_name }}'
AND token_id = '{{ stale_token_id }}'
;`
	// fleetAuditSQL is the security team's question over every workspace at
	// once: whose tokens, how many, how many never expire.
	fleetAuditSQL = `SELECT
deployment_name,
created_by_username,
COUNT(*) AS tokens,
SUM(expiry_time = -1) AS never_expire
FROM databricks_workspace.workspace.tokens
WHERE deployment_name IN ('{{ deployment_name }}', '{{ azure }}', '{{ gcp }}')
GROUP BY deployment_name, created_by_username
ORDER BY deployment_name, created_by_username
;`
	revokeSQL = `EXEC databricks_workspace.workspace.user_tokens.revoketoken
@deployment_name='{{ deployment_name }}' --required
@@json=
'{
"token_id": "{{ token_id }}"
}';`
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		return err
	}
	defer srv.Close()
	ws, err := srv.AddWorkspace(deployment, sim.WorkspaceOptions{})
	if err != nil {
		return err
	}
	bearer := ws.AddAdmin("demo@example.com") // an admin: the audit reads everyone's tokens
	stale, err := seedColleagues(ws)
	if err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := registry.Discover(wd)
	if err != nil {
		return err
	}
	reg, err := registry.Open(root)
	if err != nil {
		return err
	}
	vars := map[string]string{"deployment_name": deployment, "lifetime_seconds": "3600"}
	eng := harness.New(harness.Config{
		Registry: reg,
		Getenv:   func(k string) string { return map[string]string{"DATABRICKS_TOKEN": bearer}[k] },
		Client:   srv.Client(),
	})
	fmt.Fprintf(out, "-- workspace simulator on %s serving %s\n\n", srv.Addr(), deployment)
	step := func(sql string) (*harness.Result, error) { return runStep(ctx, out, eng, sql, vars) }
	vars["comment"] = "ci-deploy"
	first, err := step(insertSQL)
	if err != nil {
		return err
	}
	vars["comment"] = "nightly-export"
	if _, err := step(insertSQL); err != nil {
		return err
	}
	if _, err := step(selectSQL); err != nil {
		return err
	}
	id, err := tokenID(first)
	if err != nil {
		return err
	}
	vars["token_id"] = id
	if _, err := step(revokeSQL); err != nil {
		return err
	}
	if _, err := step(selectSQL); err != nil {
		return err
	}
	if _, err := step(auditSQL); err != nil {
		return err
	}
	if _, err := step(adminAuditSQL); err != nil {
		return err
	}
	vars["stale_token_id"] = stale
	if _, err := step(adminRevokeSQL); err != nil {
		return err
	}
	if _, err := step(adminAuditSQL); err != nil {
		return err
	}
	return fleetAudit(ctx, out, srv, reg, ws, vars)
}

// The fleet: the demo's AWS workspace, an Azure and a GCP one, and the
// security team's service principal, an admin in all three.
const (
	azureHost    = "adb-1234567890123456.7.azuredatabricks.net"
	gcpHost      = "1234567890123456.7.gcp.databricks.com"
	securityID   = "security-audit"
	securityCode = "dose0123456789abcdef0123456789abcdef" // a simulator secret; never printed
)

// fleetAudit seeds the Azure and GCP workspaces, writes a Databricks config
// file with one OAuth profile per workspace host, and runs fleetAuditSQL as
// the service principal: each workspace gets its own access token, chosen by
// host, as the harness command does with ~/.databrickscfg.
func fleetAudit(ctx context.Context, out io.Writer, srv *sim.Server, reg *registry.Registry, aws *sim.Workspace, vars map[string]string) error {
	if err := srv.AddServicePrincipal(sim.ServicePrincipal{ApplicationID: securityID, Secret: securityCode}); err != nil {
		return err
	}
	var cfg strings.Builder
	for _, host := range []string{aws.Host(), azureHost, gcpHost} {
		ws := srv.Workspace(host)
		if ws == nil {
			var err error
			if ws, err = srv.AddWorkspace(host, sim.WorkspaceOptions{}); err != nil {
				return err
			}
			carol := ws.AddUser("carol@example.com")
			if err := ws.SeedTokens(carol, 2, "etl"); err != nil {
				return err
			}
			ws.SeedLegacyToken(carol, "legacy job")
		}
		if err := ws.Assign(securityID, sim.RoleAdmin); err != nil {
			return err
		}
		fmt.Fprintf(&cfg, "[%s]\nhost = https://%s\nclient_id = %s\nclient_secret = %s\n\n", strings.SplitN(host, ".", 2)[0], host, securityID, securityCode)
	}
	dir, err := os.MkdirTemp("", "demo-home-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, ".databrickscfg"), []byte(cfg.String()), 0o600); err != nil {
		return err
	}
	env := map[string]string{"HOME": dir} // no DATABRICKS_TOKEN: each host's profile is used
	creds, _, err := databrickscfg.Source("", func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	eng := harness.New(harness.Config{Registry: reg, Credentials: creds, Getenv: func(k string) string { return env[k] }, Client: srv.Client()})
	fmt.Fprintf(out, "-- the security team's service principal %q (OAuth M2M), one profile per workspace in ~/.databrickscfg:\n", securityID)
	vars["azure"], vars["gcp"] = azureHost, gcpHost
	_, err = runStep(ctx, out, eng, fleetAuditSQL, vars)
	return err
}

// runStep fills the seed's placeholders with the values known by then, runs
// the statement and prints it and its result as the StackQL CLI would,
// returning the result.
func runStep(ctx context.Context, out io.Writer, eng *harness.Engine, sql string, vars map[string]string) (*harness.Result, error) {
	sql, err := harness.FillPlaceholders(sql, vars)
	if err != nil {
		return nil, err
	}
	var res *harness.Result
	err = eng.Exec(ctx, sql, func(st *harness.Statement, r *harness.Result) error {
		fmt.Fprintf(out, "%s;\n", st.Text)
		res = r
		if r.HasTable() {
			if err := render.Write(out, r.Result, render.Options{Format: render.Table}); err != nil {
				return err
			}
		}
		if r.Message != "" {
			fmt.Fprintln(out, r.Message)
		}
		fmt.Fprintln(out)
		return nil
	})
	return res, err
}

// seedColleagues gives the workspace two more users with tokens: alice's
// laptop token expires in 3 days and has been used, her CI token has never
// been used, bob's notebook token is used and long-lived. It returns the id
// of the never-used one, which the admin revokes.
func seedColleagues(ws *sim.Workspace) (stale string, err error) {
	alice, bob := ws.AddUser("alice@example.com"), ws.AddUser("bob@example.com")
	for _, t := range []struct {
		bearer, comment string
		days            int64
		used            bool
	}{
		{alice, "alice laptop", 3, true},
		{alice, "alice ci", 60, false},
		{bob, "bob notebook", 90, true},
	} {
		r, err := ws.CreateToken(t.bearer, t.days*86400, t.comment)
		switch {
		case err != nil:
			return "", err
		case t.used: // a sign-in with it moves last_used_day
			_, err = ws.Tokens(r.TokenValue)
		default:
			stale = r.TokenInfo.TokenID
		}
		if err != nil {
			return "", err
		}
	}
	return stale, nil
}

// tokenID reads token_info.token_id from an INSERT ... RETURNING result.
func tokenID(r *harness.Result) (string, error) {
	for i, c := range r.Columns {
		if c != "token_info" || len(r.Rows) == 0 {
			continue
		}
		var info struct {
			TokenID string `json:"token_id"`
		}
		if err := json.Unmarshal([]byte(r.Rows[0][i].Text()), &info); err != nil {
			return "", fmt.Errorf("token_info: %w", err)
		}
		return info.TokenID, nil
	}
	return "", errors.New("the INSERT returned no token_info")
}
