package databrickscfg

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sdkconfig "github.com/databricks/databricks-sdk-go/config"
)

const (
	patA      = "dapi0123456789abcdef0123456789abcd"
	patB      = "dapifedcba9876543210fedcba98765432"
	secretA   = "dose0123456789abcdef0123456789abcd"
	defaultPT = "dapiDEFAULTdefaultDEFAULTdefault00"
)

// allSecrets may never appear in an error.
var allSecrets = []string{patA, patB, secretA, defaultPT, "hunter22"}

func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".databrickscfg")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range allSecrets {
		if strings.Contains(msg, s) {
			t.Errorf("error %q holds secret %q", msg, s)
		}
	}
	if strings.ContainsAny(msg, "\n\r\x1b") {
		t.Errorf("error %q is not one clean line", msg)
	}
}

func TestPath(t *testing.T) {
	home := filepath.FromSlash("/home/me")
	for _, tc := range []struct {
		env, home, want string
		explicit        bool
	}{
		{"", home, filepath.Join(home, ".databrickscfg"), false},
		{"", "", "", false},
		{"/etc/dbcfg", home, "/etc/dbcfg", true},
		{"~/cfg/x", home, filepath.Join(home, "cfg/x"), true},
		{"~", home, home, true},
		{"~/x", "", "~/x", true},
		{"~other/x", home, "~other/x", true},
	} {
		got, explicit := Path(func(k string) string {
			if k == EnvConfigFile {
				return tc.env
			}
			return ""
		}, tc.home)
		if got != tc.want || explicit != tc.explicit {
			t.Errorf("Path(env %q, home %q) = %q, %v; want %q, %v", tc.env, tc.home, got, explicit, tc.want, tc.explicit)
		}
	}
}

