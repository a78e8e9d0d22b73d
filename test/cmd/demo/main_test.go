package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDemoRunsTheSeedFlow(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{"ci-deploy", "nightly-export", "The operation was despatched successfully", "expires_utc", "|           60 |"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// The first SELECT lists both tokens; the last only the second.
	first := s[strings.Index(s, "SELECT\ntoken_id"):strings.Index(s, "EXEC")]
	if !strings.Contains(first, "ci-deploy") || !strings.Contains(first, "nightly-export") {
		t.Errorf("before the revoke, the list is:\n%s", first)
	}
	// The admin audit finds alice's never-used token; after the admin's
	// DELETE it is gone, and bob's used, long-lived token never shows.
	audit := s[strings.Index(s, "FROM databricks_workspace.workspace.tokens"):strings.Index(s, "DELETE FROM")]
	after := s[strings.LastIndex(s, "FROM databricks_workspace.workspace.tokens"):]
	if !strings.Contains(audit, "alice ci") || !strings.Contains(audit, "| never") || strings.Contains(after, "alice ci") || strings.Contains(s, "bob notebook") {
		t.Errorf("the admin audit before the DELETE:\n%s\nafter:\n%s", audit, after)
	}
	last := s[strings.LastIndex(s, "SELECT\ntoken_id"):strings.Index(s, "SELECT\ncomment,\ndatetime")]
	if strings.Contains(last, "ci-deploy") || !strings.Contains(last, "nightly-export") {
		t.Errorf("after the revoke, the list is:\n%s", last)
	}
	// The fleet audit reaches all three clouds as the service principal,
	// each workspace with its own access token, and never prints its secret.
	fleet := s[strings.LastIndex(s, "-- the security team"):]
	for _, want := range []string{
		"| 1234567890123456.7.gcp.databricks.com      | carol@example.com   |      3 |            1 |",
		"| adb-1234567890123456.7.azuredatabricks.net | carol@example.com   |      3 |            1 |",
		"| dbc-abcd0123-a1bc.cloud.databricks.com     | alice@example.com   |      1 |            0 |",
	} {
		if !strings.Contains(fleet, want) {
			t.Errorf("the fleet audit lacks %q:\n%s", want, fleet)
		}
	}
	if strings.Contains(s, securityCode) {
		t.Error("the demo printed the service principal's secret")
	}
}
