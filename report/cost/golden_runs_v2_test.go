package cost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// goldenRunsV2 builds the golden runs written in schema version 2: what
// the version 1 goldens cannot hold (token figures, energy, --gpus) and
// variations of them made for one test each.
func goldenRunsV2() map[string]*result.Run {
	out := map[string]*result.Run{}
	// cpu-profile with slow batch-1 steps (p95 63-150 ms): at p95=50ms no
	// batch-1 step meets the SLO, so serverless, priced from batch 1, does
	// not apply; batch 8 still reaches 4,000/s at p95 45 ms.
	slow := goldenRuns()["cpu-profile"]
	slow.Name = "cpu-slow-batch1"
	fin := goldenStart.Add(time.Hour)
	slow.FinishedAt = &fin
	slow.Steps = makeSteps([]stepSpec{
		{1, 200, 200, 30, 63, 80, 0, false, 0, 150e6, 64},
		{1, 400, 400, 40, 90, 120, 0, false, 0, 152e6, 64},
		{1, 800, 800, 60, 120, 140, 0, false, 0, 155e6, 64},
		{1, 1600, 1500, 80, 150, 200, 0, false, 0, 160e6, 64},
		{8, 100, 800, 2, 4, 6, 0, false, 0, 158e6, 64},
		{8, 300, 2400, 5, 12, 18, 0, false, 0, 162e6, 64},
		{8, 500, 4000, 20, 45, 60, 0, false, 0, 170e6, 64},
		{8, 600, 4500, 60, 120, 180, 0, false, 0, 175e6, 64},
	}, goldenStart)
	out["cpu-slow-batch1"] = slow
	out["llm-a10g-sweep"] = llmRun("llm-a10g-sweep", "NVIDIA A10G", 24146608128, []llmStepSpec{
		{1, 25, 120, 45, 42, 35, 90},
		{4, 90, 200, 50, 46, 60, 120},
		{8, 160, 350, 55, 52, 80, 150},
		{16, 250, 700, 70, 66, 95, 185},
		{32, 300, 1800, 110, 100, 99, 200},
	}, 2)
	out["llm-a100-sweep"] = llmRun("llm-a100-sweep", "NVIDIA A100-SXM4-40GB", 42949672960, []llmStepSpec{
		{1, 40, 80, 30, 28, 30, 150},
		{4, 150, 120, 33, 31, 50, 220},
		{8, 280, 200, 38, 36, 70, 290},
		{16, 480, 400, 45, 43, 88, 360},
		{32, 720, 600, 58, 55, 98, 395},
	}, 3)
	return out
}

// llmStepSpec is one synthetic LLM step: concurrency, output tokens/s,
// the p95 of TTFT, ITL and TPOT, GPU utilisation and power. Every request
// carries 200 input and 100 output tokens.
type llmStepSpec struct {
	concurrency              int
	outTokPerS               float64
	ttftP95, itlP95, tpotP95 float64
	gpuUtil, powerWatts      float64
}

// LLM golden runs: prompt 200 tokens, output 100 tokens per request.
const (
	goldenInTokPerReq  = 200.0
	goldenOutTokPerReq = 100.0
	goldenLLMSLO       = "ttft_p95=500ms,itl_p95=60ms"
)

// quantilesAt makes ordered quantiles around a p95.
func quantilesAt(count int64, p95 float64) *result.Quantiles {
	return &result.Quantiles{Count: count, Min: p95 * 0.5, Mean: p95 * 0.8, P50: p95 * 0.75, P90: p95 * 0.95, P95: p95, P99: p95 * 1.1, P999: p95 * 1.2, Max: p95 * 1.25}
}

