package profiler

import (
	"fmt"
	"math"

	"github.com/infercost/infercost/result"
)

// lateLimit is the share of sends that may leave late for the generator's
// own reasons before a step is generator_limited (DESIGN invariant 3).
const lateLimit = 0.01

// judgeGenerator applies DESIGN invariant 3: a step whose sends were late
// for the generator's own reasons (more than 1% late beyond those held by a
// full --max-inflight), or whose generator CPU was saturated, is
// generator_limited and says why. "More than 1%" must be shown, not
// guessed from a handful of sends: one late send in 60 is 1.7% by count but
// says little, so the rule uses the 95% Wilson lower bound of the late
// share.
func judgeGenerator(st *result.Step) {
	ownLate := math.Max(0, st.LateSendRatio-st.InflightCappedRatio)
	if st.Mode == result.ModeRate && wilsonLower(ownLate, float64(st.Sent)) > lateLimit {
		st.Flags.GeneratorLimited = true
		st.Notes = append(st.Notes, fmt.Sprintf("%.1f%% of sends left later than the late threshold with --max-inflight slots free: the generator could not keep the schedule", ownLate*100))
	}
	if st.Generator.Saturated {
		st.Flags.GeneratorLimited = true
		st.Notes = append(st.Notes, fmt.Sprintf("the generator's CPU was saturated (mean %.0f%% of one core, %d usable)", st.Generator.CPUPercentMean, usableCores()))
	}
	if st.InflightCappedRatio > 0.01 {
		st.Notes = append(st.Notes, fmt.Sprintf("%.1f%% of sends waited for a free --max-inflight slot: the target held them; their wait is in the corrected latency", st.InflightCappedRatio*100))
	}
}

// wilsonLower is the lower bound of the 95% Wilson score interval for a
// proportion p observed over n trials.
func wilsonLower(p, n float64) float64 {
	if n <= 0 {
		return 0
	}
	const z = 1.96
	z2 := z * z
	centre := p + z2/(2*n)
	margin := z * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return math.Max(0, (centre-margin)/(1+z2/n))
}
