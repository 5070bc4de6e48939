package profiler

import (
	"context"
	"fmt"
	"math"
)

// probeFunc measures one load level (requests/s or a concurrency).
type probeFunc func(ctx context.Context, level float64) (probeResult, error)

// probeResult is what the search learns from one probe.
type probeResult struct {
	// OK: the step met the SLO.
	OK bool
	// Achieved is the successful throughput in the level's own unit
	// (requests/s in a rate search).
	Achieved float64
	// Throughput is the step's inferences/s.
	Throughput float64
	// Step is the step's index in run.json.
	Step int
}

// searchOutcome is what a peak search found for one batch size.
type searchOutcome struct {
	// Level is the highest load that met the SLO; 0 when none did.
	Level float64
	// Step is the index of that load's step; -1 when none met the SLO.
	Step   int
	Probes int
}

// Search bounds: a rate search gives up below estimate/2^maxHalvings (the
// batch size cannot meet the SLO at any useful rate) and measures at most
// maxRateProbes levels for one batch size.
const (
	maxHalvings   = 5
	maxRateProbes = 24
)

// ceilingRungs is how many guesses the search makes just below a measured
// throughput ceiling before it falls back to bisection.
const ceilingRungs = 2

// searchRate finds the highest rate meeting the SLO, as MLPerf LoadGen's
// FindPeakPerformance does: start from an estimate, double until a step
// fails (or halve until one passes), then narrow the bracket until the
// passing and failing rates are within precision (0.05 = 5%) of each other.
// The answer is always a rate that was measured and passed.
//
// The search is guided by what failing probes measure. An open loop that
// offers more than the target can serve completes only what it can, so a
// saturated probe measures the target's throughput ceiling C. No rate at or
// above C can be sustained (its queue grows without bound), so C caps the
// bracket; and the SLO's edge usually lies just below C, where queueing
// delay explodes. So the search first tries the rungs C/(1+p) and
// C/(1+p)^2 (p the precision): when rung k passes and rung k-1 failed, the
// bracket is already within p. Only then does it bisect.
func searchRate(ctx context.Context, estimate, precision float64, probe probeFunc) (searchOutcome, error) {
	out := searchOutcome{Step: -1}
	if estimate <= 0 {
		return out, fmt.Errorf("rate search needs a positive starting estimate, got %g", estimate)
	}
	lo, hi := 0.0, 0.0 // highest passing rate, lowest failing rate (0 = not yet known)
	ceiling := 0.0     // highest throughput measured by a saturated failing probe
	probed := map[float64]bool{}
	measure := func(rate float64) (bool, error) {
		out.Probes++
		probed[rate] = true
		pr, err := probe(ctx, rate)
		if err != nil {
			return false, err
		}
		if pr.OK {
			if rate > lo {
				lo, out.Level, out.Step = rate, rate, pr.Step
			}
			return true, nil
		}
		if hi == 0 || rate < hi {
			hi = rate
		}
		if pr.Achieved > 0 && pr.Achieved < rate*0.97 && pr.Achieved > ceiling {
			ceiling = pr.Achieved
		}
		if ceiling > lo && ceiling < hi {
			hi = ceiling
		}
		return false, nil
	}
	// rung returns the highest untried guess below the ceiling inside
	// (lo, hi), or 0.
	rung := func() float64 {
		for k := 1; ceiling > 0 && k <= ceilingRungs; k++ {
			g := roundSig(ceiling/math.Pow(1+precision, float64(k)), 3)
			if g < hi && g > lo && !probed[g] {
				return g
			}
		}
		return 0
	}

	// Bracket the peak.
	r := estimate
	for halvings := 0; out.Probes < maxRateProbes; {
		ok, err := measure(r)
		if err != nil {
			return out, err
		}
		if lo > 0 && hi > 0 {
			break
		}
		if ok {
			r *= 2
			continue
		}
		if halvings == maxHalvings {
			return out, nil // nothing useful passes: capacity 0
		}
		halvings++
		if g := rung(); g > 0 && g < r {
			r = g
		} else {
			r /= 2
		}
	}
	// Narrow the bracket.
	for lo > 0 && hi > 0 && (hi-lo)/lo > precision && out.Probes < maxRateProbes {
		next := rung()
		if next == 0 {
			next = roundSig((lo+hi)/2, 3)
		}
		if _, err := measure(next); err != nil {
			return out, err
		}
	}
	return out, nil
}

// maxConcurrency bounds the geometric concurrency ramp.
const maxConcurrency = 4096

// searchConcurrency ramps concurrency geometrically (1, 2, 4, ...) until the
// SLO breaks or throughput rises by less than minGain (0.05 = 5%), as
// perf_analyzer's concurrency search does.
func searchConcurrency(ctx context.Context, minGain float64, limit int, probe probeFunc) (searchOutcome, error) {
	out := searchOutcome{Step: -1}
	if limit <= 0 || limit > maxConcurrency {
		limit = maxConcurrency
	}
	prev, best := 0.0, 0.0
	for c := 1; c <= limit; c *= 2 {
		out.Probes++
		pr, err := probe(ctx, float64(c))
		if err != nil {
			return out, err
		}
		if !pr.OK {
			break
		}
		tp := pr.Throughput
		if tp > best {
			best, out.Level, out.Step = tp, float64(c), pr.Step
		}
		if prev > 0 && tp < prev*(1+minGain) {
			break
		}
		prev = tp
	}
	return out, nil
}

// roundSig rounds x to n significant digits, so probed rates read as
// 1230 req/s rather than 1234.5678 (and name their steps legibly).
func roundSig(x float64, n int) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return x
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}
