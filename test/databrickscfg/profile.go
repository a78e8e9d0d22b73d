package databrickscfg

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/stackql-labs/databricks-tokens/test/harness/transport"
)

// Kind is the credential a profile configures.
type Kind int

const (
	None     Kind = iota // no credential this package supports
	PAT                  // a personal access token: token
	OAuthM2M             // an OAuth client: client_id and client_secret
)

func (k Kind) String() string {
	switch k {
	case PAT:
		return "pat"
	case OAuthM2M:
		return "oauth-m2m"
	}
	return "none"
}

// Profile is one section of the file. Host is normalised (see
// NormalizeHost), "" when the profile has none. Token and ClientSecret are
// never shown: a Profile formats as its name and host with every fmt verb,
// and is left out of JSON.
type Profile struct {
	Name         string
	Host         string
	Token        string `json:"-"`
	ClientID     string
	ClientSecret string `json:"-"`
	AccountID    string
	AuthType     string

	path    string
	line    int            // of the section header, or its first key
	lines   map[string]int // key → line of its (last) value
	rawHost string
	err     error // what makes the profile unusable
	secrets []string
}

func newProfile(path, name string, keys map[string]string, locs locations) *Profile {
	p := &Profile{
		Name: name, Token: keys["token"], ClientID: keys["client_id"], ClientSecret: keys["client_secret"],
		AccountID: keys["account_id"], AuthType: keys["auth_type"],
		path: path, line: locs.section[name], lines: locs.key[name], rawHost: keys["host"],
	}
	if p.rawHost != "" {
		h, err := NormalizeHost(p.rawHost)
		if err != nil {
			p.err = p.errorf("host", "host %q: %s", clip(transport.HideUserinfo(p.rawHost), 100), err.Error())
			return p
		}
		p.Host = h
	}
	for _, k := range []struct{ key, v string }{{"token", p.Token}, {"client_id", p.ClientID}, {"client_secret", p.ClientSecret}} {
		if strings.IndexFunc(k.v, isControl) >= 0 {
			p.err = p.errorf(k.key, "%s holds a control character (value not shown)", k.key)
			return p
		}
	}
	if strings.IndexFunc(p.AuthType, badHostRune) >= 0 {
		p.err = p.errorf("auth_type", "auth_type %q holds a space, control or non-ASCII character", clip(p.AuthType, 100))
		return p
	}
	if p.AccountID != "" && (len(p.AccountID) > 64 || strings.IndexFunc(p.AccountID, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
	}) >= 0) {
		p.err = p.errorf("account_id", "account_id %q is not an account id (letters, digits and dashes)", clip(p.AccountID, 100))
	}
	return p
}

// errorf is an error about key of p (or p itself, if key is ""), placed at
// its line.
func (p *Profile) errorf(key, format string, args ...any) error {
	where := fmt.Sprintf("databricks config %q", p.path)
	if n := p.lines[key]; n > 0 {
		where += " line " + strconv.Itoa(n)
	} else if p.line > 0 {
		where += " line " + strconv.Itoa(p.line)
	}
	msg := where + ": profile " + strconv.Quote(clip(p.Name, 100)) + ": " + fmt.Sprintf(format, args...)
	return errors.New(transport.MaskSecrets(msg, p.secrets))
}

// String is the profile's name and host.
func (p Profile) String() string {
	if p.Host == "" {
		return fmt.Sprintf("profile %q", p.Name)
	}
	return fmt.Sprintf("profile %q (%s)", p.Name, p.Host)
}

// Format prints String whatever the verb, so that no verb shows a secret.
func (p Profile) Format(f fmt.State, verb rune) { io.WriteString(f, p.String()) }

