package plot

import (
	"fmt"
	"math"
	"time"

	"github.com/infercost/infercost/result"
)

// Synthetic LLM runs follow a small model of a continuously batching
// server rather than hand-typed numbers: llmSlots streams decode together,
// each decode step (the inter-token gap) and each prefill slow a little
// with every stream in the batch, and streams beyond the slots queue for
// one, so TTFT climbs past them while output tokens/s levels off. The
// figures a real run has per step (TTFT, ITL, TPOT and e2e quantiles,
// tokens/s, per-user tokens/s, goodput) come out of it.

const (
	llmSlots     = 16
	llmOutTokens = 128
)

// llmSLO is ttft_p95 ≤ 500 ms and itl_p95 ≤ 25 ms: concurrency 16 is the
// last to meet it (queueing at 32 breaks the TTFT bound).
var llmSLO = []result.SLOBound{
	{Metric: result.MetricTTFT, Percentile: "p95", BoundMS: 500},
	{Metric: result.MetricITL, Percentile: "p95", BoundMS: 25},
}

func f64(v float64) *float64 { return &v }

// llmStep is one closed-loop step at concurrency c (batch 1, as LLM steps
// are), or with rate set an open-loop step offered that many requests/s.
func llmStep(index, c int, rate float64, at time.Time) result.Step {
	active := float64(min(c, llmSlots))
	itl := 8 * (1 + 0.06*active)
	prefill := 40 * (1 + 0.15*active)
	service := prefill + (llmOutTokens-1)*itl
	wait := 0.0
	if c > llmSlots {
		wait = float64(c-llmSlots) / llmSlots * service
	}
	ttft := wait + prefill
	e2e := ttft + (llmOutTokens-1)*itl
	rps := float64(c) / e2e * 1000
	q := func(p50, spread float64) *result.Quantiles {
		return &result.Quantiles{Count: 2000, Min: p50 * 0.8, Mean: p50 * 1.05, P50: p50, P90: p50 * (1 + 0.8*spread),
			P95: p50 * (1 + spread), P99: p50 * (1 + 1.8*spread), P999: p50 * (1 + 2.5*spread), Max: p50 * (1 + 3*spread)}
	}
	ttftQ, itlQ, tpotQ, e2eQ := q(ttft, 0.35), q(itl, 0.45), q(itl*1.02, 0.1), q(e2e, 0.12)
	src := result.TokensFromUsage
	out := int64(rps * 10 * llmOutTokens)
	in := int64(rps * 10 * 256)
	st := result.Step{
		Index: index, Name: fmt.Sprintf("b1-c%d", c), Mode: result.ModeConcurrency, Arrival: "constant", BatchSize: 1,
		Concurrency: c, StartedAt: at, EndedAt: at.Add(12 * time.Second), DurationS: 10,
		Requests: int64(rps * 10), Successes: int64(rps * 10), Sent: int64(rps * 10), Offered: int64(rps * 10),
		AchievedRPS: rps, SuccessfulRPS: rps, InferencesPerS: rps, SuccessRatio: 1, Errors: map[string]int64{},
		LatencyMS: result.Latency{Corrected: *e2eQ, Uncorrected: *e2eQ},
		Unit:      result.UnitOutputToken,
		LLMFigures: result.LLMFigures{
			TTFTMS: ttftQ, TTFTUncorrectedMS: ttftQ, ITLMS: itlQ, TPOTMS: tpotQ, TokenCountSource: &src,
			InputTokens: &in, OutputTokens: &out,
			InputTokensPerS: f64(rps * 256), OutputTokensPerS: f64(rps * llmOutTokens), RequestsPerS: f64(rps),
			OutputTokensPerSPerUser: f64(llmOutTokens / e2e * 1000),
			InputTokensPerRequest:   f64(256), OutputTokensPerRequest: f64(llmOutTokens),
		},
	}
	// Goodput: the share of requests within every per-request bound
	// shrinks as the TTFT tail nears its bound.
	good := rps * math.Max(0, math.Min(1, 1.6-ttftQ.P95/500))
	st.GoodputRPS = &good
	if rate > 0 {
		st.Mode, st.Arrival, st.Concurrency, st.OfferedRPS = result.ModeRate, "poisson", 0, rate
		st.Name = fmt.Sprintf("b1-r%s", formatRate(rate))
	}
	return st
}

