package sim

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

const (
	defaultMaxTokenLifetimeDays = 730
	defaultQuotaPerUser         = 600
	secondsPerDay               = 24 * 60 * 60
)

// MaxCommentLength is the most characters (Unicode code points, not bytes) a token
// comment may have; a longer one is INVALID_PARAMETER_VALUE. Databricks documents no
// limit; this one leaves room for any description a person would write while keeping a
// user's 600 tokens within 2.4 MB of comments (1000 code points of at most 4 bytes).
const MaxCommentLength = 1000

// WorkspaceOptions configures one workspace; zero values take Databricks' defaults.
type WorkspaceOptions struct {
	MaxTokenLifetimeDays int // 0 → 730; the lifetime of a create that omits lifetime_seconds
	QuotaPerUser         int // 0 → 600 valid tokens per user
	// WorkspaceID is the numeric workspace_id of token management; 0 → a 16-digit
	// number derived from the deployment name, so it is the same on every run.
	WorkspaceID int64
	// AccountID is the Databricks account the workspace belongs to, a lowercase UUID;
	// "" → DefaultAccountID. Service principals of that account only may be assigned to
	// it, and account-level OAuth tokens of that account only authenticate in it.
	AccountID string
}

// Role is what a user of a workspace is.
type Role int

const (
	// RolePlainUser may manage only its own tokens (the Token API).
	RolePlainUser Role = iota
	// RoleAdmin is a workspace admin: it may also use token management, over every
	// token of the workspace.
	RoleAdmin
	// RoleServicePrincipal is a service principal, known by its application ID; an
	// admin may create tokens on its behalf. It names the kind Workspace.AddServicePrincipal
	// creates, a plain user in its powers; Workspace.Assign makes a service principal a
	// plain user (RolePlainUser) or an admin (RoleAdmin) of a workspace.
	RoleServicePrincipal
)

