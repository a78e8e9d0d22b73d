// Package sim is a faithful, in-process simulator of Databricks workspaces serving the
// Token API 2.0, for the project's tests and for manual runs through cmd/sim.
//
// One Server listens on loopback (TLS with a CA generated at start, or plain HTTP) and
// serves any number of workspaces, told apart by Host/SNI: the workspace host,
// "<deployment_name>.cloud.databricks.com" (AWS),
// "adb-<workspace-id>.<n>.azuredatabricks.net" (Azure) or
// "<workspace-id>.<n>.gcp.databricks.com" (GCP), and the account consoles
// accounts.cloud.databricks.com, accounts.azuredatabricks.net and
// accounts.gcp.databricks.com, which serve OAuth only. Clients reach them through
// Server.DialContext (or Server.Transport, or the CONNECT proxy), which maps those
// names, on any port, to the listener, so a client keeps the production URL unchanged.
//
// # Wire contract
//
// Every API call authenticates with "Authorization: Bearer <token>", where the token is
// a personal access token or an OAuth access token (below). Bodies are JSON, except
// those of the OAuth token endpoints.
//
//   - POST /api/2.0/token/create {"lifetime_seconds":N,"comment":"…"}, both optional,
//     answers {"token_value":"dapi…","token_info":{…}}. An omitted lifetime is the
//     workspace maximum (730 days unless configured); 0, a negative lifetime or one
//     over the maximum is 400 INVALID_PARAMETER_VALUE.
//   - GET /api/2.0/token/list answers {"token_infos":[{…},…]}: the caller's valid
//     tokens, by creation_time then token_id.
//   - POST /api/2.0/token/delete {"token_id":"…"} answers {}. A missing token_id is 400
//     INVALID_PARAMETER_VALUE; an unknown, expired or revoked id is 404
//     RESOURCE_DOES_NOT_EXIST "No valid token with ID <id> found.".
//   - GET /api/2.0/permissions/authorization/tokens/permissionLevels answers, on every
//     workspace and to every authenticated user, {"permission_levels":[{"permission_level":
//     "CAN_USE","description":"Can create personal access tokens and use them to
//     authenticate to the workspace."}]}: CAN_USE is the only level the SDK's
//     TokenPermissionLevel names. The description is not documented for the API; the
//     simulator's is Databricks' meaning of CAN USE from its token permissions page,
//     paraphrased.
//   - Token management answers workspace admins only (Workspace.AddAdmin); anyone else
//     authenticated gets 403 {"error_code":"PERMISSION_DENIED","message":"Only Admins
//     can access token management APIs."}:
//   - GET /api/2.0/token-management/tokens[?created_by_id=N&created_by_username=U]
//     answers {"token_infos":[{…},…]}: every valid token of the workspace, whoever
//     owns it, by creation_time then token_id, only those created by that user when a
//     filter is given (both: both must hold; an empty value does not filter). {} when
//     none matches. A created_by_id that is not an integer is 400
//     INVALID_PARAMETER_VALUE "Invalid value for created_by_id: <v>".
//   - GET /api/2.0/token-management/tokens/{token_id} answers {"token_info":{…}};
//     DELETE on it revokes the token, whoever owns it, and answers {}. An unknown,
//     expired or revoked id is 404 RESOURCE_DOES_NOT_EXIST "No valid token with ID
//     <id> found.". Allow is "DELETE, GET".
//   - POST /api/2.0/token-management/on-behalf-of/tokens {"application_id":"…",
//     "comment":"…","lifetime_seconds":N} creates a token owned by the service
//     principal with that application ID (Workspace.AddServicePrincipal), created by
//     the admin, and answers {"token_info":{…},"token_value":"dapi…"}. Lifetime and
//     comment are checked as create checks them, and the quota is the service
//     principal's. A missing application_id is 400 INVALID_PARAMETER_VALUE "Missing
//     required field: application_id"; an unknown one is 404 RESOURCE_DOES_NOT_EXIST
//     "Service principal with application ID <id> does not exist.".
//   - GET /api/2.0/permissions/authorization/tokens answers, to admins only (anyone
//     else authenticated: 403 PERMISSION_DENIED "Only workspace admins can read or
//     change the permissions on tokens."), {"object_id":"authorization/tokens",
//     "object_type":"tokens","access_control_list":[…]}: first {"group_name":"admins",
//     "all_permissions":[{"permission_level":"CAN_MANAGE","inherited":false}]}, then
//     one entry per direct grant, groups, then users ("user_name" and "display_name",
//     the user name), then service principals ("service_principal_name", the
//     application ID, and "display_name", its name), each by name, with all_permissions
//     of one CAN_USE, not inherited. A new workspace grants the
//     users group CAN_USE, so every user may create tokens, as in a new Databricks
//     workspace. PUT {"access_control_list":[{"user_name"|"group_name"|
//     "service_principal_name":…,"permission_level":"CAN_USE"},…]} makes the list
//     every direct grant (an empty or absent list leaves only admins); PATCH grants
//     the list's principals and keeps the others; both answer as GET. The list is
//     checked whole before anything changes; each entry must set exactly one
//     principal, which must exist (the groups are admins and users, a user is a user
//     or admin name, a service principal its application ID: otherwise 400
//     INVALID_PARAMETER_VALUE "Principal: UserName(<name>) does not exist", or
//     GroupName(…), ServicePrincipalName(…), the Permissions API's wording), with
//     CAN_USE; CAN_MANAGE is accepted only for the admins group, where it changes
//     nothing, and anything else is 400 INVALID_PARAMETER_VALUE. Allow is "GET, PATCH,
//     PUT".
//   - POST /api/2.0/token/create needs CAN_USE: a caller who is not an admin and is
//     granted CAN_USE neither directly nor through the users group (of which every
//     principal is a member) gets 403 {"error_code":"PERMISSION_DENIED","message":
//     "<name> does not have permission to use tokens: CAN_USE on tokens is
//     required."}. Nothing else is gated: taking CAN_USE away neither revokes a
//     principal's tokens nor stops them authenticating (Databricks does both), and
//     on-behalf-of tokens are created whatever the service principal's grant.
//
// OAuth machine-to-machine (client credentials), as Databricks serves it. A service
// principal with a secret (Server.AddServicePrincipal) belongs to an account
// (DefaultAccountID unless set; a workspace's account is WorkspaceOptions.AccountID)
// and is a member of the workspaces it is assigned to (Workspace.Assign), as a plain
// user or an admin:
//
//   - GET /oidc/.well-known/oauth-authorization-server on a workspace, no credential
//     needed, answers the RFC 8414 metadata {"issuer":"https://<host>/oidc",
//     "authorization_endpoint":"https://<host>/oidc/v1/authorize","token_endpoint":
//     "https://<host>/oidc/v1/token","grant_types_supported":["client_credentials"],
//     "response_types_supported":["code"],"scopes_supported":["all-apis"],
//     "token_endpoint_auth_methods_supported":["client_secret_basic",
//     "client_secret_post"]}. The URLs carry the port when the Host header does; the
//     lists are the simulator's (it serves client credentials only: the authorize
//     endpoint is named, as Databricks names it, but not served). An account console
//     answers the same at
//     /oidc/accounts/<account_id>/.well-known/oauth-authorization-server with
//     "/oidc/accounts/<account_id>" in place of "/oidc", for any account ID.
//   - POST /oidc/v1/token on a workspace, Content-Type application/x-www-form-urlencoded,
//     grant_type=client_credentials&scope=all-apis, the client authenticated by HTTP
//     Basic client_id:client_secret (each form-urlencoded first, per RFC 6749 2.3.1) or
//     by client_id and client_secret form fields, answers 200 {"access_token":"…",
//     "token_type":"Bearer","expires_in":3600,"scope":"all-apis"} with Cache-Control:
//     no-store. The access token authenticates in that workspace only. POST
//     /oidc/accounts/<account_id>/v1/token on an account console does the same for the
//     account's principals, and its token authenticates in every workspace of that
//     account on that console's cloud to which the principal is assigned at the time of
//     the call (the cloud check is the simulator's: an account lives on one cloud). An
//     omitted scope is all-apis (RFC 6749 3.3 lets a server default it; the simulator's
//     choice).
//   - The request is checked in this order. Not form-encoded, a parameter repeated,
//     Basic and a client_secret field both, or a client_id field differing from
//     Basic's: 400 {"error":"invalid_request",…}. No client authentication, an unknown
//     client, a wrong secret, a principal of another account, or (at a workspace) one
//     not assigned to it: 401 {"error":"invalid_client","error_description":"Client
//     authentication failed"} with WWW-Authenticate: Basic realm="oidc", one answer
//     for all so a caller learns nothing about which client IDs exist. No grant_type: 400
//     invalid_request; another grant type: 400 unsupported_grant_type; a scope other
//     than all-apis: 400 invalid_scope. Another method: 405 METHOD_NOT_ALLOWED with
//     Allow: POST, as on the other paths. The error descriptions but invalid_client's,
//     and the answer for a principal not assigned to the workspace, are the
//     simulator's own (Databricks documents neither).
//   - An access token is a JWT, as Databricks' are, but HS256-signed with a key of the
//     server and with the simulator's claims (iss, sub and client_id: the application
//     ID, scope, iat, exp, jti); clients must treat it as opaque. It is valid for
//     Config.AccessTokenTTL (default 3600 s, as expires_in says) by the server's clock
//     (Config.Now), so tests advance a Clock rather than wait. Expired, unknown or used
//     where it is not valid, it answers the 403 of an invalid token. It authenticates
//     as the service principal, with its role in that workspace: token management and
//     token permissions answer it as they answer that user or admin, and
//     /api/2.0/token/list lists the principal's own tokens (on-behalf-of tokens
//     included). It is not a personal access token: not listed, not revocable, and it
//     does not count against the quota.
//
// A token management token_info is {"token_id","comment","creation_time",
// "expiry_time","created_by_id","created_by_username","owner_id","workspace_id",
// "last_used_day"} (databricks-sdk-go's settings.TokenInfo): created_by_* name who
// created the token (through /token/create the owner itself, on behalf of a service
// principal the admin), owner_id who owns it; user IDs and workspace_id are 16-digit
// numbers derived from the user's or the deployment's name (WorkspaceOptions.WorkspaceID
// sets the latter), so they are the same on every run and a user has the same ID in
// every workspace. last_used_day is the start (UTC, epoch ms) of the last day the token
// authenticated a request, omitted while it never has. Users are plain users
// (Workspace.AddUser), workspace admins or service principals; the Token API
// (/api/2.0/token/*) works alike for all three and its token_info is unchanged.
//
// A token_info is {"token_id","creation_time","expiry_time","comment"}: token_id is 64
// lowercase hex characters, token_value (shown only by create) is "dapi" and 32
// lowercase hex characters, times are epoch milliseconds, and expiry_time is -1 for a
// token that never expires (only tokens from before lifetimes were mandatory). A new
// token's expiry_time is creation_time + lifetime_seconds×1000; from that instant it
// no longer authenticates, is not listed and cannot be revoked.
//
// Errors are {"error_code":"UPPER_SNAKE_CASE","message":"…"}, except authentication:
// no Bearer credential is 401 and an unknown, revoked or expired one is 403, each with
// the HTTP status as a number in error_code. A user may hold 600 valid tokens
// (WorkspaceOptions.QuotaPerUser changes it); the 601st create is 400 QUOTA_EXCEEDED
// "Cannot create more than 600 tokens.". Expired and revoked tokens do not count.
//
// Tests shape responses further with Fault and assert on what was sent with Requests.
// Where Databricks' documentation leaves a choice, the simulator answers:
//
//   - list with no valid tokens: {} (token_infos omitted, as proto-JSON omits empty lists);
//   - a body over 1 MiB, on any path: 413 REQUEST_ENTITY_TOO_LARGE, before auth (a front
//     end refuses it);
//   - a body that does not arrive whole (shorter than its Content-Length, a chunked
//     stream that never ends, a client that leaves, or not in within
//     Config.BodyReadTimeout, 10s by default): nothing is done and the connection is
//     closed without an answer. A request is never acted on before its whole body is in;
//   - a wrong method on a served path: 405 METHOD_NOT_ALLOWED with Allow; an unknown
//     path: 404 ENDPOINT_NOT_FOUND "No API found for 'GET /token/lst'". Neither needs a
//     credential, since routing comes before auth;
//   - a Host or SNI that is not a served workspace or account console: the handshake
//     fails, or 421 MISDIRECTED_REQUEST when only the Host header is wrong. An account
//     console answers any other path with 404 ENDPOINT_NOT_FOUND;
//   - the bearer from Workspace.AddUser stands for the user's sign-in: it is not listed,
//     does not count against the quota and cannot be revoked. Tokens created through
//     the API (or Seed…) are the user's personal access tokens;
//   - revoking another user's token answers the same 404 as an unknown id (through
//     the Token API; token management revokes anyone's);
//   - the 403 message of token management and the 404 message for an unknown
//     application ID are not documented; the simulator's are its own wording, as are
//     the 403 messages of token permissions and of create without CAN_USE, and the
//     400 messages of token permissions other than an unknown principal's;
//   - the admins group's CAN_MANAGE is shown as a direct permission (inherited false),
//     not inherited: Databricks documents it as the admins group's by default and
//     irrevocable, not where it comes from;
//   - a body must be exactly one JSON object: anything else (null, an array, a string,
//     a number, a boolean, a syntax error, data after the object) is 400
//     MALFORMED_REQUEST, as is a field of the wrong type. An empty body is {}; unknown
//     fields are ignored;
//   - a comment over MaxCommentLength (1000) characters is 400 INVALID_PARAMETER_VALUE;
//   - text a client chose (path, method, host, token_id, a JSON literal) is quoted back
//     in messages and the request log only up to 1 KiB, then "…(N bytes)".
//
// It must not reach the network (names it does not serve fail as unknown hosts do),
// persist anything, or reveal a secret: token values, client secrets and access tokens
// are stored only as SHA-256 hashes; the request log never holds headers (so no Basic
// credential) and redacts anything shaped like a token, an access token (a JWT) or an
// OAuth secret ("dose" and 32 hex), and the value of every client_secret field of a
// form or JSON body or a query. Token requests are logged like other requests (method,
// host, path, status), so tests can count them. It simulates the token endpoints, the
// tokens' permission levels and permissions, token management and the OAuth client
// credentials grant only.
package sim
