package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEncodeKnownInput(t *testing.T) {
	rep := &Rep{Counters: map[string]float64{"ops_per_sec": 1e9 / 3, "ops": 12, "p99.9_ns": 40, "bad": math.NaN()},
		Label: "tainted: foreign load 0.50 CPU, steal 0.00 CPU", RealMs: 300, CPUMs: 150}
	failed := &Rep{Counters: map[string]float64{"ops": 1}, Error: "self-check failed: counter reads 0 after 1 increments"}
	data, err := encode(map[string]interface{}{"lang": "go", "cores": "2", "load_avg": []float64{1.5}}, []Entry{
		{Name: "counters/increment/go_atomic/real_time/threads:2", FamilyIndex: 3, InstanceIndex: 1, Repetitions: 2,
			RepetitionIndex: 1, Threads: 2, Rep: rep},
		{Name: "counters/increment/go_chan/real_time/threads:1", Repetitions: 2, Threads: 1, Rep: failed},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "context": {
    "cores": "2",
    "lang": "go",
    "load_avg": [1.5]
  },
  "benchmarks": [
    {
      "name": "counters/increment/go_atomic/real_time/threads:2",
      "family_index": 3,
      "per_family_instance_index": 1,
      "run_name": "counters/increment/go_atomic/real_time/threads:2",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 1,
      "threads": 2,
      "iterations": 2,
      "real_time": 150,
      "cpu_time": 75,
      "time_unit": "ms",
      "bad": null,
      "ops": 12,
      "ops_per_sec": 333333333,
      "p99.9_ns": 40,
      "label": "tainted: foreign load 0.50 CPU, steal 0.00 CPU"
    },
    {
      "name": "counters/increment/go_chan/real_time/threads:1",
      "family_index": 0,
      "per_family_instance_index": 0,
      "run_name": "counters/increment/go_chan/real_time/threads:1",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 0,
      "threads": 1,
      "iterations": 1,
      "real_time": 0,
      "cpu_time": 0,
      "time_unit": "ms",
      "error_occurred": true,
      "error_message": "self-check failed: counter reads 0 after 1 increments",
      "ops": 1
    }
  ]
}
`
	if string(data) != want {
		t.Fatalf("got\n%s\nwant\n%s", data, want)
	}
	var doc map[string]interface{}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
}

// The file appears whole or not at all: at the rename the old file is still there, whole, and
// the new one sits complete in a temporary file beside it, named as go_suite.py's clean-up
// expects; afterwards only the new file is left, readable by others. A failed rename leaves the
// target as it was and no temporary file.
func TestWriteWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "go_counters.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := []byte("{\"benchmarks\": []}\n")
	var seen []string
	renaming = func(tmp string) {
		seen = append(seen, tmp)
		if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
			t.Errorf("before the rename %s holds %q (%v), not the old file", path, b, err)
		}
		if filepath.Dir(tmp) != dir {
			t.Errorf("temporary file %s not beside %s: the rename would not be atomic", tmp, path)
		}
		if ok, _ := filepath.Match(".go_counters.json.*tmp", filepath.Base(tmp)); !ok || !strings.HasSuffix(tmp, ".tmp") {
			t.Errorf("temporary file %s is not .go_counters.json.<random>.tmp", filepath.Base(tmp))
		}
		if b, _ := os.ReadFile(tmp); string(b) != string(data) {
			t.Errorf("temporary file holds %q before the rename, not the whole data", b)
		}
	}
	defer func() { renaming = nil }()
	err := writeWhole(path, data)
	renaming = nil
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 {
		t.Fatalf("%d renames of a temporary file, want 1", len(seen))
	}
	if b, _ := os.ReadFile(path); string(b) != string(data) {
		t.Fatalf("content %q", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := writeWhole(filepath.Join(dir, "missing", "x.json"), []byte("{}")); err == nil {
		t.Error("a write into a missing folder succeeded")
	}
	// A rename that fails (the target is a folder that is not empty) leaves no temporary file.
	blocked := filepath.Join(dir, "go_maps.json")
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeWhole(blocked, data); err == nil {
		t.Error("a rename onto a folder succeeded")
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".go_maps.json.*")); len(names) != 0 {
		t.Errorf("temporary files left after a failed rename: %v", names)
	}
	if _, err := os.Stat(filepath.Join(blocked, "inside")); err != nil {
		t.Errorf("the failed write changed its target: %v", err)
	}
}
