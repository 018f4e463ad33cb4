// The workload names are the C++ ones, so that Go's rows land in the same charts.
package main

import (
	"bytes"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func workloadsOf(family string, quick bool) []string {
	opts = Options{threads: []int{1, 2, 4}, quick: quick, think: 100, runMs: 1}
	seen := map[string]bool{}
	var out []string
	for _, b := range register(family) {
		if !seen[b.workload] {
			seen[b.workload] = true
			out = append(out, b.workload)
		}
	}
	sort.Strings(out)
	return out
}

func TestWorkloadNamesAreTheCppOnes(t *testing.T) {
	var maps []string
	for _, k := range []string{"k1k", "k1m"} {
		for _, d := range []string{"uniform", "zipf"} {
			for _, r := range []string{"r0", "r50", "r90", "r99"} {
				maps = append(maps, r+"-"+k+"-"+d)
			}
		}
	}
	maps = append(maps, "get_many-k1k-uniform")
	sort.Strings(maps)
	want := map[string][]string{
		"counters":      {"increment", "read_heavy", "think100"},
		"maps":          maps,
		"stacks":        {"pairs", "prodcons"},
		"channels":      {"mpmc-large", "mpmc-small", "mpsc-large", "mpsc-small", "pingpong", "spsc-large", "spsc-small"},
		"false_sharing": {"atomic", "plain"},
		"poller":        {"loopback", "sim-0", "sim-1ms", "sim-1ms-fail20"},
	}
	for family, names := range want {
		if got := workloadsOf(family, false); !reflect.DeepEqual(got, names) {
			t.Errorf("%s: %v, want %v", family, got, names)
		}
	}
	quickMaps := []string{"get_many-k1k-uniform", "r0-k1k-uniform", "r50-k1k-uniform", "r90-k1k-uniform", "r90-k1m-zipf", "r99-k1k-uniform"}
	if got := workloadsOf("maps", true); !reflect.DeepEqual(got, quickMaps) {
		t.Errorf("quick maps: %v", got)
	}
	if got := workloadsOf("channels", true); !reflect.DeepEqual(got, []string{"mpmc-small", "mpsc-small", "pingpong", "spsc-small"}) {
		t.Errorf("quick channels: %v", got)
	}
}

// --list names every benchmark a run would measure (contend run plans its time left from them),
// one a line, in the result files' form, and measures nothing.
func TestListNamesEveryBenchmark(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"--family=stacks", "--threads=1,2", "--list"}, &out, &errs); code != 0 {
		t.Fatalf("--list exited %d: %s", code, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := map[string]bool{}
	for _, w := range []string{"pairs", "prodcons"} {
		for _, impl := range []string{"go_mutex", "go_treiber"} {
			for _, th := range []string{"1", "2"} {
				if w == "prodcons" && th == "1" {
					continue // a producer and a consumer: two goroutines at least, as in C++
				}
				want["stacks/"+w+"/"+impl+"/real_time/threads:"+th] = true
			}
		}
	}
	for _, l := range lines {
		if !want[l] {
			t.Errorf("unexpected line %q", l)
		}
		delete(want, l)
	}
	if len(want) != 0 {
		t.Errorf("missing %v", want)
	}
	if code := run([]string{"--family=stacks", "--list=1"}, &out, &errs); code != 2 {
		t.Errorf("--list=1 exited %d, want 2", code)
	}
}
