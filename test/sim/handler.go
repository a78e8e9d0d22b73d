package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Paths the simulator serves.
const (
	PathCreate     = "/api/2.0/token/create"
	PathList       = "/api/2.0/token/list"
	PathDelete     = "/api/2.0/token/delete"
	PathHostConfig = "/.well-known/databricks-config"
	// PathPermissionLevels lists the permission levels a user can have on tokens.
	PathPermissionLevels = "/api/2.0/permissions/authorization/tokens/permissionLevels"
	// PathManagedTokens lists every token of the workspace (admins only); one token is
	// PathManagedTokens + "/" + token_id (GET, DELETE).
	PathManagedTokens = "/api/2.0/token-management/tokens"
	// PathTokenPermissions is who may use tokens: GET reads it, PUT replaces the direct
	// grants, PATCH adds to them (admins only).
	PathTokenPermissions = "/api/2.0/permissions/authorization/tokens"
	// PathOboTokens creates a token on behalf of a service principal (admins only).
	PathOboTokens = "/api/2.0/token-management/on-behalf-of/tokens"
	// PathOAuthDiscovery is a workspace's OAuth authorization server metadata (GET, no
	// credential).
	PathOAuthDiscovery = "/oidc/.well-known/oauth-authorization-server"
	// PathOAuthToken is a workspace's OAuth token endpoint (POST, client credentials).
	// An account's is "/oidc/accounts/<account_id>/v1/token" on an account console host.
	PathOAuthToken = "/oidc/v1/token"
)

// managedTokenID is the token_id of a PathManagedTokens + "/{token_id}" path: one
// non-empty segment.
func managedTokenID(path string) (string, bool) {
	id, ok := strings.CutPrefix(path, PathManagedTokens+"/")
	return id, ok && id != "" && !strings.Contains(id, "/")
}

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 1 << 20

// reply is a response before it is written, so faults can reshape it.
type reply struct {
	status      int
	body        []byte
	header      http.Header // extra headers
	contentType string      // default application/json
	buf         *listBuffer // returned to the pool once the reply is written
}

// serveHTTP serves every workspace and the account consoles. Order: host → whole body
// (size, time) → fault → route → method → auth → body. Routing precedes auth, so 404
// and 405 need no credential; the OAuth endpoints authenticate the client themselves.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	host := canonicalHost(hostOnly(r.Host))
	entry := Request{Method: logText(r.Method), Host: logText(host), Path: logText(r.URL.Path), Query: logText(r.URL.RawQuery)}

	// A request must name a served workspace or account console, and over TLS the same
	// one the handshake did.
	ws := s.workspaceForHost(host)
	_, account := accountHosts[host]
	misdirected := ""
	if ws == nil && !account {
		misdirected = fmt.Sprintf("No workspace is served at %s.", echo(host))
	} else if r.TLS != nil && r.TLS.ServerName != "" && canonicalHost(r.TLS.ServerName) != host {
		misdirected = fmt.Sprintf("Host %s does not match the TLS server name %s.", echo(host), echo(canonicalHost(r.TLS.ServerName)))
	}
	if misdirected != "" {
		s.finish(w, &entry, errorReply(&Error{Status: http.StatusMisdirectedRequest, Code: CodeMisdirectedRequest, Message: misdirected}))
		return
	}

	body, err := s.readBody(w, r)
	tooLarge := errors.Is(err, errBodyTooLarge)
	if err != nil && !tooLarge {
		// The body did not arrive whole: cut short, the client gone, or too slow. Nothing
		// is done with a request that never fully arrived, not even a fault, and there is
		// nobody (or no time) left to answer, so the connection is closed.
		s.log.add(entry)
		drop(w)
		return
	}
	if !tooLarge {
		entry.Body = logBody(body)
	}

	f, faulted := s.faults.take(host, r.Method, r.URL.Path)
	if faulted && f.Arrived != nil {
		select {
		case f.Arrived <- struct{}{}:
		default:
		}
	}
	if faulted && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			// The client gave up first. Returning would let net/http send an empty 200;
			// close instead, so nothing that looks like an answer is ever sent.
			s.log.add(entry)
			drop(w)
			return
		}
	}
	if faulted && f.Drop {
		s.log.add(entry)
		drop(w)
		return
	}

	var rep reply
	switch {
	case faulted && f.Status != 0:
		rep = faultReply(f)
	case tooLarge:
		rep = errorReply(&Error{Status: http.StatusRequestEntityTooLarge, Code: CodeRequestTooLarge,
			Message: fmt.Sprintf("Request body exceeds the limit of %d bytes.", MaxBodyBytes)})
	case ws == nil:
		rep = s.routeAccount(host, r, body)
	default:
		rep = s.route(ws, r, body)
	}
	if faulted {
		rep = shape(rep, f)
	}
	s.finish(w, &entry, rep)
}

