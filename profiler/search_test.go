package profiler

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// fakeCapacity is a probe against a target whose SLO holds exactly up to
// capacity and whose throughput saturates at ceiling (0: no saturation
// seen, as when a target sheds load); it records the levels probed.
type fakeCapacity struct {
	capacity, ceiling float64
	levels            []float64
}

func (f *fakeCapacity) probe(_ context.Context, level float64) (probeResult, error) {
	f.levels = append(f.levels, level)
	achieved := level
	if f.ceiling > 0 {
		achieved = math.Min(level, f.ceiling)
	}
	return probeResult{OK: level <= f.capacity, Achieved: achieved, Throughput: achieved, Step: len(f.levels) - 1}, nil
}

func TestSearchRateFindsCapacityWithinPrecision(t *testing.T) {
	for _, tc := range []struct {
		name               string
		capacity, estimate float64
	}{
		{"estimate far below", 1000, 37},
		{"estimate just below", 1000, 900},
		{"estimate above", 1000, 3000},
		{"estimate far above", 50, 1500},
		{"fractional", 2.5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeCapacity{capacity: tc.capacity, ceiling: tc.capacity / 0.9}
			out, err := searchRate(context.Background(), tc.estimate, 0.05, f.probe)
			if err != nil {
				t.Fatal(err)
			}
			if out.Level > tc.capacity || out.Level < tc.capacity*0.95 {
				t.Fatalf("found %g, want within 5%% below %g (probes %v)", out.Level, tc.capacity, f.levels)
			}
			if out.Probes != len(f.levels) || out.Probes > maxRateProbes {
				t.Fatalf("probes %d counted, %d made", out.Probes, len(f.levels))
			}
			if f.levels[out.Step] != out.Level {
				t.Fatalf("step %d probed %g, outcome says %g", out.Step, f.levels[out.Step], out.Level)
			}
		})
	}
}

func TestSearchRateGivesZeroWhenNothingPasses(t *testing.T) {
	f := &fakeCapacity{capacity: 0}
	out, err := searchRate(context.Background(), 100, 0.05, f.probe)
	if err != nil {
		t.Fatal(err)
	}
	if out.Level != 0 || out.Step != -1 {
		t.Fatalf("got level %g step %d, want 0 and -1", out.Level, out.Step)
	}
	if out.Probes != maxHalvings+1 {
		t.Fatalf("probes = %d, want %d (the estimate and %d halvings)", out.Probes, maxHalvings+1, maxHalvings)
	}
}

// With a saturating target whose SLO edge lies within 9% of its
// throughput ceiling (the usual case: queueing delay explodes just before
// saturation), the search uses at most a third of a linear sweep's probes
// at 5% steps (21 to pass the capacity), counting the estimate probe, when
// its estimate is within 4x of capacity. Lower edges cost a few more.
func TestSearchRateUsesFewProbes(t *testing.T) {
	for _, edge := range []float64{0.75, 0.85, 0.9, 0.92, 0.95, 0.99} {
		for _, est := range []float64{250, 400, 700, 1000, 1900, 3900} {
			f := &fakeCapacity{capacity: 1000, ceiling: 1000 / edge}
			out, _ := searchRate(context.Background(), est, 0.05, f.probe)
			budget := 7
			if edge < 0.91 {
				budget = 10
			}
			if total := out.Probes + 1; total > budget {
				t.Errorf("SLO edge at %.0f%% of the ceiling, estimate %g: %d probes with the estimate (%v), over %d",
					edge*100, est, total, f.levels, budget)
			}
			if out.Level < 950 || out.Level > 1000 {
				t.Errorf("edge %.2f estimate %g: found %g", edge, est, out.Level)
			}
		}
	}
	// Without a ceiling to guide it, it is plain bisection: still bounded.
	f := &fakeCapacity{capacity: 1000}
	out, _ := searchRate(context.Background(), 300, 0.05, f.probe)
	if out.Probes > 10 || out.Level < 950 {
		t.Errorf("plain bisection: %d probes (%v), level %g", out.Probes, f.levels, out.Level)
	}
}

