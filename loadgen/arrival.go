package loadgen

import (
	"fmt"
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Arrival is an open-loop schedule with exact intended send times. It is a
// vegeta.Pacer, so it can drive a plain vegeta attack too; Start wraps it in
// its own pacer that also records every send.
type Arrival interface {
	vegeta.Pacer
	// At is the intended send time of hit i (0-based), measured from the
	// start of the attack; false past the schedule's end.
	At(i uint64) (time.Duration, bool)
	// Name is "constant", "poisson", "ramp" or "steps".
	Name() string
	// Duration is the schedule's length; 0 means unbounded.
	Duration() time.Duration
}

// MaxRateRPS is the highest rate any arrival accepts, in requests/s: far
// beyond what one generator can send, low enough that schedule arithmetic in
// nanoseconds stays exact.
const MaxRateRPS = 1e7

// maxScheduleTime bounds intended send times so they fit a time.Duration
// with room to spare (about 100 years).
const maxScheduleTime = 100 * 365 * 24 * time.Hour

func checkRate(what string, rate float64, zeroOK bool) error {
	switch {
	case math.IsNaN(rate) || math.IsInf(rate, 0):
		return fmt.Errorf("%s %v is not a number of requests/s", what, rate)
	case rate < 0:
		return fmt.Errorf("%s %v requests/s is negative", what, rate)
	case rate == 0 && !zeroOK:
		return fmt.Errorf("%s must be above 0 requests/s", what)
	case rate > MaxRateRPS:
		return fmt.Errorf("%s %v requests/s is above the limit of %g", what, rate, MaxRateRPS)
	}
	return nil
}

// paceAt implements vegeta.Pacer.Pace for any schedule: wait until the next
// hit's intended time, stop past the end.
func paceAt(at func(uint64) (time.Duration, bool), elapsed time.Duration, hits uint64) (time.Duration, bool) {
	t, ok := at(hits)
	if !ok {
		return 0, true
	}
	if t <= elapsed {
		return 0, false
	}
	return t - elapsed, false
}

// seconds converts a schedule position in seconds to a Duration, reporting
// false when it is out of range.
func seconds(s float64) (time.Duration, bool) {
	if math.IsNaN(s) || s < 0 || s*1e9 >= float64(maxScheduleTime) {
		return 0, false
	}
	return time.Duration(math.Round(s * 1e9)), true
}

// constant sends hit i at exactly i/rate.
type constant struct{ rate float64 }

// Constant is a constant rate in requests/s: hit i is sent at i/rate (hit 0
// at once), not at vegeta's (i+1)/rate.
func Constant(rate float64) (Arrival, error) {
	if err := checkRate("rate", rate, false); err != nil {
		return nil, err
	}
	return constant{rate: rate}, nil
}

func (c constant) At(i uint64) (time.Duration, bool) { return seconds(float64(i) / c.rate) }
func (c constant) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	return paceAt(c.At, elapsed, hits)
}
func (c constant) Rate(time.Duration) float64 { return c.rate }
func (c constant) Name() string               { return "constant" }
func (c constant) Duration() time.Duration    { return 0 }
func (c constant) String() string             { return fmt.Sprintf("constant %g requests/s", c.rate) }

// ramp changes the rate linearly from `from` to `to` over `over`. The number
// of hits intended before t is N(t) = from*t + (to-from)*t^2/(2*over); hit i
// goes at the t where N(t) = i.
type ramp struct {
	from, to float64
	over     time.Duration
	a        float64 // (to-from)/(2*over), requests/s^2
	total    uint64  // hits intended before `over`
}

// Ramp is a linear ramp of the rate from `from` to `to` requests/s over
// `over`; it ends after `over`. Either end may be 0, not both.
func Ramp(from, to float64, over time.Duration) (Arrival, error) {
	if err := checkRate("ramp start rate", from, true); err != nil {
		return nil, err
	}
	if err := checkRate("ramp end rate", to, true); err != nil {
		return nil, err
	}
	if from == 0 && to == 0 {
		return nil, fmt.Errorf("a ramp from 0 to 0 requests/s sends nothing")
	}
	if over <= 0 {
		return nil, fmt.Errorf("ramp duration %v must be positive", over)
	}
	r := &ramp{from: from, to: to, over: over, a: (to - from) / (2 * over.Seconds())}
	r.total = countSlots((from+to)/2*over.Seconds(), over, r.slot)
	if r.total == 0 {
		return nil, fmt.Errorf("a ramp from %g to %g requests/s over %v sends nothing", from, to, over)
	}
	return r, nil
}

// slot is the intended time of hit i with no end check.
func (r *ramp) slot(i uint64) (time.Duration, bool) {
	if i == 0 {
		return 0, true
	}
	x := float64(i)
	// Solve a*t^2 + from*t - i = 0 in the form that stays exact as a -> 0.
	disc := r.from*r.from + 4*r.a*x
	if disc < 0 {
		return 0, false // a falling ramp never reaches hit i
	}
	return seconds(2 * x / (r.from + math.Sqrt(disc)))
}

func (r *ramp) At(i uint64) (time.Duration, bool) {
	if i >= r.total {
		return 0, false
	}
	return r.slot(i)
}
func (r *ramp) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	return paceAt(r.At, elapsed, hits)
}
func (r *ramp) Rate(elapsed time.Duration) float64 {
	if elapsed < 0 || elapsed >= r.over {
		return 0
	}
	return r.from + (r.to-r.from)*elapsed.Seconds()/r.over.Seconds()
}
func (r *ramp) Name() string            { return "ramp" }
func (r *ramp) Duration() time.Duration { return r.over }
func (r *ramp) String() string {
	return fmt.Sprintf("ramp %g to %g requests/s over %v", r.from, r.to, r.over)
}

// countSlots returns how many hits have a slot time strictly before end,
// starting from the estimate est (the expected count) and correcting it
// against slot itself, so the count always agrees with At.
func countSlots(est float64, end time.Duration, slot func(uint64) (time.Duration, bool)) uint64 {
	if est < 0 || math.IsNaN(est) {
		est = 0
	}
	n := uint64(math.Ceil(est))
	before := func(i uint64) bool {
		t, ok := slot(i)
		return ok && t < end
	}
	for n > 0 && !before(n-1) {
		n--
	}
	for before(n) {
		n++
	}
	return n
}
