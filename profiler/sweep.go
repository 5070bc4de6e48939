package profiler

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/infercost/infercost/result"
)

// Sweep search modes.
const (
	SearchRate        = "rate"
	SearchConcurrency = "concurrency"
	SearchList        = "list"
)

// SweepPlan is what a sweep measures.
type SweepPlan struct {
	BatchSizes []int
	// Search is SearchRate (the default), SearchConcurrency, or SearchList
	// when Rates or Concurrencies give the loads.
	Search        string
	Rates         []float64 // requests/s, for each batch size (list mode)
	Concurrencies []int     // list mode in concurrency
	Arrival       string    // constant or poisson (rate mode)
	SLO           []result.SLOBound
	MaxErrorRate  float64
	// Precision ends the rate bisection (0.05 = within 5%).
	Precision float64
	// ServerConfigs, for the built-in server, are batcher configurations
	// to try, restarting the child for each; empty = the running one.
	ServerConfigs []result.ServerConfig
}

// SweepObserver hears about each finished batch size.
type SweepObserver interface {
	BatchDone(p result.CurvePoint)
}

// Sweep runs the plan: for each server configuration and batch size, the
// peak load meeting the SLO (or every listed load), then the answers.
// Probes already measured in a resumed run are reused, not repeated. On a
// signal it returns what it has, with ErrInterrupted.
func (s *Session) Sweep(ctx context.Context, plan SweepPlan, obs SweepObserver) (*result.Sweep, error) {
	if len(plan.SLO) == 0 {
		return nil, fmt.Errorf("a sweep needs an SLO, e.g. --slo p95=50ms")
	}
	if plan.Precision <= 0 {
		plan.Precision = 0.05
	}
	sw := &result.Sweep{SLO: plan.SLO, MaxErrorRate: plan.MaxErrorRate, Search: plan.Search, Unit: s.unit}
	configs := plan.ServerConfigs
	s.varyServer = len(configs) > 1
	if len(configs) == 0 {
		configs = []result.ServerConfig{{}} // the target as it runs
	}
	for ci, cfg := range configs {
		if len(plan.ServerConfigs) > 0 && (ci > 0 || s.server == nil || *s.server != cfg) {
			if err := s.RestartServer(ctx, cfg); err != nil {
				return s.finishSweep(sw), err
			}
		}
		for _, b := range plan.BatchSizes {
			p, err := s.sweepBatch(ctx, plan, b)
			if errors.Is(err, ErrInterrupted) {
				// Its search did not finish: "nothing met the SLO" would be a
				// false answer, and so would a sweet spot chosen without it.
				p.Incomplete, sw.Provisional = true, true
			}
			sw.Curve = append(sw.Curve, p)
			sw.Probes += p.Probes
			s.SetSweep(s.finishSweep(sw))
			if obs != nil {
				obs.BatchDone(p)
			}
			if err != nil {
				return sw, err
			}
		}
	}
	return s.finishSweep(sw), s.SetSweep(sw)
}

// sweepBatch measures one batch size under the current server config.
func (s *Session) sweepBatch(ctx context.Context, plan SweepPlan, batch int) (result.CurvePoint, error) {
	p := result.CurvePoint{BatchSize: batch, PeakStep: -1}
	if s.server != nil {
		cp := *s.server
		p.Server = &cp
	}
	mode := result.ModeRate
	if plan.Search == SearchConcurrency || (plan.Search == SearchList && len(plan.Concurrencies) > 0) {
		mode = result.ModeConcurrency
	}
	probe := func(ctx context.Context, level float64) (probeResult, error) {
		load := Load{Mode: mode, Arrival: plan.Arrival, BatchSize: batch}
		if mode == result.ModeRate {
			load.RPS = level
		} else {
			load.Concurrency = int(level)
		}
		load.Abort = func(first *result.Step) bool { return breaksBy2x(first, plan.SLO) }
		st, err := s.probe(ctx, load)
		if st == nil {
			return probeResult{Step: -1}, err
		}
		// A generator-limited probe's throughput is the generator's ceiling
		// rather than the target's; the search may still use it, since no
		// rate above what the generator can drive can meet the SLO here.
		return probeResult{OK: result.MeetsSLO(st, plan.SLO, plan.MaxErrorRate), Achieved: st.SuccessfulRPS,
			Throughput: st.Throughput(), Step: st.Index}, err
	}

	out := searchOutcome{Step: -1}
	var err error
	switch {
	case plan.Search == SearchList:
		out, err = s.listLoads(ctx, plan, probe)
	case mode == result.ModeConcurrency:
		out, err = searchConcurrency(ctx, 0.05, s.cfg.Settings.MaxInflight, probe)
	default:
		var est float64
		var estOK bool
		est, estOK, err = s.estimate(ctx, plan, batch)
		p.Probes++
		if err == nil && estOK {
			out, err = searchRate(ctx, est, plan.Precision, probe)
		}
	}
	p.Probes += out.Probes
	p.PeakStep = s.bestAtSLO(batch, p.Server, plan, out.Step)
	if p.PeakStep >= 0 {
		st := &s.run.Steps[p.PeakStep]
		p.MaxInferencesPerSAtSLO = st.InferencesPerS
		p.MaxUnitsPerSAtSLO = st.Throughput()
		p.MaxRPSAtSLO = st.SuccessfulRPS
		p.MaxConcurrencyAtSLO = st.Concurrency
		c := st.LatencyMS.Corrected
		p.LatencyMSAtPeak = result.LatencyAtPeak{P50: c.P50, P95: c.P95, P99: c.P99}
	}
	off := s.offlineOf(batch, p.Server, plan.MaxErrorRate)
	p.MaxInferencesPerS, p.MaxUnitsPerS = off.InferencesPerS, off.UnitsPerS
	return p, err
}