func (r Role) String() string {
	switch r {
	case RolePlainUser:
		return "user"
	case RoleAdmin:
		return "admin"
	case RoleServicePrincipal:
		return "service principal"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Workspace is one simulated Databricks workspace: its users and their tokens.
// All methods are safe for concurrent use.
type Workspace struct {
	name           string // the host
	cloud          Cloud
	id             int64  // workspace_id
	account        string // account ID
	srv            *Server
	maxLifetimeSec int64
	maxDays        int
	quota          int

	mu       sync.RWMutex
	users    map[string]*user
	byApp    map[string]*user                  // service principals by application ID
	bySecret map[[sha256.Size]byte]*credential // SHA-256 of the bearer value, so no secret is kept
	byID     map[string]*credential            // listed tokens only
	// tokenACL is the direct grants on tokens (CAN_USE), by principal; the admins
	// group's CAN_MANAGE is implicit.
	tokenACL map[grantee]string
}

type user struct {
	name  string
	id    int64  // the numeric user ID (created_by_id, owner_id)
	role  Role   // RolePlainUser or RoleAdmin, for users and service principals alike
	appID string // application ID of a service principal; "" for a user
	// tokens are the user's listed tokens, kept sorted by creation time then token_id so
	// list is a filtered copy and never a sort.
	tokens []*credential
	// nextExpiry is a lower bound on the earliest expiry in tokens (epoch ms), so pruning
	// expired tokens costs nothing until one can actually have expired.
	nextExpiry int64
}

// servicePrincipal reports whether u is a service principal rather than a user.
func (u *user) servicePrincipal() bool { return u.appID != "" }

// credential is anything that authenticates as a user. A zero info.TokenID marks the
// sign-in credential AddUser hands out: it is not a personal access token, so it is
// never listed, never counts against the quota and cannot be revoked through the API.
type credential struct {
	owner     *user
	createdBy *user // who created the token: the owner, or the admin of an on-behalf-of token
	secret    [sha256.Size]byte
	info      TokenInfo
	// lastUsedDay is the start (UTC, epoch ms) of the day the token last authenticated;
	// 0 if it never did. It changes under a read lock, hence atomic.
	lastUsedDay atomic.Int64
}

func newWorkspace(srv *Server, name string, opts WorkspaceOptions) (*Workspace, error) {
	name, cloud, hostID, err := workspaceHost(name)
	if err != nil {
		return nil, err
	}
	if opts.MaxTokenLifetimeDays < 0 {
		return nil, fmt.Errorf("workspace %q: negative max token lifetime %d", name, opts.MaxTokenLifetimeDays)
	}
	if opts.QuotaPerUser < 0 {
		return nil, fmt.Errorf("workspace %q: negative quota %d", name, opts.QuotaPerUser)
	}
	if opts.MaxTokenLifetimeDays == 0 {
		opts.MaxTokenLifetimeDays = defaultMaxTokenLifetimeDays
	}
	if opts.QuotaPerUser == 0 {
		opts.QuotaPerUser = defaultQuotaPerUser
	}
	id := opts.WorkspaceID
	if id < 0 {
		return nil, fmt.Errorf("workspace %q: negative workspace ID %d", name, id)
	}
	if hostID != 0 && id != 0 && id != hostID {
		return nil, fmt.Errorf("workspace %q: workspace ID %d differs from the %d its host carries", name, id, hostID)
	}
	if id == 0 {
		id = hostID
	}
	if id == 0 {
		id = derivedID("workspace:" + strings.TrimSuffix(name, awsSuffix))
	}
	account := opts.AccountID
	if account == "" {
		account = DefaultAccountID
	}
	if !validAccountID(account) {
		return nil, fmt.Errorf("workspace %q: account ID %q is not a lowercase UUID", name, echo(account))
	}
	return &Workspace{
		name:           name,
		cloud:          cloud,
		id:             id,
		account:        account,
		srv:            srv,
		maxDays:        opts.MaxTokenLifetimeDays,
		maxLifetimeSec: int64(opts.MaxTokenLifetimeDays) * secondsPerDay,
		quota:          opts.QuotaPerUser,
		users:          make(map[string]*user),
		byApp:          make(map[string]*user),
		bySecret:       make(map[[sha256.Size]byte]*credential),
		byID:           make(map[string]*credential),
		tokenACL:       defaultTokenACL(),
	}, nil
}

// Name returns the workspace host, the provider's deployment_name.
func (w *Workspace) Name() string { return w.name }

// Host returns the workspace host ("<name>.cloud.databricks.com",
// "adb-<id>.<n>.azuredatabricks.net" or "<id>.<n>.gcp.databricks.com"), the same as Name.
func (w *Workspace) Host() string { return w.name }

// Cloud returns where the workspace runs.
func (w *Workspace) Cloud() Cloud { return w.cloud }

// URL returns the workspace URL as the provider spells it, without a port: reach it
// through Server.DialContext, which ignores the port.
func (w *Workspace) URL() string { return w.srv.scheme() + "://" + w.Host() }

// ID returns the numeric workspace_id.
func (w *Workspace) ID() int64 { return w.id }

// AccountID returns the ID of the account the workspace belongs to.
func (w *Workspace) AccountID() string { return w.account }

// AddUser creates userName, a plain user, if needed and returns a new bearer
// credential for it: a dapi… value that never expires. It stands for the user's
// sign-in (as an OAuth or session token would), so it is not one of the user's listed
// tokens. A user that exists keeps its role.
func (w *Workspace) AddUser(userName string) (bearer string) {
	bearer = newTokenValue()
	w.AddUserBearer(userName, bearer)
	return bearer
}

// AddUserBearer is AddUser with the bearer credential given: the same one in several
// workspaces stands for a sign-in that reaches them all (as an account-level OAuth
// token does).
func (w *Workspace) AddUserBearer(userName, bearer string) {
	w.mustAdd(userName, "", RolePlainUser, false, bearer)
}

// AddAdmin is AddUser for a workspace admin: userName is created as, or made, an admin.
func (w *Workspace) AddAdmin(userName string) (bearer string) {
	bearer = newTokenValue()
	w.AddAdminBearer(userName, bearer)
	return bearer
}

// AddAdminBearer is AddAdmin with the bearer credential given, as AddUserBearer.
func (w *Workspace) AddAdminBearer(userName, bearer string) {
	w.mustAdd(userName, "", RoleAdmin, true, bearer)
}

// AddServicePrincipal creates a service principal named name with applicationID and
// returns a bearer credential for it (its sign-in, like AddUser's). A service principal
// that exists keeps its role (a plain user unless Assign made it an admin). It panics if
// applicationID is empty or belongs to another principal, or name is a user, since
// that is a mistake in the test. It needs no Server.AddServicePrincipal: that one is
// what gives an application ID an OAuth secret.
func (w *Workspace) AddServicePrincipal(name, applicationID string) (bearer string) {
	if applicationID == "" {
		panic(fmt.Sprintf("sim: service principal %q without an application ID", name))
	}
	bearer = newTokenValue()
	w.mustAdd(name, applicationID, RolePlainUser, false, bearer)
	return bearer
}

// UserID returns the numeric ID of userName (a user or service principal), and
// whether it exists. IDs derive from the name, so one name has one ID in every
// workspace, as Databricks' account-level identities do.
func (w *Workspace) UserID(userName string) (int64, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	u := w.users[userName]
	if u == nil {
		return 0, false
	}
	return u.id, true
}

// mustAdd is addPrincipal for the methods whose misuse is a mistake in the test.
func (w *Workspace) mustAdd(name, appID string, role Role, setRole bool, bearer string) {
	if err := w.addPrincipal(name, appID, role, setRole, bearer); err != nil {
		panic("sim: " + err.Error())
	}
}

// addPrincipal creates the user name (a service principal when appID is set) with
// role, or gives an existing one role when setRole, and, unless bearer is "", a
// sign-in credential. A name or application ID that is another principal's fails.
func (w *Workspace) addPrincipal(name, appID string, role Role, setRole bool, bearer string) error {
	var secret [sha256.Size]byte
	if bearer != "" {
		secret = sha256.Sum256([]byte(bearer))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.users[name]
	if appID != "" {
		if o := w.byApp[appID]; o != nil && o != u {
			return fmt.Errorf("application ID %q already belongs to %q", appID, o.name)
		}
	}
	if u != nil && u.appID != appID {
		if u.servicePrincipal() {
			return fmt.Errorf("%q is a service principal with application ID %q", name, u.appID)
		}
		return fmt.Errorf("%q is already a user", name)
	}
	if u == nil {
		u = &user{name: name, id: w.freeIDLocked(name), role: role, appID: appID, nextExpiry: math.MaxInt64}
		w.users[name] = u
		if appID != "" {
			w.byApp[appID] = u
		}
	} else if setRole {
		u.role = role
	}
	if bearer != "" {
		w.bySecret[secret] = &credential{owner: u, secret: secret}
	}
	return nil
}

// freeIDLocked is the ID derived from name, or the next one free if another user of
// the workspace has it already (64-bit hashes: this never happens in practice).
func (w *Workspace) freeIDLocked(name string) int64 {
	id := derivedID("user:" + name)
	for w.idTakenLocked(id) {
		id++
	}
	return id
}

func (w *Workspace) idTakenLocked(id int64) bool {
	for _, u := range w.users {
		if u.id == id {
			return true
		}
	}
	return false
}

// derivedID is a 16-digit number from s, the shape of Databricks' numeric IDs.
func derivedID(s string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	const lo = 1_000_000_000_000_000
	return lo + int64(h.Sum64()%(9*lo))
}

// SeedTokens creates n tokens with the workspace's maximum lifetime for the user owning
// bearer, without HTTP. It creates all n or, if they would exceed the quota, none.
func (w *Workspace) SeedTokens(bearer string, n int, comment string) error {
	if n < 0 {
		return fmt.Errorf("seed %d tokens: negative count", n)
	}
	if apiErr := checkComment(comment); apiErr != nil {
		return fmt.Errorf("seed tokens in %q: %w", w.name, apiErr)
	}
	now := w.srv.nowMillis()
	w.mu.Lock()
	defer w.mu.Unlock()
	u, err := w.ownerLocked(bearer, now)
	if err != nil {
		return fmt.Errorf("seed tokens in %q: %w", w.name, err)
	}
	w.pruneLocked(u, now)
	if len(u.tokens)+n > w.quota {
		return fmt.Errorf("seed %d tokens for %q in %q: %w", n, u.name, w.name, w.quotaError())
	}
	for range n {
		w.insertLocked(u, u, newTokenValue(), TokenInfo{
			CreationTime: now,
			ExpiryTime:   now + w.maxLifetimeSec*1000,
			Comment:      comment,
		})
	}
	return nil
}

// SeedLegacyToken creates a token that never expires (expiry_time -1), as only tokens
// from before lifetimes were mandatory have, for the user owning bearer. It bypasses the
// quota, as such tokens predate it. It panics if bearer does not authenticate or the
// comment is over MaxCommentLength, since that is a mistake in the test.
func (w *Workspace) SeedLegacyToken(bearer string, comment string) (tokenID string) {
	if apiErr := checkComment(comment); apiErr != nil {
		panic(fmt.Sprintf("sim: seed legacy token in %q: %v", w.name, apiErr))
	}
	now := w.srv.nowMillis()
	w.mu.Lock()
	defer w.mu.Unlock()
	u, err := w.ownerLocked(bearer, now)
	if err != nil {
		panic(fmt.Sprintf("sim: seed legacy token in %q: %v", w.name, err))
	}
	c := w.insertLocked(u, u, newTokenValue(), TokenInfo{CreationTime: now, ExpiryTime: -1, Comment: comment})
	return c.info.TokenID
}

// CreateToken creates a token as POST /api/2.0/token/create would, without HTTP;
// lifetimeSeconds 0 means the workspace maximum. Failures are *Error.
func (w *Workspace) CreateToken(bearer string, lifetimeSeconds int64, comment string) (CreateTokenResponse, error) {
	now := w.srv.nowMillis()
	u, apiErr := w.authenticate(bearer, now)
	if apiErr != nil {
		return CreateTokenResponse{}, apiErr
	}
	req := CreateTokenRequest{Comment: comment}
	if lifetimeSeconds != 0 {
		req.LifetimeSeconds = &lifetimeSeconds
	}
	resp, apiErr := w.create(u, req, now)
	if apiErr != nil {
		return CreateTokenResponse{}, apiErr
	}
	return resp, nil
}

// CreateOboToken creates a token on behalf of the service principal with
// applicationID, as POST /api/2.0/token-management/on-behalf-of/tokens would, without
// HTTP; bearer must be an admin's. lifetimeSeconds 0 means the workspace maximum.
// Failures are *Error.
func (w *Workspace) CreateOboToken(bearer, applicationID string, lifetimeSeconds int64, comment string) (CreateOboTokenResponse, error) {
	now := w.srv.nowMillis()
	u, apiErr := w.authenticate(bearer, now)
	if apiErr == nil {
		apiErr = requireAdmin(u)
	}
	if apiErr != nil {
		return CreateOboTokenResponse{}, apiErr
	}
	req := CreateOboTokenRequest{ApplicationID: applicationID, Comment: comment}
	if lifetimeSeconds != 0 {
		req.LifetimeSeconds = &lifetimeSeconds
	}
	resp, apiErr := w.createObo(u, req, now)
	if apiErr != nil {
		return CreateOboTokenResponse{}, apiErr
	}
	return resp, nil
}

// ManagedTokens returns what GET /api/2.0/token-management/tokens (no filter) would
// show the admin owning bearer: every valid token of the workspace.
func (w *Workspace) ManagedTokens(bearer string) ([]ManagedTokenInfo, error) {
	now := w.srv.nowMillis()
	u, apiErr := w.authenticate(bearer, now)
	if apiErr == nil {
		apiErr = requireAdmin(u)
	}
	if apiErr != nil {
		return nil, apiErr
	}
	return w.listAll(tokenFilter{}, now), nil
}

// Tokens returns what GET /api/2.0/token/list would show the user owning bearer.
func (w *Workspace) Tokens(bearer string) ([]TokenInfo, error) {
	now := w.srv.nowMillis()
	u, apiErr := w.authenticate(bearer, now)
	if apiErr != nil {
		return nil, apiErr
	}
	return w.appendValid(nil, u, now), nil
}

// ownerLocked resolves bearer (a token or an OAuth access token) to its user; w.mu
// must be held.
func (w *Workspace) ownerLocked(bearer string, now int64) (*user, error) {
	secret := sha256.Sum256([]byte(bearer))
	c := w.bySecret[secret]
	if c == nil {
		if u := w.accessTokenUserLocked(secret, now); u != nil {
			return u, nil
		}
	}
	if c == nil || expired(c.info, now) {
		return nil, fmt.Errorf("bearer does not authenticate")
	}
	return c.owner, nil
}

// authenticate resolves a bearer value (a token, a sign-in credential or an OAuth
// access token) to its user, or the contract's 403.
func (w *Workspace) authenticate(bearer string, now int64) (*user, *Error) {
	secret := sha256.Sum256([]byte(bearer))
	w.mu.RLock()
	c := w.bySecret[secret]
	var oauthUser *user
	if c == nil {
		oauthUser = w.accessTokenUserLocked(secret, now)
	}
	w.mu.RUnlock()
	if oauthUser != nil {
		return oauthUser, nil
	}
	// c.info is immutable once stored, so reading it outside the lock is safe.
	if c == nil || expired(c.info, now) {
		return nil, &Error{Status: 403, Message: msgInvalidToken}
	}
	if c.info.TokenID != "" {
		c.markUsed(now)
	}
	return c.owner, nil
}

// markUsed moves last_used_day to the day of now, never back.
func (c *credential) markUsed(now int64) {
	day := now - now%msPerDay
	if now < 0 && now%msPerDay != 0 {
		day -= msPerDay
	}
	for {
		old := c.lastUsedDay.Load()
		if old >= day || c.lastUsedDay.CompareAndSwap(old, day) {
			return
		}
	}
}

const msPerDay = secondsPerDay * 1000

// requireAdmin is token management's 403 for a caller who is not a workspace admin.
func requireAdmin(u *user) *Error {
	if u.role != RoleAdmin {
		return &Error{Status: 403, Code: CodePermissionDenied, Message: msgAdminsOnly}
	}
	return nil
}

// create validates a create request and stores the token; the quota check and the
// insert share one critical section so the quota holds under concurrent creates.
func (w *Workspace) create(u *user, req CreateTokenRequest, now int64) (CreateTokenResponse, *Error) {
	if apiErr := w.requireCanUse(u); apiErr != nil {
		return CreateTokenResponse{}, apiErr
	}
	c, apiErr := w.createFor(u, u, req.LifetimeSeconds, req.Comment, now)
	if apiErr != nil {
		return CreateTokenResponse{}, apiErr
	}
	return CreateTokenResponse{TokenValue: c.value, TokenInfo: c.cred.info}, nil
}

// createObo creates a token owned by the service principal with req.ApplicationID,
// created by admin; the quota is the service principal's.
func (w *Workspace) createObo(admin *user, req CreateOboTokenRequest, now int64) (CreateOboTokenResponse, *Error) {
	if req.ApplicationID == "" {
		return CreateOboTokenResponse{}, &Error{Status: 400, Code: CodeInvalidParameterValue,
			Message: "Missing required field: application_id"}
	}
	w.mu.RLock()
	sp := w.byApp[req.ApplicationID]
	w.mu.RUnlock()
	if sp == nil {
		return CreateOboTokenResponse{}, &Error{Status: 404, Code: CodeResourceDoesNotExist,
			Message: fmt.Sprintf("Service principal with application ID %s does not exist.", echo(req.ApplicationID))}
	}
	c, apiErr := w.createFor(sp, admin, req.LifetimeSeconds, req.Comment, now)
	if apiErr != nil {
		return CreateOboTokenResponse{}, apiErr
	}
	return CreateOboTokenResponse{TokenValue: c.value, TokenInfo: w.managed(c.cred)}, nil
}

type created struct {
	value string
	cred  *credential
}

// createFor validates a lifetime and comment and stores a token owned by owner and
// created by creator.
func (w *Workspace) createFor(owner, creator *user, lifetimeSeconds *int64, comment string, now int64) (created, *Error) {
	u := owner
	lifetime := w.maxLifetimeSec
	if lifetimeSeconds != nil {
		lifetime = *lifetimeSeconds
		if lifetime <= 0 {
			return created{}, &Error{Status: 400, Code: CodeInvalidParameterValue,
				Message: fmt.Sprintf("requirement failed: Invalid timeout: %d", lifetime)}
		}
		if lifetime > w.maxLifetimeSec {
			return created{}, &Error{Status: 400, Code: CodeInvalidParameterValue,
				Message: fmt.Sprintf("Token lifetime of %d seconds exceeds the maximum lifetime of %d days (%d seconds) allowed by this workspace.",
					lifetime, w.maxDays, w.maxLifetimeSec)}
		}
	}
	if apiErr := checkComment(comment); apiErr != nil {
		return created{}, apiErr
	}
	value := newTokenValue() // outside the lock: it is the slow part
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pruneLocked(u, now)
	if len(u.tokens) >= w.quota {
		return created{}, w.quotaError()
	}
	c := w.insertLocked(u, creator, value, TokenInfo{CreationTime: now, ExpiryTime: now + lifetime*1000, Comment: comment})
	return created{value: value, cred: c}, nil
}

// checkComment refuses a comment over MaxCommentLength characters.
func checkComment(comment string) *Error {
	if n := utf8.RuneCountInString(comment); n > MaxCommentLength {
		return &Error{Status: 400, Code: CodeInvalidParameterValue,
			Message: fmt.Sprintf("Comment is %d characters long; a token comment may have at most %d characters.", n, MaxCommentLength)}
	}
	return nil
}

func (w *Workspace) quotaError() *Error {
	return &Error{Status: 400, Code: CodeQuotaExceeded,
		Message: fmt.Sprintf("Cannot create more than %d tokens.", w.quota)}
}

// revoke deletes one of u's valid tokens. Another user's, an expired or an unknown id
// all answer the same 404, so ids of other users' tokens are not disclosed.
func (w *Workspace) revoke(u *user, tokenID string, now int64) *Error {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.byID[tokenID]
	if c == nil || c.owner != u || expired(c.info, now) {
		return &Error{Status: 404, Code: CodeResourceDoesNotExist,
			Message: fmt.Sprintf("No valid token with ID %s found.", echo(tokenID))}
	}
	w.removeLocked(c)
	return nil
}

// tokenFilter is the list of token management's query: zero values do not filter.
type tokenFilter struct {
	createdByID       int64
	createdByUsername string
}

// listAll is every valid token of the workspace that f lets through, by creation_time
// then token_id.
func (w *Workspace) listAll(f tokenFilter, now int64) []ManagedTokenInfo {
	var out []*credential
	w.mu.RLock()
	for _, u := range w.users {
		for _, c := range u.tokens {
			if expired(c.info, now) ||
				(f.createdByID != 0 && c.createdBy.id != f.createdByID) ||
				(f.createdByUsername != "" && c.createdBy.name != f.createdByUsername) {
				continue
			}
			out = append(out, c)
		}
	}
	w.mu.RUnlock()
	slices.SortFunc(out, compareTokens)
	infos := make([]ManagedTokenInfo, len(out))
	for i, c := range out {
		infos[i] = w.managed(c)
	}
	return infos
}

// validToken is the valid listed token with tokenID, or token management's 404.
func (w *Workspace) validTokenLocked(tokenID string, now int64) (*credential, *Error) {
	c := w.byID[tokenID]
	if c == nil || expired(c.info, now) {
		return nil, &Error{Status: 404, Code: CodeResourceDoesNotExist,
			Message: fmt.Sprintf("No valid token with ID %s found.", echo(tokenID))}
	}
	return c, nil
}

// getToken is any valid token of the workspace, by ID.
func (w *Workspace) getToken(tokenID string, now int64) (ManagedTokenInfo, *Error) {
	w.mu.RLock()
	c, apiErr := w.validTokenLocked(tokenID, now)
	w.mu.RUnlock()
	if apiErr != nil {
		return ManagedTokenInfo{}, apiErr
	}
	return w.managed(c), nil
}

// deleteToken revokes any valid token of the workspace, by ID.
func (w *Workspace) deleteToken(tokenID string, now int64) *Error {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, apiErr := w.validTokenLocked(tokenID, now)
	if apiErr != nil {
		return apiErr
	}
	w.removeLocked(c)
	return nil
}

// managed is c as token management shows it. Users, their names and IDs never change
// once created, so no lock is needed.
func (w *Workspace) managed(c *credential) ManagedTokenInfo {
	return ManagedTokenInfo{
		TokenID:           c.info.TokenID,
		Comment:           c.info.Comment,
		CreationTime:      c.info.CreationTime,
		ExpiryTime:        c.info.ExpiryTime,
		CreatedByID:       c.createdBy.id,
		CreatedByUsername: c.createdBy.name,
		OwnerID:           c.owner.id,
		WorkspaceID:       w.id,
		LastUsedDay:       c.lastUsedDay.Load(),
	}
}

// appendValid appends u's valid tokens, in list order, to dst.
func (w *Workspace) appendValid(dst []TokenInfo, u *user, now int64) []TokenInfo {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, c := range u.tokens {
		if !expired(c.info, now) {
			dst = append(dst, c.info)
		}
	}
	return dst
}

// insertLocked stores a new listed token for u; w.mu must be held for writing.
func (w *Workspace) insertLocked(u, creator *user, value string, info TokenInfo) *credential {
	c := &credential{owner: u, createdBy: creator, secret: sha256.Sum256([]byte(value)), info: info}
	for {
		c.info.TokenID = newTokenID()
		if w.byID[c.info.TokenID] == nil {
			break // 256 random bits: this loop runs once, but a clash must not alias two tokens
		}
	}
	if w.bySecret[c.secret] != nil {
		panic("sim: token value collision") // 128 random bits; reaching this means crypto/rand is broken
	}
	w.byID[c.info.TokenID] = c
	w.bySecret[c.secret] = c
	if n := len(u.tokens); n == 0 || !lessToken(c, u.tokens[n-1]) {
		u.tokens = append(u.tokens, c) // the common case: created now, after everything else
	} else {
		i, _ := slices.BinarySearchFunc(u.tokens, c, compareTokens)
		u.tokens = slices.Insert(u.tokens, i, c)
	}
	if info.ExpiryTime != -1 && info.ExpiryTime < u.nextExpiry {
		u.nextExpiry = info.ExpiryTime
	}
	return c
}

// removeLocked forgets a listed token; w.mu must be held for writing.
func (w *Workspace) removeLocked(c *credential) {
	delete(w.byID, c.info.TokenID)
	delete(w.bySecret, c.secret)
	u := c.owner
	if i, ok := slices.BinarySearchFunc(u.tokens, c, compareTokens); ok {
		u.tokens = slices.Delete(u.tokens, i, i+1)
	}
}

// pruneLocked forgets u's expired tokens so len(u.tokens) is the quota count.
func (w *Workspace) pruneLocked(u *user, now int64) {
	if now < u.nextExpiry {
		return
	}
	next := int64(math.MaxInt64)
	kept := u.tokens[:0]
	for _, c := range u.tokens {
		if expired(c.info, now) {
			delete(w.byID, c.info.TokenID)
			delete(w.bySecret, c.secret)
			continue
		}
		if c.info.ExpiryTime != -1 && c.info.ExpiryTime < next {
			next = c.info.ExpiryTime
		}
		kept = append(kept, c)
	}
	clear(u.tokens[len(kept):]) // drop references so pruned tokens can be collected
	u.tokens = kept
	u.nextExpiry = next
}

func expired(info TokenInfo, now int64) bool {
	return info.TokenID != "" && info.ExpiryTime != -1 && now >= info.ExpiryTime
}

func compareTokens(a, b *credential) int {
	if c := cmp.Compare(a.info.CreationTime, b.info.CreationTime); c != 0 {
		return c
	}
	return cmp.Compare(a.info.TokenID, b.info.TokenID)
}

func lessToken(a, b *credential) bool { return compareTokens(a, b) < 0 }

// newTokenID returns 64 lowercase hex characters, the shape of a Databricks token_id.
func newTokenID() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return hex.EncodeToString(b[:])
}

// newTokenValue returns "dapi" and 32 lowercase hex characters.
func newTokenValue() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "dapi" + hex.EncodeToString(b[:])
}
