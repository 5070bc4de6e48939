// Package check is the CI gate (infercost check): does a run meet its SLO,
// and is it within a regression bound of a baseline run on capacity at the
// SLO, p95 and p99 latency at the same load, and cost per million at full
// utilisation; and, when asked, under a cost budget.
//
// Noise is taken into account: a run measured with --trials N records the
// range of its trials (the step's spread), and a change is a regression
// only when the ranges stay apart by more than the bound: the current run
// at its best against the baseline at its worst. A step measured once has
// no range (its spread is 0) and is compared on its figure. Latencies
// closer than 1 ms are never told apart, the rule the profiler's own
// stability check uses for timer noise on a shared machine.
package check

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// ErrInput marks a check that cannot be made as asked (no SLO anywhere,
// runs of different units): a usage error, not a failed gate.
var ErrInput = errors.New("bad check input")

// Statuses of a check.
const (
	Pass = "pass"
	Fail = "fail"
	Skip = "skip"
)

// Options say how to judge.
type Options struct {
	// Answer prices both runs (catalog, workload) and carries --slo and
	// --max-error-rate (nil and negative: the run's own).
	Answer answer.Options
	// MaxRegression is the largest change allowed against the baseline,
	// as a fraction (0.1: capacity may fall and latency and cost rise by
	// 10%).
	MaxRegression float64
	// MaxCostPerMillion is --max-cost-per-million (nil: no budget).
	MaxCostPerMillion *float64
}

// Result is one check.
type Result struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	// Baseline and Current are the figures compared (null when absent),
	// in Unit; Change is Current/Baseline - 1.
	Baseline *float64 `json:"baseline"`
	Current  *float64 `json:"current"`
	Unit     string   `json:"unit"`
	Change   *float64 `json:"change"`
	// Message says the verdict in one line: what changed, by how much,
	// against which bound and which noise.
	Message string `json:"message"`
}

// Report is every check of one run.
type Report struct {
	Run           string   `json:"run"`
	Baseline      string   `json:"baseline"`
	SLO           string   `json:"slo"`
	MaxRegression float64  `json:"max_regression"`
	Checks        []Result `json:"checks"`
	Passed        bool     `json:"passed"`
}

// Failed counts the failed checks.
func (r *Report) Failed() int { return r.count(Fail) }

// Skipped counts the checks that could not be made.
func (r *Report) Skipped() int { return r.count(Skip) }

func (r *Report) count(s string) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == s {
			n++
		}
	}
	return n
}

// Run checks cur, against base when it is not nil.
func Run(cur, base *runs.Dir, o Options) (*Report, error) {
	slo := answer.SLOOf(cur.Run, o.Answer.SLO)
	if len(slo) == 0 {
		return nil, fmt.Errorf("%w: %s records no SLO: give one with --slo (e.g. --slo p95=50ms)", ErrInput, cur.Path)
	}
	if base != nil && base.Run.Unit() != cur.Run.Unit() {
		return nil, fmt.Errorf("%w: %s counts %s and the baseline %s %s", ErrInput, cur.Path, result.UnitWords(cur.Run.Unit()), base.Path, result.UnitWords(base.Run.Unit()))
	}
	o.Answer.SLO = slo
	rep := &Report{Run: cur.Path, SLO: result.FormatSLO(slo), MaxRegression: o.MaxRegression, Checks: []Result{}}
	j := newJudge(cur, o)
	rep.Checks = append(rep.Checks, j.meetsSLO())
	if base != nil {
		rep.Baseline = base.Path
		b := newJudge(base, o)
		rep.Checks = append(rep.Checks, capacity(j, b, o.MaxRegression))
		rep.Checks = append(rep.Checks, latency(j, b, o.MaxRegression)...)
		rep.Checks = append(rep.Checks, costPerMillion(j, b, o.MaxRegression))
	}
	if o.MaxCostPerMillion != nil {
		rep.Checks = append(rep.Checks, budget(j, *o.MaxCostPerMillion))
	}
	rep.Passed = rep.Failed() == 0
	return rep, nil
}

// judge is one run judged by the check's SLO: its capacity step and its
// price.
type judge struct {
	d      *runs.Dir
	slo    []result.SLOBound
	maxErr float64
	// step is the capacity step: the SLO-meeting step with the most work
	// per second (a tie goes to the smaller batch), the step a cost
	// estimate prices; nil when none meets the SLO.
	step   *result.Step
	answer *answer.Answer
}

func newJudge(d *runs.Dir, o Options) *judge {
	j := &judge{d: d, slo: o.Answer.SLO, maxErr: answer.MaxErrorRateOf(d.Run, o.Answer.MaxErrorRate)}
	for i := range d.Run.Steps {
		st := &d.Run.Steps[i]
		if !result.MeetsSLO(st, j.slo, j.maxErr) {
			continue
		}
		if j.step == nil || st.Throughput() > j.step.Throughput() || (st.Throughput() == j.step.Throughput() && st.BatchSize < j.step.BatchSize) {
			j.step = st
		}
	}
	j.answer = answer.For(d.Run, d.Path, o.Answer)
	return j
}

func (j *judge) meetsSLO() Result {
	r := Result{Name: "meets the SLO " + result.FormatSLO(j.slo), Unit: result.UnitWords(j.d.Run.Unit()) + "/s"}
	if j.step == nil {
		r.Status = Fail
		r.Message = noStepMessage(j)
		return r
	}
	v := j.step.Throughput()
	r.Status, r.Current = Pass, &v
	r.Message = fmt.Sprintf("%s carries %s %s/s within %s (step %d %s, p95 %s ms)", loadWords(j.step), answer.Rate(v),
		result.UnitWords(j.d.Run.Unit()), result.FormatSLO(j.slo), j.step.Number(), j.step.Name, answer.Num(j.step.LatencyMS.Corrected.P95))
	return r
}

// noStepMessage names the closest step and what it missed by, as the
// cost engine does.
func noStepMessage(j *judge) string {
	var nc *cost.NoCapacityError
	if errors.As(j.answer.Err, &nc) {
		return nc.Error()
	}
	return fmt.Sprintf("no step of %s meets %s (max error rate %g)", j.d.Path, result.FormatSLO(j.slo), j.maxErr)
}

// loadWords names a step's load: "batch 8 at 100 req/s", "batch 1 at
// concurrency 4".
func loadWords(st *result.Step) string {
	if st.Mode == result.ModeConcurrency {
		return fmt.Sprintf("batch %d at concurrency %d", st.BatchSize, st.Concurrency)
	}
	return fmt.Sprintf("batch %d at %s req/s", st.BatchSize, strconv.FormatFloat(st.OfferedRPS, 'g', -1, 64))
}
