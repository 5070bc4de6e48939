package htmlreport

import (
	"fmt"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// runView is one run's part of a page.
type runView struct {
	ID, Title   string
	Nested      bool
	Answer      answerView
	Facts       []kv
	Source      string
	Steps       table
	Sweep       []string
	Charts      []Chart
	Cost        *costView
	Settings    []kv
	Labels      []kv
	Environment []kv
	Notes       []string
	Warnings    []string
}

// buildRun lays out one run: its answer (priced as opts say), summary,
// charts, cost, settings and notes. id prefixes every anchor and chart, so
// several runs share a page.
func buildRun(id string, d *runs.Dir, o Options, nested bool) (*runView, error) {
	run := d.Run
	slo := answer.SLOOf(run, o.Answer.SLO)
	maxErr := answer.MaxErrorRateOf(run, o.Answer.MaxErrorRate)
	a := answer.For(run, d.Path, o.Answer)
	v := &runView{ID: id, Title: d.Path, Nested: nested, Answer: answerBox(a), Source: "Figures: " + d.SourceWords() + ".",
		Settings: settings(run), Labels: labels(run), Environment: environment(run), Warnings: run.Warnings}
	v.Facts = []kv{{"run", d.Path}, {"model", orDash(run.Spec.Model)}, {"hardware", orDash(run.Environment.Hardware)},
		{"made by", fmt.Sprintf("infercost %s (%s)", run.Command, run.Status)}, {"started", run.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")},
		{"steps", fmt.Sprint(len(run.Steps))}, {"SLO", orDash(sloWords(slo, maxErr))}}
	capStep := 0
	if a.HasCapacity {
		capStep = a.Step
	}
	v.Steps = stepsTable(run, slo, maxErr, capStep)
	v.Sweep = sweepLines(run)
	if c, ok := throughputChart(id+"-throughput", run, slo, maxErr); ok {
		v.Charts = append(v.Charts, c)
	}
	v.Charts = append(v.Charts, latencyCharts(id+"-latency", run, slo)...)
	samples, err := d.Samples()
	if err != nil {
		v.Notes = append(v.Notes, fmt.Sprintf("samples.csv could not be read, so there is no utilisation chart: %v", err))
	}
	if c, ok := utilizationChart(id+"-utilization", samples); ok {
		v.Charts = append(v.Charts, c)
	}
	v.Cost = costSection(id+"-cost-chart", a.Estimate)
	v.Notes = append(v.Notes, d.Notes...)
	v.Notes = append(v.Notes, runNotes(run)...)
	return v, nil
}

func sloWords(slo []result.SLOBound, maxErr float64) string {
	if len(slo) == 0 {
		return "none recorded (give one with --slo)"
	}
	return fmt.Sprintf("%s, max error rate %g", result.FormatSLO(slo), maxErr)
}

// nav links a page's sections (anchors in the page, nothing outside it).
func (v *runView) nav() []kv {
	out := []kv{{v.ID + "-answer", "Answer"}, {v.ID + "-steps", "Summary"}}
	if len(v.Charts) > 0 {
		out = append(out, kv{v.ID + "-charts", "Charts"})
	}
	return append(out, kv{v.ID + "-cost", "Cost"}, kv{v.ID + "-settings", "Settings"}, kv{v.ID + "-notes", "Notes"})
}
