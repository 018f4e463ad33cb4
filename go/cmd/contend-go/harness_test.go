// The harness's pure parts on known inputs: the interference rule on the C++ tests' recorded
// /proc/stat samples (tests/fixtures/proc_stat, the same verdicts as tests/interference_test.cpp),
// fairness, the latency histogram, the flags.
package main

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type sample struct {
	before, after string
	meta          map[string]int64
}

func loadSample(t *testing.T, name string) sample {
	base := filepath.Join("..", "..", "..", "tests", "fixtures", "proc_stat", name)
	read := func(ext string) string {
		b, err := os.ReadFile(base + ext)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	s := sample{before: read(".before"), after: read(".after"), meta: map[string]int64{}}
	sc := bufio.NewScanner(strings.NewReader(read(".meta")))
	sc.Split(bufio.ScanWords)
	for sc.Scan() {
		key := sc.Text()
		sc.Scan()
		v, _ := strconv.ParseInt(sc.Text(), 10, 64)
		s.meta[key] = v
	}
	return s
}

func (s sample) classify(needed int) interference {
	if needed < 0 {
		needed = int(s.meta["parallelism_needed"])
	}
	return classify(s.before, s.after, s.meta["process_cpu_ns"], s.meta["wall_ns"], needed, nil, procStatTickNs)
}

func TestInterferenceOnRecordedSamples(t *testing.T) {
	if r := loadSample(t, "quiet").classify(-1); !r.valid || r.tainted() || r.label() != "" {
		t.Errorf("quiet: %+v %q", r, r.label())
	}
	if r := loadSample(t, "hog").classify(-1); !r.taintForeign || r.foreignCPU <= 0.5 || !strings.Contains(r.label(), "foreign load") {
		t.Errorf("hog: %+v", r)
	}
	quiet, steal := loadSample(t, "quiet").classify(-1), loadSample(t, "steal").classify(-1)
	if !steal.taintForeign || steal.taintParallelism || math.Abs(steal.stealCPU-0.3) > steal.resolutionCPU ||
		steal.foreignCPU != quiet.foreignCPU || !strings.Contains(steal.label(), "steal 0.3") {
		t.Errorf("steal: %+v %q", steal, steal.label())
	}
	if r := loadSample(t, "serialized").classify(-1); !r.taintParallelism || r.taintForeign || r.parallelism >= 1.2 {
		t.Errorf("serialized: %+v", r)
	}
	if r := loadSample(t, "serialized").classify(parallelismNeeded(true, 2, 0, 2)); r.taintParallelism || r.parallelismNeeded != 0 {
		t.Errorf("a blocking design was judged by its parallelism: %+v", r)
	}
}

func TestInterferenceQuantizationAloneNeverTaints(t *testing.T) {
	before := "cpu  100 0 0 1000 0 0 0 0 0 0\ncpu0 50 0 0 500 0 0 0 0 0 0\ncpu1 50 0 0 500 0 0 0 0 0 0\n"
	after := func(busy int) string {
		return "cpu  " + strconv.Itoa(100+busy) + " 0 0 1000 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n"
	}
	const wall, ours = 300_000_000, 600_000_000
	within := classify(before, after(64), ours, wall, 2, nil, procStatTickNs)
	if math.Abs(within.resolutionCPU-2*0.01/0.3) > 1e-9 || math.Abs(within.foreignCPU-0.04/0.3) > 1e-9 || within.tainted() {
		t.Errorf("within: %+v", within)
	}
	beyond := classify(before, after(66), ours, wall, 2, nil, procStatTickNs)
	if math.Abs(beyond.foreignCPU-0.2) > 1e-9 || !beyond.taintForeign || beyond.taintParallelism {
		t.Errorf("beyond: %+v", beyond)
	}
	if r := classify("", "", 1, 1, 2, nil, procStatTickNs); r.valid || r.tainted() {
		t.Errorf("unreadable snapshots judged: %+v", r)
	}
	if parseProcStat("cpu  1 2 3\n") != nil || parseProcStat("intr 1 2\n") != nil {
		t.Error("a malformed /proc/stat was parsed")
	}
	// Only the allowed CPUs count: load on cpu1 does not taint a process allowed cpu0 alone.
	b := "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n"
	a := "cpu  60 0 0 0 0 0 0 0 0 0\ncpu0 30 0 0 0 0 0 0 0 0 0\ncpu1 30 0 0 0 0 0 0 0 0 0\n"
	if r := classify(b, a, 300_000_000, 300_000_000, 1, []int{0}, procStatTickNs); r.tainted() || r.foreignCPU != 0 {
		t.Errorf("load outside the allowed CPUs tainted: %+v", r)
	}
}

func TestFairness(t *testing.T) {
	f := fairnessOf([]uint64{100, 50, 7, 0}, []Role{Producer, Producer, Consumer, Consumer})
	if f.minMax != 0.5 || f.threads != 2 || math.Abs(f.cv-25.0/75) > 1e-12 {
		t.Errorf("producers only: %+v", f)
	}
	if f := fairnessOf([]uint64{10, 10}, []Role{Worker, Worker}); f.minMax != 1 || f.cv != 0 {
		t.Errorf("equal workers: %+v", f)
	}
	if f := fairnessOf([]uint64{5}, []Role{Consumer}); f != (fairness{}) {
		t.Errorf("consumers alone are not judged: %+v", f)
	}
}

func TestHistogram(t *testing.T) {
	var h Histogram
	if h.Percentile(50) != 0 {
		t.Fatal("empty histogram")
	}
	for ns := uint64(1); ns <= 1000; ns++ {
		h.Record(ns)
	}
	if h.Percentile(100) != 1000 || h.Percentile(0.01) != 1 {
		t.Errorf("min/max not exact: %v %v", h.Percentile(0.01), h.Percentile(100))
	}
	if p := h.Percentile(50); math.Abs(p-500) > 500.0/16 {
		t.Errorf("p50 %v not within a sub-bucket of 500", p)
	}
	// rank 90 lies in [88, 92) (sub-buckets of 4 between 64 and 128): its midpoint, 89.5
	if p := h.Percentile(9); p != 89.5 {
		t.Errorf("p9 = %v, want 89.5", p)
	}
	for _, ns := range []uint64{0, 15, 16, 17, 1 << 40} {
		b := bucketOf(ns)
		if bucketLower(b) > ns || (b+1 < buckets && bucketLower(b+1) <= ns) {
			t.Errorf("%d in bucket %d [%d, %d)", ns, b, bucketLower(b), bucketLower(b+1))
		}
	}
	var m Histogram
	m.Merge(&h)
	m.Merge(nil)
	if m.samples != 1000 || m.min != 1 || m.max != 1000 {
		t.Errorf("merge: %d %d %d", m.samples, m.min, m.max)
	}
}

func TestFlags(t *testing.T) {
	bad := [][]string{
		{}, {"--family=queues"}, {"--family=counters", "--threads=0"}, {"--family=counters", "--threads=1,"},
		{"--family=counters", "--run_ms=abc"}, {"--family=counters", "--repetitions=1.5"},
		{"--family=counters", "--bogus"}, {"--family=counters", "--quick=1"}, {"--family=counters", "--filter=("},
		{"--family=counters", "--out="}, {"--family"},
	}
	for _, args := range bad {
		var out, errs strings.Builder
		if code := run(args, &out, &errs); code != 2 || strings.Count(errs.String(), "\n") != 1 || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs.String())
		}
	}
	o, _, err := parseArgs([]string{"--family=maps", "--quick"})
	if err != nil || o.runMs != 50 || o.repetitions != 2 || len(o.threads) == 0 {
		t.Errorf("quick defaults: %+v %v", o, err)
	}
	o, _, err = parseArgs([]string{"--family=maps", "--quick", "--run_ms=7", "--repetitions=3", "--threads=1,3"})
	if err != nil || o.runMs != 7 || o.repetitions != 3 || len(o.threads) != 2 || o.threads[1] != 3 {
		t.Errorf("explicit values: %+v %v", o, err)
	}
	var out, errs strings.Builder
	if run([]string{"--help"}, &out, &errs) != 0 || !strings.Contains(out.String(), "--family") {
		t.Error("--help")
	}
}

func TestProbePairs(t *testing.T) {
	if p := probePairs(nil, []int{0, 1, 2}); describePairs(p) != "0-1,0-2,1-2" {
		t.Errorf("small machine: %s", describePairs(p))
	}
	var topo []logicalCPU
	for i := 0; i < 8; i++ { // 2 packages x 2 cores x 2 SMT siblings; siblings are i and i+4 in a package
		topo = append(topo, logicalCPU{id: i, pkg: i / 4, core: i % 2})
	}
	if p := describePairs(probePairs(topo, []int{0, 1, 2, 3, 4, 5, 6, 7})); p != "0-2,0-1,0-4,0-6" {
		t.Errorf("big machine: %s", p)
	}
}
