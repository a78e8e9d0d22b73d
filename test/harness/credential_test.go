package harness_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/harness"
	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// TestCredentialWithControlCharacterIsRefused: a credential no header can
// carry (a token file read with its newline, an escape pasted in) is
// refused before anything is sent, with one line naming the environment
// variable and never its value; it is the statement's configuration that
// is wrong (exit 1), not the workspace, so it is not a RemoteError, and a
// create says nothing of having maybe created.
func TestCredentialWithControlCharacterIsRefused(t *testing.T) {
	const prefix = "line 1: provider databricks_workspace: environment variable DATABRICKS_TOKEN "
	for _, tc := range []struct {
		name  string
		sql   string
		token func(bearer string) string
		err   string // after prefix
	}{
		{name: "trailing newline", sql: listSQL, token: func(b string) string { return b + "\n" },
			err: `ends with a line break; remove it (auth type "bearer")`},
		{name: "trailing CRLF, on a create", sql: createSQL, token: func(b string) string { return b + "\r\n" },
			err: `ends with a line break; remove it (auth type "bearer")`},
		{name: "escape", sql: listSQL, token: func(b string) string { return "\x1b[2J" + b },
			err: `holds a control character ('\x1b'); remove it (auth type "bearer")`},
		{name: "tab inside", sql: createSQL, token: func(b string) string { return b[:4] + "\t" + b[4:] },
			err: `holds a control character ('\t'); remove it (auth type "bearer")`},
		{name: "newline inside", sql: listSQL, token: func(b string) string { return b[:4] + "\n" + b[4:] + "\n" },
			err: `holds a control character ('\n'); remove it (auth type "bearer")`},
		{name: "NUL", sql: listSQL, token: func(b string) string { return b + "\x00" },
			err: `holds a control character ('\x00'); remove it (auth type "bearer")`},
		{name: "DEL", sql: listSQL, token: func(b string) string { return b + "\x7f" },
			err: `holds a control character ('\x7f'); remove it (auth type "bearer")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var bearer string
			srv, eng := retrySimToken(t, harness.Config{Retries: 2}, func(b string) string { bearer = b; return tc.token(b) })
			err := eng.Exec(context.Background(), tc.sql, func(*harness.Statement, *harness.Result) error { return nil })
			if err == nil || err.Error() != prefix+tc.err {
				t.Errorf("%s\nerror %v\nwant %s", tc.sql, err, prefix+tc.err)
			}
			if err != nil && (transport.IsRemote(err) || strings.Contains(err.Error(), bearer[4:]) || strings.Contains(err.Error(), "may have")) {
				t.Errorf("error %v is remote, shows the token or says it may have been sent", err)
			}
			if reqs := srv.Requests(); len(reqs) > 0 {
				t.Errorf("the simulator received %+v, want no request", reqs)
			}
		})
	}
}
