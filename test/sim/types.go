package sim

import "fmt"

// TokenInfo describes one personal access token on the wire. Field order follows the
// legacy CLI output so an encoded value reads like the documentation's examples.
type TokenInfo struct {
	TokenID      string `json:"token_id"`
	CreationTime int64  `json:"creation_time"` // epoch milliseconds
	ExpiryTime   int64  `json:"expiry_time"`   // epoch milliseconds; -1 never expires (legacy tokens only)
	Comment      string `json:"comment,omitempty"`
}

// CreateTokenRequest is the body of POST /api/2.0/token/create.
type CreateTokenRequest struct {
	// LifetimeSeconds is a pointer because an omitted lifetime (workspace maximum) and an
	// explicit 0 (rejected) mean different things.
	LifetimeSeconds *int64 `json:"lifetime_seconds,omitempty"`
	Comment         string `json:"comment,omitempty"`
}

// CreateTokenResponse is the body of a successful create: the only time the value is shown.
type CreateTokenResponse struct {
	TokenValue string    `json:"token_value"`
	TokenInfo  TokenInfo `json:"token_info"`
}

// ListTokensResponse is the body of GET /api/2.0/token/list. The key is omitted when the
// caller has no valid tokens, as Databricks' proto-JSON encoding omits empty lists.
type ListTokensResponse struct {
	TokenInfos []TokenInfo `json:"token_infos,omitempty"`
}

// RevokeTokenRequest is the body of POST /api/2.0/token/delete.
type RevokeTokenRequest struct {
	TokenID string `json:"token_id"`
}

// RevokeTokenResponse is the body of a successful delete: always {}.
type RevokeTokenResponse struct{}

// TokenPermissionsDescription is one permission level on tokens and what it allows.
type TokenPermissionsDescription struct {
	PermissionLevel string `json:"permission_level"`
	Description     string `json:"description"`
}

// GetTokenPermissionLevelsResponse is the body of GET
// /api/2.0/permissions/authorization/tokens/permissionLevels.
type GetTokenPermissionLevelsResponse struct {
	PermissionLevels []TokenPermissionsDescription `json:"permission_levels"`
}

// Token permission levels the simulator answers with: CAN_USE, the only level the
// permission-levels endpoint names (databricks-sdk-go's TokenPermissionLevel).
const (
	PermissionLevelCanUse       = "CAN_USE"
	PermissionLevelCanUseDetail = "Can create personal access tokens and use them to authenticate to the workspace."
)

// tokenPermissionLevels is the answer of every workspace to the permission-levels path.
var tokenPermissionLevels = GetTokenPermissionLevelsResponse{PermissionLevels: []TokenPermissionsDescription{
	{PermissionLevel: PermissionLevelCanUse, Description: PermissionLevelCanUseDetail},
}}

// ManagedTokenInfo is a token as token management (/api/2.0/token-management/…) shows
// it: the Token API's fields and who created it, who owns it, where and when it was
// last used (databricks-sdk-go's settings.TokenInfo).
type ManagedTokenInfo struct {
	TokenID           string `json:"token_id"`
	Comment           string `json:"comment,omitempty"`
	CreationTime      int64  `json:"creation_time"`
	ExpiryTime        int64  `json:"expiry_time"` // -1 never expires (legacy tokens only)
	CreatedByID       int64  `json:"created_by_id"`
	CreatedByUsername string `json:"created_by_username"`
	OwnerID           int64  `json:"owner_id"`
	WorkspaceID       int64  `json:"workspace_id"`
	LastUsedDay       int64  `json:"last_used_day,omitempty"` // start of the day (UTC, epoch ms); omitted if never used
}

// ListManagedTokensResponse is the body of GET /api/2.0/token-management/tokens; the
// key is omitted when no token matches, as in ListTokensResponse.
type ListManagedTokensResponse struct {
	TokenInfos []ManagedTokenInfo `json:"token_infos,omitempty"`
}

// GetTokenResponse is the body of GET /api/2.0/token-management/tokens/{token_id}.
type GetTokenResponse struct {
	TokenInfo ManagedTokenInfo `json:"token_info"`
}

