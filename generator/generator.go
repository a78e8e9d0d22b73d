// Package generator turns the Token API sources in openapi/ into the StackQL
// provider: the registry documents (provider.yaml and the service document)
// and a Markdown docs page for each resource.
//
// Generate is a pure function from source bytes to a map of output paths to
// bytes. It validates the sources and the documents it emits (kin-openapi,
// the any-sdk loader and its static analyzer, and the engine constraints) and
// returns an error instead of output if anything is wrong. It never writes
// into provider/; that is the job of the generate command.
package generator

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// File is one source document: the path shown in error messages and its bytes.
type File struct {
	Path string
	Data []byte
}

// Sources are the inputs of the generator.
type Sources struct {
	Spec    File // OpenAPI 3.0 description of the API
	Mapping File // SQL mapping: provider, service, resources, methods
}

// Files maps a slash-separated path relative to the provider root to its
// contents.
type Files map[string][]byte

// Paths returns the output paths in sorted order.
func (f Files) Paths() []string {
	paths := make([]string, 0, len(f))
	for p := range f {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// WriteTo writes every file under dir, creating directories as needed. A
// path that would leave dir is refused before anything is written.
func (f Files) WriteTo(dir string) error {
	for _, p := range f.Paths() {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return fmt.Errorf("output path %q leaves the provider directory", p)
		}
	}
	for _, p := range f.Paths() {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, f[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Generate validates the sources and returns the provider files.
func Generate(src Sources) (Files, error) {
	m, err := load(src)
	if err != nil {
		return nil, err
	}
	files, err := render(m)
	if err != nil {
		return nil, err
	}
	if err := verify(m, files); err != nil {
		return nil, fmt.Errorf("emitted provider: %w", err)
	}
	return files, nil
}
