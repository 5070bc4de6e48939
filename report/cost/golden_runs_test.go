package cost

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// The golden runs in testdata/runs are synthetic run directories with
// capacities chosen for hand arithmetic. They are generated here; refresh
// the version 2 ones with: go test ./report/cost -run TestGoldenRuns -update-golden
var updateGolden = flag.Bool("update-golden", false, "rewrite the version 2 runs in testdata/runs from goldenRunsV2()")

const goldenDir = "../../testdata/runs"

// stepSpec is one synthetic step: batch, offered requests/s, inferences/s
// and corrected latency.
type stepSpec struct {
	batch                 int
	rps, infPerS          float64
	meanMS, p95MS, p99MS  float64
	errRatio              float64
	genLimited            bool
	gpuMemBytes, rssBytes float64
	bytesInPerInference   float64
}

func makeSteps(specs []stepSpec, start time.Time) []result.Step {
	steps := make([]result.Step, len(specs))
	for i, s := range specs {
		dur := 30.0
		succ := int64(s.infPerS / float64(s.batch) * dur)
		reqs := int64(float64(succ) / (1 - s.errRatio))
		st := result.Step{
			Index: i, Name: stepName(s), Mode: result.ModeRate, Arrival: "constant", BatchSize: s.batch, OfferedRPS: s.rps,
			StartedAt: start.Add(time.Duration(i) * time.Minute), EndedAt: start.Add(time.Duration(i)*time.Minute + 40*time.Second),
			DurationS: dur, Requests: reqs, Successes: succ, Sent: reqs, Offered: reqs,
			AchievedRPS: float64(reqs) / dur, SuccessfulRPS: s.infPerS / float64(s.batch), InferencesPerS: s.infPerS,
			SuccessRatio: 1 - s.errRatio, ErrorRatio: s.errRatio,
			LatencyMS: result.Latency{
				Corrected:   result.Quantiles{Count: succ, Min: s.meanMS / 3, Mean: s.meanMS, P50: s.meanMS * 0.9, P90: s.p95MS * 0.9, P95: s.p95MS, P99: s.p99MS, P999: s.p99MS * 1.2, Max: s.p99MS * 1.5},
				Uncorrected: result.Quantiles{Count: succ, Min: s.meanMS / 3, Mean: s.meanMS, P50: s.meanMS * 0.9, P90: s.p95MS * 0.9, P95: s.p95MS, P99: s.p99MS, P999: s.p99MS * 1.2, Max: s.p99MS * 1.5},
			},
			BytesInPerRequest: s.bytesInPerInference * float64(s.batch), BytesOutPerRequest: 600 * float64(s.batch),
			Flags:     result.Flags{GeneratorLimited: s.genLimited},
			Stability: result.Stability{Windows: 3, Tolerance: 0.1, ThroughputSpread: 0.02, P95Spread: 0.04},
			Process:   result.ProcessSummary{Available: s.rssBytes > 0, PID: 4242, Samples: 30, RSSBytesMean: s.rssBytes * 0.95, RSSBytesP95: s.rssBytes * 0.99, RSSBytesMax: s.rssBytes},
		}
		if s.genLimited {
			st.Notes = []string{"generator CPU saturated"}
		}
		if s.errRatio > 0 {
			st.Errors = map[string]int64{result.ErrHTTP5xx: reqs - succ}
		}
		if s.gpuMemBytes > 0 {
			st.GPUs = []result.GPUSummary{{Index: 0, Samples: 30, UtilizationPercentMean: 80, MemoryUsedBytesMax: s.gpuMemBytes, MemoryUsedBytesMean: s.gpuMemBytes * 0.9}}
		}
		steps[i] = st
	}
	return steps
}

