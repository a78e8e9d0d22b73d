package sim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// awsSuffix is the AWS workspace domain. A bare DNS label given to AddWorkspace or
// Workspace is shorthand for "<label>.cloud.databricks.com".
const awsSuffix = ".cloud.databricks.com"

// Workspace host names of each cloud, as Databricks assigns them: an AWS workspace
// is "<name>.cloud.databricks.com"; Azure's is "adb-<workspace-id>.<n>.azuredatabricks.net"
// and GCP's "<workspace-id>.<n>.gcp.databricks.com", where n is a small shard number.
var (
	awsHost   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)\.cloud\.databricks\.com$`)
	azureHost = regexp.MustCompile(`^adb-([0-9]{1,19})\.[0-9]{1,2}\.azuredatabricks\.net$`)
	gcpHost   = regexp.MustCompile(`^([0-9]{1,19})\.[0-9]{1,2}\.gcp\.databricks\.com$`)
)

// Cloud is where a workspace runs, as its host name tells.
type Cloud string

const (
	AWS   Cloud = "aws"
	Azure Cloud = "azure"
	GCP   Cloud = "gcp"
)

// accountHosts are the account consoles, one per cloud: they serve the account-level
// OAuth token endpoint to every account (see Server.AddServicePrincipal).
var accountHosts = map[string]Cloud{
	"accounts.cloud.databricks.com": AWS,
	"accounts.azuredatabricks.net":  Azure,
	"accounts.gcp.databricks.com":   GCP,
}

// workspaceHost turns a name given to AddWorkspace into the workspace host: a bare DNS
// label is an AWS deployment name; anything else must be a well-formed workspace host
// of one of the three clouds. It also returns the workspace ID the host carries (Azure
// and GCP hosts hold it; 0 otherwise).
func workspaceHost(name string) (host string, cloud Cloud, id int64, err error) {
	host = name
	if isDNSLabel(host) {
		host += awsSuffix
	}
	if _, ok := accountHosts[host]; ok {
		return "", "", 0, fmt.Errorf("workspace %q: %s is the account console's host, not a workspace's", name, host)
	}
	switch {
	case awsHost.MatchString(host):
		return host, AWS, 0, nil
	case azureHost.MatchString(host):
		cloud = Azure
		id, err = strconv.ParseInt(azureHost.FindStringSubmatch(host)[1], 10, 64)
	case gcpHost.MatchString(host):
		cloud = GCP
		id, err = strconv.ParseInt(gcpHost.FindStringSubmatch(host)[1], 10, 64)
	default:
		return "", "", 0, fmt.Errorf("workspace %q is neither a DNS label (an AWS deployment name) nor a workspace host: <name>%s, adb-<workspace-id>.<n>.azuredatabricks.net or <workspace-id>.<n>.gcp.databricks.com", name, awsSuffix)
	}
	if err != nil || id <= 0 {
		return "", "", 0, fmt.Errorf("workspace %q: the workspace ID in the host is not a positive 64-bit integer", name)
	}
	return host, cloud, id, nil
}

// isDNSLabel reports whether s is one DNS label: [a-z0-9-], 1–63 characters, no
// leading or trailing hyphen.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// lookupKey is the host a workspace is filed under, for a name or host given by a
// caller; "" when it cannot be one.
func lookupKey(name string) string {
	host := canonicalHost(name)
	if isDNSLabel(host) {
		return host + awsSuffix
	}
	if strings.ContainsAny(host, "/@:") {
		return ""
	}
	return host
}
