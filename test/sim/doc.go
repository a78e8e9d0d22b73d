// Package sim is a faithful, in-process simulator of Databricks workspaces serving the
// Token API 2.0 (POST /api/2.0/token/create, GET /api/2.0/token/list,
// POST /api/2.0/token/delete), for the project's tests and for manual runs through
// cmd/sim.
//
// One Server listens on loopback (TLS with a CA generated at start, or plain HTTP) and
// serves any number of workspaces, told apart by Host/SNI
// "<deployment_name>.cloud.databricks.com". Clients reach them through
// Server.DialContext (or Server.Transport), which maps those names, on any port, to the
// listener, so a client keeps the production URL unchanged.
//
// The wire behaviour follows the project's Token API contract (token-api-contract.md):
// status codes, error envelopes, epoch-millisecond times, the 600-token quota, expiry
// and revocation. Tests shape responses further with Fault and assert on what was sent
// with Requests. Where the contract leaves a choice, the simulator answers:
//
//   - list with no valid tokens: {} (token_infos omitted, as proto-JSON omits empty lists);
//   - a body over 1 MiB: 413 REQUEST_ENTITY_TOO_LARGE, before auth (a front end refuses it);
//   - a wrong method on a token path: 405 METHOD_NOT_ALLOWED with Allow; an unknown
//     path: 404 ENDPOINT_NOT_FOUND "No API found for 'GET /token/lst'". Neither needs a
//     credential, since routing comes before auth;
//   - a Host or SNI that is not a served workspace: the handshake fails, or 421
//     MISDIRECTED_REQUEST when only the Host header is wrong;
//   - the bearer from Workspace.AddUser stands for the user's sign-in: it is not listed,
//     does not count against the quota and cannot be revoked. Tokens created through
//     the API (or Seed…) are the user's personal access tokens;
//   - revoking another user's token answers the same 404 as an unknown id;
//   - an empty create body is {}; unknown JSON fields are ignored.
//
// It must not reach the network (names it does not serve fail as unknown hosts do),
// persist anything, or reveal a secret: token values are stored only as SHA-256 hashes
// and the request log redacts anything shaped like a token. It simulates the token
// endpoints only.
package sim
