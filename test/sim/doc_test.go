package sim_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoReferencesOutsideTheRepository: the package's sources, docs and test data must
// stand on their own. A path on one machine, or a document that is not in the
// repository, is a reference no other reader can follow; the facts belong where they
// are used.
func TestNoReferencesOutsideTheRepository(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	var (
		// An absolute path under a home or work directory of some machine.
		machinePath = regexp.MustCompile(`(?:^|[\s"'(=:])/(?:work|home|Users|root|mnt)/\S+`)
		// A Markdown document named by file name or path.
		document = regexp.MustCompile(`[\w./-]+\.md\b`)
	)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		for _, m := range machinePath.FindAllString(text, -1) {
			t.Errorf("%s refers to a path on one machine: %s", path, strings.TrimSpace(m))
		}
		for _, name := range document.FindAllString(text, -1) {
			if !exists(filepath.Join(filepath.Dir(path), name)) && !exists(filepath.Join(root, name)) {
				t.Errorf("%s refers to %s, which is not in the repository", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// moduleRoot is the nearest directory up from here holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for !exists(filepath.Join(dir, "go.mod")) {
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
	return dir
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
