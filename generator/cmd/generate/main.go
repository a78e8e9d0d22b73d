// Command generate reads the sources in openapi/, runs the generator and
// replaces provider/ with its output, only once everything has validated.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/stackql-labs/databricks-tokens/generator"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "openapi/token-api.yaml", "OpenAPI 3.0 description of the API")
	mapping := fs.String("mapping", "openapi/sql-mapping.yaml", "SQL mapping of the API")
	out := fs.String("out", "provider", "directory to replace with the generated provider")
	base := fs.String("C", ".", "directory the other paths are relative to")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	src, err := readSources(*base, *spec, *mapping)
	if err != nil {
		fmt.Fprintln(stderr, "generate:", err)
		return 1
	}
	files, err := generator.Generate(src)
	if err != nil {
		fmt.Fprintln(stderr, "generate:", err)
		return 1
	}
	if err := replaceDir(filepath.Join(*base, *out), files); err != nil {
		fmt.Fprintln(stderr, "generate:", err)
		return 1
	}
	return 0
}

// readSources reads the two sources; errors show the paths as given.
func readSources(base, spec, mapping string) (generator.Sources, error) {
	var src generator.Sources
	for _, f := range []struct {
		path string
		dst  *generator.File
	}{{spec, &src.Spec}, {mapping, &src.Mapping}} {
		data, err := os.ReadFile(filepath.Join(base, f.path))
		if err != nil {
			return src, err
		}
		*f.dst = generator.File{Path: filepath.ToSlash(f.path), Data: data}
	}
	return src, nil
}

// replaceDir writes files into a sibling of dir and swaps it in with renames,
// so dir holds either the old provider or the complete new one.
func replaceDir(dir string, files generator.Files) error {
	dir = filepath.Clean(dir)
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := files.WriteTo(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil && !os.IsNotExist(rerr) {
			return fmt.Errorf("%w; the previous provider is in %s", err, old)
		}
		return err
	}
	return os.RemoveAll(old)
}
