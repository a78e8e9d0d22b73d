package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"exec", "--output=json", "SELECT 1", "--var", "a=b=c", "-f", "x.sql", "--echo", "--resolve", "*.example.com:443=127.0.0.1:8443", "--retries", "0"})
	if err != nil {
		t.Fatal(err)
	}
	if o.output != "json" || o.sql != "SELECT 1" || o.vars["a"] != "b=c" || o.file != "x.sql" || !o.echo || len(o.resolve) != 1 || o.retries != 0 {
		t.Errorf("options = %+v", o)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing command (want exec)"},
		{[]string{"query"}, `unknown command "query" (want exec)`},
		{[]string{"exec", "--output", "xml"}, `unknown output format "xml" (want table, json or csv)`},
		{[]string{"exec", "--nope"}, "unknown flag --nope"},
		{[]string{"exec", "--var", "novalue"}, `--var "novalue": want NAME=VALUE`},
		{[]string{"exec", "a", "b"}, `unexpected argument "b" (quote the SQL as one argument)`},
		{[]string{"exec", "--resolve", "host=1.2.3.4"}, `--resolve "host=1.2.3.4": want HOST:PORT=ADDR:PORT`},
		{[]string{"exec", "--timeout", "-1s"}, `--timeout "-1s": must be positive`},
		{[]string{"exec", "--output"}, "flag --output needs a value"},
	} {
		if _, err := parseArgs(tc.args); err == nil || err.Error() != tc.want {
			t.Errorf("parseArgs(%q) error = %v, want %s", tc.args, err, tc.want)
		}
	}
}

func TestResolveRule(t *testing.T) {
	r, err := parseResolve("*.cloud.databricks.com:443=127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{
		"dbc-a.cloud.databricks.com:443": true,
		"DBC-A.Cloud.Databricks.com:443": true,
		"cloud.databricks.com:443":       false,
		"dbc-a.cloud.databricks.com:80":  false,
		"evilcloud.databricks.com:443":   false,
	} {
		if got := r.match(addr); got != want {
			t.Errorf("match(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run([]string{"exec", "-o", "yaml", "SELECT 1"}, nil, &out, &errb, nil); code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(errb.String(), "unknown output format") {
		t.Errorf("stderr = %q", errb.String())
	}
	out.Reset()
	if code := Run([]string{"--help"}, nil, &out, &errb, nil); code != ExitOK || !strings.Contains(out.String(), "usage: harness exec") {
		t.Errorf("--help: exit %d, stdout %q", code, out.String())
	}
}
