// The self-checks catch broken designs: a counter that loses increments, a map that loses puts.
package main

import (
	"strings"
	"sync"
	"testing"

	"contend/go/designs"
)

type lossyCounter struct{ calls, count int64 }

func (c *lossyCounter) Increment() {
	c.calls++
	if c.calls%3 != 0 {
		c.count++
	}
}
func (c *lossyCounter) Get() int64   { return c.count }
func (c *lossyCounter) Name() string { return "lossy" }

// forgetfulMap drops every 5th put (its own keys only, as the checked pass writes them).
type forgetfulMap struct {
	mu   sync.Mutex
	m    map[uint64]uint64
	puts int
}

func (f *forgetfulMap) Get(k uint64) (uint64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[k]
	return v, ok
}
func (f *forgetfulMap) Put(k, v uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	if f.puts%5 != 0 {
		f.m[k] = v
	}
}
func (f *forgetfulMap) GetMany(keys, values []uint64, present []bool) {
	for i, k := range keys {
		values[i], present[i] = f.Get(k)
	}
}
func (f *forgetfulMap) Delete(k uint64) bool { return false }
func (f *forgetfulMap) Name() string         { return "forgetful" }

func TestSelfChecksCatchBrokenDesigns(t *testing.T) {
	opts = Options{runMs: 2, think: 1}
	rep := counterRun(func() designs.Counter { return &lossyCounter{} }, mixIncrement, false)(1)
	if !strings.HasPrefix(rep.Error, "self-check failed: counter reads") {
		t.Errorf("a lossy counter passed: %q", rep.Error)
	}
	good := counterRun(func() designs.Counter { return designs.NewAtomicCounter() }, mixReadHeavy, false)(2)
	if good.Error != "" {
		t.Errorf("a correct counter failed: %q", good.Error)
	}
	r := checkReadYourWrites(&forgetfulMap{m: map[uint64]uint64{}}, 2, 16, 64)
	if r.ok() || !strings.Contains(r.what(), "get after put") {
		t.Errorf("a forgetful map passed the checked pass: %s", r.what())
	}
	for _, d := range mapDesigns {
		m := d.make()
		if r := checkReadYourWrites(m, 4, 64, 512); !r.ok() {
			t.Errorf("%s: %s", d.name, r.what())
		}
		closeIf(m)
	}
}
