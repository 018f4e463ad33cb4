// contend-go: the Go designs (go/designs) measured with the C++ harness's protocol, one family a
// run, written as the C++ binaries' JSON (jsonout.go). See go/README.md.
//
//	contend-go --family=counters|maps|stacks|channels|false_sharing|poller [--threads=1,2,4]
//	           [--run_ms=N] [--quick] [--repetitions=N] [--think=N] [--filter=REGEX] [--out=FILE]
//	           [--list]
//	contend-go --probe_seconds=S [--out=FILE]
//
// Bad input: one line on stderr and exit status 2.
package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

var families = []string{"counters", "maps", "stacks", "channels", "false_sharing", "poller"}

type Options struct {
	family      string
	threads     []int
	runMs       float64
	quick       bool
	repetitions int
	think       int
	filter      *regexp.Regexp
	out         string
	probeSecs   float64 // --probe_seconds: the probe alone (probe_only.go), no benchmark
	list        bool    // --list: the benchmarks a run would measure, one a line, nothing measured
}

var opts Options

const usage = `contend-go: the Go designs under the contend protocol, one family a run
  --family=NAME    counters, maps, stacks, channels, false_sharing or poller (required)
  --threads=LIST   goroutine counts, e.g. 1,2,4 (default: powers of 2 up to 2 x CPUs, plus the
                   CPU count); T goroutines run with GOMAXPROCS = min(T, allowed CPUs), except
                   in the locked rows (counters and maps go_chan, channels go_chan_buffered and
                   go_chan_unbuffered; not their _sched rows): each goroutine and owner on an
                   OS thread of its own, pinned to a CPU of its own while they fit, with
                   GOMAXPROCS = T + owners
  --run_ms=N       length of each time-bounded run in ms (default 300, quick 50; poller: 1500,
                   quick 250, as bench_poller)
  --quick          short runs, fewer workloads, 2 repetitions
  --repetitions=N  repetitions of each benchmark (default 5, quick 2; poller: 3, quick 2)
  --think=N        local-work iterations between increments for counters/think<N> (default 100)
  --filter=REGEX   run only the benchmarks whose name (family/workload/impl) matches
  --out=FILE       write the JSON there, whole or not at all (default: standard output)
  --list           print the benchmarks a run would measure, one a line, and measure nothing
                   (contend run plans its time left from them)
  --probe_seconds=S  no benchmark: the placement probe every 20 ms for S seconds, written in
                   placement_probe's format (to calibrate against the C++ probe back to back)
Result rows are named <family>/<workload>/<impl>/real_time/threads:<T>, impl go_*
(<impl>_sched: the same design placed by Go's scheduler); the context's contend_family is
go_<family>.
`

type usageError string

func (e usageError) Error() string { return string(e) }

func parseThreads(list string) ([]int, error) {
	var out []int
	for _, item := range strings.Split(list, ",") {
		n, err := strconv.Atoi(item)
		if err != nil || n < 1 || n > 1024 {
			return nil, usageError("--threads needs whole numbers from 1 to 1024, comma-separated, not '" + list + "'")
		}
		out = append(out, n)
	}
	return out, nil
}

func defaultThreads() []int {
	cpus := runtime.NumCPU()
	var out []int
	hasCPUs := false
	for n := 1; n <= 2*cpus; n *= 2 {
		out = append(out, n)
		hasCPUs = hasCPUs || n == cpus
	}
	if !hasCPUs {
		out = append(out, cpus)
		for i := len(out) - 1; i > 0 && out[i] < out[i-1]; i-- {
			out[i], out[i-1] = out[i-1], out[i]
		}
	}
	return out
}

