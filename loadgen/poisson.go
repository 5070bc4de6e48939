package loadgen

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// poissonCheckpointEvery is how many hits lie between two stored
// checkpoints of a Poisson schedule: 8 bytes per 1024 hits is the only
// memory a Poisson schedule grows with.
const poissonCheckpointEvery = 1024

// poisson is a Poisson process: exponential gaps with mean 1/rate. Gap i is
// a pure function of (seed, i) (a SplitMix64 hash of the index, in whole
// nanoseconds), so the schedule is reproducible and At can walk forwards or
// backwards from any known point exactly, with integer sums.
type poisson struct {
	rate float64
	key  uint64

	cpMu sync.Mutex
	cps  []int64 // cps[k] = At(k*poissonCheckpointEvery), ns

	atMu sync.Mutex
	at   poissonCursor // serves At for callers without their own cursor
}

// poissonCursor remembers one position of a Poisson schedule, so callers
// that ask for nearby hits in turn (the pacer, the recorder) pay one gap per
// step instead of a walk from a checkpoint.
type poissonCursor struct {
	valid bool
	i     uint64
	t     int64 // At(i) in ns
}

// Poisson is a Poisson arrival process at rate requests/s, seeded: the same
// seed gives the same schedule. It is unbounded.
func Poisson(rate float64, seed int64) (Arrival, error) {
	if err := checkRate("rate", rate, false); err != nil {
		return nil, err
	}
	return &poisson{rate: rate, key: splitmix64(uint64(seed)), cps: []int64{0}}, nil
}

func splitmix64(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// gap is the time between hit i and hit i+1, in ns.
func (p *poisson) gap(i uint64) int64 {
	u := float64(splitmix64(p.key+i*0x9E3779B97F4A7C15)>>11) / (1 << 53) // [0, 1)
	return int64(-math.Log1p(-u)/p.rate*1e9 + 0.5)
}

// checkpoint returns At(k*poissonCheckpointEvery), extending the stored
// checkpoints as far as needed.
func (p *poisson) checkpoint(k uint64) int64 {
	p.cpMu.Lock()
	defer p.cpMu.Unlock()
	for uint64(len(p.cps)) <= k {
		last := uint64(len(p.cps) - 1)
		t := p.cps[last]
		for j := last * poissonCheckpointEvery; j < (last+1)*poissonCheckpointEvery; j++ {
			t += p.gap(j)
		}
		p.cps = append(p.cps, t)
	}
	return p.cps[k]
}

// atCursor returns At(i), moving c to i. A cursor must not be shared
// between goroutines.
func (p *poisson) atCursor(c *poissonCursor, i uint64) (time.Duration, bool) {
	fromCheckpoint := i % poissonCheckpointEvery
	if !c.valid || absDiff(c.i, i) > fromCheckpoint {
		k := i / poissonCheckpointEvery
		c.i, c.t, c.valid = k*poissonCheckpointEvery, p.checkpoint(k), true
	}
	for c.i < i {
		c.t += p.gap(c.i)
		c.i++
	}
	for c.i > i {
		c.i--
		c.t -= p.gap(c.i)
	}
	if c.t < 0 || time.Duration(c.t) >= maxScheduleTime {
		return 0, false
	}
	return time.Duration(c.t), true
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

func (p *poisson) At(i uint64) (time.Duration, bool) {
	p.atMu.Lock()
	defer p.atMu.Unlock()
	return p.atCursor(&p.at, i)
}
func (p *poisson) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	return paceAt(p.At, elapsed, hits)
}
func (p *poisson) Rate(time.Duration) float64 { return p.rate }
func (p *poisson) Name() string               { return "poisson" }
func (p *poisson) Duration() time.Duration    { return 0 }
func (p *poisson) String() string             { return fmt.Sprintf("poisson %g requests/s", p.rate) }

// scheduleCursor looks up intended send times for one goroutine, using a
// private cursor where the schedule has one (Poisson) so that nearby
// lookups cost O(distance).
type scheduleCursor struct {
	a Arrival
	p *poisson
	c poissonCursor
}

func newScheduleCursor(a Arrival) *scheduleCursor {
	s := &scheduleCursor{a: a}
	s.p, _ = a.(*poisson)
	return s
}

func (s *scheduleCursor) at(i uint64) (time.Duration, bool) {
	if s.p != nil {
		return s.p.atCursor(&s.c, i)
	}
	return s.a.At(i)
}

// countBefore returns how many hits are intended strictly before t. hint is
// a count already known to be at most the answer (0 when unknown); queries
// with growing t are cheap.
func (s *scheduleCursor) countBefore(t time.Duration, hint uint64) uint64 {
	before := func(i uint64) bool {
		at, ok := s.at(i)
		return ok && at < t
	}
	lo := hint
	if lo > 0 && !before(lo-1) {
		lo = 0
	}
	// Every hit below lo is before t. Find hi with hit hi not before t.
	hi, step := lo, uint64(1)
	for before(hi) {
		lo = hi + 1
		hi += step
		step *= 2
	}
	// Smallest i in [lo, hi] that is not before t.
	for lo < hi {
		mid := lo + (hi-lo)/2
		if before(mid) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