// llmRun builds a concurrency sweep of an OpenAI-compatible endpoint on
// one GPU; peak is the index of the step with the most output tokens/s
// within goldenLLMSLO.
func llmRun(name, gpu string, gpuMem uint64, specs []llmStepSpec, peak int) *result.Run {
	const dur = 60.0
	steps := make([]result.Step, len(specs))
	for i, s := range specs {
		rps := s.outTokPerS / goldenOutTokPerReq
		succ := int64(rps * dur)
		in, out := int64(goldenInTokPerReq)*succ, int64(goldenOutTokPerReq)*succ
		e2e := s.ttftP95 + (goldenOutTokPerReq-1)*s.tpotP95
		src := result.TokensFromUsage
		joules := s.powerWatts * dur
		steps[i] = result.Step{
			Index: i, Name: "c" + itoa(s.concurrency), Mode: result.ModeConcurrency, Arrival: "constant", BatchSize: 1, Concurrency: s.concurrency,
			StartedAt: goldenStart.Add(time.Duration(i) * 2 * time.Minute), EndedAt: goldenStart.Add(time.Duration(i)*2*time.Minute + 70*time.Second),
			DurationS: dur, Requests: succ, Successes: succ, Sent: succ, Offered: succ,
			AchievedRPS: rps, SuccessfulRPS: rps, InferencesPerS: rps, SuccessRatio: 1, GoodputRPS: &rps,
			LatencyMS:         result.Latency{Corrected: *quantilesAt(succ, e2e), Uncorrected: *quantilesAt(succ, e2e*0.98)},
			BytesInPerRequest: 30000, BytesOutPerRequest: 1200,
			Stability: result.Stability{Windows: 3, Tolerance: 0.1, ThroughputSpread: 0.03, P95Spread: 0.05, LatencyJudged: "p95"},
			Process:   result.ProcessSummary{},
			GPUs: []result.GPUSummary{{Index: 0, Name: gpu, Source: "nvml", Samples: 60, UtilizationPercentMean: s.gpuUtil, UtilizationPercentP95: s.gpuUtil,
				UtilizationPercentMax: s.gpuUtil, MemoryUsedBytesMean: 21e9, MemoryUsedBytesMax: 22e9, MemoryTotalBytes: gpuMem, PowerWattsMean: s.powerWatts}},
			Unit: result.UnitOutputToken,
			LLMFigures: result.LLMFigures{TTFTMS: quantilesAt(succ, s.ttftP95), TTFTUncorrectedMS: quantilesAt(succ, s.ttftP95*0.95),
				ITLMS: quantilesAt(out-succ, s.itlP95), TPOTMS: quantilesAt(succ, s.tpotP95), TokenCountSource: &src,
				InputTokens: &in, OutputTokens: &out, InputTokensPerS: ptr(rps * goldenInTokPerReq), OutputTokensPerS: ptr(s.outTokPerS),
				RequestsPerS: ptr(rps), OutputTokensPerSPerUser: ptr(goldenOutTokPerReq / (e2e / 1000)),
				InputTokensPerRequest: ptr(goldenInTokPerReq), OutputTokensPerRequest: ptr(goldenOutTokPerReq)},
			Energy: &result.Energy{Source: "nvml", GPUs: 1, PowerWattsMean: s.powerWatts, Joules: joules, JoulesPerOutputToken: ptr(s.powerWatts / s.outTokPerS)},
		}
	}
	fin := goldenStart.Add(time.Hour)
	env := gpuEnv(gpu, 1, gpuMem, 8)
	env.Model = json.RawMessage(`{}`)
	pk := steps[peak]
	return &result.Run{Name: name, Command: "sweep", Status: result.StatusComplete, StartedAt: goldenStart, FinishedAt: &fin,
		Spec: result.Spec{Target: "http://lab:8000", Model: "llama-3.1-8b-instruct", Mode: result.ModeConcurrency, Arrival: "constant",
			Concurrency: []int{1, 4, 8, 16, 32}, BatchSizes: []int{1}, DurationS: dur, WarmupS: 10, Windows: 3, MaxWindows: 10, StabilityTolerance: 0.1,
			MinRequests: 10, Trials: 1, TimeoutS: 120, SampleIntervalMS: 1000, Search: "list", SLO: mustSLO(goldenLLMSLO), MaxErrorRate: 0.001,
			Protocol: result.ProtocolOpenAI, GPUs: 1,
			LLM: &result.LLMSpec{API: "chat", PromptTokens: result.TokenDist{Mean: goldenInTokPerReq}, OutputTokens: result.TokenDist{Mean: goldenOutTokPerReq},
				Prompts: 100, ForceOutputLength: true}},
		Environment: env, Steps: steps,
		Sweep: &result.Sweep{SLO: mustSLO(goldenLLMSLO), MaxErrorRate: 0.001, Unit: result.UnitOutputToken, Search: "list", BestBatchSize: 1, KneeBatchSize: 1,
			Curve: []result.CurvePoint{{BatchSize: 1, MaxInferencesPerSAtSLO: pk.InferencesPerS, MaxRPSAtSLO: pk.SuccessfulRPS, MaxConcurrencyAtSLO: pk.Concurrency,
				PeakStep: peak, MaxInferencesPerS: steps[len(steps)-1].InferencesPerS, MaxUnitsPerSAtSLO: *pk.OutputTokensPerS,
				MaxUnitsPerS: *steps[len(steps)-1].OutputTokensPerS}},
			Realtime: result.OperatingPoint{BatchSize: 1, InferencesPerS: pk.InferencesPerS, UnitsPerS: *pk.OutputTokensPerS, RPS: pk.SuccessfulRPS,
				Concurrency: pk.Concurrency, Step: peak},
			Offline: result.OperatingPoint{BatchSize: 1, InferencesPerS: steps[len(steps)-1].InferencesPerS, UnitsPerS: *steps[len(steps)-1].OutputTokensPerS,
				RPS: steps[len(steps)-1].SuccessfulRPS, Concurrency: specs[len(specs)-1].concurrency, Step: len(steps) - 1}}}
}

// TestGoldenRunsV2UpToDate checks that each committed version 2 golden
// run reads as its definition (rewrite them with -update-golden).
func TestGoldenRunsV2UpToDate(t *testing.T) {
	for name, run := range goldenRunsV2() {
		dir := filepath.Join(goldenDir, name)
		if *updateGolden {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := result.Write(dir, run); err != nil {
				t.Fatal(err)
			}
			continue
		}
		tmp := t.TempDir()
		if err := result.Write(tmp, run); err != nil {
			t.Fatal(err)
		}
		want, err := result.Read(tmp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := result.Read(dir)
		if err != nil {
			t.Fatalf("golden run %s missing or unreadable (go test ./report/cost -run TestGoldenRuns -update-golden): %v", name, err)
		}
		if got.SchemaVersion != result.SchemaVersion {
			t.Errorf("golden run %s is schema version %d, want %d", name, got.SchemaVersion, result.SchemaVersion)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("golden run %s does not read as its definition: go test ./report/cost -run TestGoldenRuns -update-golden", name)
		}
	}
}
