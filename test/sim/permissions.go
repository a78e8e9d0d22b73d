package sim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
)

// Groups every workspace has: every principal is a member of GroupUsers, every admin
// of GroupAdmins. The simulator has no other groups.
const (
	GroupAdmins = "admins"
	GroupUsers  = "users"
)

// PermissionLevelCanManage is the admins group's permission on tokens: it cannot be
// granted to anyone else, nor revoked.
const PermissionLevelCanManage = "CAN_MANAGE"

// Token permissions' object, as GET /api/2.0/permissions/authorization/tokens names it.
const (
	TokenPermissionsObjectID   = "authorization/tokens"
	TokenPermissionsObjectType = "tokens"
)

// principalKind orders the kinds of principal in an access control list.
type principalKind int

const (
	kindGroup principalKind = iota
	kindUser
	kindServicePrincipal
)

// grantee is one principal of the token ACL: a group name, a user name or a service
// principal's application ID.
type grantee struct {
	kind principalKind
	name string
}

// defaultTokenACL is a new workspace's direct grants: the users group may use tokens,
// so every user may create them, as in a new Databricks workspace.
func defaultTokenACL() map[grantee]string {
	return map[grantee]string{{kindGroup, GroupUsers}: PermissionLevelCanUse}
}

// tokenPermissions is the token ACL as GET shows it: the admins group's CAN_MANAGE
// first, then the direct grants, groups, users, service principals, each by name.
func (w *Workspace) tokenPermissions() TokenPermissions {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.tokenPermissionsLocked()
}

func (w *Workspace) tokenPermissionsLocked() TokenPermissions {
	keys := make([]grantee, 0, len(w.tokenACL))
	for g := range w.tokenACL {
		keys = append(keys, g)
	}
	slices.SortFunc(keys, func(a, b grantee) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.name, b.name))
	})
	acl := []TokenAccessControlResponse{{GroupName: GroupAdmins,
		AllPermissions: []TokenPermission{{PermissionLevel: PermissionLevelCanManage}}}}
	for _, g := range keys {
		e := TokenAccessControlResponse{AllPermissions: []TokenPermission{{PermissionLevel: w.tokenACL[g]}}}
		switch g.kind {
		case kindGroup:
			e.GroupName = g.name
		case kindUser:
			e.UserName, e.DisplayName = g.name, g.name
		case kindServicePrincipal:
			e.ServicePrincipalName = g.name
			if sp := w.byApp[g.name]; sp != nil {
				e.DisplayName = sp.name
			}
		}
		acl = append(acl, e)
	}
	return TokenPermissions{ObjectID: TokenPermissionsObjectID, ObjectType: TokenPermissionsObjectType, AccessControlList: acl}
}

// setTokenPermissions applies a PUT (replace: the list becomes every direct grant) or
// a PATCH (the list's principals get its levels, the others keep theirs). The list is
// checked whole first, so a refused request changes nothing.
func (w *Workspace) setTokenPermissions(req TokenPermissionsRequest, replace bool) (TokenPermissions, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	grants := make(map[grantee]string, len(req.AccessControlList))
	for _, e := range req.AccessControlList {
		g, apiErr := w.granteeLocked(e)
		if apiErr != nil {
			return TokenPermissions{}, apiErr
		}
		if g.kind == kindGroup && g.name == GroupAdmins {
			continue // CAN_MANAGE, checked by granteeLocked: nothing to change
		}
		grants[g] = e.PermissionLevel
	}
	if replace {
		w.tokenACL = grants
	} else {
		for g, level := range grants {
			w.tokenACL[g] = level
		}
	}
	return w.tokenPermissionsLocked(), nil
}

// granteeLocked checks one entry of a PUT or PATCH: exactly one principal, which
// exists, and a level it may be granted.
func (w *Workspace) granteeLocked(e TokenAccessControlRequest) (grantee, *Error) {
	var gs []grantee
	if e.GroupName != "" {
		gs = append(gs, grantee{kindGroup, e.GroupName})
	}
	if e.UserName != "" {
		gs = append(gs, grantee{kindUser, e.UserName})
	}
	if e.ServicePrincipalName != "" {
		gs = append(gs, grantee{kindServicePrincipal, e.ServicePrincipalName})
	}
	if len(gs) != 1 {
		return grantee{}, invalid("An access control entry must set exactly one of user_name, group_name or service_principal_name.")
	}
	g := gs[0]
	var exists bool
	switch g.kind {
	case kindGroup:
		exists = g.name == GroupAdmins || g.name == GroupUsers
	case kindUser:
		u := w.users[g.name]
		exists = u != nil && !u.servicePrincipal()
	case kindServicePrincipal:
		exists = w.byApp[g.name] != nil
	}
	if !exists {
		kind := map[principalKind]string{kindGroup: "GroupName", kindUser: "UserName", kindServicePrincipal: "ServicePrincipalName"}[g.kind]
		return grantee{}, invalid(fmt.Sprintf("Principal: %s(%s) does not exist", kind, echo(g.name)))
	}
	admins := g.kind == kindGroup && g.name == GroupAdmins
	switch {
	case e.PermissionLevel == PermissionLevelCanManage && admins:
	case e.PermissionLevel == PermissionLevelCanManage, admins:
		return grantee{}, invalid("CAN_MANAGE belongs to the admins group only and cannot be granted or revoked.")
	case e.PermissionLevel != PermissionLevelCanUse:
		return grantee{}, invalid(fmt.Sprintf("Permission level %s is not supported for tokens; it must be CAN_USE.", echo(e.PermissionLevel)))
	}
	return g, nil
}

func invalid(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidParameterValue, Message: msg}
}

// requireCanUse is create's 403 for a caller who may not create tokens: neither an
// admin nor granted CAN_USE directly or through the users group.
func (w *Workspace) requireCanUse(u *user) *Error {
	if u.role == RoleAdmin {
		return nil
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	direct := grantee{kindUser, u.name}
	if u.servicePrincipal() {
		direct = grantee{kindServicePrincipal, u.appID}
	}
	if w.tokenACL[direct] == PermissionLevelCanUse || w.tokenACL[grantee{kindGroup, GroupUsers}] == PermissionLevelCanUse {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Code: CodePermissionDenied,
		Message: fmt.Sprintf("%s does not have permission to use tokens: CAN_USE on tokens is required.", echo(u.name))}
}

// TokenPermissions returns what GET /api/2.0/permissions/authorization/tokens would
// show: the admins group, then the direct grants.
func (w *Workspace) TokenPermissions() TokenPermissions { return w.tokenPermissions() }

// SetTokenPermissions replaces the direct grants on tokens, as PUT
// /api/2.0/permissions/authorization/tokens would, without HTTP or a caller. Failures
// are *Error.
func (w *Workspace) SetTokenPermissions(acl []TokenAccessControlRequest) (TokenPermissions, error) {
	p, apiErr := w.setTokenPermissions(TokenPermissionsRequest{AccessControlList: acl}, true)
	if apiErr != nil {
		return TokenPermissions{}, apiErr
	}
	return p, nil
}
