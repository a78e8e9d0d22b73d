package generator

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stackql/any-sdk/public/formulation"
)

// verify proves the emitted documents load where they will be used: in
// kin-openapi, and in any-sdk, which finds every method of every resource.
// kin-openapi checks the service document as OpenAPI, so without the routing
// patterns of host variables (see routeHostVariables), which are any-sdk's.
func verify(m *model, files Files) error {
	plain := bytes.ReplaceAll(files[m.servicePath()], []byte(hostRoute+"}"), []byte("}"))
	if _, err := loadOpenAPI(m.servicePath(), plain); err != nil {
		return err
	}
	// any-sdk loads providers from paths only, so the check runs on a scratch
	// copy; provider/ itself is never touched here.
	dir, err := os.MkdirTemp("", "provider-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := files.WriteTo(dir); err != nil {
		return err
	}
	svc, err := formulation.LoadProviderAndServiceFromPaths(
		filepath.Join(dir, filepath.FromSlash(m.providerPath())),
		filepath.Join(dir, filepath.FromSlash(m.servicePath())))
	if err != nil {
		return fmt.Errorf("any-sdk: %s", oneLine(err.Error()))
	}
	for _, r := range m.resources {
		res, err := svc.GetResource(r.Name)
		if err != nil {
			return fmt.Errorf("any-sdk: resource %q: %s", r.Name, oneLine(err.Error()))
		}
		for _, meth := range r.Methods {
			if _, err := res.FindMethod(meth.Name); err != nil {
				return fmt.Errorf("any-sdk: resource %q: method %q: %s", r.Name, meth.Name, oneLine(err.Error()))
			}
		}
	}
	var execMethods []string
	for _, r := range m.resources {
		for _, meth := range r.Methods {
			if meth.Verb == "exec" {
				execMethods = append(execMethods, meth.Name)
			}
		}
	}
	return analyze(dir, m.providerPath(), execMethods)
}
