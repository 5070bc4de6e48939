package merge

import (
	"math"

	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// part is one run's measurement of a step.
type part struct {
	run   string // the run's path, for notes
	step  *result.Step
	hists runs.Histograms
}

// mergeStep pools the parts of one step (doc.go says how each figure is
// pooled). The first part gives what is not merged.
func mergeStep(parts []part) (result.Step, runs.Histograms) {
	first := parts[0].step
	st := *first
	st.DurationS, st.Requests, st.Successes, st.Sent, st.Offered = 0, 0, 0, 0, 0
	st.Errors = map[string]int64{}
	st.Notes = []string{}
	st.Files = result.StepFiles{}
	st.Trials = nil
	st.Flags = result.Flags{}
	hs := runs.Histograms{}
	var lateSends, cappedSends, bytesIn, bytesOut, goodput float64
	var errs int64
	goodputKnown := true
	for i, p := range parts {
		s := p.step
		st.DurationS += s.DurationS
		st.Requests += s.Requests
		st.Successes += s.Successes
		st.Sent += s.Sent
		st.Offered += s.Offered
		if s.StartedAt.Before(st.StartedAt) {
			st.StartedAt = s.StartedAt
		}
		if s.EndedAt.After(st.EndedAt) {
			st.EndedAt = s.EndedAt
		}
		for k, n := range s.Errors {
			st.Errors[k] += n
			errs += n
		}
		lateSends += s.LateSendRatio * float64(s.Sent)
		cappedSends += s.InflightCappedRatio * float64(s.Sent)
		bytesIn += s.BytesInPerRequest * float64(s.Requests)
		bytesOut += s.BytesOutPerRequest * float64(s.Requests)
		if s.GoodputRPS == nil {
			goodputKnown = false
		} else {
			goodput += *s.GoodputRPS * s.DurationS
		}
		st.Flags.GeneratorLimited = st.Flags.GeneratorLimited || s.Flags.GeneratorLimited
		st.Flags.Unstable = st.Flags.Unstable || s.Flags.Unstable
		st.Flags.Interrupted = st.Flags.Interrupted || s.Flags.Interrupted
		st.Flags.StoppedEarly = st.Flags.StoppedEarly || s.Flags.StoppedEarly
		for _, n := range s.Notes {
			st.Notes = append(st.Notes, p.run+": "+n)
		}
		st.Stability = worseStability(st.Stability, s.Stability, i == 0)
		st.Trials = append(st.Trials, trialsOf(s)...)
		for tag, h := range p.hists {
			if hs[tag] == nil {
				hs[tag] = h.Clone()
			} else {
				hs[tag].Merge(h)
			}
		}
	}
	dur := st.DurationS
	st.AchievedRPS = ratio(float64(st.Requests), dur)
	st.SuccessfulRPS = ratio(float64(st.Successes), dur)
	st.InferencesPerS = st.SuccessfulRPS * float64(st.BatchSize)
	st.SuccessRatio = ratio(float64(st.Successes), float64(st.Requests))
	st.ErrorRatio = ratio(float64(errs), float64(st.Requests))
	st.LateSendRatio = ratio(lateSends, float64(st.Sent))
	st.InflightCappedRatio = ratio(cappedSends, float64(st.Sent))
	st.BytesInPerRequest = ratio(bytesIn, float64(st.Requests))
	st.BytesOutPerRequest = ratio(bytesOut, float64(st.Requests))
	st.GoodputRPS = nil
	if goodputKnown {
		g := ratio(goodput, dur)
		st.GoodputRPS = &g
	}
	if first.Unit == result.UnitOutputToken {
		mergeTokens(&st, parts, dur)
	}
	hs.Apply(&st)
	for i := range st.Trials {
		st.Trials[i].Trial = i + 1
	}
	st.Spread = spreadOf(st.Trials)
	return st, hs
}

// mergeTokens pools an LLM step's token figures: counts summed, rates
// over the summed duration, per-request means weighted by streams.
func mergeTokens(st *result.Step, parts []part, dur float64) {
	var in, out int64
	var streams, perUser float64
	source := ""
	for _, p := range parts {
		s := p.step
		if s.InputTokens != nil {
			in += *s.InputTokens
		}
		if s.OutputTokens != nil {
			out += *s.OutputTokens
		}
		n := 0.0
		if s.RequestsPerS != nil {
			n = *s.RequestsPerS * s.DurationS
		}
		streams += n
		if s.OutputTokensPerSPerUser != nil {
			perUser += *s.OutputTokensPerSPerUser * n
		}
		if s.TokenCountSource != nil {
			switch {
			case source == "":
				source = *s.TokenCountSource
			case source != *s.TokenCountSource:
				source = result.TokensMixed
			}
		}
	}
	f := &st.LLMFigures
	f.InputTokens, f.OutputTokens = &in, &out
	f.InputTokensPerS = ptr(ratio(float64(in), dur))
	f.OutputTokensPerS = ptr(ratio(float64(out), dur))
	f.RequestsPerS = ptr(ratio(streams, dur))
	f.OutputTokensPerSPerUser = ptr(ratio(perUser, streams))
	f.InputTokensPerRequest = ptr(ratio(float64(in), streams))
	f.OutputTokensPerRequest = ptr(ratio(float64(out), streams))
	if source != "" {
		f.TokenCountSource = &source
	}
}

// trialsOf lists a step's trials; a step without a list (one trial, or a
// run written before trials were kept) is one trial of its own figures.
func trialsOf(s *result.Step) []result.Trial {
	if len(s.Trials) > 0 {
		return append([]result.Trial(nil), s.Trials...)
	}
	c := s.LatencyMS.Corrected
	return []result.Trial{{Trial: 1, AchievedRPS: s.AchievedRPS, InferencesPerS: s.InferencesPerS, UnitsPerS: s.Throughput(),
		SuccessRatio: s.SuccessRatio, P50MS: c.P50, P95MS: c.P95, P99MS: c.P99,
		Unstable: s.Flags.Unstable, GeneratorLimited: s.Flags.GeneratorLimited}}
}

// spreadOf is the min-max range over trials, as the profiler computes it.
func spreadOf(ts []result.Trial) result.TrialsSpread {
	sp := result.TrialsSpread{InferencesPerSMin: math.Inf(1), InferencesPerSMax: math.Inf(-1),
		UnitsPerSMin: math.Inf(1), UnitsPerSMax: math.Inf(-1), P95MSMin: math.Inf(1), P95MSMax: math.Inf(-1)}
	for _, t := range ts {
		sp.InferencesPerSMin, sp.InferencesPerSMax = math.Min(sp.InferencesPerSMin, t.InferencesPerS), math.Max(sp.InferencesPerSMax, t.InferencesPerS)
		sp.UnitsPerSMin, sp.UnitsPerSMax = math.Min(sp.UnitsPerSMin, t.UnitsPerS), math.Max(sp.UnitsPerSMax, t.UnitsPerS)
		sp.P95MSMin, sp.P95MSMax = math.Min(sp.P95MSMin, t.P95MS), math.Max(sp.P95MSMax, t.P95MS)
	}
	if len(ts) == 0 {
		return result.TrialsSpread{}
	}
	return sp
}

// worseStability keeps the larger spreads and sums the windows.
func worseStability(a, b result.Stability, first bool) result.Stability {
	if first {
		return b
	}
	a.Windows += b.Windows
	a.ThroughputSpread = math.Max(a.ThroughputSpread, b.ThroughputSpread)
	a.P95Spread = math.Max(a.P95Spread, b.P95Spread)
	a.P50Spread = math.Max(a.P50Spread, b.P50Spread)
	return a
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

func ptr[T any](v T) *T { return &v }
