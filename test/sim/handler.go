package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
)

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

// serveHTTP serves every workspace. Order: host → body size → fault → route → method →
// auth → body. Routing precedes auth, so 404 and 405 need no credential.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	host := canonicalHost(hostOnly(r.Host))
	entry := Request{Method: r.Method, Host: redact(host), Path: redact(r.URL.Path), Query: redact(r.URL.RawQuery)}

	// A request must name a served workspace, and over TLS the same one the handshake did.
	ws := s.workspaceForHost(host)
	misdirected := ""
	if ws == nil {
		misdirected = fmt.Sprintf("No workspace is served at %s.", host)
	} else if r.TLS != nil && r.TLS.ServerName != "" && canonicalHost(r.TLS.ServerName) != host {
		misdirected = fmt.Sprintf("Host %s does not match the TLS server name %s.", host, canonicalHost(r.TLS.ServerName))
	}
	if misdirected != "" {
		s.finish(w, &entry, errorReply(&Error{Status: http.StatusMisdirectedRequest, Code: CodeMisdirectedRequest, Message: misdirected}))
		return
	}

	body, tooLarge := readBody(w, r)
	if !tooLarge {
		entry.Body = logBody(body)
	}

	f, faulted := s.faults.take(ws.name, r.Method, r.URL.Path)
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
	var method string
	switch r.URL.Path {
	case PathCreate, PathDelete:
		method = http.MethodPost
	case PathList:
		method = http.MethodGet
	case PathHostConfig:
		// Newer SDKs probe this before any call; a workspace without it answers 404 JSON.
		return errorReply(&Error{Status: http.StatusNotFound, Code: CodeEndpointNotFound,
			Message: "No API found for '" + r.Method + " " + PathHostConfig + "'"})
	default:
		return errorReply(&Error{Status: http.StatusNotFound, Code: CodeEndpointNotFound,
			Message: "No API found for '" + r.Method + " " + apiRelative(r.URL.Path) + "'"})
	}
	if r.Method != method {
		rep := errorReply(&Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
			Message: "HTTP method " + r.Method + " is not supported by this URL"})
		rep.header = http.Header{"Allow": {method}}
		return rep
	}

	now := s.nowMillis()
	u, apiErr := s.authenticate(ws, r, now)
	if apiErr != nil {
		return errorReply(apiErr)
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
	default: // PathList
		return listReply(ws, u, now)
	}
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

// decodeBody parses a JSON object into v. An empty body is an empty object; syntax
// errors, a non-object and wrongly typed fields are MALFORMED_REQUEST; unknown fields
// are ignored, as Databricks ignores them.
func decodeBody(body []byte, v any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	msg := "Invalid JSON given in the body of the request - failed to parse given JSON"
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			msg = "Invalid JSON given in the body of the request - expected a map"
		} else {
			msg = fmt.Sprintf("Invalid JSON given in the body of the request - expected %s for field '%s' but got %s",
				jsonKind(typeErr.Type.Kind().String()), typeErr.Field, typeErr.Value)
		}
	}
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

// readBody reads at most MaxBodyBytes; tooLarge reports a body over the limit.
func readBody(w http.ResponseWriter, r *http.Request) (body []byte, tooLarge bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, true // refuse without reading a body we would discard
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, true
	}
	return body, false // a read error mid-body leaves a truncated body: it fails to parse
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
