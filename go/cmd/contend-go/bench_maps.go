// maps/r<read%>-k<keys>-<dist>/<impl> and maps/get_many-k1k-uniform/<impl>, as bench_maps.cpp:
// each map prefilled with every key of the range (value 2k+1), each goroutine running its own
// pre-generated stream of 65 536 gets and puts (puts write the prefill value, so the contents
// stay as they were). The streams come from Go's math/rand seeded with the goroutine's index + 1
// (C++ uses mt19937_64: the same distribution, other draws); zipf is the same Gray et al.
// generator (skew 0.99) with the same scatter of ranks. get_many reads batches of 16 keys as
// bench_maps.cpp reads the design's C++ counterpart (read_batch): with one GetMany call where the
// counterpart has a get_many member (go_chan as channel: one request, one reply), with 16 Gets
// where bench_maps.cpp calls get() 16 times (go_mutex as mutex and go_rwmutex as shared_mutex:
// 16 lock holds, since those C++ maps have no get_many; names_test.go reads their headers and
// fails when that changes), and go_syncmap, which has no counterpart, with its GetMany (16 Loads:
// all sync.Map can do). ops are keys read. Self-checks: every timed get returns the prefill
// value, and a checked pass (map_check.hpp's: versioned values, read-your-writes, final
// contents; 4 goroutines, 64 keys and 512 puts each) on a fresh map of the design, once, before
// its first timed run, whose verdict marks every run of the design.
package main

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"

	"contend/go/designs"
)

type mapMaker struct {
	name   string
	make   func() designs.Map
	locked bool // go_chan: the client goroutines and the owner on OS threads of their own
	// get_many: one GetMany a batch (true) or 16 Gets, as bench_maps.cpp reads cpp, the C++
	// counterpart's header in impl/contend ("" for none)
	getMany bool
	cpp     string
}

// go_chan twice: locked, and go_chan_sched where Go's scheduler places the goroutines.
var mapDesigns = []mapMaker{
	{"go_mutex", func() designs.Map { return designs.NewMutexMap() }, false, false, "mutex_map.hpp"},
	{"go_rwmutex", func() designs.Map { return designs.NewRWMutexMap() }, false, false, "shared_mutex_map.hpp"},
	{"go_syncmap", func() designs.Map { return designs.NewSyncMap() }, false, true, ""},
	{"go_chan", func() designs.Map { return designs.NewChanMapWithOwner(runtime.LockOSThread) }, true, true, "channel_map.hpp"},
	{"go_chan_sched", func() designs.Map { return designs.NewChanMap() }, false, true, "channel_map.hpp"},
}

const (
	streamLength = 1 << 16
	batchSize    = 16
)

func valueOf(key uint64) uint64 { return key*2 + 1 }

type mapWorkload struct {
	readPercent int
	keys        uint64
	zipf        bool
	batched     bool
}

func (w mapWorkload) name() string {
	n := "get_many"
	if !w.batched {
		n = fmt.Sprintf("r%d", w.readPercent)
	}
	if w.keys == 1000 {
		n += "-k1k-"
	} else {
		n += "-k1m-"
	}
	if w.zipf {
		return n + "zipf"
	}
	return n + "uniform"
}

// Zipf: ranks in [0, n) with skew theta (Gray et al., SIGMOD 1994), as key_stream.hpp.
type Zipf struct {
	n                        uint64
	theta, zetaN, alpha, eta float64
}

func NewZipf(n uint64, theta float64) *Zipf {
	z := &Zipf{n: n, theta: theta}
	for i := uint64(1); i <= n; i++ {
		z.zetaN += 1 / math.Pow(float64(i), theta)
	}
	zeta2 := 1 + 1/math.Pow(2, theta)
	z.alpha = 1 / (1 - theta)
	z.eta = (1 - math.Pow(2/float64(n), 1-theta)) / (1 - zeta2/z.zetaN)
	return z
}

func (z *Zipf) Next(rng *rand.Rand) uint64 {
	u := rng.Float64()
	uz := u * z.zetaN
	if uz < 1 {
		return 0
	}
	if uz < 1+math.Pow(0.5, z.theta) {
		return 1
	}
	r := uint64(float64(z.n) * math.Pow(z.eta*u-z.eta+1, z.alpha))
	if r < z.n {
		return r
	}
	return z.n - 1
}

// scatter spreads ranks over the key space so that hot keys are not neighbours.
func scatter(rank, n uint64) uint64 { return (rank * 0x9E3779B97F4A7C15) % n }

type mapOp struct {
	key  uint64
	read bool
}