func stepName(s stepSpec) string {
	return "b" + itoa(s.batch) + "-r" + itoa(int(s.rps))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func mustSLO(s string) []result.SLOBound {
	slo, err := result.ParseSLO(s)
	if err != nil {
		panic(err)
	}
	return slo
}

var goldenStart = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func gpuEnv(name string, count int, memBytes uint64, cores int) result.Environment {
	gpus := make([]result.GPU, count)
	for i := range gpus {
		gpus[i] = result.GPU{Index: i, Name: name, UUID: "GPU-golden-" + itoa(i), MemoryBytes: memBytes, Driver: "550.54.15"}
	}
	return result.Environment{Hostname: "lab", OS: "linux", Arch: "amd64", CPUModel: "AMD EPYC 7R32", CPUCores: cores,
		MemoryBytes: 64 << 30, InfercostVersion: "golden", GoVersion: "go1.26.8", TargetURL: "http://lab:8000",
		Model: json.RawMessage(`{"name":"resnet50","platform":"onnxruntime","parameters":{"weight_bytes":102400000}}`),
		GPUs:  gpus, GPUStatus: "detected", Hardware: name, HardwareSource: "detected"}
}

// goldenRuns builds every golden run by name.
func goldenRuns() map[string]*result.Run {
	out := map[string]*result.Run{}
	fin := goldenStart.Add(time.Hour)
	sweepSpec := func(batches []int) result.Spec {
		return result.Spec{Target: "http://lab:8000", Model: "resnet50", Mode: result.ModeRate, Arrival: "constant", BatchSizes: batches,
			DurationS: 30, WarmupS: 5, Windows: 3, MaxWindows: 10, StabilityTolerance: 0.1, MinRequests: 100, Trials: 1,
			LateThresholdMS: 2, TimeoutS: 30, SampleIntervalMS: 1000, Search: "rate", SLO: mustSLO("p95=50ms"), MaxErrorRate: 0.001}
	}
	// A10G: best batch 8 at 800 inferences/s (p95 42 ms); batch 16 ties at
	// 800 (the smaller batch wins); a generator-limited step at 880 never
	// counts; batch 1 peaks at 198.
	a10g := makeSteps([]stepSpec{
		{1, 100, 100, 6, 12, 15, 0, false, 5e9, 2.1e9, 4000},
		{1, 150, 150, 8, 18, 22, 0, false, 5e9, 2.1e9, 4000},
		{1, 200, 198, 14, 35, 41, 0, false, 5e9, 2.1e9, 4000},
		{1, 250, 231, 40, 80, 95, 0, false, 5e9, 2.1e9, 4000},
		{4, 100, 400, 10, 20, 25, 0, false, 5.5e9, 2.2e9, 4000},
		{4, 150, 600, 15, 31, 37, 0, false, 5.5e9, 2.2e9, 4000},
		{4, 180, 700, 30, 62, 70, 0, false, 5.5e9, 2.2e9, 4000},
		{8, 80, 640, 12, 25, 30, 0, false, 6e9, 2.3e9, 4000},
		{8, 100, 800, 20, 42, 48, 0, false, 6e9, 2.3e9, 4000},
		{8, 110, 880, 21, 45, 50, 0, true, 6e9, 2.3e9, 4000},
		{8, 120, 940, 27, 55, 61, 0, false, 6e9, 2.3e9, 4000},
		{16, 50, 800, 24, 48, 55, 0, false, 7e9, 2.4e9, 4000},
		{16, 60, 960, 29, 58, 66, 0, false, 7e9, 2.4e9, 4000},
	}, goldenStart)
	out["a10g-sweep"] = &result.Run{Name: "a10g-sweep", Command: "sweep", Status: result.StatusComplete, StartedAt: goldenStart, FinishedAt: &fin,
		Spec: sweepSpec([]int{1, 4, 8, 16}), Environment: gpuEnv("NVIDIA A10G", 1, 24146608128, 4), Steps: a10g,
		Sweep: &result.Sweep{SLO: mustSLO("p95=50ms"), MaxErrorRate: 0.001, Search: "rate", BestBatchSize: 8, KneeBatchSize: 8,
			Curve: []result.CurvePoint{
				{BatchSize: 1, MaxInferencesPerSAtSLO: 198, MaxRPSAtSLO: 200, PeakStep: 2, MaxInferencesPerS: 231},
				{BatchSize: 4, MaxInferencesPerSAtSLO: 600, MaxRPSAtSLO: 150, PeakStep: 5, MaxInferencesPerS: 700},
				{BatchSize: 8, MaxInferencesPerSAtSLO: 800, MaxRPSAtSLO: 100, PeakStep: 8, MaxInferencesPerS: 940},
				{BatchSize: 16, MaxInferencesPerSAtSLO: 800, MaxRPSAtSLO: 50, PeakStep: 11, MaxInferencesPerS: 960},
			},
			Realtime: result.OperatingPoint{BatchSize: 8, InferencesPerS: 800, RPS: 100, Step: 8},
			Offline:  result.OperatingPoint{BatchSize: 16, InferencesPerS: 960, RPS: 60, Step: 12}}}
	// A100-SXM4-40GB on an 8-GPU, 96-CPU host (a p4d): best batch 16 at
	// 2000 inferences/s (p95 44 ms); batch 1 peaks at 400.
	a100 := makeSteps([]stepSpec{
		{1, 400, 400, 4, 9, 11, 0, false, 20e9, 3e9, 4000},
		{8, 200, 1600, 14, 30, 35, 0, false, 26e9, 3.2e9, 4000},
		{16, 125, 2000, 21, 44, 50, 0, false, 30e9, 3.4e9, 4000},
		{16, 150, 2400, 35, 70, 80, 0, false, 30e9, 3.4e9, 4000},
		{32, 70, 2200, 28, 58, 66, 0, false, 34e9, 3.6e9, 4000},
	}, goldenStart)
	out["a100-sweep"] = &result.Run{Name: "a100-sweep", Command: "sweep", Status: result.StatusComplete, StartedAt: goldenStart, FinishedAt: &fin,
		Spec: sweepSpec([]int{1, 8, 16, 32}), Environment: gpuEnv("NVIDIA A100-SXM4-40GB", 8, 42949672960, 96), Steps: a100,
		Sweep: &result.Sweep{SLO: mustSLO("p95=50ms"), MaxErrorRate: 0.001, Search: "rate", BestBatchSize: 16, KneeBatchSize: 16,
			Curve: []result.CurvePoint{
				{BatchSize: 1, MaxInferencesPerSAtSLO: 400, MaxRPSAtSLO: 400, PeakStep: 0, MaxInferencesPerS: 400},
				{BatchSize: 8, MaxInferencesPerSAtSLO: 1600, MaxRPSAtSLO: 200, PeakStep: 1, MaxInferencesPerS: 1600},
				{BatchSize: 16, MaxInferencesPerSAtSLO: 2000, MaxRPSAtSLO: 125, PeakStep: 2, MaxInferencesPerS: 2400},
				{BatchSize: 32, MaxInferencesPerSAtSLO: 0, PeakStep: -1, MaxInferencesPerS: 2200},
			},
			Realtime: result.OperatingPoint{BatchSize: 16, InferencesPerS: 2000, RPS: 125, Step: 2},
			Offline:  result.OperatingPoint{BatchSize: 16, InferencesPerS: 2400, RPS: 150, Step: 3}}}
	// A CPU profile of the built-in server on a 2-CPU host, target local,
	// no sweep and no SLO recorded: best at p95=50ms is batch 8 at 4000.
	cpu := makeSteps([]stepSpec{
		{1, 200, 200, 1.2, 3, 5, 0, false, 0, 150e6, 64},
		{1, 400, 400, 1.5, 5, 8, 0, false, 0, 152e6, 64},
		{1, 800, 800, 6, 30, 45, 0, false, 0, 155e6, 64},
		{1, 1600, 1500, 40, 90, 140, 0, false, 0, 160e6, 64},
		{8, 100, 800, 2, 4, 6, 0, false, 0, 158e6, 64},
		{8, 300, 2400, 5, 12, 18, 0, false, 0, 162e6, 64},
		{8, 500, 4000, 20, 45, 60, 0, false, 0, 170e6, 64},
		{8, 600, 4500, 60, 120, 180, 0, false, 0, 175e6, 64},
	}, goldenStart)
	cpuSpec := sweepSpec([]int{1, 8})
	cpuSpec.Target, cpuSpec.Model, cpuSpec.Search, cpuSpec.SLO = "builtin", "iris-mlp", "", nil
	out["cpu-profile"] = &result.Run{Name: "cpu-profile", Command: "profile", Status: result.StatusComplete, StartedAt: goldenStart, FinishedAt: &fin,
		Spec: cpuSpec, Steps: cpu,
		Environment: result.Environment{Hostname: "dev", OS: "linux", Arch: "amd64", CPUModel: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
			CPUCores: 2, MemoryBytes: 24 << 30, InfercostVersion: "golden", GoVersion: "go1.26.8", TargetURL: "http://127.0.0.1:8080", TargetIsLocal: true,
			Model:     json.RawMessage(`{"name":"iris-mlp","platform":"infercost-builtin","parameters":{"weight_bytes":3276800}}`),
			GPUStatus: "no GPU detected (NVML not available)", Hardware: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", HardwareSource: "detected"},
		Warnings: []string{"the target runs on this host: its capacity is that of a shared machine"}}
	// An L4 run where no step meets p95=50ms: the closest is step 0 (p95 70
	// ms, 40% over); step 2 has lower latency but 1% errors, and step 3 was
	// generator-limited.
	noslo := makeSteps([]stepSpec{
		{1, 50, 50, 30, 70, 90, 0, false, 4e9, 1e9, 4000},
		{1, 100, 100, 60, 140, 170, 0, false, 4e9, 1e9, 4000},
		{4, 40, 158.4, 28, 65, 80, 0.01, false, 4.5e9, 1e9, 4000},
		{4, 30, 120, 15, 40, 45, 0, true, 4.5e9, 1e9, 4000},
	}, goldenStart)
	nosloSpec := sweepSpec([]int{1, 4})
	out["no-slo"] = &result.Run{Name: "no-slo", Command: "profile", Status: result.StatusComplete, StartedAt: goldenStart, FinishedAt: &fin,
		Spec: nosloSpec, Environment: gpuEnv("NVIDIA L4", 1, 24152899584, 4), Steps: noslo}
	return out
}

// TestGoldenRunsUpToDate checks that each committed golden run reads as
// its definition above. The committed files are schema version 1 and stay
// so: reading them is how the suite proves that older runs remain valid
// (DESIGN "Protocols": one schema bump, older versions read). result.Write
// writes the current version, so -update-golden leaves them alone and
// rewrites only the version 2 goldens (golden_runs_v2_test.go).
func TestGoldenRunsUpToDate(t *testing.T) {
	for name, run := range goldenRuns() {
		dir := filepath.Join(goldenDir, name)
		if *updateGolden {
			continue
		}
		// The definition is a version 1 run: read it as one.
		tmp := t.TempDir()
		if err := result.Write(tmp, run); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(tmp, result.FileName))
		if err != nil {
			t.Fatal(err)
		}
		want, err := result.Decode(bytes.Replace(data, []byte(`"schema_version": 2`), []byte(`"schema_version": 1`), 1), name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := result.Read(dir)
		if err != nil {
			t.Fatalf("golden run %s missing or unreadable (go test ./report/cost -run TestGoldenRuns -update-golden): %v", name, err)
		}
		if got.SchemaVersion != 1 {
			t.Errorf("golden run %s is schema version %d; the committed goldens stay version 1", name, got.SchemaVersion)
		}
		got.SchemaVersion = want.SchemaVersion
		if !reflect.DeepEqual(got, want) {
			t.Errorf("golden run %s does not read as its definition: go test ./report/cost -run TestGoldenRuns -update-golden", name)
		}
	}
}

// readGolden reads a committed golden run.
func readGolden(t *testing.T, name string) *result.Run {
	t.Helper()
	r, err := result.Read(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
