package profiler

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// RunStep measures one load: its trials, each with warm-up and windows
// until stable, then records the step and rewrites run.json. When ctx is
// cancelled mid-step, the step is kept, flagged interrupted, written, and
// ErrInterrupted is returned with it.
func (s *Session) RunStep(ctx context.Context, load Load) (*result.Step, error) {
	if err := load.Validate(); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ErrInterrupted
	}
	if s.child != nil {
		select {
		case <-s.child.Exited():
			return nil, fmt.Errorf("%w; see %s/server.log", errChildGone, s.dir)
		default:
		}
	}
	wl, err := s.workload(load.BatchSize)
	if err != nil {
		return nil, err
	}
	index := len(s.run.Steps)
	name := load.stepName(s.nameServer())
	trials := s.cfg.Settings.Trials

	var done []*trialResult
	var interrupted bool
	for t := 1; t <= trials; t++ {
		s.cfg.Observer.StepStarted(index, name, t, trials, s.plannedStep(load))
		tr, err := s.runTrial(ctx, load, wl, index)
		if err != nil {
			return nil, err
		}
		done = append(done, tr)
		if tr.step.Flags.Interrupted {
			interrupted = true
			break
		}
		if tr.step.Flags.StoppedEarly {
			break // a probe stopped for overload is not worth repeating
		}
	}

	chosen := medianTrial(done)
	st := chosen.step
	st.Index, st.Name = index, name
	if s.server != nil {
		cp := *s.server
		st.Server = &cp
	}
	st.Trials, st.Spread = trialSummaries(done)
	if err := s.writeStepFiles(&st, chosen); err != nil {
		return nil, err
	}
	st.Normalize()
	s.run.Steps = append(s.run.Steps, st)
	s.noteRunWarnings(&st)
	if err := s.save(); err != nil {
		return nil, err
	}
	s.cfg.Observer.StepFinished(&s.run.Steps[index])
	if interrupted {
		return &s.run.Steps[index], ErrInterrupted
	}
	return &s.run.Steps[index], nil
}

// plannedStep is how long one trial takes if it settles at once.
func (s *Session) plannedStep(load Load) time.Duration {
	set := s.settingsFor(load)
	if d := finiteSchedule(load, set.Duration); d > 0 {
		return d
	}
	return set.Warmup + windowLength(set, load)*time.Duration(set.Windows)
}

// settingsFor is the measurement rules a load runs under: the session's,
// or for a Quick probe one short window after a short warm-up.
func (s *Session) settingsFor(load Load) StepSettings {
	set := s.cfg.Settings
	if load.Quick {
		set.Duration = min(set.Duration/time.Duration(set.Windows), 2*time.Second)
		set.Warmup = min(set.Warmup, time.Second)
		set.Windows, set.MaxWindows = 1, 1
	}
	return set
}

// finiteSchedule is the length of a ramp (it spans the step's duration) or
// steps schedule, 0 for open-ended arrivals.
func finiteSchedule(load Load, duration time.Duration) time.Duration {
	if load.Mode != result.ModeRate {
		return 0
	}
	switch load.Arrival {
	case "ramp":
		return duration
	case "steps":
		var d time.Duration
		for _, st := range load.Stages {
			d += st.Duration
		}
		return d
	}
	return 0
}

// trialResult is one trial: its step figures and what its files need.
type trialResult struct {
	step     result.Step
	measured *loadgen.Interval
	series   []result.SecondRow
}

func (s *Session) arrival(load Load) (loadgen.Arrival, error) {
	if load.Mode == result.ModeConcurrency {
		return nil, nil
	}
	switch load.Arrival {
	case "", "constant":
		return loadgen.Constant(load.RPS)
	case "poisson":
		return loadgen.Poisson(load.RPS, s.cfg.Target.Seed)
	case "ramp":
		return loadgen.Ramp(load.RPS, load.RampTo, s.cfg.Settings.Duration)
	case "steps":
		return loadgen.Steps(load.Stages)
	}
	return nil, fmt.Errorf("unknown --arrival %q (constant, poisson, ramp or steps)", load.Arrival)
}

