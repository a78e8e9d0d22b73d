package sim_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackql-labs/databricks-tokens/test/sim"
)

// BenchmarkList600 lists a full quota of tokens through a real loopback request,
// client and server in one process (allocations count both sides). Target: < 2 ms/op.
func BenchmarkList600(b *testing.B) {
	for _, plain := range []bool{false, true} {
		name := "tls"
		if plain {
			name = "plain"
		}
		b.Run(name, func(b *testing.B) {
			srv, err := sim.Start(sim.Config{Plain: plain})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			ws, err := srv.AddWorkspace(wsName, sim.WorkspaceOptions{})
			if err != nil {
				b.Fatal(err)
			}
			bearer := ws.AddUser(userName)
			if err := ws.SeedTokens(bearer, 600, "benchmark token"); err != nil {
				b.Fatal(err)
			}
			client := srv.Client()
			url := ws.URL() + sim.PathList
			var size int64
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Authorization", "Bearer "+bearer)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				size, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(size), "bytes/response")
		})
	}
}

// BenchmarkCreate measures create throughput over TLS with parallel clients, each a
// user of its own that moves to a fresh user at the 600-token quota.
func BenchmarkCreate(b *testing.B) {
	srv, err := sim.Start(sim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ws, err := srv.AddWorkspace(wsName, sim.WorkspaceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	client := srv.Client()
	url := ws.URL() + sim.PathCreate
	var users atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		bearer, made := "", 600
		for pb.Next() {
			if made == 600 {
				bearer, made = ws.AddUser(fmt.Sprintf("user-%d@example.com", users.Add(1))), 0
			}
			req, _ := http.NewRequest("POST", url, strings.NewReader(`{"comment":"benchmark","lifetime_seconds":3600}`))
			req.Header.Set("Authorization", "Bearer "+bearer)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			made++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// BenchmarkTokenMemory measures the heap a stored token costs, including its share of
// the workspace's indexes, by storing n tokens and comparing live heap before and after.
func BenchmarkTokenMemory(b *testing.B) {
	const n = 10000
	srv, err := sim.Start(sim.Config{Plain: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var total float64
	var runs int
	for b.Loop() {
		name := fmt.Sprintf("mem-%d", runs)
		ws, err := srv.AddWorkspace(name, sim.WorkspaceOptions{QuotaPerUser: n})
		if err != nil {
			b.Fatal(err)
		}
		bearer := ws.AddUser(userName)
		before := liveHeap()
		if err := ws.SeedTokens(bearer, n, "benchmark token"); err != nil {
			b.Fatal(err)
		}
		total += float64(liveHeap()-before) / n
		runs++
		runtime.KeepAlive(ws)
		srv.RemoveWorkspace(name)
	}
	b.ReportMetric(total/float64(runs), "bytes/token")
}

// liveHeap returns the bytes of live heap. Two collections, because the first only
// moves sync.Pool contents (buffers left by other benchmarks) to the victim cache.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
