package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzLoad feeds arbitrary source bytes to the source loading and checks
// (everything before any-sdk sees a document). It must never panic, and
// every rejection must be a one-line error that names the file.
func FuzzLoad(f *testing.F) {
	src := sources(f)
	f.Add(src.Spec.Data, src.Mapping.Data)
	// Each bad-source case of the generate command is a seed too.
	cases, _ := filepath.Glob(filepath.Join("cmd", "generate", "testdata", "*", "case.yaml"))
	for _, c := range cases {
		raw, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		var edit struct{ File, Replace, With string }
		if err := yaml.Unmarshal(raw, &edit); err != nil {
			f.Fatal(err)
		}
		spec, mapping := string(src.Spec.Data), string(src.Mapping.Data)
		if edit.File == "token-api.yaml" {
			spec = strings.Replace(spec, edit.Replace, edit.With, 1)
		} else {
			mapping = strings.Replace(mapping, edit.Replace, edit.With, 1)
		}
		f.Add([]byte(spec), []byte(mapping))
	}
	f.Fuzz(func(t *testing.T, spec, mapping []byte) {
		in := Sources{Spec: File{Path: "spec.yaml", Data: spec}, Mapping: File{Path: "mapping.yaml", Data: mapping}}
		m, err := load(in)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Fatalf("multi-line error: %q", msg)
			}
			if !strings.HasPrefix(msg, "spec.yaml: ") && !strings.HasPrefix(msg, "mapping.yaml: ") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			return
		}
		if _, err := render(m); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	})
}