func TestSearchConcurrencyStopsAtSLOOrPlateau(t *testing.T) {
	// Throughput grows until 8 then flattens; SLO holds up to 32.
	tp := map[float64]float64{1: 100, 2: 190, 4: 350, 8: 600, 16: 610, 32: 612, 64: 500}
	var levels []float64
	probeUpTo := func(limit float64) probeFunc {
		return func(_ context.Context, c float64) (probeResult, error) {
			levels = append(levels, c)
			return probeResult{OK: c <= limit, Throughput: tp[c], Step: len(levels) - 1}, nil
		}
	}
	out, err := searchConcurrency(context.Background(), 0.05, 0, probeUpTo(32))
	if err != nil {
		t.Fatal(err)
	}
	if out.Level != 16 || out.Probes != 5 {
		t.Fatalf("got level %g after %d probes (%v), want 16 after 5 (plateau at 16)", out.Level, out.Probes, levels)
	}

	levels = nil
	out, _ = searchConcurrency(context.Background(), 0.05, 0, probeUpTo(4))
	if out.Level != 4 {
		t.Fatalf("SLO breaks at 8: got %g, want 4", out.Level)
	}
}

func TestRoundSig(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{{1234.5678, 1230}, {0.012345, 0.0123}, {999.6, 1000}, {5, 5}} {
		if got := roundSig(tc.in, 3); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("roundSig(%g) = %g, want %g", tc.in, got, tc.want)
		}
	}
}

func curveStep(i, batch int, inf, p95 float64) result.Step {
	return result.Step{Index: i, BatchSize: batch, InferencesPerS: inf, SuccessfulRPS: inf / float64(batch),
		LatencyMS: result.Latency{Corrected: result.Quantiles{Count: 100, P50: p95 / 2, P95: p95, P99: p95 * 1.2}}}
}

func TestSummarizeSweepPicksArgmaxAndKnee(t *testing.T) {
	steps := []result.Step{curveStep(0, 1, 100, 10), curveStep(1, 4, 370, 20), curveStep(2, 8, 400, 30), curveStep(3, 16, 400, 45)}
	sw := &result.Sweep{Curve: []result.CurvePoint{
		{BatchSize: 1, MaxInferencesPerSAtSLO: 100, MaxUnitsPerSAtSLO: 100, PeakStep: 0},
		{BatchSize: 4, MaxInferencesPerSAtSLO: 370, MaxUnitsPerSAtSLO: 370, PeakStep: 1},
		{BatchSize: 8, MaxInferencesPerSAtSLO: 400, MaxUnitsPerSAtSLO: 400, PeakStep: 2},
		{BatchSize: 16, MaxInferencesPerSAtSLO: 400, MaxUnitsPerSAtSLO: 400, PeakStep: 3},
		{BatchSize: 32, MaxInferencesPerSAtSLO: 0, PeakStep: -1},
	}}
	summarizeSweep(sw, steps, func(*result.ServerConfig) result.OperatingPoint { return result.OperatingPoint{Step: -1} })
	if sw.BestBatchSize != 8 {
		t.Errorf("best = %d, want 8 (tie with 16 goes to the smaller batch)", sw.BestBatchSize)
	}
	if sw.KneeBatchSize != 4 {
		t.Errorf("knee = %d, want 4 (370 >= 90%% of 400)", sw.KneeBatchSize)
	}
	if sw.Realtime.Step != 2 || sw.Realtime.InferencesPerS != 400 || sw.Realtime.LatencyMS.P95 != 30 {
		t.Errorf("realtime = %+v, want step 2 at 400/s, p95 30", sw.Realtime)
	}

	none := &result.Sweep{Curve: []result.CurvePoint{{BatchSize: 1, PeakStep: -1}}}
	summarizeSweep(none, steps, func(*result.ServerConfig) result.OperatingPoint { return result.OperatingPoint{Step: -1} })
	if none.BestBatchSize != 0 || none.Realtime.Step != -1 {
		t.Errorf("no point meets the SLO: best %d realtime step %d, want 0 and -1", none.BestBatchSize, none.Realtime.Step)
	}
}

