package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the want.txt files of the bad-source cases")

// badSource is one case directory: an edit that breaks one source file, and
// in want.txt the one-line error the generator must print.
type badSource struct {
	File    string `yaml:"file"`
	Replace string `yaml:"replace"`
	With    string `yaml:"with"`
}

// TestBadSources runs the generate command on broken copies of the sources
// and checks the error line, the exit status and that the existing provider
// directory is left byte for byte as it was.
func TestBadSources(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/case.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, casePath := range dirs {
		dir := filepath.Dir(casePath)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var c badSource
			raw, err := os.ReadFile(casePath)
			if err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(raw, &c); err != nil {
				t.Fatalf("%s: %v", casePath, err)
			}
			work := t.TempDir()
			for _, name := range []string{"token-api.yaml", "sql-mapping.yaml"} {
				data, err := os.ReadFile(filepath.Join("..", "..", "..", "openapi", name))
				if err != nil {
					t.Fatal(err)
				}
				if name == c.File {
					if n := strings.Count(string(data), c.Replace); n != 1 {
						t.Fatalf("%s: %q occurs %d times in %s, want once", casePath, c.Replace, n, name)
					}
					data = []byte(strings.Replace(string(data), c.Replace, c.With, 1))
				}
				if err := os.MkdirAll(filepath.Join(work, "openapi"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(work, "openapi", name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// A provider directory with known contents that must survive.
			out := filepath.Join(work, "provider")
			sentinel := filepath.Join(out, "src", "keep.yaml")
			if err := os.MkdirAll(filepath.Dir(sentinel), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(sentinel, []byte("old provider\n"), 0o644); err != nil {
				t.Fatal(err)
			}

			wantPath := filepath.Join(dir, "want.txt")
			var stderr bytes.Buffer
			code := run([]string{"-C", work}, &stderr)
			got := stderr.String()

			if code != 1 {
				t.Errorf("exit status %d, want 1; stderr:\n%s", code, got)
			}
			if strings.Count(got, "\n") != 1 {
				t.Errorf("want exactly one line on stderr, got:\n%s", got)
			}
			if *update {
				if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("stderr:\n got: %s want: %s", got, want)
			}
			entries, _ := os.ReadDir(work)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if strings.Join(names, " ") != "openapi provider" {
				t.Errorf("files left beside provider/: %v", names)
			}
			if data, err := os.ReadFile(sentinel); err != nil || string(data) != "old provider\n" {
				t.Errorf("provider/ was changed: %q, %v", data, err)
			}
		})
	}
}

// TestGenerateReplacesProvider checks the happy path of the command: the
// old provider is replaced as a whole by the generated files.
func TestGenerateReplacesProvider(t *testing.T) {
	work := t.TempDir()
	for _, name := range []string{"token-api.yaml", "sql-mapping.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "openapi", name))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(work, "openapi"), 0o755)
		if err := os.WriteFile(filepath.Join(work, "openapi", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(work, "provider", "stale.yaml")
	os.MkdirAll(filepath.Dir(stale), 0o755)
	os.WriteFile(stale, []byte("stale"), 0o644)
	var stderr bytes.Buffer
	if code := run([]string{"-C", work}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale file survived regeneration: %v", err)
	}
	for _, p := range []string{
		"provider/src/databricks_workspace/v00.00.00000/provider.yaml",
		"provider/src/databricks_workspace/v00.00.00000/services/workspace.yaml",
		"provider/docs/databricks_workspace/workspace/user_tokens.md",
	} {
		if _, err := os.Stat(filepath.Join(work, p)); err != nil {
			t.Errorf("missing %s: %v", p, err)
		}
	}
}
