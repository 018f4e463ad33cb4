// The invariants the C++ typed tests hold every design to, under concurrency (run them with
// go test -race): no lost increment, every pushed value popped exactly once, map contents equal
// to a sequential model (Get and GetMany), the mutex stack's run-length probe, the owner hook.
// Go's channels themselves are the runtime's: the channels family's tests are the harness's
// (cmd/contend-go/channels_test.go), whose self-checks must catch a channel that loses items.
package designs

import (
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const goroutines = 8

func counters() []Counter {
	return []Counter{NewMutexCounter(), NewAtomicCounter(), NewChanCounter(), NewShardedPadded(0), NewShardedPacked(3)}
}

func closeIf(d interface{}) {
	if c, ok := d.(Closer); ok {
		c.Close()
	}
}

func TestCountersLoseNoIncrement(t *testing.T) {
	const each = 20000
	for _, c := range counters() {
		t.Run(c.Name(), func(t *testing.T) {
			defer closeIf(c)
			var wg sync.WaitGroup
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := 0; i < each; i++ {
						if s, ok := c.(Slotted); ok && g%2 == 0 {
							s.IncrementAt(g)
						} else {
							c.Increment()
						}
						if i%500 == 0 {
							_ = c.Get() // reads race with increments: never torn, never an error
						}
					}
				}(g)
			}
			wg.Wait()
			if got := c.Get(); got != goroutines*each {
				t.Fatalf("%s: %d increments, Get() = %d", c.Name(), goroutines*each, got)
			}
		})
	}
}

func TestChanCounterReadsItsOwnIncrements(t *testing.T) {
	c := NewChanCounter()
	defer c.Close()
	for i := 1; i <= 100; i++ {
		c.Increment()
		if got := c.Get(); got != int64(i) {
			t.Fatalf("after %d increments Get() = %d", i, got)
		}
	}
}

func TestShardedSlots(t *testing.T) {
	p := NewShardedPadded(4)
	if p.Slots() != 4 || p.Name() != "go_sharded_padded" || NewShardedPacked(0).Slots() != DefaultSlots() {
		t.Fatal("slot counts or names wrong")
	}
	p.IncrementAt(7) // wraps to slot 3
	p.IncrementAt(3)
	if p.Get() != 2 {
		t.Fatalf("Get() = %d", p.Get())
	}
}

func maps() []Map {
	return []Map{NewMutexMap(), NewRWMutexMap(), NewSyncMap(), NewChanMap()}
}

// Every goroutine runs random puts, gets and deletes on keys of its own (read-your-writes against
// its own sequential model) and reads keys shared by all (a value only ever of the right key);
// after the join the map equals the union of the models.
func TestMapsMatchASequentialModel(t *testing.T) {
	const ops, ownKeys = 20000, 32
	for _, m := range maps() {
		t.Run(m.Name(), func(t *testing.T) {
			defer closeIf(m)
			for k := uint64(0); k < 16; k++ {
				m.Put(1<<40+k, k*3)
			}
			models := make([]map[uint64]uint64, goroutines)
			var wg sync.WaitGroup
			errs := make(chan string, goroutines)
			for g := 0; g < goroutines; g++ {
				models[g] = map[uint64]uint64{}
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					model := models[g]
					rng := rand.New(rand.NewSource(int64(g) + 1))
					for i := 0; i < ops; i++ {
						key := uint64(g)<<20 + uint64(rng.Intn(ownKeys))
						switch r := rng.Intn(10); {
						case r < 4:
							v := uint64(i)<<8 | uint64(g)
							m.Put(key, v)
							model[key] = v
						case r < 5:
							_, want := model[key]
							if got := m.Delete(key); got != want {
								errs <- "Delete disagrees with the model"
								return
							}
							delete(model, key)
						case r < 8:
							want, wantOK := model[key]
							if got, ok := m.Get(key); got != want || ok != wantOK {
								errs <- "Get disagrees with the model"
								return
							}
						default:
							k := uint64(rng.Intn(16))
							if got, ok := m.Get(1<<40 + k); !ok || got != k*3 {
								errs <- "a shared key lost its value"
								return
							}
						}
					}
				}(g)
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Fatal(e)
			}
			for g, model := range models {
				for k := uint64(0); k < ownKeys; k++ {
					key := uint64(g)<<20 + k
					want, wantOK := model[key]
					if got, ok := m.Get(key); got != want || ok != wantOK {
						t.Fatalf("key %d after the join: got %d,%v want %d,%v", key, got, ok, want, wantOK)
					}
				}
			}
		})
	}
}