func makeOps(count int, keys uint64, readPercent int, z *Zipf, seed int64) []mapOp {
	rng := rand.New(rand.NewSource(seed))
	ops := make([]mapOp, count)
	for i := range ops {
		if z != nil {
			ops[i].key = scatter(z.Next(rng), keys)
		} else {
			ops[i].key = uint64(rng.Int63n(int64(keys)))
		}
		ops[i].read = rng.Intn(100) < readPercent
	}
	return ops
}

var zipfs = map[uint64]*Zipf{}

func zipfFor(keys uint64) *Zipf {
	if zipfs[keys] == nil {
		zipfs[keys] = NewZipf(keys, 0.99)
	}
	return zipfs[keys]
}

// The prefilled maps of one key range, kept across runs (prefilling a million keys costs more
// than a run); when a workload of another range comes, the others are dropped (and their owners
// stopped) so that at most one range's maps are held.
var prefilledKeys uint64
var prefilledMaps = map[string]designs.Map{}

func prefilled(d mapMaker, keys uint64) designs.Map {
	if keys != prefilledKeys {
		for _, m := range prefilledMaps {
			closeIf(m)
		}
		prefilledMaps = map[string]designs.Map{}
		prefilledKeys = keys
	}
	m := prefilledMaps[d.name]
	if m == nil {
		m = d.make()
		if batch, ok := m.(interface{ PutMany(keys, values []uint64) }); ok {
			// The channel map, in requests of 64k puts: a million rendezvous with an owner on a
			// locked thread of its own would take tens of seconds (C++ fills it with put_async).
			ks, vs := make([]uint64, 0, 1<<16), make([]uint64, 0, 1<<16)
			for k := uint64(0); k < keys; k++ {
				ks, vs = append(ks, k), append(vs, valueOf(k))
				if len(ks) == cap(ks) || k == keys-1 {
					batch.PutMany(ks, vs)
					ks, vs = ks[:0], vs[:0]
				}
			}
		} else {
			for k := uint64(0); k < keys; k++ {
				m.Put(k, valueOf(k))
			}
		}
		prefilledMaps[d.name] = m
	}
	return m
}

// ---- the checked pass (map_check.hpp) ----

const mapCheckKeyBase = 1 << 20

func versioned(key, seq uint64) uint64 { return key<<32 | seq&0xffffffff }

type mapCheckResult struct {
	wrongReads, wrongFinal uint64
	firstError             string
}

func (r mapCheckResult) ok() bool { return r.wrongReads == 0 && r.wrongFinal == 0 }
func (r mapCheckResult) what() string {
	return fmt.Sprintf("%d read-your-writes gets and %d final contents wrong; first: %s",
		r.wrongReads, r.wrongFinal, r.firstError)
}

func describeValue(v uint64, ok bool) string {
	if !ok {
		return "nothing"
	}
	return fmt.Sprintf("key %d seq %d", v>>32, v&0xffffffff)
}

// checkReadYourWrites: every goroutine writes keys of its own only, with values that name
// their key and sequence; after each put a get of the key returns it, and a get of another of
// its keys returns the last value put there; after the join every key holds its last put, read
// with Get and with GetMany (map_check.hpp reads with get_many where the map has it: every Go map
// has).
func checkReadYourWrites(m designs.Map, threads int, keysPerThread, putsPerThread uint64) mapCheckResult {
	n := keysPerThread
	last := make([][]uint64, threads)
	var wrongReads atomic.Uint64
	var mu sync.Mutex
	first := ""
	note := func(e string) {
		mu.Lock()
		if first == "" {
			first = e
		}
		mu.Unlock()
	}
	keyAt := func(t int, i uint64) uint64 { return mapCheckKeyBase + uint64(t)*n + i }
	expect := func(key, want uint64, got uint64, ok bool, when string) bool {
		if (want == 0 && !ok) || (want != 0 && ok && got == want) {
			return true
		}
		note(fmt.Sprintf("%s: key %d returned %s, expected %s", when, key, describeValue(got, ok),
			describeValue(want, want != 0)))
		return false
	}
	var ready atomic.Int64
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		last[t] = make([]uint64, n)
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			ready.Add(1)
			for ready.Load() < int64(threads) {
				runtimeGosched()
			}
			mine := last[t]
			var wrong uint64
			for seq := uint64(1); seq <= putsPerThread; seq++ {
				i := (seq * 7) % n
				key := keyAt(t, i)
				m.Put(key, versioned(key, seq))
				mine[i] = versioned(key, seq)
				if v, ok := m.Get(key); !expect(key, mine[i], v, ok, "get after put") {
					wrong++
				}
				j := (seq*13 + 5) % n
				if v, ok := m.Get(keyAt(t, j)); !expect(keyAt(t, j), mine[j], v, ok, "get of an earlier put") {
					wrong++
				}
			}
			wrongReads.Add(wrong)
		}(t)
	}
	wg.Wait()
	r := mapCheckResult{wrongReads: wrongReads.Load()}
	for t := 0; t < threads; t++ {
		for i := uint64(0); i < n; i++ {
			if v, ok := m.Get(keyAt(t, i)); !expect(keyAt(t, i), last[t][i], v, ok, "after the join") {
				r.wrongFinal++
			}
		}
		keys, values, present := make([]uint64, n), make([]uint64, n), make([]bool, n)
		for i := range keys {
			keys[i] = keyAt(t, uint64(i))
		}
		m.GetMany(keys, values, present)
		for i, key := range keys {
			if !expect(key, last[t][i], values[i], present[i], "get_many after the join") {
				r.wrongFinal++
			}
		}
	}
	r.firstError = first
	return r
}

