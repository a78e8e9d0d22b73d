package generator

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"unsafe"

	"github.com/stackql/any-sdk/pkg/dto"
	"github.com/stackql/any-sdk/public/discovery"
	"github.com/stackql/any-sdk/public/formulation"
	"github.com/stackql/stackql-provider-registry/signing/Ed25519/app/edcrypto"
)

// analyze runs any-sdk's static analyzer over the registry in dir, as
// `anysdk aot <dir> <provider.yaml>` does, and fails on any error it reports.
// Its warnings about EXEC-only methods (no SQL verb, no response schema) are
// expected; any other warning is an error.
func analyze(dir, providerPath string, execMethods []string) error {
	schemaDir, err := anySDKSchemaDir()
	if err != nil {
		return err
	}
	reg, err := formulation.NewRegistry(formulation.RegistryConfig{
		RegistryURL:  "file://" + dir,
		LocalDocRoot: dir,
		VerifyConfig: &edcrypto.VerifierConfig{NopVerify: true},
	}, nil)
	if err != nil {
		return fmt.Errorf("any-sdk registry: %s", oneLine(err.Error()))
	}
	factories := discovery.NewStandardStaticAnalyzerFactoryFactory()
	factory, err := callWithInner(factories.CreateNaiveSQLiteStaticAnalyzerFactory, reg, dto.RuntimeCtx{CLISchemaDir: schemaDir})
	if err != nil {
		return fmt.Errorf("any-sdk static analyzer: %s", oneLine(err.Error()))
	}
	analyzer, err := factory.CreateStaticAnalyzer(filepath.Join(dir, filepath.FromSlash(providerPath)))
	if err != nil {
		return fmt.Errorf("any-sdk static analyzer: %s", oneLine(err.Error()))
	}
	runErr := analyzer.Analyze()
	if errs := analyzer.GetErrors(); len(errs) > 0 {
		msgs := make([]string, 0, len(errs))
		for _, e := range errs {
			msgs = append(msgs, oneLine(e.Error()))
		}
		return fmt.Errorf("any-sdk static analyzer: %s", strings.Join(msgs, "; "))
	}
	if runErr != nil {
		return fmt.Errorf("any-sdk static analyzer: %s", oneLine(runErr.Error()))
	}
	for _, w := range analyzer.GetWarnings() {
		if !expectedWarning(w, execMethods) {
			return fmt.Errorf("any-sdk static analyzer: unexpected warning: %s", oneLine(w))
		}
	}
	return nil
}

// expectedWarning reports whether w is one the analyzer gives every
// EXEC-only method (no SQL verb, no response schema); any other warning
// fails generation.
func expectedWarning(w string, execMethods []string) bool {
	for _, m := range execMethods {
		if strings.Contains(w, "method "+m+" ") || strings.Contains(w, "'"+m+"'") {
			return strings.Contains(w, "has no SQL verb") || strings.Contains(w, "response")
		}
	}
	return false
}

// callWithInner calls an any-sdk function whose parameter type is the
// registry interface of any-sdk's internal package. formulation.NewRegistry
// builds exactly that registry but only hands it out wrapped, so the wrapped
// value is read from its (unexported) field. R is inferred from f, which is
// how an internal type can be used without being named.
func callWithInner[R, C, O any](f func(R, C) (O, error), wrapped formulation.RegistryAPI, c C) (O, error) {
	var zero O
	changed := fmt.Errorf("any-sdk's registry wrapper %T changed shape; update generator/analyze.go", wrapped)
	w := reflect.ValueOf(wrapped)
	if w.Kind() != reflect.Pointer || w.Elem().Kind() != reflect.Struct {
		return zero, changed
	}
	v := w.Elem().FieldByName("inner")
	if !v.IsValid() || v.Kind() != reflect.Interface {
		return zero, changed
	}
	inner := reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().Interface()
	r, ok := inner.(R)
	if !ok {
		return zero, fmt.Errorf("any-sdk registry has type %T, not the analyzer's registry type; update generator/analyze.go", inner)
	}
	return f(r, c)
}

var anySDKSchemas struct {
	mu  sync.Mutex
	dir string
}

// anySDKSchemaDir is cicd/schema-definitions in the any-sdk module this
// project builds with: the JSON schemas the analyzer validates documents by.
// A built binary knows the module version from its build information; a
// test binary does not, and asks the go command from inside the module.
func anySDKSchemaDir() (string, error) {
	anySDKSchemas.mu.Lock()
	defer anySDKSchemas.mu.Unlock()
	if anySDKSchemas.dir != "" {
		return anySDKSchemas.dir, nil
	}
	const module = "github.com/stackql/any-sdk"
	var dir string
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == module && dep.Replace == nil {
				cache, err := goOutput("env", "GOMODCACHE")
				if err != nil {
					return "", err
				}
				dir = filepath.Join(cache, filepath.FromSlash(module)+"@"+dep.Version)
			}
		}
	}
	if dir == "" {
		out, err := goOutput("list", "-m", "-f", "{{.Dir}}", module)
		if err != nil {
			return "", fmt.Errorf("%w (run inside this repository)", err)
		}
		dir = out
	}
	dir = filepath.Join(dir, "cicd", "schema-definitions")
	if _, err := os.Stat(filepath.Join(dir, "provider.schema.json")); err != nil {
		return "", fmt.Errorf("any-sdk schemas: %w (run go mod download)", err)
	}
	anySDKSchemas.dir = dir
	return dir, nil
}

// goOutput runs the go command and returns its trimmed output; its error
// includes what go printed.
func goOutput(args ...string) (string, error) {
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("go %s: %s", strings.Join(args, " "), oneLine(string(exit.Stderr)))
		}
		return "", fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
