package profiler

import (
	"math"

	"github.com/infercost/infercost/result"
)

// windowFigures are the figures the stability rule compares across
// measurement windows (DESIGN invariant 4): throughput and latency.
type windowFigures struct {
	successfulRPS float64
	p95MS, p50MS  float64
	successes     int64
}

// latencySlackMS is the absolute disagreement in latency that always counts
// as agreement: on a busy host timers oversleep by about a millisecond, so a
// p95 of 0.6 ms against 0.5 ms is noise, not instability.
const latencySlackMS = 1.0

// A window's throughput is counted in whole requests: with two or three
// completions a window (a slow stream, one request at a time) one request
// more or less is a third of the figure. Counts one request apart agree:
// that is the resolution of counting, not instability.
const throughputSlackRequests = 1

// minP95Successes is the fewest successes a window needs for its p95 to be
// compared: below 100, the p95 rests on four or fewer requests and moves
// with every one of them, so the rule compares medians instead.
const minP95Successes = 100

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

// stabilityOf judges the last n windows: they agree when throughput spreads
// by at most tol and so does latency (p95, or p50 for thin windows), which
// may also differ by up to latencySlackMS.
func stabilityOf(ws []windowFigures, n int, tol float64) (result.Stability, bool) {
	if n > len(ws) {
		n = len(ws)
	}
	last := ws[len(ws)-n:]
	rps, p95, p50 := make([]float64, n), make([]float64, n), make([]float64, n)
	thin := false
	minCount, maxCount := int64(math.MaxInt64), int64(0)
	for i, w := range last {
		rps[i], p95[i], p50[i] = w.successfulRPS, w.p95MS, w.p50MS
		thin = thin || w.successes < minP95Successes
		minCount, maxCount = min(minCount, w.successes), max(maxCount, w.successes)
	}
	st := result.Stability{Windows: n, Tolerance: tol, ThroughputSpread: spread(rps), P95Spread: spread(p95), P50Spread: spread(p50),
		LatencyJudged: "p95"}
	lat, latSpread := p95, st.P95Spread
	if thin {
		st.LatencyJudged, lat, latSpread = "p50", p50, st.P50Spread
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range lat {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	latencyOK := latSpread <= tol || hi-lo <= latencySlackMS
	throughputOK := st.ThroughputSpread <= tol || maxCount-minCount <= throughputSlackRequests
	// One window (--windows 1) has nothing to agree with: the rule is off.
	return st, n < 2 || (throughputOK && latencyOK)
}
