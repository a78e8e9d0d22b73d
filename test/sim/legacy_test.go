package sim_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// TestLegacyCLIShapesRoundTrip decodes the legacy CLI's documented output into the
// simulator's types and re-encodes it: names, order, types and values must survive.
func TestLegacyCLIShapesRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		into func() any
	}{
		{file: "create.json", into: func() any { return new(sim.CreateTokenResponse) }},
		{file: "list.json", into: func() any { return new(sim.ListTokensResponse) }},
		{file: "revoke.json", into: func() any { return new(sim.RevokeTokenResponse) }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			seed, err := os.ReadFile(filepath.Join("testdata", "legacy-cli", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			v := tt.into()
			dec := json.NewDecoder(bytes.NewReader(seed))
			dec.DisallowUnknownFields() // every documented field must have a home
			if err := dec.Decode(v); err != nil {
				t.Fatalf("decode %s into %T: %v", tt.file, v, err)
			}
			again, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if got := string(again) + "\n"; got != string(seed) {
				t.Errorf("%s does not round-trip through %T\n got: %s\nwant: %s", tt.file, v, got, seed)
			}
			if !reflect.DeepEqual(generic(t, again), generic(t, seed)) {
				t.Errorf("%s changes field names or JSON types through %T", tt.file, v)
			}
		})
	}
}

// TestLegacyCLIShapesMatchTheSimulator replays the documented create (129600 s,
// "My comment.") at the documented instant: the simulator's answer must equal the
// documented one except for the random token_value and token_id.
func TestLegacyCLIShapesMatchTheSimulator(t *testing.T) {
	t.Parallel()
	clock := sim.NewClock(time.UnixMilli(1621287738473))
	f := newFixture(t, sim.Config{Now: clock.Now}, sim.WorkspaceOptions{})

	var want sim.CreateTokenResponse
	seed, err := os.ReadFile(filepath.Join("testdata", "legacy-cli", "create.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(seed, &want); err != nil {
		t.Fatal(err)
	}
	if !tokenValueRE.MatchString(want.TokenValue) || !tokenIDRE.MatchString(want.TokenInfo.TokenID) {
		t.Fatalf("the documented token_value %q or token_id %q does not match the contract's shapes", want.TokenValue, want.TokenInfo.TokenID)
	}

	got := call(t, f.client, "POST", wsURL+sim.PathCreate, f.bearer, `{"lifetime_seconds":129600,"comment":"My comment."}`)
	var created sim.CreateTokenResponse
	if err := json.Unmarshal([]byte(got.body), &created); err != nil {
		t.Fatalf("decode %s: %v", got.body, err)
	}
	realID := created.TokenInfo.TokenID
	created.TokenValue, created.TokenInfo.TokenID = want.TokenValue, want.TokenInfo.TokenID
	if created != want {
		t.Errorf("create\n got: %+v\nwant: %+v", created, want)
	}
	if !reflect.DeepEqual(keysAndKinds(generic(t, []byte(got.body))), keysAndKinds(generic(t, seed))) {
		t.Errorf("create answers %s, whose fields or JSON types differ from the documented %s", got.body, seed)
	}

	list := call(t, f.client, "GET", wsURL+sim.PathList, f.bearer, "")
	seedList, err := os.ReadFile(filepath.Join("testdata", "legacy-cli", "list.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(keysAndKinds(generic(t, []byte(list.body))), keysAndKinds(generic(t, seedList))) {
		t.Errorf("list answers %s, whose fields or JSON types differ from the documented %s", list.body, seedList)
	}

	del := call(t, f.client, "POST", wsURL+sim.PathDelete, f.bearer, `{"token_id":"`+realID+`"}`)
	if del.status != 200 || !reflect.DeepEqual(generic(t, []byte(del.body)), generic(t, []byte("{}"))) {
		t.Errorf("revoke answers %d %s, want the documented {}", del.status, del.body)
	}
}

// generic decodes JSON keeping numbers as json.Number, so 1.0 and 1 stay different.
func generic(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// keysAndKinds replaces every leaf by its JSON kind, keeping the structure.
func keysAndKinds(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = keysAndKinds(e)
		}
		return out
	case []any:
		out := []any{}
		for _, e := range v {
			out = append(out, keysAndKinds(e))
		}
		return out
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	default:
		return reflect.TypeOf(v).Kind().String()
	}
}