func TestMissingFile(t *testing.T) {
	home := t.TempDir()
	noEnv := func(string) string { return "" }
	f, err := LoadDefault(noEnv, home)
	if err != nil || len(f.Names()) != 0 {
		t.Fatalf("missing default file: %v, %v", f, err)
	}
	_, err = f.Profile("prod")
	want := fmt.Sprintf("databricks config %q: no profile \"prod\"; the file does not exist", filepath.Join(home, ".databrickscfg"))
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if p, err := f.ForHost("dbc-x.cloud.databricks.com"); p != nil || err != nil {
		t.Errorf("ForHost on a missing file: %v, %v", p, err)
	}
	if f, err := LoadDefault(noEnv, ""); err != nil || len(f.Names()) != 0 {
		t.Errorf("no home: %v, %v", f, err)
	}

	named := filepath.Join(home, "nope.cfg")
	_, err = LoadDefault(func(k string) string { return map[string]string{EnvConfigFile: named}[k] }, home)
	want = fmt.Sprintf("databricks config %q: no such file or directory", named)
	if err == nil || err.Error() != want {
		t.Errorf("missing DATABRICKS_CONFIG_FILE: %v, want %s", err, want)
	}
	if _, err := Load(named); err == nil || err.Error() != want {
		t.Errorf("Load: %v", err)
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	os.WriteFile(big, []byte("[a]\nhost = x.com\n"+strings.Repeat("# pad\n", MaxFileSize/6+1)), 0o600)
	for _, tc := range []struct {
		path, want string
	}{
		{dir, "not a regular file"},
		{big, "larger than 1048576 bytes"},
	} {
		_, err := Load(tc.path)
		if want := fmt.Sprintf("databricks config %q: %s", tc.path, tc.want); err == nil || err.Error() != want {
			t.Errorf("Load(%s): %v, want %s", tc.path, err, want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string // want after `databricks config "<path>"`
	}{
		{"unclosed section", "[a]\nhost = x.com\n[prod\ntoken = " + patA + "\n", " line 3: a section header without ]"},
		{"no delimiter, secret on the line", "[a]\n  token " + patA + "\n", " line 2: not a section, comment or key = value"},
		{"empty key", "[a]\n= " + patA + "\n", " line 2: a value without a key"},
		{"empty section name", "\n\n[]\n", " line 3: an empty section name"},
		{"unclosed multi-line value", "[a]\ntoken = \"\"\"" + patA + "\nmore\n", " line 2: a quoted value that is not closed"},
		{"unclosed quoted key", "[a]\n\"token = " + patA + "\n", " line 2: a quoted key that is not closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.content)
			_, err := Load(path)
			want := fmt.Sprintf("databricks config %q%s", path, tc.want)
			if err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
			checkNoSecret(t, err)
			if _, sdkErr := sdkconfig.LoadFile(path); sdkErr == nil {
				t.Errorf("the SDK reads the file")
			}
		})
	}
}

// A config with every host form, DEFAULT and injection attempts.
const sample = `; keys before any section are DEFAULT's
host = https://dbc-default.cloud.databricks.com/
token = ` + defaultPT + `

[aws]
host  = dbc-1a2b3c4d-5e6f.cloud.databricks.com
token = ` + patA + `

[azure]
host = https://ADB-1234567890123456.7.azuredatabricks.net/
client_id = 11111111-2222-3333-4444-555555555555
client_secret = "` + secretA + `"

[gcp]
host = https://1234567890123456.7.gcp.databricks.com:443
auth_type = pat
token = ` + patB + ` # a comment after a space

[account]
host = accounts.cloud.databricks.com
account_id = 0d26daa6-5e44-4c97-a497-ef015f91254a
client_id = svc
client_secret = ` + secretA + `

[empty]

[inherits-nothing]
host = dbc-other.cloud.databricks.com
other = ignored

[multi]
note = """a value
[over several lines]
token = not really"""
host = dbc-multi.cloud.databricks.com
joined = one \
  two

[evil-userinfo]
host = https://evil.example@dbc-target.cloud.databricks.com

[evil-path]
host = https://dbc-target.cloud.databricks.com/../x

[evil-escape]
host = dbc-target.cloud.databricks.com` + "\x1b[31m" + `

[evil-token-in-host]
host = https://me:hunter22@dbc-x.cloud.databricks.com
token = hunter22

[evil-control-in-token]
host = dbc-y.cloud.databricks.com
token = """dapi` + "\x07" + `bell"""

[bad-account-id]
host = accounts.azuredatabricks.net
account_id = ../../x
`

func TestProfiles(t *testing.T) {
	path := write(t, sample)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"DEFAULT", "aws", "azure", "gcp", "account", "inherits-nothing", "multi",
		"evil-userinfo", "evil-path", "evil-escape", "evil-token-in-host", "evil-control-in-token", "bad-account-id"}
	if got := f.Names(); !reflect.DeepEqual(got, wantNames) {
		t.Errorf("Names() = %q\nwant %q", got, wantNames)
	}
	q := func(s string) string { return fmt.Sprintf("databricks config %q %s", path, s) }
	for _, tc := range []struct {
		name    string
		want    Profile // compared field by field, unexported fields aside
		kind    Kind
		kindErr string
		account bool
		url     string // TokenURL, or its error
		err     string // Profile's error
	}{
		{name: "DEFAULT", want: Profile{Host: "dbc-default.cloud.databricks.com", Token: defaultPT}, kind: PAT,
			url: "https://dbc-default.cloud.databricks.com/oidc/v1/token"},
		{name: "aws", want: Profile{Host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com", Token: patA}, kind: PAT,
			url: "https://dbc-1a2b3c4d-5e6f.cloud.databricks.com/oidc/v1/token"},
		{name: "azure", want: Profile{Host: "adb-1234567890123456.7.azuredatabricks.net", ClientID: "11111111-2222-3333-4444-555555555555", ClientSecret: secretA},
			kind: OAuthM2M, url: "https://adb-1234567890123456.7.azuredatabricks.net/oidc/v1/token"},
		{name: "gcp", want: Profile{Host: "1234567890123456.7.gcp.databricks.com", Token: patB, AuthType: "pat"}, kind: PAT,
			url: "https://1234567890123456.7.gcp.databricks.com/oidc/v1/token"},
		{name: "account", want: Profile{Host: "accounts.cloud.databricks.com", AccountID: "0d26daa6-5e44-4c97-a497-ef015f91254a", ClientID: "svc", ClientSecret: secretA},
			kind: OAuthM2M, account: true, url: "https://accounts.cloud.databricks.com/oidc/accounts/0d26daa6-5e44-4c97-a497-ef015f91254a/v1/token"},
		{name: "inherits-nothing", want: Profile{Host: "dbc-other.cloud.databricks.com"}, kind: None,
			url: "https://dbc-other.cloud.databricks.com/oidc/v1/token"},
		{name: "multi", want: Profile{Host: "dbc-multi.cloud.databricks.com"}, kind: None,
			url: "https://dbc-multi.cloud.databricks.com/oidc/v1/token"},
		{name: "evil-userinfo", err: q(`line 40: profile "evil-userinfo": host "https://xxxxx@dbc-target.cloud.databricks.com": must not hold user info`)},
		{name: "evil-path", err: q(`line 43: profile "evil-path": host "https://dbc-target.cloud.databricks.com/../x": must not have a path`)},
		{name: "evil-escape", err: q(`line 46: profile "evil-escape": host "dbc-target.cloud.databricks.com\x1b[31m": holds a space, control or non-ASCII character`)},
		{name: "evil-token-in-host", err: q(`line 49: profile "evil-token-in-host": host "https://xxxxx@dbc-x.cloud.databricks.com": must not hold user info`)},
		{name: "evil-control-in-token", err: q(`line 54: profile "evil-control-in-token": token holds a control character (value not shown)`)},
		{name: "bad-account-id", err: q(`line 58: profile "bad-account-id": account_id "../../x" is not an account id (letters, digits and dashes)`)},
		{name: "empty", err: fmt.Sprintf(`databricks config %q: no profile "empty"; profiles: "DEFAULT", "account", "aws", "azure", "bad-account-id", "evil-control-in-token", "evil-escape", "evil-path", "evil-token-in-host", "evil-userinfo", "gcp", "inherits-nothing", "multi"`, path)},
		{name: "prod", err: fmt.Sprintf(`databricks config %q: no profile "prod"; profiles: "DEFAULT", "account", "aws", "azure", "bad-account-id", "evil-control-in-token", "evil-escape", "evil-path", "evil-token-in-host", "evil-userinfo", "gcp", "inherits-nothing", "multi"`, path)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.Profile(tc.name)
			checkNoSecret(t, err)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("error\n got %v\nwant %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := Profile{Name: p.Name, Host: p.Host, Token: p.Token, ClientID: p.ClientID, ClientSecret: p.ClientSecret, AccountID: p.AccountID, AuthType: p.AuthType}
			tc.want.Name = tc.name
			if !reflect.DeepEqual(fields(got), fields(tc.want)) {
				t.Errorf("profile\n got %q\nwant %q", fields(got), fields(tc.want))
			}
			kind, err := p.Credential()
			if kind != tc.kind || (err == nil) != (tc.kindErr == "") || err != nil && err.Error() != tc.kindErr {
				t.Errorf("Credential() = %v, %v; want %v, %q", kind, err, tc.kind, tc.kindErr)
			}
			if p.IsAccount() != tc.account {
				t.Errorf("IsAccount() = %v", p.IsAccount())
			}
			if u, err := p.TokenURL(); u != tc.url || err != nil {
				t.Errorf("TokenURL() = %q, %v; want %q", u, err, tc.url)
			}
		})
	}

	// The same values as the SDK's own loader (config.LoadFile).
	sdk, err := sdkconfig.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range sdk.Sections() {
		keys := sec.KeysHash()
		p, err := f.Profile(sec.Name())
		if err != nil {
			continue
		}
		for k, v := range map[string]string{"token": p.Token, "client_id": p.ClientID, "client_secret": p.ClientSecret, "account_id": p.AccountID, "auth_type": p.AuthType} {
			if keys[k] != v {
				t.Errorf("profile %s key %s: %q, the SDK reads %q", sec.Name(), k, v, keys[k])
			}
		}
	}

	secrets := f.Secrets()
	for _, want := range []string{defaultPT, patA, patB, secretA, "hunter22", "dapi\x07bell"} {
		found := false
		for _, s := range secrets {
			found = found || s == want
		}
		if !found {
			t.Errorf("Secrets() lacks %q", want)
		}
	}
}

func fields(p Profile) []string {
	return []string{p.Name, p.Host, p.Token, p.ClientID, p.ClientSecret, p.AccountID, p.AuthType}
}

func TestForHost(t *testing.T) {
	path := write(t, sample+`
[aws-again]
host = HTTPS://DBC-1A2B3C4D-5E6F.cloud.databricks.com:443/
token = `+patB+`

[query]
host = https://adb-999.9.azuredatabricks.net/?o=999
`)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host, want, err string
	}{
		{host: "adb-1234567890123456.7.azuredatabricks.net", want: "azure"},
		{host: "https://ADB-1234567890123456.7.azuredatabricks.net/", want: "azure"},
		{host: "1234567890123456.7.gcp.databricks.com:443", want: "gcp"},
		{host: "accounts.cloud.databricks.com", want: "account"},
		{host: "dbc-default.cloud.databricks.com", want: "DEFAULT"},
		{host: "dbc-unknown.cloud.databricks.com"},
		{host: "dbc-other.cloud.databricks.com:8443"},
		{host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com",
			err: fmt.Sprintf(`databricks config %q: host dbc-1a2b3c4d-5e6f.cloud.databricks.com is in several profiles, "aws", "aws-again"; name one`, path)},
		{host: "dbc-target.cloud.databricks.com",
			err: fmt.Sprintf(`databricks config %q line 40: profile "evil-userinfo": host "https://xxxxx@dbc-target.cloud.databricks.com": must not hold user info`, path)},
		{host: "adb-999.9.azuredatabricks.net",
			err: fmt.Sprintf(`databricks config %q line 65: profile "query": host "https://adb-999.9.azuredatabricks.net/?o=999": must not have a query`, path)},
		{host: "https://me:hunter22@x.com", err: `host "https://xxxxx@x.com": must not hold user info`},
		{host: "http://dbc-x.cloud.databricks.com", err: `host "http://dbc-x.cloud.databricks.com": must be https`},
	} {
		p, err := f.ForHost(tc.host)
		checkNoSecret(t, err)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("ForHost(%q) error\n got %v\nwant %s", tc.host, err, tc.err)
			}
		case err != nil:
			t.Errorf("ForHost(%q): %v", tc.host, err)
		case tc.want == "" && p != nil:
			t.Errorf("ForHost(%q) = %v, want none", tc.host, p)
		case tc.want != "" && (p == nil || p.Name != tc.want):
			t.Errorf("ForHost(%q) = %v, want %s", tc.host, p, tc.want)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "dbc-1a2b3c4d-5e6f.cloud.databricks.com", want: "dbc-1a2b3c4d-5e6f.cloud.databricks.com"},
		{in: "https://adb-1234567890123456.7.azuredatabricks.net/", want: "adb-1234567890123456.7.azuredatabricks.net"},
		{in: "HTTPS://1234567890123456.7.GCP.databricks.com:443", want: "1234567890123456.7.gcp.databricks.com"},
		{in: "accounts.azuredatabricks.net", want: "accounts.azuredatabricks.net"},
		{in: "https://accounts.gcp.databricks.com/", want: "accounts.gcp.databricks.com"},
		{in: "dbc-x.cloud.databricks.com:8443", want: "dbc-x.cloud.databricks.com:8443"},
		{in: "https://127.0.0.1:9443", want: "127.0.0.1:9443"},
		{in: "[::1]:9443", want: "[::1]:9443"},
		{in: "https://[::1]/", want: "[::1]"},
		{in: "", err: "empty"},
		{in: "http://dbc-x.cloud.databricks.com", err: "must be https"},
		{in: "ftp://dbc-x.cloud.databricks.com", err: "must be https"},
		{in: "https://evil.example@dbc-x.cloud.databricks.com", err: "must not hold user info"},
		{in: "https://dbc-x.cloud.databricks.com/../x", err: "must not have a path"},
		{in: "https://dbc-x.cloud.databricks.com//", err: "must not have a path"},
		{in: "https://dbc-x.cloud.databricks.com/api/2.0", err: "must not have a path"},
		{in: "https://dbc-x.cloud.databricks.com/?o=1", err: "must not have a query"},
		{in: "https://dbc-x.cloud.databricks.com?", err: "must not have a query"},
		{in: "https://dbc-x.cloud.databricks.com/#x", err: "must not have a fragment"},
		{in: "dbc-x.cloud.databricks.com\x1b[31m", err: "holds a space, control or non-ASCII character"},
		{in: "dbc-x.cloud.databricks.com\n", err: "holds a space, control or non-ASCII character"},
		{in: "dbc x.cloud.databricks.com", err: "holds a space, control or non-ASCII character"},
		{in: "dbc-ẋ.cloud.databricks.com", err: "holds a space, control or non-ASCII character"},
		{in: `dbc-x.cloud.databricks.com\x1b[31m`, err: "is not a host name"},
		{in: "https://", err: "has no host name"},
		{in: "//dbc-x.cloud.databricks.com", err: "has no host name"},
		{in: "dbc_x.cloud.databricks.com", err: "is not a host name"},
		{in: "-dbc.cloud.databricks.com", err: "is not a host name"},
		{in: "dbc..cloud.databricks.com", err: "is not a host name"},
		{in: "dbc-x.cloud.databricks.com:0", err: "has an invalid port"},
		{in: "dbc-x.cloud.databricks.com:99999", err: "has an invalid port"},
		{in: "dbc-x.cloud.databricks.com:https", err: "has an invalid port"},
		{in: "http:dbc-x.cloud.databricks.com", err: "has an invalid port"},
		{in: "::1", err: "needs brackets around its IPv6 address"},
	} {
		got, err := NormalizeHost(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestCredential(t *testing.T) {
	for _, tc := range []struct {
		name, keys string
		want       Kind
		err        string // after `databricks config "<path>" line 2: profile "p": `
	}{
		{"pat", "token = " + patA, PAT, ""},
		{"m2m", "client_id = id\nclient_secret = " + secretA, OAuthM2M, ""},
		{"nothing", "host = x.com", None, ""},
		{"both", "token = " + patA + "\nclient_id = id\nclient_secret = " + secretA, None,
			"more than one authorization method configured: oauth and pat; set auth_type"},
		{"both, auth_type oauth-m2m", "auth_type = oauth-m2m\ntoken = " + patA + "\nclient_id = id\nclient_secret = " + secretA, OAuthM2M, ""},
		{"both, auth_type pat", "auth_type = pat\ntoken = " + patA + "\nclient_id = id\nclient_secret = " + secretA, PAT, ""},
		{"auth_type pat without token", "auth_type = pat", None, `auth_type "pat" without a token`},
		{"auth_type m2m without secret", "auth_type = oauth-m2m\nclient_id = id", None, `auth_type "oauth-m2m" needs client_id and client_secret`},
		{"client_id alone", "client_id = id", None, "client_id without client_secret (only OAuth machine-to-machine is supported)"},
		{"client_secret alone", "client_secret = " + secretA, None, "client_secret without client_id"},
		{"other auth_type", "auth_type = databricks-cli\ntoken = " + patA, None, `auth_type "databricks-cli" is not supported (pat or oauth-m2m)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, "[p]\n"+tc.keys+"\n")
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.Profile("p")
			if err != nil {
				t.Fatal(err)
			}
			kind, err := p.Credential()
			checkNoSecret(t, err)
			if kind != tc.want {
				t.Errorf("kind %v, want %v", kind, tc.want)
			}
			if tc.err == "" && err != nil {
				t.Errorf("error %v", err)
			}
			if tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("databricks config %q line ", path)) ||
				!strings.HasSuffix(err.Error(), `: profile "p": `+tc.err)) {
				t.Errorf("error\n got %v\nwant %s", err, tc.err)
			}
		})
	}
}

func TestTokenURLErrors(t *testing.T) {
	path := write(t, "[nohost]\ntoken = "+patA+"\n[acct]\nhost = accounts.cloud.databricks.com\n")
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"nohost": fmt.Sprintf(`databricks config %q line 1: profile "nohost": no host`, path),
		"acct":   fmt.Sprintf(`databricks config %q line 4: profile "acct": account host accounts.cloud.databricks.com needs an account_id`, path),
	} {
		p, err := f.Profile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.TokenURL(); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
	}
}

func TestManyProfilesCapped(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "[p%02d]\nhost = h%d.com\n", i, i)
	}
	path := write(t, b.String())
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Profile("x\x1b[2J")
	want := fmt.Sprintf(`databricks config %q: no profile "x\x1b[2J"; profiles: "p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11", "p12", "p13", "p14", "p15", "p16", "p17", "p18", "p19", … 10 more`, path)
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}

func TestProfileNeverPrintsSecrets(t *testing.T) {
	p := Profile{Name: "p", Host: "h.com", Token: patA, ClientSecret: secretA}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		out = append(out, fmt.Sprintf(verb, p), fmt.Sprintf(verb, &p))
	}
	j, _ := json.Marshal(p)
	out = append(out, string(j))
	for _, s := range out {
		if strings.Contains(s, patA) || strings.Contains(s, secretA) || strings.Contains(s, "dapi") {
			t.Errorf("%q shows a secret", s)
		}
	}
	if got := fmt.Sprint(p); got != `profile "p" (h.com)` {
		t.Errorf("Sprint = %q", got)
	}
}