// llmRun is an openai run over the given concurrencies (closed loop), on
// gpus GPUs, judged by llmSLO.
func llmRun(command string, concurrencies []int, gpus int) *result.Run {
	run := &result.Run{SchemaVersion: result.SchemaVersion, Name: "llama-" + command, Command: command,
		Status: result.StatusComplete, StartedAt: runStart,
		Spec: result.Spec{Model: "meta-llama/Llama-3.1-8B-Instruct", Mode: result.ModeConcurrency, Concurrency: concurrencies,
			BatchSizes: []int{1}, SLO: llmSLO, MaxErrorRate: result.DefaultMaxErrorRate, Protocol: result.ProtocolOpenAI,
			GPUs: gpus, LLM: &result.LLMSpec{API: "chat", PromptTokens: result.TokenDist{Mean: 256}, OutputTokens: result.TokenDist{Mean: llmOutTokens}}},
		Environment: result.Environment{Hardware: "NVIDIA H100 80GB HBM3", CPUCores: 32, MemoryBytes: 256 << 30},
	}
	at := runStart.Add(3 * time.Second)
	for _, c := range concurrencies {
		st := llmStep(len(run.Steps), c, 0, at)
		run.Steps = append(run.Steps, st)
		at = st.EndedAt.Add(time.Second)
	}
	end := at
	run.FinishedAt = &end
	return run
}

// synthLLMSweepRun is a concurrency sweep of an LLM endpoint on 2 GPUs
// (concurrency 1 to 64, list search), with its answers as the profiler
// records them: one curve point (batch 1) in output tokens/s.
func synthLLMSweepRun() *result.Run {
	run := llmRun("sweep", []int{1, 2, 4, 8, 16, 32, 64}, 2)
	run.Steps[5].Flags.Unstable = true // c=32: a flagged step, drawn hollow
	sw := &result.Sweep{SLO: llmSLO, MaxErrorRate: result.DefaultMaxErrorRate, Search: "list", Unit: result.UnitOutputToken}
	pt := result.CurvePoint{BatchSize: 1, PeakStep: -1, Probes: len(run.Steps)}
	for i := range run.Steps {
		st := &run.Steps[i]
		if st.Throughput() > pt.MaxUnitsPerS {
			pt.MaxUnitsPerS, pt.MaxInferencesPerS = st.Throughput(), st.InferencesPerS
		}
		if result.MeetsSLO(st, llmSLO, sw.MaxErrorRate) && st.Throughput() > pt.MaxUnitsPerSAtSLO {
			pt.MaxUnitsPerSAtSLO, pt.MaxInferencesPerSAtSLO, pt.MaxRPSAtSLO = st.Throughput(), st.InferencesPerS, st.SuccessfulRPS
			pt.MaxConcurrencyAtSLO, pt.PeakStep = st.Concurrency, st.Index
		}
	}
	sw.Curve = []result.CurvePoint{pt}
	summarizeSynth(sw, run.Steps)
	run.Sweep = sw
	return run
}

// synthLLMRateRun is a profile of an LLM endpoint at offered rates, with
// the closed-loop estimate a rate search starts from (concurrency 1); the
// last rate is over capacity.
func synthLLMRateRun() *result.Run {
	run := llmRun("profile", []int{1}, 0)
	run.Spec.Mode = result.ModeRate
	at := run.Steps[0].EndedAt.Add(time.Second)
	for i, c := range []int{2, 4, 8, 12, 16, 32} {
		base := llmStep(0, c, 0, at)
		rate := math.Round(base.SuccessfulRPS*10) / 10
		if c > llmSlots {
			rate = 9 // over capacity: the queue (and TTFT) grows
		}
		st := llmStep(i+1, c, rate, at)
		run.Steps = append(run.Steps, st)
		at = st.EndedAt.Add(time.Second)
	}
	return run
}
