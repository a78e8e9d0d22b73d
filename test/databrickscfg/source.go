package databrickscfg

import (
	"fmt"

	"github.com/stackql-labs/databricks-tokens/test/harness"
)

// EnvProfile names the profile to use, as in the Databricks CLI and SDKs.
const EnvProfile = "DATABRICKS_CONFIG_PROFILE"

// envToken is the provider's default credential (provider.yaml's
// config.auth): when it is set and no profile is named, it is used as
// today, and the config file is not read, as the SDK skips the file when
// a credential is already configured.
const envToken = "DATABRICKS_TOKEN"

// Source is the harness command's credential source (a cli.CredentialSource):
//
//   - with a profile (--profile, else DATABRICKS_CONFIG_PROFILE), that
//     profile authenticates every request: a workspace profile only to its
//     own host, an account profile (OAuth) to any workspace;
//   - else, when DATABRICKS_TOKEN is set, nothing changes: the provider's
//     auth sends it;
//   - else each request uses the profile whose host is the request's, so a
//     fan-out over workspaces with different tokens or service principals
//     works; a host no profile names is left to the provider's auth.
//
// The file is ~/.databrickscfg or DATABRICKS_CONFIG_FILE; HOME is read from
// getenv. Every secret in the file is returned for masking.
func Source(profile string, getenv func(string) string) (harness.Credentials, []string, error) {
	if profile == "" {
		profile = getenv(EnvProfile)
	}
	if profile == "" && getenv(envToken) != "" {
		return nil, nil, nil
	}
	f, err := LoadDefault(getenv, getenv("HOME"))
	if err != nil {
		return nil, nil, err
	}
	src := &source{file: f}
	if profile != "" {
		if !f.exists {
			return nil, f.Secrets(), fmt.Errorf("profile %q: no databricks config file at %q", profile, f.Path)
		}
		if src.named, err = f.Profile(profile); err != nil {
			return nil, f.Secrets(), err
		}
		if _, err := credential(src.named); err != nil {
			return nil, f.Secrets(), err
		}
	}
	return src, f.Secrets(), nil
}

type source struct {
	file  *File
	named *Profile // the profile every request uses, if one was named
}

func (s *source) For(host string) (harness.Credential, bool, error) {
	p := s.named
	if p == nil {
		var err error
		if p, err = s.file.ForHost(host); err != nil || p == nil {
			return harness.Credential{}, false, err
		}
	} else if p.Host != host && !p.IsAccount() {
		return harness.Credential{}, false, fmt.Errorf("profile %q is for host %s, not %s: a workspace's credential goes to that workspace only", p.Name, p.Host, host)
	}
	c, err := credential(p)
	return c, err == nil, err
}

// credential is the harness credential a profile configures.
func credential(p *Profile) (harness.Credential, error) {
	kind, err := p.Credential()
	if err != nil {
		return harness.Credential{}, err
	}
	switch kind {
	case PAT:
		if p.IsAccount() {
			return harness.Credential{}, p.errorf("token", "a personal access token belongs to a workspace, not to account host %s", p.Host)
		}
		return harness.Credential{Bearer: p.Token}, nil
	case OAuthM2M:
		url, err := p.TokenURL()
		if err != nil {
			return harness.Credential{}, err
		}
		return harness.Credential{OAuth: &harness.OAuthClient{TokenURL: url, ClientID: p.ClientID, ClientSecret: p.ClientSecret, Scopes: []string{"all-apis"}}}, nil
	}
	return harness.Credential{}, p.errorf("", "no credential: set token, or client_id and client_secret")
}