// Credential says which credential p configures, as the SDK would choose:
// auth_type "pat" or "oauth-m2m" if set (and then its keys must be there);
// else a token, or client_id and client_secret, but not both kinds. A
// profile with none of these keys is None; other auth types are errors.
func (p *Profile) Credential() (Kind, error) {
	pat := p.Token != ""
	m2m := p.ClientID != "" && p.ClientSecret != ""
	switch p.AuthType {
	case "pat":
		if !pat {
			return None, p.errorf("auth_type", `auth_type "pat" without a token`)
		}
		return PAT, nil
	case "oauth-m2m":
		if !m2m {
			return None, p.errorf("auth_type", `auth_type "oauth-m2m" needs client_id and client_secret`)
		}
		return OAuthM2M, nil
	case "":
	default:
		return None, p.errorf("auth_type", "auth_type %q is not supported (pat or oauth-m2m)", clip(p.AuthType, 100))
	}
	oauth := p.ClientID != "" || p.ClientSecret != ""
	switch {
	case pat && oauth:
		return None, p.errorf("", "more than one authorization method configured: oauth and pat; set auth_type")
	case pat:
		return PAT, nil
	case m2m:
		return OAuthM2M, nil
	case p.ClientID != "":
		return None, p.errorf("client_id", "client_id without client_secret (only OAuth machine-to-machine is supported)")
	case p.ClientSecret != "":
		return None, p.errorf("client_secret", "client_secret without client_id")
	}
	return None, nil
}

// IsAccount reports whether p is for an account console rather than a
// workspace: its host's first label is "accounts" or "accounts-dod", the
// SDK's test (accounts.cloud.databricks.com, accounts.azuredatabricks.net,
// accounts.gcp.databricks.com, …).
func (p *Profile) IsAccount() bool {
	first, _, _ := strings.Cut(p.Host, ".")
	return first == "accounts" || first == "accounts-dod"
}

// TokenURL is p's OAuth token endpoint: https://<host>/oidc/v1/token for a
// workspace, https://<host>/oidc/accounts/<account_id>/v1/token for an
// account.
func (p *Profile) TokenURL() (string, error) {
	switch {
	case p.Host == "":
		return "", p.errorf("host", "no host")
	case !p.IsAccount():
		return "https://" + p.Host + "/oidc/v1/token", nil
	case p.AccountID == "":
		return "", p.errorf("host", "account host %s needs an account_id", p.Host)
	}
	return "https://" + p.Host + "/oidc/accounts/" + p.AccountID + "/v1/token", nil
}

// NormalizeHost turns a host setting (https://adb-1.2.azuredatabricks.net/,
// DBC-X.cloud.databricks.com:443, …) into a workspace host: lower case, no
// scheme, no port 443, no trailing slash. It refuses a scheme other than
// https, user info, a path other than "/", a query, a fragment, spaces,
// control and non-ASCII characters, and host names that are not DNS names
// or IP addresses.
func NormalizeHost(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("empty")
	}
	if strings.IndexFunc(raw, badHostRune) >= 0 {
		return "", errors.New("holds a space, control or non-ASCII character")
	}
	rest := raw
	if scheme, after, ok := strings.Cut(raw, "://"); ok {
		if !strings.EqualFold(scheme, "https") {
			return "", errors.New("must be https")
		}
		rest = after
	}
	auth, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth, tail = rest[:i], rest[i:]
	}
	switch {
	case auth == "":
		return "", errors.New("has no host name")
	case strings.Contains(auth, "@"):
		return "", errors.New("must not hold user info")
	case strings.Contains(tail, "#"):
		return "", errors.New("must not have a fragment")
	case strings.Contains(tail, "?"):
		return "", errors.New("must not have a query")
	case tail != "" && tail != "/":
		return "", errors.New("must not have a path")
	}
	name, port := auth, ""
	if strings.HasPrefix(auth, "[") || strings.Count(auth, ":") == 1 {
		var err error
		if name, port, err = net.SplitHostPort(auth); err != nil {
			if !strings.HasPrefix(auth, "[") || !strings.HasSuffix(auth, "]") {
				return "", errors.New("has an invalid port")
			}
			name, port = auth[1:len(auth)-1], ""
		}
		if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+') {
			return "", errors.New("has an invalid port")
		}
	}
	name = strings.ToLower(name)
	if ip := net.ParseIP(name); ip != nil {
		if ip.To4() == nil && !strings.HasPrefix(auth, "[") {
			return "", errors.New("needs brackets around its IPv6 address")
		}
	} else if transport.HostProblem(name) != "" { // name is lower case
		return "", errors.New("is not a host name")
	}
	if port == "" || port == "443" {
		if strings.Contains(name, ":") {
			return "[" + name + "]", nil
		}
		return name, nil
	}
	return net.JoinHostPort(name, port), nil
}

func badHostRune(r rune) bool { return r <= ' ' || r >= 0x7f }

func isControl(r rune) bool { return r < ' ' || r == 0x7f || r >= 0x80 && r <= 0x9f }
