package plot

import (
	"fmt"
	"math"
	"time"

	"github.com/infercost/infercost/result"
)

// The synthetic runs below follow a small queueing model rather than
// hand-typed numbers, so the plots show the shapes real runs have: a
// target with `slots` parallel slots and a service time that grows with
// the batch, latency that climbs as the offered load nears capacity, and a
// sweep curve computed from the steps with the SLO rule (result.MeetsSLO).

var runStart = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

const slots = 2

func serviceMS(batch int) float64 { return 3 + 0.9*float64(batch) }

// capacityRPS is requests/s at full utilization.
func capacityRPS(batch int) float64 { return slots * 1000 / serviceMS(batch) }

// synthStep is one step at load fraction rho of capacity.
func synthStep(index, batch int, rho float64, at time.Time, mode string) result.Step {
	svc := serviceMS(batch)
	q := rho / math.Max(1-rho, 0.02)
	if rho >= 1 {
		q = 40 * rho // overload: the queue grows for the whole step
	}
	lat := result.Quantiles{Count: 1000, Min: svc * 0.9, P50: svc * (1 + 0.5*q), P90: svc * (1 + 1.2*q),
		P95: svc * (1 + 1.5*q), P99: svc * (1 + 2.4*q), P999: svc * (1 + 3*q), Max: svc * (1 + 4*q)}
	lat.Mean = lat.P50 * 1.05
	offered := rho * capacityRPS(batch)
	achieved := math.Min(offered, capacityRPS(batch)*0.98)
	st := result.Step{
		Index: index, Name: fmt.Sprintf("b%d-r%.0f", batch, offered), Mode: mode, Arrival: "poisson",
		BatchSize: batch, StartedAt: at, EndedAt: at.Add(6 * time.Second), DurationS: 6,
		Requests: int64(achieved * 6), Successes: int64(achieved * 6),
		AchievedRPS: achieved, SuccessfulRPS: achieved, InferencesPerS: achieved * float64(batch),
		SuccessRatio: 1, Errors: map[string]int64{},
		LatencyMS: result.Latency{Corrected: lat, Uncorrected: lat}, Unit: result.UnitInference,
	}
	if mode == result.ModeRate {
		st.OfferedRPS = offered
	} else {
		st.Concurrency = int(math.Round(rho*slots*4)) + 1
	}
	if rho >= 1 {
		st.Flags.StoppedEarly = true
	}
	return st
}

// synthSweepRun is a sweep over batch sizes 1, 4, 16 and 64 with the SLO
// p95 <= 50 ms; batch 64's service time alone (60.6 ms) breaks it, so its
// capacity at the SLO is 0.
func synthSweepRun() *result.Run {
	slo := []result.SLOBound{{Percentile: "p95", BoundMS: 50}}
	run := &result.Run{SchemaVersion: result.SchemaVersion, Name: "sweep-resnet", Command: "sweep",
		Status: result.StatusComplete, StartedAt: runStart,
		Spec: result.Spec{Model: "resnet50", Mode: result.ModeRate, BatchSizes: []int{1, 4, 16, 64}, SLO: slo,
			MaxErrorRate: result.DefaultMaxErrorRate},
		Environment: result.Environment{Hardware: "NVIDIA A10G", CPUCores: 8, MemoryBytes: 32 << 30,
			GPUs: []result.GPU{{Index: 0, Name: "NVIDIA A10G", MemoryBytes: 24 << 30}}},
	}
	at := runStart.Add(3 * time.Second)
	sw := &result.Sweep{SLO: slo, MaxErrorRate: result.DefaultMaxErrorRate, Search: "rate", Unit: result.UnitInference}
	for _, b := range []int{1, 4, 16, 64} {
		pt := result.CurvePoint{BatchSize: b, PeakStep: -1}
		for _, rho := range []float64{0.25, 0.5, 0.55, 0.7, 0.8, 0.9, 1.1} {
			st := synthStep(len(run.Steps), b, rho, at, result.ModeRate)
			if rho == 0.55 && b == 4 {
				st.Flags.Unstable = true // one flagged step, drawn hollow
			}
			run.Steps = append(run.Steps, st)
			at = st.EndedAt.Add(2 * time.Second)
			pt.Probes++
			pt.MaxUnitsPerS = math.Max(pt.MaxUnitsPerS, st.Throughput())
			if result.MeetsSLO(&st, slo, sw.MaxErrorRate) && st.Throughput() > pt.MaxUnitsPerSAtSLO {
				pt.MaxUnitsPerSAtSLO, pt.MaxRPSAtSLO, pt.PeakStep = st.Throughput(), st.SuccessfulRPS, st.Index
				c := st.LatencyMS.Corrected
				pt.LatencyMSAtPeak = result.LatencyAtPeak{P50: c.P50, P95: c.P95, P99: c.P99}
			}
		}
		pt.MaxInferencesPerS, pt.MaxInferencesPerSAtSLO = pt.MaxUnitsPerS, pt.MaxUnitsPerSAtSLO
		sw.Curve = append(sw.Curve, pt)
	}
	summarizeSynth(sw, run.Steps)
	run.Sweep = sw
	end := at
	run.FinishedAt = &end
	return run
}

