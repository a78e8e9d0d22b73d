// Command generate reads the sources in openapi/, runs the generator and
// replaces provider/ with its output, only once everything has validated.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

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

// maxSourceSize is the most a source may hold. The Token API's sources are
// a few kilobytes; the limit is there so that a source pointed at something
// endless, such as /dev/zero, is refused instead of read until memory runs
// out.
const maxSourceSize = 8 << 20

// readSources reads the two sources; errors show the paths as given.
func readSources(base, spec, mapping string) (generator.Sources, error) {
	var src generator.Sources
	for _, f := range []struct {
		path string
		dst  *generator.File
	}{{spec, &src.Spec}, {mapping, &src.Mapping}} {
		data, err := readSource(filepath.Join(base, f.path))
		if err != nil {
			return src, fmt.Errorf("%s: %w", filepath.ToSlash(f.path), err)
		}
		*f.dst = generator.File{Path: filepath.ToSlash(f.path), Data: data}
	}
	return src, nil
}

// readSource reads a regular file of at most maxSourceSize bytes. It opens
// without blocking, so a FIFO with no writer is refused rather than waited
// on, and checks what it opened (not the path, which could change in
// between) before reading.
func readSource(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, pathless(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, pathless(err)
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if info.Size() > maxSourceSize {
		return nil, errTooLarge
	}
	// The size from Stat can be stale or, for some kernel files, zero; the
	// limit holds for what is actually read.
	data, err := readAtMost(f, maxSourceSize)
	if err != nil {
		return nil, pathless(err)
	}
	return data, nil
}

var errTooLarge = fmt.Errorf("file is larger than %d MiB", maxSourceSize>>20)

// readAtMost reads r to its end, or fails with errTooLarge once it has
// given more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge
	}
	return data, nil
}

// pathless drops the path from an *os.PathError: the caller names the
// source by the path as given, not as joined with -C.
func pathless(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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