// route dispatches a request that passed the host, size and fault checks.
func (s *Server) route(ws *Workspace, r *http.Request, body []byte) reply {
	var method string // the allowed methods, as Allow lists them
	tokenID, oneToken := managedTokenID(r.URL.Path)
	switch r.URL.Path {
	case PathCreate, PathDelete, PathOboTokens:
		method = http.MethodPost
	case PathList, PathPermissionLevels, PathManagedTokens:
		method = http.MethodGet
	case PathTokenPermissions:
		method = http.MethodGet + ", " + http.MethodPatch + ", " + http.MethodPut
	case PathOAuthToken:
		method = http.MethodPost
	case PathOAuthDiscovery:
		method = http.MethodGet
	case PathHostConfig:
		// Newer SDKs probe this before any call; a workspace without it answers 404 JSON.
		return errorReply(&Error{Status: http.StatusNotFound, Code: CodeEndpointNotFound,
			Message: "No API found for '" + echo(r.Method) + " " + PathHostConfig + "'"})
	default:
		if oneToken {
			method = http.MethodDelete + ", " + http.MethodGet
			break
		}
		return errorReply(&Error{Status: http.StatusNotFound, Code: CodeEndpointNotFound,
			Message: "No API found for '" + echo(r.Method) + " " + echo(apiRelative(r.URL.Path)) + "'"})
	}
	if rep, ok := methodNotAllowed(r, method); !ok {
		return rep
	}

	now := s.nowMillis()
	switch r.URL.Path { // OAuth: no bearer credential
	case PathOAuthDiscovery:
		return jsonReply(http.StatusOK, oauthMetadata(s.baseURL(r), "/oidc"))
	case PathOAuthToken:
		return s.issueAccessToken(r, body, ws, ws.account, ws.cloud, now)
	}
	u, apiErr := s.authenticate(ws, r, now)
	if apiErr != nil {
		return errorReply(apiErr)
	}
	if oneToken || r.URL.Path == PathManagedTokens || r.URL.Path == PathOboTokens {
		if apiErr := requireAdmin(u); apiErr != nil {
			return errorReply(apiErr)
		}
		return manage(ws, r, body, tokenID, u, now)
	}
	if r.URL.Path == PathTokenPermissions {
		return tokenPermissionsReply(ws, r, body, u)
	}
	switch r.URL.Path {
	case PathCreate:
		var req CreateTokenRequest
		if apiErr := decodeBody(body, &req); apiErr != nil {
			return errorReply(apiErr)
		}
		resp, apiErr := ws.create(u, req, now)
		if apiErr != nil {
			return errorReply(apiErr)
		}
		return jsonReply(http.StatusOK, resp)
	case PathDelete:
		var req RevokeTokenRequest
		if apiErr := decodeBody(body, &req); apiErr != nil {
			return errorReply(apiErr)
		}
		if req.TokenID == "" {
			return errorReply(&Error{Status: http.StatusBadRequest, Code: CodeInvalidParameterValue,
				Message: "Missing required field: token_id"})
		}
		if apiErr := ws.revoke(u, req.TokenID, now); apiErr != nil {
			return errorReply(apiErr)
		}
		return reply{status: http.StatusOK, body: []byte("{}")}
	case PathPermissionLevels:
		return jsonReply(http.StatusOK, tokenPermissionLevels)
	default: // PathList
		return listReply(ws, u, now)
	}
}