func TestStabilityRule(t *testing.T) {
	w := func(rps, p95, p50 float64, n int64) windowFigures {
		return windowFigures{successfulRPS: rps, p95MS: p95, p50MS: p50, successes: n}
	}
	ws := []windowFigures{w(100, 10, 5, 300), w(150, 30, 5, 450), w(101, 10.5, 5, 303), w(99, 9.8, 5, 297), w(100, 10.2, 5, 300)}
	if _, ok := stabilityOf(ws[:3], 3, 0.1); ok {
		t.Error("windows 100/150/101 req/s judged stable")
	}
	st, ok := stabilityOf(ws, 3, 0.1)
	if !ok || st.LatencyJudged != "p95" {
		t.Errorf("last three windows agree within 10%% on p95, judged unstable: %+v", st)
	}
	// p95 apart by 40%: unstable.
	if st, ok := stabilityOf([]windowFigures{w(100, 10, 5, 300), w(100, 14, 5, 300), w(100, 10, 5, 300)}, 3, 0.1); ok {
		t.Errorf("p95 of 10/14/10 ms judged stable: %+v", st)
	}
	// Sub-millisecond jitter is noise, not instability.
	if _, ok := stabilityOf([]windowFigures{w(100, 0.4, 0.2, 300), w(100, 0.9, 0.2, 300), w(100, 0.5, 0.2, 300)}, 3, 0.1); !ok {
		t.Error("p95 of 0.4-0.9 ms judged unstable")
	}
	// Thin windows (under 100 requests) are judged on the median: their p95
	// rests on a handful of requests.
	thin := []windowFigures{w(50, 12, 8, 50), w(50, 18, 8.2, 50), w(50, 11, 7.9, 50)}
	st, ok = stabilityOf(thin, 3, 0.1)
	if !ok || st.LatencyJudged != "p50" {
		t.Errorf("thin windows with agreeing medians: %+v stable %v", st, ok)
	}
	thin[1].p50MS = 12
	if _, ok := stabilityOf(thin, 3, 0.1); ok {
		t.Error("thin windows with medians 8/12/7.9 ms judged stable")
	}
	// Two or three slow streams a window: one request more or less is the
	// resolution of counting, not instability; two apart is not.
	slow := []windowFigures{w(4, 300, 200, 2), w(6, 310, 205, 3), w(4, 305, 201, 2)}
	if st, ok := stabilityOf(slow, 3, 0.1); !ok {
		t.Errorf("windows of 2, 3 and 2 requests judged unstable: %+v", st)
	}
	slow[1] = w(8, 310, 205, 4)
	if _, ok := stabilityOf(slow, 3, 0.1); ok {
		t.Error("windows of 2, 4 and 2 requests judged stable")
	}
}

func TestWindowLengthHoldsMinRequests(t *testing.T) {
	set := DefaultSettings() // 10 s in 3 windows, 50 requests at least
	if got := windowLength(set, Load{Mode: result.ModeRate, RPS: 100}); got != set.Duration/3 {
		t.Errorf("100 req/s: window %s, want %s", got, set.Duration/3)
	}
	if got := windowLength(set, Load{Mode: result.ModeRate, RPS: 1}); got < 16*time.Second {
		t.Errorf("1 req/s: window %s holds fewer than 50/3 requests", got)
	}
}

func TestGeneratorLimitNeedsEvidence(t *testing.T) {
	for _, tc := range []struct {
		late, capped float64
		sent         int64
		want         bool
	}{
		{0.016, 0, 63, false},     // one late send in 63: not evidence of a starved generator
		{0.03, 0, 10000, true},    // 300 of 10,000
		{0.012, 0, 100000, true},  // 1.2% of a long step
		{0.5, 0.49, 10000, false}, // late because every --max-inflight slot was busy
		{0.2, 0, 100, true},
	} {
		st := result.Step{Mode: result.ModeRate, LateSendRatio: tc.late, InflightCappedRatio: tc.capped, Sent: tc.sent}
		judgeGenerator(&st)
		if st.Flags.GeneratorLimited != tc.want {
			t.Errorf("late %g (capped %g) of %d sends: generator_limited %v, want %v", tc.late, tc.capped, tc.sent, st.Flags.GeneratorLimited, tc.want)
		}
	}
	sat := result.Step{Mode: result.ModeConcurrency, Generator: result.GeneratorSummary{Saturated: true, CPUPercentMean: 190}}
	judgeGenerator(&sat)
	if !sat.Flags.GeneratorLimited {
		t.Error("a saturated generator CPU did not flag the step")
	}
}
