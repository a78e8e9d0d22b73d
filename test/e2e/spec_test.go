package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// TestSimulatorAnswersAsTheSpecSays sends each kind of request the provider
// makes to the simulator and validates the answer (status, content type,
// body schema) against the generated service document with kin-openapi.
// The spec and the simulator are written from the same contract; this is
// where they are held to each other.
func TestSimulatorAnswersAsTheSpecSays(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "..", "provider", "src", "databricks_workspace", "v00.00.00000", "services", "workspace.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ws, err := srv.AddWorkspace("dbc-spec", sim.WorkspaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bearer := ws.AddUser("u@example.com")
	if _, err := ws.CreateToken(bearer, 3600, "listed"); err != nil {
		t.Fatal(err)
	}
	ws.SeedLegacyToken(bearer, "")
	admin := ws.AddAdmin("admin@example.com")
	ws.AddServicePrincipal("robot", "app-1")
	obo, err := ws.CreateOboToken(admin, "app-1", 3600, "")
	if err != nil {
		t.Fatal(err)
	}
	oneToken := "/api/2.0/token-management/tokens/" + obo.TokenInfo.TokenID
	client := srv.Client()
	defer client.CloseIdleConnections()

	const list, create, del = "/api/2.0/token/list", "/api/2.0/token/create", "/api/2.0/token/delete"
	const levels = "/api/2.0/permissions/authorization/tokens/permissionLevels"
	const managed, oboPath = "/api/2.0/token-management/tokens", "/api/2.0/token-management/on-behalf-of/tokens"
	const managedOne = managed + "/{token_id}"
	const acl = "/api/2.0/permissions/authorization/tokens"
	const grantUsers = `{"access_control_list": [{"group_name": "users", "permission_level": "CAN_USE"}]}`
	for _, tc := range []struct {
		name, method, path, body, bearer string
		fault                            *sim.Fault
		status                           int
		route                            string // the spec's path when path fills in a template
	}{
		{"list", "GET", list, "", bearer, nil, 200, ""},
		{"create", "POST", create, `{"lifetime_seconds": 60, "comment": "c"}`, bearer, nil, 200, ""},
		{"create without comment", "POST", create, `{}`, bearer, nil, 200, ""},
		{"create lifetime 0", "POST", create, `{"lifetime_seconds": 0}`, bearer, nil, 400, ""},
		{"create bad JSON", "POST", create, `{`, bearer, nil, 400, ""},
		{"revoke unknown", "POST", del, `{"token_id": "0000"}`, bearer, nil, 404, ""},
		{"revoke without id", "POST", del, `{}`, bearer, nil, 400, ""},
		{"no credential", "GET", list, "", "", nil, 401, ""},
		{"bad credential", "GET", list, "", "dapi00000000000000000000000000000000", nil, 403, ""},
		{"rate limited", "GET", list, "", bearer, &sim.Fault{Path: list, Status: 429}, 429, ""},
		{"unavailable", "POST", create, `{}`, bearer, &sim.Fault{Path: create, Status: 503}, 503, ""},
		{"permission levels", "GET", levels, "", bearer, nil, 200, ""},
		{"permission levels without credential", "GET", levels, "", "", nil, 401, ""},
		{"permission levels with bad credential", "GET", levels, "", "dapi00000000000000000000000000000000", nil, 403, ""},
		{"permission levels rate limited", "GET", levels, "", bearer, &sim.Fault{Path: levels, Status: 429}, 429, ""},
		{"permission levels failing", "GET", levels, "", bearer, &sim.Fault{Path: levels, Status: 500}, 500, ""},
		{"permission levels unavailable", "GET", levels, "", bearer, &sim.Fault{Path: levels, Status: 503}, 503, ""},
		{"managed list", "GET", managed, "", admin, nil, 200, ""},
		{"managed list filtered", "GET", managed + "?created_by_username=admin%40example.com&created_by_id=1", "", admin, nil, 200, managed},
		{"managed list none matching", "GET", managed + "?created_by_username=nobody", "", admin, nil, 200, managed},
		{"managed list bad created_by_id", "GET", managed + "?created_by_id=x", "", admin, nil, 400, managed},
		{"managed list as a plain user", "GET", managed, "", bearer, nil, 403, ""},
		{"managed list with bad credential", "GET", managed, "", "dapi00000000000000000000000000000000", nil, 403, ""},
		{"managed list without credential", "GET", managed, "", "", nil, 401, ""},
		{"managed list rate limited", "GET", managed, "", admin, &sim.Fault{Path: managed, Status: 429}, 429, ""},
		{"managed get", "GET", oneToken, "", admin, nil, 200, managedOne},
		{"managed get unknown", "GET", managed + "/0000", "", admin, nil, 404, managedOne},
		{"managed get as a plain user", "GET", oneToken, "", bearer, nil, 403, managedOne},
		{"managed get failing", "GET", oneToken, "", admin, &sim.Fault{Path: oneToken, Status: 500}, 500, managedOne},
		{"obo create", "POST", oboPath, `{"application_id": "app-1", "comment": "c", "lifetime_seconds": 60}`, admin, nil, 200, ""},
		{"obo create unknown application", "POST", oboPath, `{"application_id": "nope"}`, admin, nil, 404, ""},
		{"obo create without application", "POST", oboPath, `{}`, admin, nil, 400, ""},
		{"obo create lifetime 0", "POST", oboPath, `{"application_id": "app-1", "lifetime_seconds": 0}`, admin, nil, 400, ""},
		{"obo create as a plain user", "POST", oboPath, `{"application_id": "app-1"}`, bearer, nil, 403, ""},
		{"obo create unavailable", "POST", oboPath, `{}`, admin, &sim.Fault{Path: oboPath, Status: 503}, 503, ""},
		{"managed delete as a plain user", "DELETE", oneToken, "", bearer, nil, 403, managedOne},
		{"managed delete", "DELETE", oneToken, "", admin, nil, 200, managedOne},
		{"managed delete again", "DELETE", oneToken, "", admin, nil, 404, managedOne},
		{"token permissions", "GET", acl, "", admin, nil, 200, ""},
		{"token permissions as a plain user", "GET", acl, "", bearer, nil, 403, ""},
		{"token permissions without credential", "GET", acl, "", "", nil, 401, ""},
		{"token permissions with bad credential", "GET", acl, "", "dapi00000000000000000000000000000000", nil, 403, ""},
		{"token permissions rate limited", "GET", acl, "", admin, &sim.Fault{Path: acl, Status: 429}, 429, ""},
		{"token permissions failing", "GET", acl, "", admin, &sim.Fault{Path: acl, Status: 500}, 500, ""},
		{"token permissions unavailable", "GET", acl, "", admin, &sim.Fault{Path: acl, Status: 503}, 503, ""},
		{"token permissions updated", "PATCH", acl, `{"access_control_list": [{"service_principal_name": "app-1", "permission_level": "CAN_USE"}]}`, admin, nil, 200, ""},
		{"token permissions update unknown user", "PATCH", acl, `{"access_control_list": [{"user_name": "nobody", "permission_level": "CAN_USE"}]}`, admin, nil, 400, ""},
		{"token permissions update bad JSON", "PATCH", acl, `{`, admin, nil, 400, ""},
		{"token permissions update as a plain user", "PATCH", acl, grantUsers, bearer, nil, 403, ""},
		{"token permissions replaced with nothing", "PUT", acl, `{"access_control_list": []}`, admin, nil, 200, ""},
		{"create without CAN_USE", "POST", create, `{}`, bearer, nil, 403, ""},
		{"token permissions replace CAN_MANAGE", "PUT", acl, `{"access_control_list": [{"group_name": "users", "permission_level": "CAN_MANAGE"}]}`, admin, nil, 400, ""},
		{"token permissions replace as a plain user", "PUT", acl, grantUsers, bearer, nil, 403, ""},
		{"token permissions replaced", "PUT", acl, grantUsers, admin, nil, 200, ""},
		{"create with CAN_USE again", "POST", create, `{}`, bearer, nil, 200, ""},
		{"token permissions replace unavailable", "PUT", acl, grantUsers, admin, &sim.Fault{Path: acl, Status: 503}, 503, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				srv.Inject(*tc.fault)
			}
			req, _ := http.NewRequest(tc.method, ws.URL()+tc.path, strings.NewReader(tc.body))
			if tc.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tc.bearer)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			route := tc.route
			if route == "" {
				route = tc.path
			}
			item := doc.Paths.Find(route)
			op := item.GetOperation(tc.method)
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{
					Request: req,
					Route:   &routers.Route{Spec: doc, Path: route, PathItem: item, Method: tc.method, Operation: op},
				},
				Status:  resp.StatusCode,
				Header:  resp.Header,
				Options: &openapi3filter.Options{IncludeResponseStatus: true},
			}
			in.SetBodyBytes(body)
			if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
				t.Errorf("%s %s answered %d %s\nwhich the spec does not allow: %v", tc.method, tc.path, resp.StatusCode, bytes.TrimSpace(body), err)
			}
		})
	}
}
