package registry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixture = "../testdata/registry"

func TestConfigRoot(t *testing.T) {
	for _, tc := range []struct{ flag, root, err string }{
		{`{"url":"file:///abs/provider","localDocRoot":"/abs/provider","verifyConfig":{"nopVerify":true}}`, "/abs/provider", ""},
		{`{"url":"file:///only/url"}`, "/only/url", ""},
		{`{"url":"https://registry.stackql.app/providers"}`, "", "only file:// registries are supported"},
		{`{"url":"file:///x","bogus":1}`, "", `unknown field "bogus"`},
	} {
		cfg, err := ParseConfig(tc.flag)
		root := ""
		if err == nil {
			root, err = cfg.Root()
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.flag, err, tc.err)
			}
			continue
		}
		if err != nil || root != tc.root {
			t.Errorf("%s: root %q, %v; want %q", tc.flag, root, err, tc.root)
		}
	}
}

func TestProviderAndService(t *testing.T) {
	r, err := Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Provider("widgetco")
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != "v1.2.0" || len(p.Services) != 1 || p.Services[0].Title != "WidgetCo Inventory" || p.Auth.Type != "api_key" {
		t.Errorf("provider = %+v", p)
	}
	s, err := p.Service("inventory")
	if err != nil {
		t.Fatal(err)
	}
	if names, err := s.ResourceNames(); err != nil || strings.Join(names, ",") != "gadgets" {
		t.Errorf("ResourceNames() = %v, %v", names, err)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{second(r.Provider("nope")), `provider "nope" not found in registry ../testdata/registry`},
		{second(r.Provider("../x")), `provider "../x" not found`},
		{second(p.Service("warehouse")), `service "warehouse" not found in provider widgetco (available: inventory)`},
		{second(s.Resource("gizmos")), `resource "gizmos" not found in widgetco.inventory (available: gadgets)`},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("error = %v, want %s", tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(filepath.Join(dir, "provider", "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Discover(deep); err != nil || got != filepath.Join(dir, "provider") {
		t.Errorf("Discover = %q, %v", got, err)
	}
}