func stacks() []Stack { return []Stack{NewMutexStack(), NewTreiberStack()} }

// Half the goroutines push distinct values, half pop; then a drain. Every value pushed is popped
// exactly once, none invented.
func TestStacksPopEveryValueOnce(t *testing.T) {
	const each = 20000
	for _, s := range stacks() {
		t.Run(s.Name(), func(t *testing.T) {
			if _, ok := s.Pop(); ok {
				t.Fatal("a new stack popped a value")
			}
			var mu sync.Mutex
			seen := map[uint64]int{}
			var wg sync.WaitGroup
			record := func(local []uint64) {
				mu.Lock()
				for _, v := range local {
					seen[v]++
				}
				mu.Unlock()
			}
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					var local []uint64
					for i := 0; i < each; i++ {
						if g%2 == 0 {
							s.Push(uint64(g)<<32 | uint64(i))
						} else if v, ok := s.Pop(); ok {
							local = append(local, v)
						}
						if i%64 == 0 {
							runtime.Gosched()
						}
					}
					record(local)
				}(g)
			}
			wg.Wait()
			var rest []uint64
			for v, ok := s.Pop(); ok; v, ok = s.Pop() {
				rest = append(rest, v)
			}
			record(rest)
			if len(seen) != goroutines/2*each {
				t.Fatalf("%d distinct values popped, %d pushed", len(seen), goroutines/2*each)
			}
			for v, n := range seen {
				if n != 1 || (v>>32)%2 != 0 || v&0xffffffff >= each {
					t.Fatalf("value %#x popped %d times", v, n)
				}
			}
		})
	}
}

func TestStackIsLIFO(t *testing.T) {
	for _, s := range stacks() {
		for i := uint64(1); i <= 3; i++ {
			s.Push(i)
		}
		for want := uint64(3); want >= 1; want-- {
			if v, ok := s.Pop(); !ok || v != want {
				t.Fatalf("%s: popped %d,%v want %d", s.Name(), v, ok, want)
			}
		}
	}
}

func TestSlotsLayouts(t *testing.T) {
	for layout, stride := range map[string]int{"packed": 8, "pad64": 64, "pad128": 128} {
		s := NewSlots(layout, 4)
		if s.Name() != layout {
			t.Fatal(layout)
		}
		for i := 0; i < 4; i++ {
			if a, b := uintptr(unsafePointer(s.Slot(i))), uintptr(unsafePointer(s.Slot(0))); int(a-b) != i*stride || a%uintptr(stride) != 0 {
				t.Fatalf("%s: slot %d at offset %d", layout, i, a-b)
			}
		}
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 1000; i++ {
					if g%2 == 0 {
						s.AddAtomic(g)
					} else {
						s.AddPlain(g)
					}
				}
			}(g)
		}
		wg.Wait()
		if s.Sum(4) != 4000 {
			t.Fatalf("%s: sum %d", layout, s.Sum(4))
		}
	}
	if NewSlots("pad32", 2) != nil {
		t.Fatal("an unknown layout was accepted")
	}
}