// bestAtSLO is the step of a batch size (and server configuration) that
// meets the SLO with the most work per second (inferences, or output
// tokens for an LLM endpoint). The search's answer is the
// highest passing load, but near the edge two passing loads can measure
// throughputs in the other order; the peak reported is the highest
// measured, as capacity is defined (DESIGN "Cost model"). found is the
// search's own answer, -1 when nothing passed.
func (s *Session) bestAtSLO(batch int, server *result.ServerConfig, plan SweepPlan, found int) int {
	best := found
	for i := range s.run.Steps {
		st := &s.run.Steps[i]
		if st.BatchSize != batch || !sameServer(st.Server, server) || !result.MeetsSLO(st, plan.SLO, plan.MaxErrorRate) {
			continue
		}
		if best < 0 || st.Throughput() > s.run.Steps[best].Throughput() {
			best = i
		}
	}
	return best
}

// estimate runs one short closed-loop probe at concurrency 1: its service
// rate starts the rate search. When even one request at a time breaks the
// SLO, the batch size cannot meet it at any rate (ok false).
func (s *Session) estimate(ctx context.Context, plan SweepPlan, batch int) (rate float64, ok bool, err error) {
	st, err := s.probe(ctx, Load{Mode: result.ModeConcurrency, Concurrency: 1, BatchSize: batch, Quick: true, Name: fmt.Sprintf("b%d-estimate", batch)})
	if err != nil {
		return 0, false, err
	}
	for _, m := range result.SLOMisses(st, plan.SLO, plan.MaxErrorRate) {
		if m.What != "unstable" && m.What != "generator_limited" {
			return 0, false, nil
		}
	}
	return roundSig(st.SuccessfulRPS, 3), st.SuccessfulRPS > 0, nil
}

// listLoads measures every listed load; the peak is the highest meeting
// the SLO.
func (s *Session) listLoads(ctx context.Context, plan SweepPlan, probe probeFunc) (searchOutcome, error) {
	out := searchOutcome{Step: -1}
	levels := plan.Rates
	if len(plan.Concurrencies) > 0 {
		levels = nil
		for _, c := range plan.Concurrencies {
			levels = append(levels, float64(c))
		}
	}
	best := -1.0
	for _, l := range levels {
		out.Probes++
		pr, err := probe(ctx, l)
		if err != nil {
			return out, err
		}
		if pr.OK && pr.Throughput > best {
			best, out.Level, out.Step = pr.Throughput, l, pr.Step
		}
	}
	return out, nil
}

// probe measures a load, or reuses the finished step of a resumed run that
// measured the same load with the same server configuration.
func (s *Session) probe(ctx context.Context, load Load) (*result.Step, error) {
	if i := s.findStep(load); i >= 0 {
		return &s.run.Steps[i], nil
	}
	st, err := s.RunStep(ctx, load)
	if err != nil && !errors.Is(err, ErrInterrupted) {
		return nil, err
	}
	return st, err
}

// findStep returns the index of a finished, uninterrupted step with the
// same load and server configuration, or -1.
func (s *Session) findStep(load Load) int {
	name := load.stepName(s.nameServer())
	for i := range s.run.Steps {
		st := &s.run.Steps[i]
		if st.Flags.Interrupted || st.Name != name || st.BatchSize != load.BatchSize || st.Mode != load.Mode {
			continue
		}
		if (st.Server == nil) != (s.server == nil) || (st.Server != nil && *st.Server != *s.server) {
			continue
		}
		return i
	}
	return -1
}

// breaksBy2x reports whether a first window already breaks a latency bound
// by a factor of two: overload not worth measuring to the end.
func breaksBy2x(st *result.Step, slo []result.SLOBound) bool {
	if st.Successes == 0 {
		return st.Requests > 0 // everything failed: as overloaded as it gets
	}
	for _, b := range slo {
		if q := st.Quantiles(b.Metric); q != nil && q.Count > 0 && q.Value(b.Percentile) > 2*b.BoundMS {
			return true
		}
	}
	return false
}

