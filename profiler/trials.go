package profiler

import (
	"math"
	"sort"

	"github.com/infercost/infercost/result"
)

// medianTrial picks the trial whose throughput (in the step's unit) is the median (the lower
// middle for an even count), so the step's figures all come from one real
// measurement rather than a mix of trials.
func medianTrial(ts []*trialResult) *trialResult {
	if len(ts) == 1 {
		return ts[0]
	}
	sorted := append([]*trialResult(nil), ts...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return sorted[i].step.Throughput() < sorted[j].step.Throughput()
	})
	return sorted[(len(sorted)-1)/2]
}

// trialSummaries lists every trial's headline and the min-max spread.
func trialSummaries(ts []*trialResult) ([]result.Trial, result.TrialsSpread) {
	out := make([]result.Trial, len(ts))
	sp := result.TrialsSpread{InferencesPerSMin: math.Inf(1), InferencesPerSMax: math.Inf(-1),
		UnitsPerSMin: math.Inf(1), UnitsPerSMax: math.Inf(-1), P95MSMin: math.Inf(1), P95MSMax: math.Inf(-1)}
	for i, t := range ts {
		st := t.step
		c := st.LatencyMS.Corrected
		out[i] = result.Trial{Trial: i + 1, AchievedRPS: st.AchievedRPS, InferencesPerS: st.InferencesPerS, UnitsPerS: st.Throughput(),
			SuccessRatio: st.SuccessRatio, P50MS: c.P50, P95MS: c.P95, P99MS: c.P99,
			Unstable: st.Flags.Unstable, GeneratorLimited: st.Flags.GeneratorLimited}
		sp.InferencesPerSMin = math.Min(sp.InferencesPerSMin, st.InferencesPerS)
		sp.InferencesPerSMax = math.Max(sp.InferencesPerSMax, st.InferencesPerS)
		sp.UnitsPerSMin = math.Min(sp.UnitsPerSMin, st.Throughput())
		sp.UnitsPerSMax = math.Max(sp.UnitsPerSMax, st.Throughput())
		sp.P95MSMin = math.Min(sp.P95MSMin, c.P95)
		sp.P95MSMax = math.Max(sp.P95MSMax, c.P95)
	}
	return out, sp
}