// summarizeSynth fills a sweep's answers from its curve as the profiler
// does (profiler.summarizeSweep): the best is the point with the most work
// per second within the SLO, the knee the smallest batch reaching 90% of
// it, the realtime answer the best's peak step.
func summarizeSynth(sw *result.Sweep, steps []result.Step) {
	sw.BestBatchSize, sw.KneeBatchSize = 0, 0
	sw.Realtime = result.OperatingPoint{Step: -1}
	best := -1
	for i, pt := range sw.Curve {
		if pt.MaxUnitsPerSAtSLO > 0 && (best < 0 || pt.MaxUnitsPerSAtSLO > sw.Curve[best].MaxUnitsPerSAtSLO) {
			best = i
		}
	}
	if best < 0 {
		return
	}
	bp := sw.Curve[best]
	sw.BestBatchSize = bp.BatchSize
	st := steps[bp.PeakStep]
	sw.Realtime = result.OperatingPoint{BatchSize: st.BatchSize, InferencesPerS: st.InferencesPerS, UnitsPerS: st.Throughput(),
		RPS: st.SuccessfulRPS, Concurrency: st.Concurrency, Step: st.Index, Server: bp.Server}
	for _, pt := range sw.Curve {
		if sameServer(pt.Server, bp.Server) && pt.MaxUnitsPerSAtSLO >= 0.9*bp.MaxUnitsPerSAtSLO {
			sw.KneeBatchSize = pt.BatchSize
			break
		}
	}
}

// synthProfileRun is a plain profile of one batch size at several rates.
func synthProfileRun(mode string, slo []result.SLOBound) *result.Run {
	run := &result.Run{SchemaVersion: result.SchemaVersion, Name: "profile-bert", Command: "profile",
		Status: result.StatusComplete, StartedAt: runStart,
		Spec:        result.Spec{Model: "bert-base", Mode: mode, BatchSizes: []int{8}, SLO: slo},
		Environment: result.Environment{Hardware: "Intel Xeon Platinum 8375C", CPUCores: 2, MemoryBytes: 8 << 30},
	}
	at := runStart.Add(3 * time.Second)
	for _, rho := range []float64{0.2, 0.4, 0.6, 0.75, 0.9} {
		st := synthStep(len(run.Steps), 8, rho, at, mode)
		run.Steps = append(run.Steps, st)
		at = st.EndedAt.Add(2 * time.Second)
	}
	return run
}

// synthSamples are sampler readings every 500 ms over the run, following
// each step's load. gpus is the number of GPUs; withProcess false writes
// -1 for the target process, as the samplers do when its PID is unknown.
func synthSamples(run *result.Run, gpus int, withProcess bool) []result.Sample {
	end := run.Steps[len(run.Steps)-1].EndedAt.Add(2 * time.Second)
	var out []result.Sample
	for t, i := run.StartedAt.Add(200*time.Millisecond), 0; t.Before(end); t, i = t.Add(500*time.Millisecond), i+1 {
		step, rho, batch := -1, 0.02, 1
		for _, st := range run.Steps {
			if !t.Before(st.StartedAt.Add(-2*time.Second)) && t.Before(st.EndedAt) {
				rho = st.AchievedRPS / capacityRPS(st.BatchSize)
				batch = st.BatchSize
				if !t.Before(st.StartedAt) {
					step = st.Index
				}
			}
		}
		wobble := math.Sin(float64(i) * 0.7)
		s := result.Sample{Time: t, Step: step,
			HostCPUPercent:      math.Min(100, 6+80*rho+3*wobble),
			HostMemoryUsedBytes: float64(5<<30) + float64(batch)*20e6 + 40e6*wobble,
			ProcessCPUPercent:   -1, ProcessRSSBytes: -1,
			GeneratorCPUPercent: 4 + 18*rho + wobble,
			GeneratorRSSBytes:   60e6,
		}
		if withProcess {
			s.ProcessCPUPercent = math.Max(0, 2+150*rho+5*wobble)
			s.ProcessRSSBytes = 900e6 + float64(batch)*8e6
		}
		for g := 0; g < gpus; g++ {
			s.GPUs = append(s.GPUs, result.GPUSample{Index: g,
				UtilizationPercent: math.Min(100, math.Max(0, 95*rho+4*wobble-float64(g)*7)),
				MemoryUsedBytes:    float64(3<<30) + float64(batch)*60e6 + float64(g)*700e6,
				MemoryTotalBytes:   24 << 30, PowerWatts: 60 + 90*rho, TemperatureC: 40 + 20*rho, SMClockMHz: 1700})
		}
		out = append(out, s)
	}
	return out
}
