//go:build unix

package databrickscfg

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFIFOIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip(err)
	}
	// No writer ever opens it: opening it for reading would wait forever.
	_, err := Load(path)
	if want := fmt.Sprintf("databricks config %q: not a regular file", path); err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