var checkedPasses = map[string]mapCheckResult{}

func checkedPass(d mapMaker) mapCheckResult {
	r, done := checkedPasses[d.name]
	if !done {
		m := d.make()
		r = checkReadYourWrites(m, 4, 64, 512)
		closeIf(m)
		checkedPasses[d.name] = r
	}
	return r
}

func mapRun(d mapMaker, w mapWorkload) func(T int) *Rep {
	return func(T int) *Rep {
		check := checkedPass(d) // before the run's clocks start; once per design
		m := prefilled(d, w.keys)
		streams := make([][]mapOp, T)
		var z *Zipf
		if w.zipf {
			z = zipfFor(w.keys)
		}
		for t := range streams {
			streams[t] = makeOps(streamLength, w.keys, w.readPercent, z, int64(t)+1)
		}
		// get_many's keys alone (bench_maps.cpp's key_streams): a batch is a slice of them, never
		// wrapping since batchSize divides streamLength.
		// Its results go to per-goroutine buffers, allocated here, outside the timed region.
		keyStreams := make([][]uint64, T)
		values, present := make([][]uint64, T), make([][]bool, T)
		for t := range keyStreams {
			if w.batched {
				keyStreams[t] = make([]uint64, streamLength)
				for k, op := range streams[t] {
					keyStreams[t][k] = op.key
				}
				values[t], present[t] = make([]uint64, batchSize), make([]bool, batchSize)
			}
		}
		var wrong atomic.Uint64
		work := func(g int, deadline int64, s *Sampler) (uint64, Role) {
			ops := streams[g]
			i := 0
			var mismatches, done uint64
			if w.batched {
				stream, values, present := keyStreams[g], values[g], present[g]
				done = batchSize * repeatUntil(deadline, 4, s, func() {
					at := i & (streamLength - 1)
					keys := stream[at : at+batchSize]
					if d.getMany {
						m.GetMany(keys, values, present)
					} else {
						for k, key := range keys {
							values[k], present[k] = m.Get(key)
						}
					}
					for k, key := range keys {
						if !present[k] || values[k] != valueOf(key) {
							mismatches++
						}
					}
					i += batchSize
				})
			} else {
				done = repeatUntil(deadline, 16, s, func() {
					op := ops[i&(streamLength-1)]
					i++
					if op.read {
						if v, ok := m.Get(op.key); !ok || v != valueOf(op.key) {
							mismatches++
						}
					} else {
						m.Put(op.key, valueOf(op.key))
					}
				})
			}
			wrong.Add(mismatches)
			return done, Worker
		}
		info := infoOf(m)
		info.Locked = d.locked
		run := timedRun(T, info, runNs(), work, func() { m.Get(0) })
		rep := run.Report()
		rep.Check(check.ok(), "checked pass: "+check.what())
		rep.Check(wrong.Load() == 0, fmt.Sprintf("%d gets returned a wrong value", wrong.Load()))
		return rep
	}
}

func mapWorkloads() []mapWorkload {
	getMany := mapWorkload{100, 1000, false, true}
	if opts.quick {
		return []mapWorkload{{0, 1000, false, false}, {50, 1000, false, false}, {90, 1000, false, false},
			{99, 1000, false, false}, getMany, {90, 1_000_000, true, false}}
	}
	var all []mapWorkload
	for _, keys := range []uint64{1000, 1_000_000} {
		for _, z := range []bool{false, true} {
			for _, r := range []int{0, 50, 90, 99} {
				all = append(all, mapWorkload{r, keys, z, false})
			}
		}
		if keys == 1000 {
			all = append(all, getMany) // with the 1k maps, before the 1m ones replace them
		}
	}
	return all
}

func mapBenches() []Bench {
	var out []Bench
	for _, w := range mapWorkloads() {
		for _, d := range mapDesigns {
			b := Bench{family: "maps", workload: w.name(), impl: d.name, threads: opts.threads, fn: mapRun(d, w),
				locked: d.locked}
			if d.locked {
				b.owners = 1 // go_chan's owner
			}
			out = append(out, b)
		}
	}
	return out
}