// methodNotAllowed is the 405 for a method not among allowed (", "-separated), with
// Allow; ok when the method is allowed.
func methodNotAllowed(r *http.Request, allowed string) (rep reply, ok bool) {
	if slices.Contains(strings.Split(allowed, ", "), r.Method) {
		return reply{}, true
	}
	rep = errorReply(&Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
		Message: "HTTP method " + echo(r.Method) + " is not supported by this URL"})
	rep.header = http.Header{"Allow": {allowed}}
	return rep, false
}

// manage serves token management for an admin.
func manage(ws *Workspace, r *http.Request, body []byte, tokenID string, admin *user, now int64) reply {
	switch {
	case r.URL.Path == PathManagedTokens:
		var f tokenFilter
		q := r.URL.Query()
		if v := q.Get("created_by_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errorReply(&Error{Status: http.StatusBadRequest, Code: CodeInvalidParameterValue,
					Message: "Invalid value for created_by_id: " + echo(v)})
			}
			f.createdByID = id
		}
		f.createdByUsername = q.Get("created_by_username")
		return jsonReply(http.StatusOK, ListManagedTokensResponse{TokenInfos: ws.listAll(f, now)})
	case r.URL.Path == PathOboTokens:
		var req CreateOboTokenRequest
		if apiErr := decodeBody(body, &req); apiErr != nil {
			return errorReply(apiErr)
		}
		resp, apiErr := ws.createObo(admin, req, now)
		if apiErr != nil {
			return errorReply(apiErr)
		}
		return jsonReply(http.StatusOK, resp)
	case r.Method == http.MethodGet:
		info, apiErr := ws.getToken(tokenID, now)
		if apiErr != nil {
			return errorReply(apiErr)
		}
		return jsonReply(http.StatusOK, GetTokenResponse{TokenInfo: info})
	default: // DELETE
		if apiErr := ws.deleteToken(tokenID, now); apiErr != nil {
			return errorReply(apiErr)
		}
		return reply{status: http.StatusOK, body: []byte("{}")}
	}
}

// tokenPermissionsReply serves PathTokenPermissions: admins only.
func tokenPermissionsReply(ws *Workspace, r *http.Request, body []byte, u *user) reply {
	if u.role != RoleAdmin {
		return errorReply(&Error{Status: http.StatusForbidden, Code: CodePermissionDenied, Message: msgAdminsOnlyACL})
	}
	if r.Method == http.MethodGet {
		return jsonReply(http.StatusOK, ws.tokenPermissions())
	}
	var req TokenPermissionsRequest
	if apiErr := decodeBody(body, &req); apiErr != nil {
		return errorReply(apiErr)
	}
	p, apiErr := ws.setTokenPermissions(req, r.Method == http.MethodPut)
	if apiErr != nil {
		return errorReply(apiErr)
	}
	return jsonReply(http.StatusOK, p)
}

// authenticate applies the contract: no usable Bearer credential → 401 with a numeric
// error_code; a bearer that is unknown, revoked or expired → 403.
func (s *Server) authenticate(ws *Workspace, r *http.Request, now int64) (*user, *Error) {
	scheme, bearer, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	bearer = strings.TrimSpace(bearer)
	if !strings.EqualFold(scheme, "Bearer") || bearer == "" {
		return nil, &Error{Status: http.StatusUnauthorized, Message: msgMissingCredential}
	}
	return ws.authenticate(bearer, now)
}

// Messages of MALFORMED_REQUEST.
const (
	msgUnparsable  = "Invalid JSON given in the body of the request - failed to parse given JSON"
	msgNotAnObject = "Invalid JSON given in the body of the request - expected a map"
)