// offlineOf is the most work per second measured for a batch size with no
// latency bound: steps measured whole (not generator-limited, interrupted or
// stopped early), within the error rate.
func (s *Session) offlineOf(batch int, server *result.ServerConfig, maxErr float64) result.OperatingPoint {
	op := result.OperatingPoint{Step: -1}
	for i := range s.run.Steps {
		st := &s.run.Steps[i]
		if batch > 0 && st.BatchSize != batch {
			continue
		}
		if server != nil && (st.Server == nil || *st.Server != *server) {
			continue
		}
		if st.Flags.GeneratorLimited || st.Flags.Interrupted || st.Flags.StoppedEarly || st.ErrorRatio > maxErr {
			continue
		}
		if st.Throughput() > op.UnitsPerS {
			op = operatingPoint(st)
		}
	}
	return op
}

func operatingPoint(st *result.Step) result.OperatingPoint {
	c := st.LatencyMS.Corrected
	op := result.OperatingPoint{BatchSize: st.BatchSize, InferencesPerS: st.InferencesPerS, UnitsPerS: st.Throughput(), RPS: st.SuccessfulRPS,
		Concurrency: st.Concurrency, LatencyMS: result.LatencyAtPeak{P50: c.P50, P95: c.P95, P99: c.P99}, Step: st.Index}
	if st.Server != nil {
		cp := *st.Server
		op.Server = &cp
	}
	return op
}

// finishSweep derives the answers from the curve: the best batch (most
// work per second within the SLO, a tie to the smaller batch), the knee (the
// smallest batch reaching 90% of the best, within the winning server
// configuration), realtime and offline operating points, and the ranking
// of server configurations.
func (s *Session) finishSweep(sw *result.Sweep) *result.Sweep {
	return summarizeSweep(sw, s.run.Steps, func(srv *result.ServerConfig) result.OperatingPoint {
		return s.offlineOf(0, srv, sw.MaxErrorRate)
	})
}

func summarizeSweep(sw *result.Sweep, steps []result.Step, offline func(*result.ServerConfig) result.OperatingPoint) *result.Sweep {
	sw.BestBatchSize, sw.KneeBatchSize = 0, 0
	sw.Realtime = result.OperatingPoint{Step: -1}
	best := -1
	for i, p := range sw.Curve {
		if p.MaxUnitsPerSAtSLO <= 0 {
			continue
		}
		if best < 0 || p.MaxUnitsPerSAtSLO > sw.Curve[best].MaxUnitsPerSAtSLO ||
			(p.MaxUnitsPerSAtSLO == sw.Curve[best].MaxUnitsPerSAtSLO && p.BatchSize < sw.Curve[best].BatchSize) {
			best = i
		}
	}
	var winner *result.ServerConfig
	if best >= 0 {
		bp := sw.Curve[best]
		winner = bp.Server
		sw.BestBatchSize = bp.BatchSize
		sw.Realtime = operatingPoint(&steps[bp.PeakStep])
		knee := math.MaxInt
		for _, p := range sw.Curve {
			if sameServer(p.Server, winner) && p.MaxUnitsPerSAtSLO >= 0.9*bp.MaxUnitsPerSAtSLO && p.BatchSize < knee {
				knee = p.BatchSize
			}
		}
		sw.KneeBatchSize = knee
	}
	sw.Offline = offline(nil)
	sw.ServerConfigs = rankServerConfigs(sw.Curve, winner)
	return sw
}

func sameServer(a, b *result.ServerConfig) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// rankServerConfigs lists each built-in configuration's best point, marking
// the winner; empty when the sweep used one configuration of an external
// target.
func rankServerConfigs(curve []result.CurvePoint, winner *result.ServerConfig) []result.ServerConfigResult {
	var out []result.ServerConfigResult
	for _, p := range curve {
		if p.Server == nil {
			continue
		}
		found := false
		for i := range out {
			if out[i].Server == *p.Server {
				found = true
				if p.MaxInferencesPerSAtSLO > out[i].MaxInferencesPerSAtSLO {
					out[i].MaxInferencesPerSAtSLO, out[i].BestBatchSize = p.MaxInferencesPerSAtSLO, p.BatchSize
				}
			}
		}
		if !found {
			out = append(out, result.ServerConfigResult{Server: *p.Server, BestBatchSize: p.BatchSize, MaxInferencesPerSAtSLO: p.MaxInferencesPerSAtSLO})
		}
	}
	if len(out) < 2 {
		return []result.ServerConfigResult{}
	}
	for i := range out {
		out[i].Winner = winner != nil && out[i].Server == *winner
		if out[i].MaxInferencesPerSAtSLO == 0 {
			out[i].BestBatchSize = 0
		}
	}
	return out
}
