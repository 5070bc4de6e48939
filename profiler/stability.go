package profiler

import (
	"math"

	"github.com/infercost/infercost/result"
)

// windowFigures are the two figures the stability rule compares across
// measurement windows (DESIGN invariant 4): throughput and p95 latency.
type windowFigures struct {
	successfulRPS float64
	p95MS         float64
	requests      int64
}

// latencySlackMS is the absolute disagreement in p95 that always counts as
// agreement: on a busy host timers oversleep by about a millisecond, so a
// p95 of 0.6 ms against 0.5 ms is noise, not instability.
const latencySlackMS = 1.0

// spread returns (max-min)/mean of xs, 0 for fewer than two values or a zero
// mean.
func spread(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for _, x := range xs {
		lo, hi, sum = math.Min(lo, x), math.Max(hi, x), sum+x
	}
	mean := sum / float64(len(xs))
	if mean == 0 {
		return 0
	}
	return (hi - lo) / mean
}

// stabilityOf judges the last n windows: they agree when throughput and p95
// each spread by at most tol (p95 may also differ by up to latencySlackMS).
func stabilityOf(ws []windowFigures, n int, tol float64) (result.Stability, bool) {
	if n > len(ws) {
		n = len(ws)
	}
	last := ws[len(ws)-n:]
	rps := make([]float64, n)
	p95 := make([]float64, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, w := range last {
		rps[i], p95[i] = w.successfulRPS, w.p95MS
		lo, hi = math.Min(lo, w.p95MS), math.Max(hi, w.p95MS)
	}
	st := result.Stability{Windows: n, Tolerance: tol, ThroughputSpread: spread(rps), P95Spread: spread(p95)}
	latencyOK := st.P95Spread <= tol || hi-lo <= latencySlackMS
	// One window (--windows 1) has nothing to agree with: the rule is off.
	return st, n < 2 || (st.ThroughputSpread <= tol && latencyOK)
}
