package merge

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// request is one synthetic request: its latencies in microseconds.
type request struct {
	corrected, uncorrected, lag int64
	ttft, itl                   int64
	tokens                      int64
	fail                        bool
}

// synthRequests draws n requests from a seeded source, with a heavy tail
// so the high percentiles differ from the median.
func synthRequests(n int, seed uint64) []request {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]request, n)
	for i := range out {
		base := int64(2000 + r.ExpFloat64()*3000)
		if r.IntN(50) == 0 {
			base += int64(r.IntN(200_000))
		}
		out[i] = request{corrected: base + int64(r.IntN(500)), uncorrected: base, lag: int64(r.IntN(300)),
			ttft: base / 2, itl: 500 + int64(r.IntN(2000)), tokens: 8 + int64(r.IntN(24)), fail: r.IntN(200) == 0}
	}
	return out
}

// interval records requests into a loadgen interval spanning d.
func interval(reqs []request, start time.Time, d time.Duration, llm bool) *loadgen.Interval {
	iv := &loadgen.Interval{Start: start, End: start.Add(d), Errors: map[string]int64{},
		Corrected: loadgen.NewHistogram(), Uncorrected: loadgen.NewHistogram(), SendLag: loadgen.NewHistogram()}
	for _, k := range result.ErrorKinds {
		iv.Errors[k] = 0
	}
	t := &iv.Tokens
	t.TTFT, t.TTFTUncorrected, t.ITL, t.TPOT = loadgen.NewHistogram(), loadgen.NewHistogram(), loadgen.NewHistogram(), loadgen.NewHistogram()
	for _, q := range reqs {
		iv.Offered++
		iv.Sent++
		iv.Completed++
		_ = iv.SendLag.RecordValue(q.lag)
		if q.fail {
			iv.Errors[result.ErrHTTP5xx]++
			continue
		}
		iv.Successes++
		iv.Goodput++
		iv.BytesIn += 300
		iv.BytesOut += 900
		_ = iv.Corrected.RecordValue(q.corrected)
		_ = iv.Uncorrected.RecordValue(q.uncorrected)
		if llm {
			t.Streams++
			t.UsageStreams++
			t.InputTokens += 64
			t.OutputTokens += q.tokens
			t.PerUserRateSum += float64(q.tokens) / (float64(q.corrected) / 1e6)
			_ = t.TTFT.RecordValue(q.ttft)
			_ = t.TTFTUncorrected.RecordValue(q.ttft - q.lag/2)
			for k := int64(1); k < q.tokens; k++ {
				_ = t.ITL.RecordValue(q.itl + k)
			}
			_ = t.TPOT.RecordValue(q.itl)
		}
	}
	return iv
}

// writeRun writes a run directory with one step per interval (the loads
// named by their rate), each with its histogram log, as the profiler does.
func writeRun(t *testing.T, name string, llm bool, ivs map[float64]*loadgen.Interval) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	unit, proto := result.UnitInference, result.ProtocolKServe
	if llm {
		unit, proto = result.UnitOutputToken, result.ProtocolOpenAI
	}
	run := &result.Run{Name: name, Command: "profile", Status: result.StatusComplete, StartedAt: time.Unix(1_800_000_000, 0).UTC(),
		Spec:        result.Spec{Model: "m", Protocol: proto, SLO: []result.SLOBound{{Metric: result.MetricLatency, Percentile: "p95", BoundMS: 50}}, MaxErrorRate: 0.01},
		Environment: result.Environment{Hardware: "AMD EPYC", HardwareSource: "detected", CPUModel: "AMD EPYC", CPUCores: 2, Arch: "amd64", TargetIsLocal: true}}
	for _, rate := range []float64{100, 200} {
		iv := ivs[rate]
		if iv == nil {
			continue
		}
		st := result.Step{Index: len(run.Steps), Name: "b4-r" + strings.TrimSuffix(strings.TrimSuffix(time.Duration(rate).String(), "ns"), ".0"),
			Mode: result.ModeRate, Arrival: "constant", BatchSize: 4, OfferedRPS: rate, Unit: unit, StartedAt: iv.Start, EndedAt: iv.End}
		iv.Fill(&st)
		var b bytes.Buffer
		if err := loadgen.WriteHistogramLog(&b, iv); err != nil {
			t.Fatal(err)
		}
		st.Files.Histograms = "steps/" + st.Name + ".hlog"
		if err := os.MkdirAll(filepath.Join(dir, "steps"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, st.Files.Histograms), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		run.Steps = append(run.Steps, st)
	}
	if err := result.Write(dir, run); err != nil {
		t.Fatal(err)
	}
	return dir
}

