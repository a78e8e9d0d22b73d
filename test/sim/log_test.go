package sim_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	leaked, err := f.ws.CreateToken(f.bearer, 60, "")
	if err != nil {
		t.Fatal(err)
	}
	host := wsName + ".cloud.databricks.com"

	call(t, f.client, "POST", wsURL+sim.PathCreate, f.bearer, `{"comment":"copy of `+leaked.TokenValue+`","lifetime_seconds":60}`)
	call(t, f.client, "GET", wsURL+sim.PathList+"?token="+leaked.TokenValue+"&page=2", f.bearer, "")
	call(t, f.client, "POST", wsURL+sim.PathDelete, leaked.TokenValue, `{"token_id":"`+leaked.TokenInfo.TokenID+`"}`)
	call(t, f.client, "GET", wsURL+sim.PathList, "", "")
	call(t, f.client, "GET", wsURL+"/api/2.0/token/"+leaked.TokenValue, f.bearer, "")

	want := []sim.Request{
		{Method: "POST", Host: host, Path: sim.PathCreate, Status: 200, Body: `{"comment":"copy of dapi***","lifetime_seconds":60}`},
		{Method: "GET", Host: host, Path: sim.PathList, Query: "token=dapi***&page=2", Status: 200},
		{Method: "POST", Host: host, Path: sim.PathDelete, Status: 200, Body: `{"token_id":"` + leaked.TokenInfo.TokenID + `"}`},
		{Method: "GET", Host: host, Path: sim.PathList, Status: 401},
		{Method: "GET", Host: host, Path: "/api/2.0/token/dapi***", Status: 404},
	}
	got := f.srv.Requests()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request log\n got: %+v\nwant: %+v", got, want)
	}
	dump := fmt.Sprintf("%+v", got)
	for _, secret := range []string{f.bearer, leaked.TokenValue, "Bearer"} {
		if strings.Contains(dump, secret) {
			t.Errorf("the request log holds %q", secret)
		}
	}

	f.srv.ResetLog()
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d entries after ResetLog", n)
	}
}
