// The result file: Google Benchmark's JSON as the C++ binaries write it ({"context": {...},
// "benchmarks": [...]}), so that scripts/contend_lib/loader.load reads it unchanged. Every
// repetition is one entry with run_type "iteration", in Google Benchmark's key order, its
// counters after the fixed keys in name order (std::map's, as Google Benchmark writes them).
// The file is written whole or not at all: a temporary file beside it, then a rename.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// Entry is one repetition of one benchmark instance.
type Entry struct {
	Name            string // family/workload/impl/real_time/threads:T
	FamilyIndex     int
	InstanceIndex   int // per_family_instance_index: the thread count's index
	Repetitions     int
	RepetitionIndex int
	Threads         int
	Rep             *Rep
}

type kv struct {
	key   string
	value interface{}
}

// number: JSON has no NaN or infinity; a counter that is not finite is written as null (the
// loader reads null as missing).
func number(f float64) interface{} {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return json.Number(strconv.FormatFloat(f, 'g', 9, 64))
}

func writeObject(buf *bytes.Buffer, fields []kv, indent string) error {
	buf.WriteString("{")
	for i, f := range fields {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n" + indent + "  ")
		k, _ := json.Marshal(f.key)
		buf.Write(k)
		buf.WriteString(": ")
		v, err := json.Marshal(f.value)
		if err != nil {
			return fmt.Errorf("%s: %v", f.key, err)
		}
		buf.Write(v)
	}
	buf.WriteString("\n" + indent + "}")
	return nil
}

func entryFields(e Entry) []kv {
	threads := e.Threads
	if threads < 1 {
		threads = 1
	}
	// Google Benchmark's threads each run the one iteration: iterations is the thread count and
	// real_time and cpu_time are per iteration (the run's wall and CPU time over it).
	f := []kv{
		{"name", e.Name}, {"family_index", e.FamilyIndex}, {"per_family_instance_index", e.InstanceIndex},
		{"run_name", e.Name}, {"run_type", "iteration"}, {"repetitions", e.Repetitions},
		{"repetition_index", e.RepetitionIndex}, {"threads", e.Threads}, {"iterations", threads},
		{"real_time", number(e.Rep.RealMs / float64(threads))}, {"cpu_time", number(e.Rep.CPUMs / float64(threads))},
		{"time_unit", "ms"},
	}
	if e.Rep.Error != "" {
		f = append(f, kv{"error_occurred", true}, kv{"error_message", e.Rep.Error})
	}
	names := make([]string, 0, len(e.Rep.Counters))
	for k := range e.Rep.Counters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		f = append(f, kv{k, number(e.Rep.Counters[k])})
	}
	if e.Rep.Label != "" {
		f = append(f, kv{"label", e.Rep.Label})
	}
	return f
}

// encode renders the document.
func encode(context map[string]interface{}, entries []Entry) ([]byte, error) {
	var buf bytes.Buffer
	keys := make([]string, 0, len(context))
	for k := range context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ctx := make([]kv, 0, len(keys))
	for _, k := range keys {
		ctx = append(ctx, kv{k, context[k]})
	}
	buf.WriteString("{\n  \"context\": ")
	if err := writeObject(&buf, ctx, "  "); err != nil {
		return nil, err
	}
	buf.WriteString(",\n  \"benchmarks\": [")
	for i, e := range entries {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n    ")
		if err := writeObject(&buf, entryFields(e), "    "); err != nil {
			return nil, err
		}
	}
	buf.WriteString("\n  ]\n}\n")
	return buf.Bytes(), nil
}

// renaming, when set (by the tests), is called with the temporary file's name just before the
// rename: the moment at which a reader of path must still find the old file whole.
var renaming func(tmp string)

// writeWhole writes data to path through a temporary file in the same folder and a rename, so
// that a reader never sees half a file and an interrupted run leaves none. The temporary file is
// .<name>.<random>.tmp: scripts/contend_lib/go_suite.py removes .<name>.*tmp after an interrupt.
func writeWhole(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	_ = tmp.Chmod(0o644) // CreateTemp makes it 0600; result files are read by others
	serr := tmp.Sync()
	cerr := tmp.Close()
	for _, e := range []error{werr, serr, cerr} {
		if e != nil {
			os.Remove(name)
			return e
		}
	}
	if renaming != nil {
		renaming(name)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}
