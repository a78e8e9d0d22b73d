// Package databrickscfg reads Databricks configuration profiles, the INI file the
// Databricks CLI and SDKs share (~/.databrickscfg, or the file named by
// DATABRICKS_CONFIG_FILE), and gives each profile's workspace host and
// credentials (a personal access token or an OAuth machine-to-machine
// client).
//
// The file is parsed as the Databricks Go SDK parses it: gopkg.in/ini.v1
// with an inline comment only after a space, each profile holding its own
// keys only (nothing is inherited from [DEFAULT]). Its errors are one line,
// name the file, line, profile and key, and never hold a secret.
package databrickscfg

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// EnvConfigFile names the environment variable that overrides the path.
const EnvConfigFile = "DATABRICKS_CONFIG_FILE"

// MaxFileSize bounds the file: a config file is a few hundred bytes.
const MaxFileSize = 1 << 20

// sensitiveKeys are the keys the SDK marks sensitive: their values are
// masked, and never shown.
var sensitiveKeys = []string{"token", "client_secret", "password", "azure_client_secret", "google_credentials", "metadata_service_url"}

// File is a parsed config file.
type File struct {
	Path     string
	exists   bool
	profiles []*Profile // in file order; sections without keys are left out
	secrets  []string
}

// Path returns the config file's path: $DATABRICKS_CONFIG_FILE (a leading
// ~ is the home directory, as in the SDK), explicit true; else
// home/.databrickscfg, explicit false; "" if home is needed and empty.
func Path(getenv func(string) string, home string) (path string, explicit bool) {
	if p := getenv(EnvConfigFile); p != "" {
		if home != "" && (p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator))) {
			p = filepath.Join(home, p[1:])
		}
		return p, true
	}
	if home == "" {
		return "", false
	}
	return filepath.Join(home, ".databrickscfg"), false
}

// LoadDefault loads the file Path names. A missing default file is an
// empty File; a missing file named by DATABRICKS_CONFIG_FILE is an error.
func LoadDefault(getenv func(string) string, home string) (*File, error) {
	path, explicit := Path(getenv, home)
	if path == "" {
		return &File{}, nil
	}
	return load(path, explicit)
}

// Load reads and parses the config file at path, which must exist and be
// a regular file of at most MaxFileSize bytes. A profile whose values are
// unusable (a bad host, a control character in a token) does not fail
// Load: looking it up does.
func Load(path string) (*File, error) { return load(path, true) }

func load(path string, mustExist bool) (*File, error) {
	fail := func(why string) error { return fmt.Errorf("databricks config %q: %s", path, why) }
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !mustExist {
			return &File{Path: path}, nil
		}
		return nil, fail(pathErrText(err))
	}
	// Checked before opening: opening a FIFO waits for a writer.
	if !fi.Mode().IsRegular() {
		return nil, fail("not a regular file")
	}
	if fi.Size() > MaxFileSize {
		return nil, fail(fmt.Sprintf("larger than %d bytes", MaxFileSize))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(pathErrText(err))
	}
	defer f.Close()
	if fi2, err := f.Stat(); err != nil || !os.SameFile(fi, fi2) {
		return nil, fail("replaced while being opened")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fail(pathErrText(err))
	}
	if len(data) > MaxFileSize {
		return nil, fail(fmt.Sprintf("larger than %d bytes", MaxFileSize))
	}
	return parse(path, data)
}

// pathErrText is err without the path, which the caller names.
func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parse reads data as the SDK does (config.LoadFile).
func parse(path string, data []byte) (*File, error) {
	locs := locate(data)
	cfg, err := ini.LoadSources(ini.LoadOptions{SpaceBeforeInlineComment: true}, data)
	if err != nil {
		// ini's text quotes the line, which may hold a secret: only the
		// line number and what is wrong with it are told.
		if locs.bad > 0 {
			return nil, fmt.Errorf("databricks config %q line %d: %s", path, locs.bad, locs.why)
		}
		return nil, fmt.Errorf("databricks config %q: not in INI format", path)
	}
	f := &File{Path: path, exists: true}
	for _, sec := range cfg.Sections() {
		keys := sec.KeysHash() // the section's own keys, as the SDK reads them
		for _, k := range sensitiveKeys {
			if v := keys[k]; v != "" && !slices.Contains(f.secrets, v) {
				f.secrets = append(f.secrets, v)
			}
		}
		if len(keys) == 0 {
			continue // the SDK: "has no <name> profile configured"
		}
		f.profiles = append(f.profiles, newProfile(path, sec.Name(), keys, locs))
	}
	// Long secrets first, so that one holding another is masked whole.
	slices.SortFunc(f.secrets, func(a, b string) int { return len(b) - len(a) })
	for _, p := range f.profiles {
		p.secrets = f.secrets
		if p.err != nil {
			p.err = errors.New(transport.MaskSecrets(p.err.Error(), f.secrets))
		}
	}
	return f, nil
}

// Names returns the profiles' names in file order.
func (f *File) Names() []string {
	names := make([]string, len(f.profiles))
	for i, p := range f.profiles {
		names[i] = p.Name
	}
	return names
}

// Secrets returns the value of every sensitive key in the file (token,
// client_secret, and the SDK's other sensitive keys) in every section, for
// a redactor to mask before anything runs.
func (f *File) Secrets() []string { return slices.Clone(f.secrets) }

// Profile returns the profile called name, or an error if there is none or
// its values are unusable.
func (f *File) Profile(name string) (*Profile, error) {
	for _, p := range f.profiles {
		if p.Name == name {
			if p.err != nil {
				return nil, p.err
			}
			return p, nil
		}
	}
	prefix := fmt.Sprintf("databricks config %q: no profile %q", f.Path, clip(name, 100))
	switch {
	case !f.exists:
		return nil, errors.New(prefix + "; the file does not exist")
	case len(f.profiles) == 0:
		return nil, errors.New(prefix + "; the file has no profiles")
	}
	return nil, errors.New(prefix + "; profiles: " + quoteList(f.Names(), 20))
}

// ForHost returns the profile whose host is host (in any form
// NormalizeHost accepts), nil if none is, and an error if several are.
// Profiles with unusable values are passed over, unless their host text
// holds host: then their error is returned, as the profile was likely
// meant for it.
func (f *File) ForHost(host string) (*Profile, error) {
	h, err := NormalizeHost(host)
	if err != nil {
		return nil, fmt.Errorf("host %q: %s", clip(transport.HideUserinfo(host), 100), err.Error())
	}
	var found []*Profile
	for _, p := range f.profiles {
		switch {
		case p.err != nil && strings.Contains(strings.ToLower(p.rawHost), h):
			return nil, p.err
		case p.err == nil && p.Host == h:
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, p := range found {
		names[i] = p.Name
	}
	return nil, fmt.Errorf("databricks config %q: host %s is in several profiles, %s; name one", f.Path, h, quoteList(names, 20))
}

// quoteList is names quoted, sorted and joined, at most n of them.
func quoteList(names []string, n int) string {
	names = slices.Sorted(slices.Values(names))
	var b strings.Builder
	for i, name := range names {
		if i == n {
			b.WriteString(", … " + strconv.Itoa(len(names)-n) + " more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(clip(name, 100)))
	}
	return b.String()
}

// clip cuts s to at most n bytes (%q shows any byte it splits).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