// CreateOboTokenRequest is the body of POST /api/2.0/token-management/on-behalf-of/tokens.
type CreateOboTokenRequest struct {
	ApplicationID   string `json:"application_id"`
	Comment         string `json:"comment,omitempty"`
	LifetimeSeconds *int64 `json:"lifetime_seconds,omitempty"` // as in CreateTokenRequest
}

// CreateOboTokenResponse is the body of a successful on-behalf-of create.
type CreateOboTokenResponse struct {
	TokenInfo  ManagedTokenInfo `json:"token_info"`
	TokenValue string           `json:"token_value"`
}

// TokenPermission is one permission of a principal on tokens. Inherited is always
// sent, as Databricks sends it; InheritedFromObject only when inherited.
type TokenPermission struct {
	PermissionLevel     string   `json:"permission_level"`
	Inherited           bool     `json:"inherited"`
	InheritedFromObject []string `json:"inherited_from_object,omitempty"`
}

// TokenAccessControlResponse is the permissions of one principal on tokens: exactly
// one of GroupName, UserName and ServicePrincipalName (an application ID) is set.
type TokenAccessControlResponse struct {
	UserName             string            `json:"user_name,omitempty"`
	GroupName            string            `json:"group_name,omitempty"`
	ServicePrincipalName string            `json:"service_principal_name,omitempty"`
	DisplayName          string            `json:"display_name,omitempty"`
	AllPermissions       []TokenPermission `json:"all_permissions"`
}

// TokenPermissions is the body of GET, PUT and PATCH
// /api/2.0/permissions/authorization/tokens (databricks-sdk-go's
// settings.TokenPermissions).
type TokenPermissions struct {
	ObjectID          string                       `json:"object_id"`
	ObjectType        string                       `json:"object_type"`
	AccessControlList []TokenAccessControlResponse `json:"access_control_list"`
}

// TokenAccessControlRequest is one grant of a PUT or PATCH.
type TokenAccessControlRequest struct {
	UserName             string `json:"user_name,omitempty"`
	GroupName            string `json:"group_name,omitempty"`
	ServicePrincipalName string `json:"service_principal_name,omitempty"`
	PermissionLevel      string `json:"permission_level,omitempty"`
}

// TokenPermissionsRequest is the body of PUT and PATCH
// /api/2.0/permissions/authorization/tokens.
type TokenPermissionsRequest struct {
	AccessControlList []TokenAccessControlRequest `json:"access_control_list"`
}

// ErrorResponse is the error envelope: {"error_code":"UPPER_SNAKE","message":"…"}.
type ErrorResponse struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// authErrorResponse is the envelope of 401 and 403 on the token path, where Databricks
// sends the HTTP status as a number in error_code.
type authErrorResponse struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

// Error is an API failure as a workspace reports it. Code is empty for the
// authentication failures, whose envelope carries the numeric status instead.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("%d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Error codes the simulator answers with.
const (
	CodeInvalidParameterValue = "INVALID_PARAMETER_VALUE"
	CodeMalformedRequest      = "MALFORMED_REQUEST"
	CodeQuotaExceeded         = "QUOTA_EXCEEDED"
	CodeResourceDoesNotExist  = "RESOURCE_DOES_NOT_EXIST"
	CodeEndpointNotFound      = "ENDPOINT_NOT_FOUND"
	CodeMethodNotAllowed      = "METHOD_NOT_ALLOWED"
	CodeRequestTooLarge       = "REQUEST_ENTITY_TOO_LARGE"
	CodeRequestLimitExceeded  = "REQUEST_LIMIT_EXCEEDED"
	CodeTemporarilyUnavail    = "TEMPORARILY_UNAVAILABLE"
	CodeMisdirectedRequest    = "MISDIRECTED_REQUEST"
	CodePermissionDenied      = "PERMISSION_DENIED"
)

// Messages fixed by the contract.
const (
	msgMissingCredential = "Credential was not sent or was of an unsupported type for this API."
	msgInvalidToken      = "Invalid access token."
	msgAdminsOnly        = "Only Admins can access token management APIs."
	msgAdminsOnlyACL     = "Only workspace admins can read or change the permissions on tokens."
)