// runTrial drives one trial. Open-ended schedules (constant, Poisson,
// concurrency) warm up, then measure window after window until the last
// --windows agree and --min-requests have completed, up to --max-windows
// (then the step is kept and flagged unstable). Finite schedules (ramp,
// steps) change the load on purpose, so they run once, whole, with no
// stability rule.
func (s *Session) runTrial(ctx context.Context, load Load, wl *loadgen.Workload, index int) (*trialResult, error) {
	arr, err := s.arrival(load)
	if err != nil {
		return nil, err
	}
	set := s.settingsFor(load)
	att, err := loadgen.Start(ctx, loadgen.Config{
		Workload: wl, Arrival: arr, Concurrency: load.Concurrency,
		MaxInflight: set.MaxInflight, LateThreshold: set.LateThreshold, Conn: s.cfg.Target.Conn,
		Goodput: s.cfg.Spec.SLO,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrInterrupted // the signal came as the step began
		}
		return nil, err
	}
	finite := arr != nil && arr.Duration() > 0

	s.sampler.SetStep(-1)
	interrupted := false
	if !finite && set.Warmup > 0 {
		interrupted = !wait(ctx, att.Done(), set.Warmup)
		att.Cut() // the warm-up is excluded
	}
	measuredFrom := time.Now()
	s.sampler.SetStep(index)

	var windows []*loadgen.Interval
	var figs []windowFigures
	var stab result.Stability
	stable, stoppedEarly := true, false
	if finite {
		interrupted = interrupted || !wait(ctx, att.Done(), arr.Duration()+time.Minute)
		windows = append(windows, att.Cut())
	} else if !interrupted {
		winLen := windowLength(set, load)
		hardCap := set.MaxWindows + set.MinRequests // each window adds at least one request, or a timeout
		for len(windows) < hardCap {
			if !wait(ctx, att.Done(), winLen) {
				interrupted = true
			}
			iv := att.Cut()
			windows = append(windows, iv)
			figs = append(figs, figuresOf(iv))
			if interrupted {
				break
			}
			if len(windows) == 1 && load.Abort != nil {
				probe := result.Step{BatchSize: load.BatchSize, Unit: wl.Unit()}
				iv.Fill(&probe)
				if load.Abort(&probe) {
					stoppedEarly = true
					break
				}
			}
			if len(windows) < set.Windows {
				continue
			}
			stab, stable = stabilityOf(figs, set.Windows, set.Tolerance)
			enough := trailingRequests(windows, len(windows)) >= int64(set.MinRequests)
			if enough && (stable || len(windows) >= set.MaxWindows) {
				break
			}
		}
	}
	tail := att.Stop()
	s.sampler.SetStep(-1)
	measuredTo := time.Now()

	// A request belongs to the window it completes in: those in flight
	// when the measured time began count (sent in the warm-up), those
	// still in flight when it ended (the tail) do not. In a steady state
	// the two balance; counting both would inflate throughput, most of all
	// for an overloaded step whose tail is the whole backlog.
	kept := keptWindows(windows, set.Windows, int64(set.MinRequests))
	measured := mergeIntervals(kept)
	st := result.Step{Mode: load.Mode, Arrival: arrivalName(load, arr), BatchSize: load.BatchSize,
		OfferedRPS: offeredRPS(load), Concurrency: load.Concurrency, Unit: wl.Unit()}
	measured.Fill(&st)
	st.StartedAt, st.EndedAt = measured.Start.UTC(), measured.End.UTC()
	if finite || stoppedEarly || len(figs) < set.Windows {
		stab = result.Stability{Windows: len(kept), Tolerance: set.Tolerance}
		if len(figs) >= 2 {
			stab, _ = stabilityOf(figs, len(figs), set.Tolerance)
		}
	}
	st.Stability = stab
	st.Flags.Interrupted = interrupted
	st.Flags.StoppedEarly = stoppedEarly
	st.Flags.Unstable = !finite && !interrupted && !stoppedEarly && !stable
	if finite {
		st.Notes = append(st.Notes, fmt.Sprintf("%s arrivals change the load on purpose: the whole schedule is one measurement, without warm-up or the stability rule", load.Arrival))
	}
	if st.Flags.Unstable {
		latSpread := stab.P95Spread
		if stab.LatencyJudged == "p50" {
			latSpread = stab.P50Spread
		}
		st.Notes = append(st.Notes, fmt.Sprintf("windows never agreed within %.0f%% after %d windows (throughput spread %.1f%%, %s spread %.1f%%)",
			set.Tolerance*100, len(windows), stab.ThroughputSpread*100, stab.LatencyJudged, latSpread*100))
	}
	if !interrupted && tail.Completed > 0 && (tail.ErrorCount() > 0 || tail.Completed*20 > measured.Completed) {
		st.Notes = append(st.Notes, fmt.Sprintf("%d requests still in flight when the step ended completed after it (%d of them failed); they are not counted",
			tail.Completed, tail.ErrorCount()))
	}
	if st.Requests < int64(set.MinRequests) && !interrupted && !stoppedEarly {
		st.Notes = append(st.Notes, fmt.Sprintf("only %d requests completed (--min-requests %d)", st.Requests, set.MinRequests))
	}

	m := s.sampler.Summarize(measuredFrom, measuredTo)
	st.Host, st.Process, st.Generator, st.GPUs = m.Host, m.Process, m.Generator, m.GPUs
	s.remoteFigures(&st, measuredFrom, measuredTo)
	judgeGenerator(&st)
	st.Normalize()
	return &trialResult{step: st, measured: measured, series: measuredSeries(att, measured.Start)}, nil
}

func arrivalName(load Load, arr loadgen.Arrival) string {
	if arr == nil {
		return "closed-loop"
	}
	return arr.Name()
}

func offeredRPS(load Load) float64 {
	if load.Mode != result.ModeRate {
		return 0
	}
	if load.Arrival == "steps" {
		var n, d float64
		for _, st := range load.Stages {
			n += st.RPS * st.Duration.Seconds()
			d += st.Duration.Seconds()
		}
		if d > 0 {
			return n / d
		}
		return 0
	}
	if load.Arrival == "ramp" {
		return (load.RPS + load.RampTo) / 2
	}
	return load.RPS
}

// measuredSeries is the per-second series from the measured start,
// renumbered from 0.
func measuredSeries(att *loadgen.Attack, from time.Time) []result.SecondRow {
	offset := int(math.Floor(from.Sub(att.Started()).Seconds()))
	var out []result.SecondRow
	for _, r := range att.Series() {
		if r.Second < offset {
			continue
		}
		r.Second -= offset
		out = append(out, r)
	}
	return out
}

// noteRunWarnings lifts step caveats to the run level once.
func (s *Session) noteRunWarnings(st *result.Step) {
	if st.Flags.GeneratorLimited {
		s.warn("some steps were generator-limited: their figures are the load generator's limit, not the target's (see each step's notes)")
	}
	if st.Flags.Unstable {
		s.warn("some steps never settled (flagged unstable): treat their figures with care, or lengthen --duration")
	}
}
