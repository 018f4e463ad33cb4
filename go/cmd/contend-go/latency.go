// Sampled latency of single operations, as benchmarks/latency.hpp: a log-bucketed histogram
// (16 linear sub-buckets per power of two, values below 16 ns exact, min and max exact;
// nearest-rank percentiles reported as their bucket's midpoint, clamped to [min, max]) and a
// sampler that times one operation in every `every`, `every` adapting so that the timing costs
// about samplingBudget of the goroutine's time.
//
// The clock is Go's monotonic clock (time.Now's monotonic reading: the vDSO's clock_gettime
// (CLOCK_MONOTONIC), not the TSC the C++ sampler reads where the kernel keeps time with it), so a
// Go percentile includes about one clock read more than a C++ one: the context's
// latency_clock_ns says what one read costs here, and Go's and C++'s percentiles compare only
// with that said.
package main

import (
	"math"
	"sort"
	"time"
)

const samplingBudget = 0.01

var epoch = time.Now()

// mono is the monotonic clock in ns since the process started.
func mono() int64 { return int64(time.Since(epoch)) }

const (
	subBits = 4
	sub     = 1 << subBits
	buckets = (64 - subBits + 1) * sub
)

type Histogram struct {
	counts   [buckets]uint64
	samples  uint64
	min, max uint64
}

func bucketOf(ns uint64) int {
	if ns < sub {
		return int(ns)
	}
	top := 63
	for ns>>uint(top) == 0 {
		top--
	}
	shift := top - subBits
	return (shift+1)*sub + int((ns>>uint(shift))&(sub-1))
}

func bucketLower(b int) uint64 {
	if b < sub {
		return uint64(b)
	}
	shift := b/sub - 1
	return uint64(sub+b%sub) << uint(shift)
}

func (h *Histogram) Record(ns uint64) {
	h.counts[bucketOf(ns)]++
	if h.samples == 0 || ns < h.min {
		h.min = ns
	}
	if ns > h.max {
		h.max = ns
	}
	h.samples++
}

func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.samples == 0 {
		return
	}
	for b := range h.counts {
		h.counts[b] += o.counts[b]
	}
	if h.samples == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.samples += o.samples
}

// Percentile is the nearest-rank value for 0 < p <= 100 (0 without samples).
func (h *Histogram) Percentile(p float64) float64 {
	if h.samples == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p/100*float64(h.samples) - 1e-9))
	if rank < 1 {
		rank = 1
	}
	if rank >= h.samples {
		return float64(h.max)
	}
	if rank == 1 {
		return float64(h.min)
	}
	var seen uint64
	for b := 0; b < buckets; b++ {
		seen += h.counts[b]
		if seen < rank {
			continue
		}
		lo := float64(bucketLower(b))
		hi := float64(h.max) + 1
		if b+1 < buckets {
			hi = float64(bucketLower(b + 1))
		}
		mid := (lo + hi - 1) / 2
		return math.Min(math.Max(mid, float64(h.min)), float64(h.max))
	}
	return float64(h.max)
}

var clockReadNs = func() float64 {
	const pairs = 20001
	d := make([]int64, pairs)
	for i := range d {
		a := mono()
		b := mono()
		d[i] = b - a
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[pairs/2])
}()

// Sampler belongs to one goroutine.
type Sampler struct {
	hist                          Histogram
	counted, atLast, nextAt, last uint64
	lastNs                        int64
	costNs                        float64
}

func (s *Sampler) start(now int64) {
	*s = Sampler{lastNs: now, costNs: 2*clockReadNs + 5}
}

// due: called before `ops` more operations; whether the first of them should be timed.
func (s *Sampler) due(ops uint64) bool {
	s.counted += ops
	return s.counted >= s.nextAt
}

func (s *Sampler) record(t0, t1 int64) {
	ns := uint64(0)
	if t1 > t0 {
		ns = uint64(t1 - t0)
	}
	s.hist.Record(ns)
	ops := s.counted - s.atLast
	if ops < 1 {
		ops = 1
	}
	every := 1.0
	if t1 > s.lastNs {
		if perOp := float64(t1-s.lastNs) / float64(ops); perOp > 0 {
			every = math.Ceil(s.costNs / (samplingBudget * perOp))
		}
	}
	s.atLast = s.counted
	s.nextAt = s.counted + uint64(math.Min(math.Max(every, 1), 1e6))
	s.lastNs = t1
}

// repeatUntil runs op in batches of `batch` until the deadline (mono ns) and returns the calls.
// When the sampler is due, one call of the batch is timed: the second when there is one, as in
// the C++ repeat_until (the first follows the deadline's clock read).
func repeatUntil(deadline int64, batch int, s *Sampler, op func()) uint64 {
	var ops uint64
	for {
		i := 0
		if s.due(uint64(batch)) {
			if batch > 1 {
				op()
				i++
			}
			t0 := mono()
			op()
			s.record(t0, mono())
			i++
		}
		for ; i < batch; i++ {
			op()
		}
		ops += uint64(batch)
		if mono() >= deadline {
			return ops
		}
	}
}
