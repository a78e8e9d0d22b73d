//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUnreadableSources points a source at things that are not a source
// file: each is refused with one line naming the source, at once, and
// provider/ is left as it was.
func TestUnreadableSources(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string) // replaces the spec at path
		want string
	}{
		{"fifo", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, "generate: openapi/token-api.yaml: not a regular file\n"},
		{"dev-zero", func(t *testing.T, path string) {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skip(err)
			}
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		}, "generate: openapi/token-api.yaml: not a regular file\n"},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "generate: openapi/token-api.yaml: not a regular file\n"},
		{"oversized", func(t *testing.T, path string) {
			// Valid YAML all the way: only the size is wrong.
			data := append([]byte("openapi: 3.0.3\n"), bytes.Repeat([]byte("# padding\n"), maxSourceSize/10)...)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "generate: openapi/token-api.yaml: file is larger than 8 MiB\n"},
		{"missing", func(t *testing.T, path string) {}, "generate: openapi/token-api.yaml: no such file or directory\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			if err := os.MkdirAll(filepath.Join(work, "openapi"), 0o755); err != nil {
				t.Fatal(err)
			}
			mapping, err := os.ReadFile(filepath.Join("..", "..", "..", "openapi", "sql-mapping.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(work, "openapi", "sql-mapping.yaml"), mapping, 0o644); err != nil {
				t.Fatal(err)
			}
			spec := filepath.Join(work, "openapi", "token-api.yaml")
			tc.make(t, spec)
			sentinel := filepath.Join(work, "provider", "src", "keep.yaml")
			if err := os.MkdirAll(filepath.Dir(sentinel), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(sentinel, []byte("old provider\n"), 0o644); err != nil {
				t.Fatal(err)
			}

			var stderr bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run([]string{"-C", work}, &stderr) }()
			var code int
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				// Unblock a reader stuck on a FIFO before failing.
				if w, err := os.OpenFile(spec, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					w.Close()
				}
				t.Fatal("generate blocked on the source")
			}
			if code != 1 {
				t.Errorf("exit status %d, want 1; stderr:\n%s", code, stderr.String())
			}
			if got := stderr.String(); got != tc.want {
				t.Errorf("stderr:\n got: %s want: %s", got, tc.want)
			}
			if data, err := os.ReadFile(sentinel); err != nil || string(data) != "old provider\n" {
				t.Errorf("provider/ was changed: %q, %v", data, err)
			}
		})
	}
}

// endless is a reader that never ends, as /dev/zero.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.read += int64(len(p))
	return len(p), nil
}

// TestReadAtMostStops checks the limit that holds whatever the file system
// says a file's size is: an endless source is refused after limit+1 bytes.
func TestReadAtMostStops(t *testing.T) {
	r := &endless{}
	_, err := readAtMost(r, 1<<20)
	if !errors.Is(err, errTooLarge) {
		t.Fatalf("err %v, want %v", err, errTooLarge)
	}
	if r.read > 2<<20 {
		t.Errorf("read %d bytes for a limit of 1 MiB", r.read)
	}
	data, err := readAtMost(strings.NewReader("openapi: 3.0.3\n"), 1<<20)
	if err != nil || string(data) != "openapi: 3.0.3\n" {
		t.Errorf("got %q, %v", data, err)
	}
	if _, err := readAtMost(io.LimitReader(r, 1<<20), 1<<20); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
}
