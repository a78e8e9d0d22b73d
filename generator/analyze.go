package generator

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
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
// expected and ignored.
func analyze(dir, providerPath string) error {
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
		return fmt.Errorf("any-sdk registry: %s", oneLine(err))
	}
	factories := discovery.NewStandardStaticAnalyzerFactoryFactory()
	factory, err := callWithInner(factories.CreateNaiveSQLiteStaticAnalyzerFactory, reg, dto.RuntimeCtx{CLISchemaDir: schemaDir})
	if err != nil {
		return fmt.Errorf("any-sdk static analyzer: %s", oneLine(err))
	}
	analyzer, err := factory.CreateStaticAnalyzer(filepath.Join(dir, filepath.FromSlash(providerPath)))
	if err != nil {
		return fmt.Errorf("any-sdk static analyzer: %s", oneLine(err))
	}
	runErr := analyzer.Analyze()
	if errs := analyzer.GetErrors(); len(errs) > 0 {
		msgs := make([]string, 0, len(errs))
		for _, e := range errs {
			msgs = append(msgs, oneLine(e))
		}
		return fmt.Errorf("any-sdk static analyzer: %s", strings.Join(msgs, "; "))
	}
	if runErr != nil {
		return fmt.Errorf("any-sdk static analyzer: %s", oneLine(runErr))
	}
	return nil
}

// callWithInner calls an any-sdk function whose parameter type is the
// registry interface of any-sdk's internal package. formulation.NewRegistry
// builds exactly that registry but only hands it out wrapped, so the wrapped
// value is read from its (unexported) field. R is inferred from f, which is
// how an internal type can be used without being named.
func callWithInner[R, C, O any](f func(R, C) (O, error), wrapped formulation.RegistryAPI, c C) (O, error) {
	v := reflect.ValueOf(wrapped).Elem().FieldByName("inner")
	inner := reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().Interface()
	r, ok := inner.(R)
	if !ok {
		var zero O
		return zero, fmt.Errorf("any-sdk registry has type %T, not the analyzer's registry type", inner)
	}
	return f(r, c)
}

var anySDKSchemas struct {
	once sync.Once
	dir  string
	err  error
}

// anySDKSchemaDir is cicd/schema-definitions in the any-sdk module that
// this project's go.mod requires: the JSON schemas the analyzer validates
// documents by. It asks the go command, so it runs inside the module.
func anySDKSchemaDir() (string, error) {
	anySDKSchemas.once.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/stackql/any-sdk").Output()
		if err != nil {
			anySDKSchemas.err = fmt.Errorf("locating the any-sdk module for its schemas (run inside this repository): %w", err)
			return
		}
		anySDKSchemas.dir = filepath.Join(strings.TrimSpace(string(out)), "cicd", "schema-definitions")
	})
	return anySDKSchemas.dir, anySDKSchemas.err
}
