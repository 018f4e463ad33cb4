// Go's rows are named as the C++ binaries name theirs, so that they land in the same charts: the
// same workloads (but the Go-only and C++-only ones declared here), at the same thread counts for
// the same sweep, with the same name shape, in default and quick mode. The C++ names are the
// built binaries' own (--benchmark_list_tests, from build/release: cmake --preset release &&
// cmake --build --preset release); without them the test skips and says so. The maps'
// get_many rule is read from the C++ headers, which are always there.
package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var repoRoot = filepath.Join("..", "..", "..")

// cppBinary: the C++ binary of a family in the release build.
func cppBinary(family string) string {
	if family == "poller" {
		return filepath.Join(repoRoot, "build", "release", "programs", "poller", "bench_poller")
	}
	return filepath.Join(repoRoot, "build", "release", "benchmarks", "bench_"+family)
}

// Workloads one language has and the other has not, on purpose (go/README.md says why).
var goOnlyWorkloads = map[string][]string{"channels": {"spsc-unbuffered", "mpsc-unbuffered", "mpmc-unbuffered"}}
var cppOnlyWorkloads = map[string][]string{"channels": {"idle"}}

// sweep: the thread counts both sides are listed with.
const sweep = "1,2,4"

// listing: for each workload, the thread counts of each impl, and the name shapes (the name
// after the impl, counts as N), from --list lines.
type listing struct {
	threads map[string]map[string]string // workload -> impl -> "1,2,4"
	shapes  map[string]bool
}

var countInName = regexp.MustCompile(`(threads|workers):\d+`)

func parseListing(t *testing.T, lines []string, family string) listing {
	l := listing{threads: map[string]map[string]string{}, shapes: map[string]bool{}}
	counts := map[[2]string][]string{}
	for _, line := range lines {
		parts := strings.Split(line, "/")
		if len(parts) < 5 || parts[0] != family {
			t.Fatalf("%s: a name not of the family: %q", family, line)
		}
		l.shapes[countInName.ReplaceAllString(strings.Join(parts[3:], "/"), "$1:N")] = true
		key := [2]string{parts[1], parts[2]}
		counts[key] = append(counts[key], countInName.FindString(line))
	}
	for key, c := range counts {
		if l.threads[key[0]] == nil {
			l.threads[key[0]] = map[string]string{}
		}
		l.threads[key[0]][key[1]] = strings.Join(c, ",")
	}
	return l
}

func goListing(t *testing.T, family string, quick bool) listing {
	args := []string{"--family=" + family, "--threads=" + sweep, "--list"}
	if quick {
		args = append(args, "--quick")
	}
	var out, errs bytes.Buffer
	if code := run(args, &out, &errs); code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errs.String())
	}
	return parseListing(t, strings.Fields(out.String()), family)
}

func cppListing(t *testing.T, family string, quick bool) listing {
	args := []string{"--threads=" + sweep, "--benchmark_list_tests"}
	if quick {
		args = append(args, "--quick")
	}
	out, err := exec.Command(cppBinary(family), args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", cppBinary(family), args, err)
	}
	return parseListing(t, strings.Fields(string(out)), family)
}

func sortedKeys(m map[string]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestNamesAreTheCppOnes(t *testing.T) {
	for _, family := range families {
		if _, err := os.Stat(cppBinary(family)); err != nil {
			t.Skipf("no C++ binaries to compare the names with (%s: %v); build them with "+
				"cmake --preset release && cmake --build --preset release", cppBinary(family), err)
		}
	}
	for _, family := range families {
		for _, quick := range []bool{false, true} {
			mode := map[bool]string{false: "default", true: "quick"}[quick]
			goL, cppL := goListing(t, family, quick), cppListing(t, family, quick)
			only := func(list map[string][]string, w string) bool {
				for _, x := range list[family] {
					if x == w {
						return true
					}
				}
				return false
			}
			for _, w := range sortedKeys(goL.threads) {
				cppImpls, inCpp := cppL.threads[w]
				if only(goOnlyWorkloads, w) {
					if inCpp {
						t.Errorf("%s %s: %s is declared Go-only but the C++ binary has it", family, mode, w)
					}
					continue
				}
				if !inCpp {
					t.Errorf("%s %s: Go's workload %s is not a C++ workload (C++: %v)", family, mode, w, sortedKeys(cppL.threads))
					continue
				}
				// Every Go impl at the thread counts some C++ impl of the workload has (maps'
				// single_thread aside, they all have the same).
				for impl, counts := range goL.threads[w] {
					match := false
					for _, c := range cppImpls {
						match = match || c == counts
					}
					if !match {
						t.Errorf("%s %s: %s/%s at %s, the C++ impls at %v", family, mode, w, impl, counts, cppImpls)
					}
				}
			}
			for _, w := range sortedKeys(cppL.threads) {
				if _, inGo := goL.threads[w]; !inGo && !only(cppOnlyWorkloads, w) {
					t.Errorf("%s %s: the C++ workload %s has no Go rows", family, mode, w)
				}
			}
			for shape := range goL.shapes {
				if !cppL.shapes[shape] {
					t.Errorf("%s %s: Go names end in %s, the C++ ones in %v", family, mode, shape, cppL.shapes)
				}
			}
		}
	}
}

// get_many reads a batch as bench_maps.cpp reads the design's C++ counterpart: one GetMany where
// that map has a get_many member, 16 Gets where it has not (read_batch's HasGetMany).
func TestGetManyAsTheCppMaps(t *testing.T) {
	getMany := regexp.MustCompile(`\bget_many\s*\(`)
	checked := 0
	for _, d := range mapDesigns {
		if d.cpp == "" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(repoRoot, "impl", "contend", d.cpp))
		if err != nil {
			t.Fatal(err)
		}
		if has := getMany.Match(src); has != d.getMany {
			t.Errorf("maps/get_many: %s reads a batch with GetMany %v, but %s has get_many %v", d.name, d.getMany, d.cpp, has)
		}
		checked++
	}
	if checked < 3 {
		t.Errorf("only %d Go maps name a C++ counterpart", checked)
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
