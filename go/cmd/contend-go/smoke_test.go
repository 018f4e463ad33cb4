// The binary end to end, in quick mode with very short runs: every family (maps on the 1k-key
// workloads only: a million-key prefill under the race detector takes too long), its JSON read
// back and checked: every benchmark --list names is there, did work (ops > 0) and passed its
// self-check; names, the C++ counters, Go's, the context; the locked rows' placement counters.
package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// smoke runs a family and returns its document and the names --list gives for the same run.
func smoke(t *testing.T, family, filter string) (map[string]interface{}, []string) {
	out := filepath.Join(t.TempDir(), "go_"+family+".json")
	threads := "1,2"
	if family == "channels" {
		threads = "1,2,4" // mpsc from 3, mpmc from 4
	}
	args := []string{"--family=" + family, "--quick", "--threads=" + threads, "--run_ms=5", "--repetitions=1"}
	if filter != "" {
		args = append(args, "--filter="+filter)
	}
	var stdout, stderr strings.Builder
	if code := run(append(args, "--list"), &stdout, &stderr); code != 0 {
		t.Fatalf("%s --list: exit %d: %s", family, code, stderr.String())
	}
	listed := strings.Fields(stdout.String())
	stdout.Reset()
	if code := run(append(args, "--out="+out), &stdout, &stderr); code != 0 {
		t.Fatalf("%s: exit %d: %s", family, code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]interface{}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, listed
}

func TestSmokeEveryFamily(t *testing.T) {
	wanted := []string{"ops_per_sec", "ns_per_op", "cpu_ns_per_op", "wall_ms", "ops", "fairness_min_max", "fairness_cv",
		"foreign_cpu", "steal_cpu", "parallelism", "parallelism_needed", "tainted", "taint_foreign",
		"taint_parallelism", "probe_ns", "probe_after_ns", "gc_cycles", "gc_pause_ns", "allocs_per_op", "gomaxprocs",
		"go_locked", "go_pinned"}
	impls := map[string][]string{
		"counters":      {"go_mutex", "go_atomic", "go_chan", "go_chan_sched", "go_sharded_padded", "go_sharded_packed"},
		"maps":          {"go_mutex", "go_rwmutex", "go_syncmap", "go_chan", "go_chan_sched"},
		"stacks":        {"go_mutex", "go_treiber"},
		"channels":      {"go_chan_buffered", "go_chan_buffered_sched", "go_chan_unbuffered", "go_chan_unbuffered_sched"},
		"false_sharing": {"go_packed", "go_pad64", "go_pad128"},
		"poller":        {"go_chan", "go_mutex"},
	}
	filters := map[string]string{"maps": "k1k", "counters": "increment|read_heavy"}
	for _, family := range families {
		doc, listed := smoke(t, family, filters[family])
		ctx := doc["context"].(map[string]interface{})
		if ctx["lang"] != "go" || ctx["contend_family"] != "go_"+family || ctx["schema_version"] != "3" ||
			ctx["contend_mode"] != "quick" || ctx["run_ms"] != "5" || ctx["go_version"] == nil || ctx["latency_clock_ns"] == nil ||
			ctx["probe_loop"] != probeLoopUsed.name {
			t.Errorf("%s: context %v", family, ctx)
		}
		rows := map[string]map[string]interface{}{}
		seen := map[string]bool{}
		for _, raw := range doc["benchmarks"].([]interface{}) {
			b := raw.(map[string]interface{})
			name := b["name"].(string)
			if rows[name] != nil {
				t.Errorf("%s twice (one repetition asked)", name)
			}
			rows[name] = b
			parts := strings.Split(name, "/")
			if family == "poller" { // bench_poller's names: .../resources:64/workers:W/iterations:1/real_time
				if len(parts) == 7 && parts[3] == "resources:64" && strings.HasPrefix(parts[4], "workers:") &&
					parts[5]+"/"+parts[6] == "iterations:1/real_time" && b["threads"] == 1.0 {
					parts = append(parts[:3], "real_time", "threads:1")
				}
			}
			if len(parts) != 5 || parts[0] != family || parts[3] != "real_time" || !strings.HasPrefix(parts[4], "threads:") ||
				b["run_name"] != name || b["run_type"] != "iteration" {
				t.Errorf("bad entry name %q", name)
				continue
			}
			seen[parts[2]] = true
			for _, c := range wanted {
				if family == "poller" && strings.HasPrefix(c, "fairness") {
					continue // bench_poller has no fairness
				}
				if _, ok := b[c]; !ok {
					t.Errorf("%s: no %s", name, c)
				}
			}
		}
		// Every benchmark the run was to measure: there, did work, passed its self-check. (Each
		// workload does at least one batch per goroutine before it looks at the deadline, and the
		// consumers drain what was sent, so even a 5 ms run on a loaded machine counts operations.)
		for _, name := range listed {
			b := rows[name]
			if b == nil {
				t.Errorf("%s: listed but not in the results", name)
				continue
			}
			if b["error_occurred"] == true {
				t.Errorf("%s: %v", name, b["error_message"])
			}
			if ops, _ := b["ops"].(float64); ops <= 0 {
				t.Errorf("%s: no operations (ops %v)", name, b["ops"])
			}
			locked, pinned := b["go_locked"], b["go_pinned"]
			parts := strings.Split(name, "/")
			if wantLocked := lockedRows[parts[0]+"/"+parts[2]]; (locked == 1.0) != wantLocked || (pinned == 1.0 && !wantLocked) {
				t.Errorf("%s: go_locked %v, go_pinned %v", name, locked, pinned)
			}
			if locked == 1.0 {
				T, _ := strconv.Atoi(strings.TrimPrefix(name[strings.LastIndex(name, "/")+1:], "threads:"))
				owners, _ := b["owner_threads"].(float64)
				if b["gomaxprocs"] != float64(T)+owners || (pinned == 1.0) != (T <= len(allowedCPUs)) {
					t.Errorf("%s: gomaxprocs %v with %v owners, go_pinned %v on %d allowed CPUs", name, b["gomaxprocs"],
						owners, pinned, len(allowedCPUs))
				}
			}
			if family == "stacks" && strings.Contains(name, "/go_mutex/") {
				if r, _ := b["lock_run_length"].(float64); r < 1 {
					t.Errorf("%s: lock_run_length %v", name, b["lock_run_length"])
				}
			}
		}
		if len(rows) != len(listed) {
			t.Errorf("%s: %d rows for %d listed benchmarks", family, len(rows), len(listed))
		}
		for _, impl := range impls[family] {
			if !seen[impl] {
				t.Errorf("%s: no %s rows", family, impl)
			}
		}
		if family == "channels" {
			for _, n := range []string{"channels/mpsc-small/go_chan_buffered/real_time/threads:3",
				"channels/mpmc-unbuffered/go_chan_unbuffered/real_time/threads:4",
				"channels/pingpong/go_chan_unbuffered_sched/real_time/threads:2"} {
				if rows[n] == nil {
					t.Errorf("no %s", n)
				}
			}
		}
	}
}

// The rows (family/impl) whose goroutines and owners run locked to OS threads of their own.
var lockedRows = map[string]bool{"channels/go_chan_buffered": true, "channels/go_chan_unbuffered": true,
	"counters/go_chan": true, "maps/go_chan": true}

func TestProbeOnly(t *testing.T) {
	if len(allowedCPUs) < 2 {
		t.Skip("fewer than 2 CPUs allowed")
	}
	out := filepath.Join(t.TempDir(), "go_placement.json")
	var stdout, stderr strings.Builder
	if code := run([]string{"--probe_seconds=0.05", "--out=" + out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, _ := os.ReadFile(out)
	var doc struct {
		Context map[string]interface{}
		Probes  []struct {
			TMs    float64    `json:"t_ms"`
			Ns     *float64   `json:"ns"`
			PairNs []*float64 `json:"pair_ns"`
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Probes) == 0 || doc.Probes[0].Ns == nil || *doc.Probes[0].Ns <= 0 ||
		len(doc.Probes[0].PairNs) != len(quality.pairs) || doc.Context["probe_pairs"] != describePairs(quality.pairs) {
		t.Errorf("probes: %s", data)
	}
}
