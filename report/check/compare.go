package check

import (
	"fmt"
	"math"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/result"
)

// loadTolerance is how far apart two steps' offered rates may be and still
// be "the same load": a rate search probes rates derived from what it
// measures, so two sweeps of one setup rarely probe the very same rate;
// 5% is the search's default precision.
const loadTolerance = 0.05

// capacity compares the capacity at the SLO: a fall by more than the
// bound, beyond the trials' ranges, is a regression.
func capacity(cur, base *judge, bound float64) Result {
	unit := result.UnitWords(cur.d.Run.Unit()) + "/s"
	r := Result{Name: "capacity at the SLO", Unit: unit}
	if base.step == nil {
		r.Status, r.Message = Skip, "the baseline has no step meeting the SLO: nothing to compare with"
		return r
	}
	b := throughputSpan(base.step)
	r.Baseline = &b.v
	if cur.step == nil {
		zero := 0.0
		r.Status, r.Current, r.Change = Fail, &zero, change(0, b.v)
		r.Message = fmt.Sprintf("fell from %s %s to none: no step meets the SLO", answer.Rate(b.v), unit)
		return r
	}
	c := throughputSpan(cur.step)
	r.Current, r.Change = &c.v, change(c.v, b.v)
	r.Status = Pass
	if fell(c, b, bound) {
		r.Status = Fail
	}
	r.Message = fmt.Sprintf("%s -> %s %s (%s; a fall of more than %.0f%% beyond the noise fails)", b.words(answer.Rate, ""), c.words(answer.Rate, ""), unit, pct(r.Change), bound*100)
	return r
}

// latency compares p95 and p99 of request latency, and of each token
// latency the SLO bounds, at the baseline's capacity load: the current
// run's step at the same batch size and load. A rise by more than the
// bound, beyond the noise, is a regression.
func latency(cur, base *judge, bound float64) []Result {
	if base.step == nil {
		return []Result{{Name: "latency at the baseline's capacity load", Status: Skip, Unit: "ms", Message: "the baseline has no step meeting the SLO: no load to compare at"}}
	}
	at := loadWords(base.step)
	st := sameLoad(cur, base.step)
	if st == nil {
		return []Result{{Name: "latency at " + at, Status: Skip, Unit: "ms",
			Message: fmt.Sprintf("%s has no step at %s (within %.0f%% of its rate): measure that load to compare latency", cur.d.Path, at, loadTolerance*100)}}
	}
	metrics := []string{result.MetricLatency}
	for _, b := range cur.slo {
		if b.Metric != result.MetricLatency && b.Metric != "" && !containsStr(metrics, b.Metric) {
			metrics = append(metrics, b.Metric)
		}
	}
	var out []Result
	for _, m := range metrics {
		bq, cq := base.step.Quantiles(m), st.Quantiles(m)
		for _, p := range []string{"p95", "p99"} {
			name := p
			if m != result.MetricLatency {
				name = m + "_" + p
			}
			r := Result{Name: fmt.Sprintf("%s at %s", name, at), Unit: "ms"}
			if bq == nil || cq == nil || bq.Count == 0 || cq.Count == 0 {
				r.Status, r.Message = Skip, fmt.Sprintf("no %s figure in one of the runs", name)
				out = append(out, r)
				continue
			}
			b, c := exact(bq.Value(p)), exact(cq.Value(p))
			if m == result.MetricLatency && p == "p95" {
				b, c = p95Span(base.step), p95Span(st)
			}
			r.Baseline, r.Current, r.Change = &b.v, &c.v, change(c.v, b.v)
			r.Status = Pass
			if rose(c, b, bound, latencyFloorMS) {
				r.Status = Fail
			}
			r.Message = fmt.Sprintf("%s -> %s (%s; a rise of more than %.0f%% and %g ms beyond the noise fails)", b.words(answer.Num, " ms"), c.words(answer.Num, " ms"), pct(r.Change), bound*100, latencyFloorMS)
			out = append(out, r)
		}
	}
	return out
}