func load(t *testing.T, dirs ...string) []*runs.Dir {
	t.Helper()
	out := make([]*runs.Dir, len(dirs))
	for i, d := range dirs {
		var err error
		if out[i], err = runs.Load(d); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// Two halves of one measurement merged give the whole: the same quantiles
// (exactly: from histograms), the same counts and the same rates.
func TestTwoHalvesMergeToTheWhole(t *testing.T) {
	for _, llm := range []bool{false, true} {
		start := time.Unix(1_800_000_000, 0)
		reqs := map[float64][]request{100: synthRequests(4000, 1), 200: synthRequests(7000, 2)}
		whole, halfA, halfB := map[float64]*loadgen.Interval{}, map[float64]*loadgen.Interval{}, map[float64]*loadgen.Interval{}
		for rate, rs := range reqs {
			cut := len(rs) * 2 / 5 // halves need not be even
			whole[rate] = interval(rs, start, 10*time.Second, llm)
			halfA[rate] = interval(rs[:cut], start, 4*time.Second, llm)
			halfB[rate] = interval(rs[cut:], start.Add(4*time.Second), 6*time.Second, llm)
		}
		ds := load(t, writeRun(t, "whole", llm, whole), writeRun(t, "a", llm, halfA), writeRun(t, "b", llm, halfB))
		m, err := Runs(ds[1:])
		if err != nil {
			t.Fatal(err)
		}
		w := ds[0].Run
		if len(m.Run.Steps) != 2 || m.Source() != runs.SourceHistograms {
			t.Fatalf("llm=%v: %d merged steps, source %s", llm, len(m.Run.Steps), m.Source())
		}
		if err := result.Validate(m.Run); err != nil {
			t.Errorf("the merged run is not valid: %v", err)
		}
		for i := range w.Steps {
			a, b := &w.Steps[i], &m.Run.Steps[i]
			if a.LatencyMS != b.LatencyMS || a.SendLagMS != b.SendLagMS {
				t.Errorf("llm=%v step %d: whole %+v\nmerged %+v", llm, i+1, a.LatencyMS, b.LatencyMS)
			}
			if a.LatencyMS.Corrected.P99 == a.LatencyMS.Corrected.P50 {
				t.Fatal("the synthetic latencies have no tail: the test proves nothing")
			}
			if a.Requests != b.Requests || a.Successes != b.Successes || a.Sent != b.Sent || a.Errors[result.ErrHTTP5xx] != b.Errors[result.ErrHTTP5xx] ||
				!near(a.DurationS, b.DurationS) || !near(a.InferencesPerS, b.InferencesPerS) || !near(a.ErrorRatio, b.ErrorRatio) ||
				!near(*a.GoodputRPS, *b.GoodputRPS) || !near(a.BytesInPerRequest, b.BytesInPerRequest) {
				t.Errorf("llm=%v step %d: counts or rates differ:\nwhole  %d %d %g %g %g\nmerged %d %d %g %g %g", llm, i+1,
					a.Requests, a.Successes, a.DurationS, a.InferencesPerS, a.ErrorRatio, b.Requests, b.Successes, b.DurationS, b.InferencesPerS, b.ErrorRatio)
			}
			if llm {
				for _, q := range [][2]*result.Quantiles{{a.TTFTMS, b.TTFTMS}, {a.ITLMS, b.ITLMS}, {a.TPOTMS, b.TPOTMS}, {a.TTFTUncorrectedMS, b.TTFTUncorrectedMS}} {
					if q[0] == nil || q[1] == nil || *q[0] != *q[1] {
						t.Errorf("step %d token latency: whole %+v, merged %+v", i+1, q[0], q[1])
					}
				}
				if *a.OutputTokens != *b.OutputTokens || !near(*a.OutputTokensPerS, *b.OutputTokensPerS) ||
					!near(*a.OutputTokensPerSPerUser, *b.OutputTokensPerSPerUser) || !near(*a.OutputTokensPerRequest, *b.OutputTokensPerRequest) {
					t.Errorf("step %d tokens: whole %d %g %g, merged %d %g %g", i+1, *a.OutputTokens, *a.OutputTokensPerS, *a.OutputTokensPerSPerUser,
						*b.OutputTokens, *b.OutputTokensPerS, *b.OutputTokensPerSPerUser)
				}
			}
			if len(b.Trials) != 2 || b.Spread.UnitsPerSMin > b.Spread.UnitsPerSMax || b.Spread.UnitsPerSMin == 0 {
				t.Errorf("step %d: %d trials, spread %+v", i+1, len(b.Trials), b.Spread)
			}
		}
	}
}

// The real demo run merged with itself: counts doubled, rates, min, max
// and mean the same, every percentile within a hair (doubling each bucket
// moves the rank a percentile rounds to by half a request, which can reach
// the next recorded value), two trials.
func TestARealRunMergedWithItself(t *testing.T) {
	const dir = "../../testdata/runs/real-demo"
	ds := load(t, dir, dir)
	m, err := Runs(ds)
	if err != nil {
		t.Fatal(err)
	}
	orig := ds[0].Run
	if len(m.Run.Steps) != len(orig.Steps) {
		t.Fatalf("%d steps, want %d", len(m.Run.Steps), len(orig.Steps))
	}
	for i := range orig.Steps {
		a, b := &orig.Steps[i], &m.Run.Steps[i]
		qa, qb := a.LatencyMS.Corrected, b.LatencyMS.Corrected
		if qa.Min != qb.Min || qa.Max != qb.Max || !near(qa.Mean, qb.Mean) || math.Abs(qa.P99/qb.P99-1) > 0.01 || math.Abs(qa.P50/qb.P50-1) > 0.01 ||
			qa.Count*2 != qb.Count ||
			a.Requests*2 != b.Requests || !near(a.InferencesPerS, b.InferencesPerS) || len(b.Trials) != 2 {
			t.Errorf("step %d: p99 %g/%g, count %d/%d, infer/s %g/%g, trials %d", i+1, a.LatencyMS.Corrected.P99, b.LatencyMS.Corrected.P99,
				a.LatencyMS.Corrected.Count, b.LatencyMS.Corrected.Count, a.InferencesPerS, b.InferencesPerS, len(b.Trials))
		}
		if a.Flags != b.Flags || b.Host != a.Host {
			t.Errorf("step %d: flags %+v/%+v or host figures changed", i+1, a.Flags, b.Flags)
		}
	}
	if m.Run.Sweep != nil || m.Root != "" || !strings.Contains(m.Notes[len(m.Notes)-1], "sampler figures") {
		t.Errorf("sweep %v, root %q, notes %q", m.Run.Sweep, m.Root, m.Notes)
	}
}

func TestWhatCannotBeMergedIsRefused(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	rs := synthRequests(500, 3)
	a := writeRun(t, "a", false, map[float64]*loadgen.Interval{100: interval(rs, start, time.Second, false), 200: interval(rs, start, time.Second, false)})
	b := writeRun(t, "b", false, map[float64]*loadgen.Interval{100: interval(rs, start, time.Second, false)})
	c := writeRun(t, "c", false, map[float64]*loadgen.Interval{200: interval(rs, start, time.Second, false)})

	m, err := Runs(load(t, a, b))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Run.Steps) != 1 || !strings.Contains(strings.Join(m.Notes, "\n"), "left out batch 4 at 200 req/s") {
		t.Errorf("a load measured in one run only: %d steps, notes %q", len(m.Run.Steps), m.Notes)
	}
	for _, tc := range []struct {
		name string
		dirs []string
		want string
	}{
		{"nothing in common", []string{b, c}, "no load was measured in every run"},
		{"one run", []string{a}, "two runs or more"},
		{"golden runs have no logs", []string{"../../testdata/runs/a10g-sweep", "../../testdata/runs/a10g-sweep"}, "no histogram log"},
		{"different hardware", []string{"../../testdata/runs/a10g-sweep", "../../testdata/runs/a100-sweep"}, "merge runs of one hardware"},
	} {
		_, err := Runs(load(t, tc.dirs...))
		if !errors.Is(err, ErrNotMergeable) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
