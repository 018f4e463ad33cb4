// --probe_seconds=S: the placement probe alone, over time, in placement_probe's format
// (benchmarks/placement_probe.cpp): a probe every 20 ms for S seconds, written as
// {"context": {..., "probe_pairs", "probe_us_per_pair", "probe_seconds", "probe_interval_ms"},
//
//	"probes": [{"t_ms", "ns", "pair_ns": [...]}]}, null for a pair not measured. Run back to back
//
// with the C++ placement_probe on one machine, the two files say whether Go's probe (locked,
// pinned OS threads; on amd64 the C++ loop's instructions, probe_loop.go) reads on the C++ one's
// scale. The context's probe_loop names the loop.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

const probeIntervalMs = 20

func probeOnly(seconds float64, out string, stdout, stderr io.Writer) int {
	if len(quality.pairs) == 0 {
		fmt.Fprintln(stderr, "contend-go: error: fewer than 2 CPUs allowed: no pair to probe")
		return 1
	}
	ctx := machineContext("probe", "default", probeIntervalMs, 0)
	for _, k := range []string{"contend_family", "contend_mode", "run_ms", "think", "latency_sampling",
		"latency_budget", "events_counted", "events_not_available", "taint_foreign_cpu",
		"taint_parallelism_share", "interference_resolution_cpu", "go_threads_rule"} {
		delete(ctx, k)
	}
	ctx["probe_seconds"] = strconv.FormatFloat(seconds, 'g', -1, 64)
	ctx["probe_interval_ms"] = strconv.Itoa(probeIntervalMs)
	type probe struct {
		TMs    float64       `json:"t_ms"`
		Ns     interface{}   `json:"ns"`
		PairNs []interface{} `json:"pair_ns"`
	}
	var probes []probe
	measured := 0
	start := time.Now()
	for slot := 0; ; slot++ {
		at := start.Add(time.Duration(slot) * probeIntervalMs * time.Millisecond)
		if at.Sub(start).Seconds() >= seconds {
			break
		}
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		} else if -d > probeIntervalMs*time.Millisecond {
			continue // an overrun skips the slots it covered instead of catching up
		}
		t := float64(time.Since(start)) / 1e6
		r := runProbe(quality.pairs)
		p := probe{TMs: t, Ns: nullIfZero(r.medianNs)}
		for _, ns := range r.pairNs {
			p.PairNs = append(p.PairNs, nullIfZero(ns))
		}
		if r.medianNs > 0 {
			measured++
		}
		probes = append(probes, p)
	}
	data, err := json.MarshalIndent(map[string]interface{}{"context": ctx, "probes": probes}, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "contend-go: error: encoding the probes: %v\n", err)
		return 1
	}
	data = append(data, '\n')
	if out == "" {
		_, err = stdout.Write(data)
	} else {
		err = writeWhole(out, data)
	}
	if err != nil {
		fmt.Fprintf(stderr, "contend-go: error: writing %s: %v\n", out, err)
		return 1
	}
	fmt.Fprintf(stderr, "contend-go: %d probes, %d measured, pairs %s\n", len(probes), measured, describePairs(quality.pairs))
	if measured == 0 {
		return 1
	}
	return 0
}

func nullIfZero(ns float64) interface{} {
	if ns > 0 {
		return ns
	}
	return nil
}