// sameLoad finds the step of cur at the load of ref: the same batch size
// and mode, the same concurrency or an offered rate within loadTolerance
// (the closest). The built-in server's configuration is not part of the
// load (a new version may well change it): a step with ref's
// configuration is preferred, then one with that of cur's capacity step.
func sameLoad(cur *judge, ref *result.Step) *result.Step {
	var cands []*result.Step
	for i := range cur.d.Run.Steps {
		st := &cur.d.Run.Steps[i]
		if st.BatchSize != ref.BatchSize || st.Mode != ref.Mode {
			continue
		}
		if st.Mode == result.ModeConcurrency && st.Concurrency == ref.Concurrency {
			cands = append(cands, st)
		}
		if st.Mode == result.ModeRate && ref.OfferedRPS > 0 && math.Abs(st.OfferedRPS/ref.OfferedRPS-1) <= loadTolerance {
			cands = append(cands, st)
		}
	}
	for _, server := range []*result.ServerConfig{ref.Server, capacityServer(cur)} {
		var best *result.Step
		for _, st := range cands {
			if sameServer(st.Server, server) && (best == nil || gap(st, ref) < gap(best, ref)) {
				best = st
			}
		}
		if best != nil {
			return best
		}
	}
	if len(cands) > 0 {
		return cands[0]
	}
	return nil
}

func capacityServer(j *judge) *result.ServerConfig {
	if j.step == nil {
		return nil
	}
	return j.step.Server
}

func gap(st, ref *result.Step) float64 {
	if ref.OfferedRPS <= 0 {
		return 0
	}
	return math.Abs(st.OfferedRPS/ref.OfferedRPS - 1)
}

func sameServer(a, b *result.ServerConfig) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// costPerMillion compares the cost per million at full utilisation on the
// cheapest fitting instance. The price of a unit goes as one over the
// capacity, so the capacity's trials range carries over to it.
func costPerMillion(cur, base *judge, bound float64) Result {
	unit := "$ per million " + result.UnitWords(cur.d.Run.Unit())
	r := Result{Name: "cost per million at full utilisation", Unit: unit}
	if base.answer.CostPerMillionUSD == nil || base.step == nil {
		r.Status, r.Message = Skip, "the baseline has no price: "+orWords(base.answer.NoAnswer)
		return r
	}
	b := costSpan(*base.answer.CostPerMillionUSD, base.step)
	r.Baseline = &b.v
	if cur.answer.CostPerMillionUSD == nil || cur.step == nil {
		r.Status, r.Message = Fail, "the run has no price: "+orWords(cur.answer.NoAnswer)
		return r
	}
	c := costSpan(*cur.answer.CostPerMillionUSD, cur.step)
	r.Current, r.Change = &c.v, change(c.v, b.v)
	r.Status = Pass
	if rose(c, b, bound, 0) {
		r.Status = Fail
	}
	r.Message = fmt.Sprintf("%s on %s -> %s on %s (%s; a rise of more than %.0f%% beyond the noise fails)", b.words(answer.PerMillion, ""), base.answer.FullUseInstance,
		c.words(answer.PerMillion, ""), cur.answer.FullUseInstance, pct(r.Change), bound*100)
	return r
}

// costSpan is a cost per million with the range its capacity's trials
// imply (cost x capacity / the trial's capacity).
func costSpan(cost float64, st *result.Step) span {
	t := throughputSpan(st)
	s := exact(cost)
	s.trials = t.trials
	if t.lo > 0 && t.hi > 0 {
		s.lo, s.hi = cost*t.v/t.hi, cost*t.v/t.lo
	}
	return s
}

// budget checks the cost per million against --max-cost-per-million, on
// the figure itself: a budget is a line, not a comparison of two noisy
// runs.
func budget(cur *judge, limit float64) Result {
	r := Result{Name: fmt.Sprintf("cost per million at most %s", answer.PerMillion(limit)), Unit: "$ per million " + result.UnitWords(cur.d.Run.Unit()), Baseline: &limit}
	if cur.answer.CostPerMillionUSD == nil {
		r.Status, r.Message = Fail, "the run has no price, so the budget cannot be met: "+orWords(cur.answer.NoAnswer)
		return r
	}
	v := *cur.answer.CostPerMillionUSD
	r.Current, r.Change = &v, change(v, limit)
	r.Status = Pass
	if v > limit {
		r.Status = Fail
	}
	r.Message = fmt.Sprintf("%s on %s against a budget of %s", answer.PerMillion(v), cur.answer.FullUseInstance, answer.PerMillion(limit))
	return r
}

func orWords(s string) string {
	if s == "" {
		return "nothing priced"
	}
	return s
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