// parseArgs fills Options; an error is a usage error; help reports --help.
func parseArgs(args []string) (o Options, help bool, err error) {
	o = Options{runMs: -1, repetitions: -1, think: 100}
	number := func(flag, text string, min, max float64) (float64, error) {
		v, e := strconv.ParseFloat(text, 64)
		if e != nil || v < min || v > max {
			return 0, usageError(fmt.Sprintf("bad value '%s' for %s", text, flag))
		}
		return v, nil
	}
	for _, arg := range args {
		name, value, hasValue := strings.Cut(arg, "=")
		needs := func() error {
			if !hasValue {
				return usageError(name + " needs a value (" + name + "=...)")
			}
			return nil
		}
		switch name {
		case "--help", "-h":
			return o, true, nil
		case "--quick":
			if hasValue {
				return o, false, usageError("--quick takes no value")
			}
			o.quick = true
		case "--family":
			if err = needs(); err != nil {
				return
			}
			known := false
			for _, f := range families {
				known = known || f == value
			}
			if !known {
				return o, false, usageError("unknown family '" + value + "' (" + strings.Join(families, ", ") + ")")
			}
			o.family = value
		case "--threads":
			if err = needs(); err != nil {
				return
			}
			if o.threads, err = parseThreads(value); err != nil {
				return
			}
		case "--run_ms":
			if err = needs(); err != nil {
				return
			}
			if o.runMs, err = number("--run_ms", value, 1, 3_600_000); err != nil {
				return
			}
		case "--repetitions":
			if err = needs(); err != nil {
				return
			}
			var v float64
			if v, err = number("--repetitions", value, 1, 1000); err != nil {
				return
			}
			if v != float64(int(v)) {
				return o, false, usageError("bad value '" + value + "' for --repetitions")
			}
			o.repetitions = int(v)
		case "--think":
			if err = needs(); err != nil {
				return
			}
			var v float64
			if v, err = number("--think", value, 0, 1e9); err != nil {
				return
			}
			o.think = int(v)
		case "--list":
			if hasValue {
				return o, false, usageError("--list takes no value")
			}
			o.list = true
		case "--filter":
			if err = needs(); err != nil {
				return
			}
			if o.filter, err = regexp.Compile(value); err != nil {
				return o, false, usageError("bad --filter '" + value + "': " + err.Error())
			}
		case "--probe_seconds":
			if err = needs(); err != nil {
				return
			}
			if o.probeSecs, err = number("--probe_seconds", value, 0.001, 3600); err != nil {
				return
			}
		case "--out":
			if err = needs(); err != nil {
				return
			}
			if value == "" {
				return o, false, usageError("--out needs a file name")
			}
			o.out = value
		default:
			return o, false, usageError("unknown option '" + arg + "'")
		}
	}
	if o.family == "" && o.probeSecs == 0 {
		return o, false, usageError("--family is required (" + strings.Join(families, ", ") + ")")
	}
	if o.threads == nil {
		o.threads = defaultThreads()
	}
	poller := o.family == "poller"
	if o.runMs < 0 {
		o.runMs = map[[2]bool]float64{{false, false}: 300, {false, true}: 50, {true, false}: 1500, {true, true}: 250}[[2]bool{poller, o.quick}]
	}
	if o.repetitions < 0 {
		o.repetitions = map[[2]bool]int{{false, false}: 5, {false, true}: 2, {true, false}: 3, {true, true}: 2}[[2]bool{poller, o.quick}]
	}
	return o, false, nil
}

// run is main without the exit: the status it would exit with.
func run(args []string, stdout, stderr io.Writer) int {
	o, help, err := parseArgs(args)
	if help {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "contend-go: error: %v (see --help)\n", err)
		return 2
	}
	opts = o
	quality.pairs = probePairs(readTopology(), allowedCPUs)
	if o.probeSecs > 0 {
		return probeOnly(o.probeSecs, o.out, stdout, stderr)
	}
	mode := "default"
	if o.quick {
		mode = "quick"
	}
	context := machineContext(o.family, mode, o.runMs, o.think)
	var benches []Bench
	for _, b := range register(o.family) {
		if len(b.threads) > 0 && (o.filter == nil || o.filter.MatchString(b.family+"/"+b.workload+"/"+b.impl)) {
			benches = append(benches, b)
		}
	}
	if o.list {
		for _, b := range benches {
			for _, t := range b.threads {
				name, _ := rowName(b, t) // the result rows' names (the poller's are bench_poller's)
				fmt.Fprintln(stdout, name)
			}
		}
		return 0
	}
	if len(benches) == 0 {
		fmt.Fprintf(stderr, "contend-go: error: no benchmark of %s matches the filter (see --help)\n", o.family)
		return 2
	}
	entries := runAll(benches, o, stderr)
	data, err := encode(context, entries)
	if err != nil {
		fmt.Fprintf(stderr, "contend-go: error: encoding the results: %v\n", err)
		return 1
	}
	if o.out == "" {
		_, err = stdout.Write(data)
	} else {
		err = writeWhole(o.out, data)
	}
	if err != nil {
		fmt.Fprintf(stderr, "contend-go: error: writing %s: %v\n", o.out, err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