// decodeBody parses a JSON object into v. An empty body (nothing but JSON whitespace)
// is an empty object. Anything else must be exactly one JSON object: a syntax error or
// data after the value, any other value (null, an array, a string, a number, a
// boolean) and a wrongly typed field are MALFORMED_REQUEST. Unknown fields are ignored,
// as Databricks ignores them.
func decodeBody(body []byte, v any) *Error {
	start := bytes.TrimLeft(body, jsonSpace)
	if len(start) == 0 {
		return nil
	}
	// Valid covers the whole body, so trailing data is refused too.
	if !json.Valid(body) {
		return malformed(msgUnparsable)
	}
	// Unmarshal leaves v untouched for null rather than failing, so the kind of the
	// value is checked here, before anything is decoded.
	if start[0] != '{' {
		return malformed(msgNotAnObject)
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return malformed(msgUnparsable)
	}
	// Value is the offending literal, e.g. a number of any length: bounded like all echoes.
	return malformed(fmt.Sprintf("Invalid JSON given in the body of the request - expected %s for field '%s' but got %s",
		jsonKind(typeErr.Type.Kind().String()), echo(typeErr.Field), echo(typeErr.Value)))
}

// jsonSpace is the whitespace JSON allows around a value (RFC 8259, section 2).
const jsonSpace = " \t\r\n"

func malformed(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeMalformedRequest, Message: msg}
}

// jsonKind names a Go kind as the JSON type a client should have sent.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case kind == "string":
		return "a string"
	default:
		return kind
	}
}

// errBodyTooLarge reports a request body over MaxBodyBytes.
var errBodyTooLarge = errors.New("request body over the limit")

// readBody reads the whole request body, to its Content-Length or the end of its
// chunked stream, within the server's body timeout. It fails with errBodyTooLarge for a
// body over MaxBodyBytes (on every path, whether or not the body would be used), and
// with the read error when the body did not arrive whole: cut short, the client gone,
// or too slow. A prefix of a body is never returned, since a cut-off body can still be
// valid JSON and a request must not be acted on before it has fully arrived.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, errBodyTooLarge // refuse without reading a body we would discard
	}
	// The headers are in; the body gets bodyTimeout from now. The deadline is absolute,
	// so a client trickling a byte at a time cannot extend it. It is lifted once the
	// body is read, so it never cuts a Fault.Delay short.
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(s.bodyTimeout)); err != nil {
		return nil, fmt.Errorf("set body deadline: %w", err) // both HTTP/1 and HTTP/2 support it
	}
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, errBodyTooLarge
	}
	if err != nil {
		return nil, err
	}
	return body, nil
}

// apiRelative is how ENDPOINT_NOT_FOUND names a path: relative to /api/2.0.
func apiRelative(path string) string {
	if rest, ok := strings.CutPrefix(path, "/api/2.0"); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return path
}

// listBuffer is the pooled state for encoding a list: 600 tokens are ~90 KB of JSON.
type listBuffer struct {
	infos []TokenInfo
	out   bytes.Buffer
}

var listBuffers = sync.Pool{New: func() any { return new(listBuffer) }}

func listReply(ws *Workspace, u *user, now int64) reply {
	lb := listBuffers.Get().(*listBuffer)
	lb.infos = ws.appendValid(lb.infos[:0], u, now)
	lb.out.Reset()
	if err := json.NewEncoder(&lb.out).Encode(ListTokensResponse{TokenInfos: lb.infos}); err != nil {
		listBuffers.Put(lb)
		panic(err) // TokenInfo holds strings and ints: encoding cannot fail
	}
	b := lb.out.Bytes()
	return reply{status: http.StatusOK, body: b[:len(b)-1], buf: lb} // drop Encode's newline
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the package's own wire types are encoded
	}
	return reply{status: status, body: b}
}

func errorReply(e *Error) reply {
	if e.Code == "" {
		return jsonReply(e.Status, authErrorResponse{ErrorCode: e.Status, Message: e.Message})
	}
	return jsonReply(e.Status, ErrorResponse{ErrorCode: e.Code, Message: e.Message})
}

// finish writes rep, logs the request and recycles rep's buffer.
func (s *Server) finish(w http.ResponseWriter, entry *Request, rep reply) {
	h := w.Header()
	for k, vs := range rep.header {
		h[k] = vs
	}
	ct := rep.contentType
	if ct == "" {
		ct = "application/json"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body) // a client that went away is not the simulator's failure
	if rep.buf != nil {
		listBuffers.Put(rep.buf)
	}
	entry.Status = rep.status
	s.log.add(*entry)
}

// drop closes the connection without a response: hijacked on HTTP/1, a stream reset
// on HTTP/2, where hijacking is not possible.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
