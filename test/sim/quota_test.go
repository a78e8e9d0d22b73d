package sim_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

const quotaBody = `{"error_code":"QUOTA_EXCEEDED","message":"Cannot create more than 600 tokens."}`

// TestQuotaUnderConcurrentCreates has 50 clients create tokens until refused: exactly
// 600 must succeed and every refusal must be QUOTA_EXCEEDED.
func TestQuotaUnderConcurrentCreates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	const workers = 50

	var (
		mu       sync.Mutex
		created  = map[string]bool{}
		refusals int
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				got, err := send(t.Context(), f.client, "POST", wsURL+sim.PathCreate, f.bearer, `{"comment":"race","lifetime_seconds":3600}`)
				if err != nil {
					t.Errorf("create: %v", err)
					return
				}
				mu.Lock()
				switch got.status {
				case 200:
					var resp sim.CreateTokenResponse
					if err := json.Unmarshal([]byte(got.body), &resp); err != nil {
						t.Errorf("decode %s: %v", got.body, err)
					}
					created[resp.TokenInfo.TokenID] = true
				case 400:
					refusals++
					if got.body != quotaBody {
						t.Errorf("refusal body %s, want %s", got.body, quotaBody)
					}
				default:
					t.Errorf("create: unexpected %d %s", got.status, got.body)
				}
				mu.Unlock()
				if got.status != 200 {
					return
				}
			}
		})
	}
	wg.Wait()

	if len(created) != 600 || refusals != workers {
		t.Errorf("%d distinct tokens created and %d refusals, want 600 and %d", len(created), refusals, workers)
	}
	listed, err := f.ws.Tokens(f.bearer)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 600 {
		t.Errorf("list shows %d tokens, want 600", len(listed))
	}
	for _, info := range listed {
		if !created[info.TokenID] {
			t.Errorf("listed token %s was never returned by create", info.TokenID)
		}
	}
}

// TestQuotaCountsValidTokensOnly checks that revoked and expired tokens free quota and
// that the limit is per user and configurable.
func TestQuotaCountsValidTokensOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{})
	if err := f.ws.SeedTokens(f.bearer, 599, "seed"); err != nil {
		t.Fatal(err)
	}
	short, err := f.ws.CreateToken(f.bearer, 60, "short")
	if err != nil {
		t.Fatalf("600th token: %v", err)
	}
	create := func(bearer string) response {
		return call(t, f.client, "POST", wsURL+sim.PathCreate, bearer, `{"lifetime_seconds":60}`)
	}
	if got := create(f.bearer); got.status != 400 || got.body != quotaBody {
		t.Fatalf("601st create: %d %s, want 400 %s", got.status, got.body, quotaBody)
	}
	if got := create(f.ws.AddUser("other@example.com")); got.status != 200 {
		t.Errorf("another user's first token: %d %s", got.status, got.body)
	}

	f.clock.Advance(time.Minute) // the short token expires and frees one place
	if got := create(f.bearer); got.status != 200 {
		t.Fatalf("create after an expiry: %d %s", got.status, got.body)
	}
	if got := create(f.bearer); got.status != 400 {
		t.Fatalf("create over quota again: %d %s", got.status, got.body)
	}
	listed, _ := f.ws.Tokens(f.bearer)
	for _, info := range listed {
		if info.TokenID == short.TokenInfo.TokenID {
			t.Error("the expired token is still listed")
		}
	}
	del := call(t, f.client, "POST", wsURL+sim.PathDelete, f.bearer, `{"token_id":"`+listed[0].TokenID+`"}`)
	if del.status != 200 {
		t.Fatalf("revoke: %d %s", del.status, del.body)
	}
	if got := create(f.bearer); got.status != 200 {
		t.Errorf("create after a revoke: %d %s", got.status, got.body)
	}
}

func TestSeedTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sim.Config{}, sim.WorkspaceOptions{QuotaPerUser: 5})
	tests := []struct {
		name    string
		bearer  string
		n       int
		wantErr string
		wantLen int
	}{
		{name: "some", bearer: f.bearer, n: 3, wantLen: 3},
		{name: "none", bearer: f.bearer, n: 0, wantLen: 3},
		{name: "over quota creates none", bearer: f.bearer, n: 3, wantErr: "QUOTA_EXCEEDED: Cannot create more than 5 tokens.", wantLen: 3},
		{name: "up to quota", bearer: f.bearer, n: 2, wantLen: 5},
		{name: "negative", bearer: f.bearer, n: -1, wantErr: "negative count", wantLen: 5},
		{name: "unknown bearer", bearer: "dapi" + strings.Repeat("1", 32), n: 1, wantErr: "bearer does not authenticate", wantLen: 5},
	}
	for _, tt := range tests { // in order: each case builds on the previous
		err := f.ws.SeedTokens(tt.bearer, tt.n, "seed")
		if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: SeedTokens(%d) = %v, want error %q", tt.name, tt.n, err, tt.wantErr)
		}
		if toks, _ := f.ws.Tokens(f.bearer); len(toks) != tt.wantLen {
			t.Errorf("%s: %d tokens, want %d", tt.name, len(toks), tt.wantLen)
		}
	}
	var apiErr *sim.Error
	if err := f.ws.SeedTokens(f.bearer, 1, ""); !errors.As(err, &apiErr) || apiErr.Code != sim.CodeQuotaExceeded || apiErr.Status != 400 {
		t.Errorf("SeedTokens over quota: %v, want a wrapped *sim.Error QUOTA_EXCEEDED", err)
	}

	// A legacy token bypasses the quota and never expires.
	id := f.ws.SeedLegacyToken(f.bearer, "legacy")
	toks, _ := f.ws.Tokens(f.bearer)
	i := slices.IndexFunc(toks, func(info sim.TokenInfo) bool { return info.TokenID == id })
	if len(toks) != 6 || i < 0 || toks[i].ExpiryTime != -1 || toks[i].Comment != "legacy" || !tokenIDRE.MatchString(id) {
		t.Errorf("after SeedLegacyToken %s: %+v", id, toks)
	}
}
