package check

import (
	"fmt"

	"github.com/infercost/infercost/result"
)

// latencyFloorMS is the smallest latency difference told apart: the
// profiler's stability rule lets windows differ by less than 1 ms whatever
// their share, since timers on a shared machine slip by that much.
const latencyFloorMS = 1.0

// span is a figure with the range its trials measured (lo = hi = the
// figure for a step measured once: its spread is 0).
type span struct {
	v, lo, hi float64
	trials    int
}

// throughputSpan is a step's throughput with its trials' range.
func throughputSpan(st *result.Step) span {
	s := span{v: st.Throughput(), lo: st.Throughput(), hi: st.Throughput(), trials: max(1, len(st.Trials))}
	if len(st.Trials) > 1 && st.Spread.UnitsPerSMax > 0 {
		s.lo, s.hi = min(s.lo, st.Spread.UnitsPerSMin), max(s.hi, st.Spread.UnitsPerSMax)
	}
	return s
}

// p95Span is a step's corrected p95 with its trials' range; other
// percentiles have no recorded range.
func p95Span(st *result.Step) span {
	p := st.LatencyMS.Corrected.P95
	s := span{v: p, lo: p, hi: p, trials: max(1, len(st.Trials))}
	if len(st.Trials) > 1 && st.Spread.P95MSMax > 0 {
		s.lo, s.hi = min(s.lo, st.Spread.P95MSMin), max(s.hi, st.Spread.P95MSMax)
	}
	return s
}

func exact(v float64) span { return span{v: v, lo: v, hi: v, trials: 1} }

// words says a span with its unit: "800" or "42 ms (40-44 over 3 trials)".
func (s span) words(f func(float64) string, unit string) string {
	if s.lo == s.hi {
		return f(s.v) + unit
	}
	return fmt.Sprintf("%s%s (%s-%s over %d trials)", f(s.v), unit, f(s.lo), f(s.hi), s.trials)
}

// fell reports whether cur fell below base by more than bound, beyond
// the noise: even at its best, cur is under base at its worst less bound.
func fell(cur, base span, bound float64) bool {
	return cur.hi < base.lo*(1-bound)
}

// rose reports whether cur rose above base by more than bound, beyond the
// noise (and, for latencies, by more than floor in absolute terms).
func rose(cur, base span, bound, floor float64) bool {
	return cur.lo > base.hi*(1+bound) && cur.lo-base.hi > floor
}

func change(cur, base float64) *float64 {
	if base == 0 {
		return nil
	}
	c := cur/base - 1
	return &c
}

func pct(c *float64) string {
	if c == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", *c*100)
}
