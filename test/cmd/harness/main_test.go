package main

import (
	"bytes"
	"strings"
	"testing"
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
