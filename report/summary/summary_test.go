package summary

import (
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestWriteRunShowsUnitsFlagsAndNotes(t *testing.T) {
	run := &result.Run{Status: result.StatusComplete, Spec: result.Spec{Target: "builtin", Model: "digits", Windows: 3, MaxWindows: 10, StabilityTolerance: 0.1, Trials: 1},
		Environment: result.Environment{TargetURL: "http://127.0.0.1:1234", Hardware: "AMD EPYC", CPUModel: "AMD EPYC", CPUCores: 2, GPUStatus: "no GPU detected (NVML: libnvidia-ml.so.1 not found)"},
		Steps: []result.Step{
			{Name: "b1-r100", Mode: result.ModeRate, BatchSize: 1, OfferedRPS: 100, AchievedRPS: 99.5, InferencesPerS: 99.5,
				LatencyMS: result.Latency{Corrected: result.Quantiles{Count: 10, P50: 1.5, P95: 3, P99: 4}, Uncorrected: result.Quantiles{Count: 10, P99: 2}},
				Process:   result.ProcessSummary{Available: true, CPUPercentMean: 45, RSSBytesMax: 30 << 20}},
			{Name: "b8-c4", Mode: result.ModeConcurrency, Concurrency: 4, BatchSize: 8, Flags: result.Flags{GeneratorLimited: true, Unstable: true},
				Notes: []string{"the generator's CPU was saturated"}, Errors: map[string]int64{result.ErrHTTP5xx: 3},
				GPUs: []result.GPUSummary{{UtilizationPercentMean: -1}}},
		},
		Samplers: result.SamplerCost{Samples: 40, IntervalMS: 250, CPUPercentOfCore: 0.3},
		Warnings: []string{"the target runs on this host"},
	}
	var b strings.Builder
	WriteRun(&b, run, "runs/x")
	out := b.String()
	for _, want := range []string{"(req/s)", "(infer/s)", "(ms)", "(% of 1 core)", "(MiB)", "c=4", "generator-limited,unstable", "ok",
		"b8-c4: the generator's CPU was saturated", "b8-c4: errors http_5xx=3", "n/a", "0.30% of one core", "the target runs on this host",
		"no GPU detected", "built-in server"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "30.00") {
		t.Errorf("RSS of 30 MiB not shown in MiB:\n%s", out)
	}
}

func TestWriteSweepMarksSweetSpotAndZeroes(t *testing.T) {
	run := &result.Run{Sweep: &result.Sweep{SLO: []result.SLOBound{{Percentile: "p95", BoundMS: 50}}, Search: "rate", Probes: 9,
		BestBatchSize: 8, KneeBatchSize: 4,
		Curve: []result.CurvePoint{
			{BatchSize: 4, MaxInferencesPerSAtSLO: 900, MaxUnitsPerSAtSLO: 900, PeakStep: 1, Probes: 4},
			{BatchSize: 8, MaxInferencesPerSAtSLO: 1000, MaxUnitsPerSAtSLO: 1000, PeakStep: 2, Probes: 4},
			{BatchSize: 64, PeakStep: -1, Probes: 1},
		},
		Realtime: result.OperatingPoint{BatchSize: 8, InferencesPerS: 1000, Step: 2},
		Offline:  result.OperatingPoint{BatchSize: 64, InferencesPerS: 1500, Step: 5}}}
	var b strings.Builder
	WriteSweep(&b, run)
	out := b.String()
	for _, want := range []string{"p95=50ms", "9 probes", "<- sweet spot", "<- knee", "0 (none met the SLO)", "realtime (within the SLO): batch 8", "offline (no latency bound): batch 64"} {
		if !strings.Contains(out, want) {
			t.Errorf("sweep summary lacks %q:\n%s", want, out)
		}
	}
}

// An interrupted batch size is "incomplete", never "none met the SLO", and
// the answers say they are provisional (issue 10, point 10).
func TestWriteSweepSaysIncompleteAndProvisional(t *testing.T) {
	run := &result.Run{Sweep: &result.Sweep{SLO: []result.SLOBound{{Percentile: "p95", BoundMS: 50}}, Search: "rate", Probes: 5,
		BestBatchSize: 1, Provisional: true,
		Curve: []result.CurvePoint{
			{BatchSize: 1, MaxInferencesPerSAtSLO: 400, MaxUnitsPerSAtSLO: 400, PeakStep: 1, Probes: 3},
			{BatchSize: 8, PeakStep: -1, Probes: 2, Incomplete: true},
		},
		Realtime: result.OperatingPoint{BatchSize: 1, InferencesPerS: 400, UnitsPerS: 400, Step: 1},
		Offline:  result.OperatingPoint{Step: -1}}}
	var b strings.Builder
	WriteSweep(&b, run)
	out := b.String()
	if strings.Contains(out, "none met the SLO") {
		t.Errorf("an interrupted batch size reported as none meeting the SLO:\n%s", out)
	}
	for _, want := range []string{"incomplete (interrupted)", "provisional", "--resume"} {
		if !strings.Contains(out, want) {
			t.Errorf("sweep summary lacks %q:\n%s", want, out)
		}
	}
}

func TestNumAndBytes(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{{0, "0"}, {1234.6, "1235"}, {123.45, "123.5"}, {1.234, "1.23"}, {0.01234, "0.012"}} {
		if got := Num(tc.v); got != tc.want {
			t.Errorf("Num(%g) = %q, want %q", tc.v, got, tc.want)
		}
	}
	if got := Bytes(25276026880); got != "23.5 GiB" {
		t.Errorf("Bytes = %q", got)
	}
}