// GetMany reads what Gets read, present keys and absent ones, in any order and with repeats,
// while other goroutines write; it refuses slices of other lengths.
func TestMapsGetMany(t *testing.T) {
	for _, m := range maps() {
		t.Run(m.Name(), func(t *testing.T) {
			defer closeIf(m)
			for k := uint64(0); k < 64; k += 2 {
				m.Put(k, k*5+1)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // writes keys of its own, beside the batches
				defer wg.Done()
				for i := uint64(0); ; i++ {
					select {
					case <-stop:
						return
					default:
						m.Put(1<<30+i%16, i)
					}
				}
			}()
			keys := []uint64{63, 0, 2, 1, 2, 40, 1 << 20, 62}
			for round := 0; round < 200; round++ {
				values, present := make([]uint64, len(keys)), make([]bool, len(keys))
				m.GetMany(keys, values, present)
				for i, k := range keys {
					want, wantOK := m.Get(k)
					if values[i] != want || present[i] != wantOK {
						t.Fatalf("key %d: GetMany %d,%v, Get %d,%v", k, values[i], present[i], want, wantOK)
					}
				}
			}
			close(stop)
			wg.Wait()
			m.GetMany(nil, nil, nil) // an empty batch reads nothing
			func() {
				defer func() {
					if recover() == nil {
						t.Error("GetMany with a short values slice did not panic")
					}
				}()
				m.GetMany(keys, make([]uint64, 1), make([]bool, len(keys)))
			}()
		})
	}
}

// PutMany puts every pair, and a Get after it sees them.
func TestChanMapPutMany(t *testing.T) {
	m := NewChanMap()
	defer m.Close()
	m.Put(3, 1)
	m.PutMany([]uint64{1, 2, 3}, []uint64{10, 20, 30})
	m.PutMany(nil, nil)
	for k, want := range map[uint64]uint64{1: 10, 2: 20, 3: 30} {
		if v, ok := m.Get(k); !ok || v != want {
			t.Errorf("key %d: %d,%v after PutMany, want %d", k, v, ok, want)
		}
	}
}

// The run-length probe counts acquisitions over changes of owner, as bench_stacks.cpp's
// RunLengthProbe, and only on the probed stack.
func TestMutexStackRunLength(t *testing.T) {
	s := NewMutexStackProbed()
	for _, who := range []int{0, 0, 0, 1, 1, 0} {
		s.PushBy(who, 7)
	}
	s.PopBy(1)
	s.PopBy(1)
	// acquisitions 8; owners 0 | 1 | 0 | 1: 4 changes (the first from nobody)
	if r := s.Runs(); r.acquisitions != 8 || r.ownerChanges != 4 || r.RunLength() != 2 {
		t.Errorf("run length: %+v, %v", *r, r.RunLength())
	}
	plain := NewMutexStack()
	plain.PushBy(3, 1)
	plain.Pop()
	if plain.Runs().RunLength() != 0 || plain.Runs().acquisitions != 0 {
		t.Errorf("an unprobed stack counted: %+v", *plain.Runs())
	}
	if NewMutexStackProbed().Runs().RunLength() != 0 {
		t.Error("a new stack has a run length")
	}
}

// The owner hook runs once, on the owner goroutine, before its first request is answered.
func TestOwnerHook(t *testing.T) {
	for _, mk := range []func(OwnerHook) interface{}{
		func(h OwnerHook) interface{} { return NewChanCounterWithOwner(h) },
		func(h OwnerHook) interface{} { return NewChanMapWithOwner(h) },
	} {
		var calls atomic.Int32
		release := make(chan struct{})
		d := mk(func() {
			calls.Add(1)
			<-release // the owner serves nobody until the hook returns
		})
		answered := make(chan struct{})
		go func() {
			switch d := d.(type) {
			case *ChanCounter:
				d.Increment()
			case *ChanMap:
				d.Put(1, 2)
			}
			close(answered)
		}()
		select {
		case <-answered:
			t.Errorf("%T answered while its hook was running", d)
		case <-time.After(20 * time.Millisecond):
		}
		close(release)
		<-answered
		closeIf(d)
		if calls.Load() != 1 {
			t.Errorf("%T: hook ran %d times", d, calls.Load())
		}
	}
}
