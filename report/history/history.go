// Package history follows a run's figures over the values of a label
// (infercost report --history DIR --by model_version): for each value, the
// capacity at the SLO and the cost per million at full utilisation of the
// runs recorded with it (--label key=value), so a model that got slower
// or dearer from one version to the next shows in a table and a chart.
//
// The values are ordered by when each was first measured (its earliest
// run), not by sorting the values: labels are versions, commit hashes,
// dates or names, and only some of those sort by meaning; when a value was
// first measured always exists and is the order a history is read in.
package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// ErrInput marks what the user got wrong (no runs, runs that disagree on
// their SLO or unit): a usage error.
var ErrInput = errors.New("bad history input")

// History is a label's values in order, each with its runs' figures.
type History struct {
	Dir  string `json:"dir"`
	By   string `json:"by"`
	Unit string `json:"unit"`
	SLO  string `json:"slo"`
	// Points are the label's values, ordered by their first run.
	Points []Point `json:"points"`
	// Skipped names the runs under Dir that could not be read, and why.
	Skipped []string `json:"skipped"`
	Notes   []string `json:"notes"`
}

// Point is one value of the label. The capacity and cost figures are the
// median over its runs that have them, with the range beside (a version
// measured three times shows its own noise); null when none has.
type Point struct {
	Value    string      `json:"value"`
	FirstRun time.Time   `json:"first_run"`
	Runs     []RunFigure `json:"runs"`
	Hardware []string    `json:"hardware"`
	// CapacityPerS is in the history's unit, per replica, within the SLO.
	CapacityPerS *float64 `json:"capacity_per_s"`
	CapacityMin  *float64 `json:"capacity_min"`
	CapacityMax  *float64 `json:"capacity_max"`
	// P95MS is the median p95 (corrected) at the runs' capacity steps.
	P95MS             *float64 `json:"p95_ms"`
	CostPerMillionUSD *float64 `json:"cost_per_million_usd"`
	CostMin           *float64 `json:"cost_min"`
	CostMax           *float64 `json:"cost_max"`
	// CapacityChange and CostChange are the change from the previous
	// value's median, as fractions (-0.12 is 12% less); null for the first
	// value or when either median is missing.
	CapacityChange *float64 `json:"capacity_change"`
	CostChange     *float64 `json:"cost_change"`
}

// RunFigure is one run's answer within a point.
type RunFigure struct {
	Dir       string         `json:"dir"`
	StartedAt time.Time      `json:"started_at"`
	Status    string         `json:"status"`
	Answer    *answer.Answer `json:"answer"`
}

// Build reads every run directory directly under dir, keeps those
// recorded with the label by, prices each with opts (the SLO of opts, or
// the runs' own when they all agree) and groups them by the label's value.
func Build(dir, by string, opts answer.Options) (*History, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	h := &History{Dir: dir, By: by, Points: []Point{}, Skipped: []string{}, Notes: []string{}}
	var found []*runs.Dir
	unlabelled := 0
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(path, result.FileName)); err != nil {
			continue
		}
		d, err := runs.Load(path)
		if err != nil {
			h.Skipped = append(h.Skipped, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		if _, ok := d.Run.Spec.Labels[by]; !ok {
			unlabelled++
			continue
		}
		found = append(found, d)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("%w: no run under %s has the label %s (record it with --label %s=VALUE)", ErrInput, dir, by, by)
	}
	if unlabelled > 0 {
		h.Notes = append(h.Notes, fmt.Sprintf("%d run(s) under %s have no %s label and are left out", unlabelled, dir, by))
	}
	if err := agree(h, found, opts.SLO); err != nil {
		return nil, err
	}
	slo, _ := result.ParseSLO(h.SLO)
	opts.SLO = slo
	group := map[string]*Point{}
	for _, d := range found {
		v := d.Run.Spec.Labels[by]
		p := group[v]
		if p == nil {
			p = &Point{Value: v, FirstRun: d.Run.StartedAt}
			group[v] = p
		}
		if d.Run.StartedAt.Before(p.FirstRun) {
			p.FirstRun = d.Run.StartedAt
		}
		p.Runs = append(p.Runs, RunFigure{Dir: d.Path, StartedAt: d.Run.StartedAt, Status: d.Run.Status, Answer: answer.For(d.Run, d.Path, opts)})
		if hw := d.Run.Environment.Hardware; !contains(p.Hardware, hw) {
			p.Hardware = append(p.Hardware, hw)
		}
	}
	for _, p := range group {
		sort.SliceStable(p.Runs, func(i, j int) bool { return p.Runs[i].StartedAt.Before(p.Runs[j].StartedAt) })
		p.summarize()
		h.Points = append(h.Points, *p)
	}
	sort.SliceStable(h.Points, func(i, j int) bool {
		a, b := h.Points[i], h.Points[j]
		if !a.FirstRun.Equal(b.FirstRun) {
			return a.FirstRun.Before(b.FirstRun)
		}
		return a.Value < b.Value
	})
	for i := 1; i < len(h.Points); i++ {
		prev, p := &h.Points[i-1], &h.Points[i]
		p.CapacityChange = change(prev.CapacityPerS, p.CapacityPerS)
		p.CostChange = change(prev.CostPerMillionUSD, p.CostPerMillionUSD)
	}
	for _, p := range h.Points {
		if len(p.Hardware) > 1 {
			h.Notes = append(h.Notes, fmt.Sprintf("%s=%s was measured on several hardware (%s): its range spans them", by, p.Value, strings.Join(p.Hardware, ", ")))
		}
	}
	return h, nil
}

// agree sets the history's SLO and unit: the flag's SLO, else the one
// every run was judged by; runs that disagree, or count different units,
// are refused (their capacities would not compare).
func agree(h *History, ds []*runs.Dir, flag []result.SLOBound) error {
	var seen []string
	for i, d := range ds {
		unit, slo := d.Run.Unit(), result.FormatSLO(answer.SLOOf(d.Run, flag))
		if i == 0 {
			h.Unit, h.SLO = unit, slo
		}
		if unit != h.Unit {
			return fmt.Errorf("%w: %s counts %s and %s %s: a history follows one unit", ErrInput, ds[0].Path, result.UnitWords(h.Unit), d.Path, result.UnitWords(unit))
		}
		seen = append(seen, d.Path+": "+orNone(slo))
		if slo != h.SLO {
			return fmt.Errorf("%w: the runs were judged by different SLOs (%s): give --slo to judge them by one", ErrInput, strings.Join(seen, "; "))
		}
	}
	if h.SLO == "" {
		return fmt.Errorf("%w: the runs record no SLO: give one with --slo (e.g. --slo p95=50ms)", ErrInput)
	}
	return nil
}

// summarize sets a point's medians and ranges over its runs.
func (p *Point) summarize() {
	var caps, p95s, costs []float64
	for _, r := range p.Runs {
		if r.Answer.HasCapacity {
			caps = append(caps, r.Answer.CapacityPerS)
			p95s = append(p95s, r.Answer.P95MS)
		}
		if c := r.Answer.CostPerMillionUSD; c != nil {
			costs = append(costs, *c)
		}
	}
	p.CapacityPerS, p.CapacityMin, p.CapacityMax = medianRange(caps)
	p.CostPerMillionUSD, p.CostMin, p.CostMax = medianRange(costs)
	p.P95MS, _, _ = medianRange(p95s)
}

func medianRange(xs []float64) (med, lo, hi *float64) {
	if len(xs) == 0 {
		return nil, nil, nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m, &s[0], &s[len(s)-1]
}

func change(prev, cur *float64) *float64 {
	if prev == nil || cur == nil || *prev == 0 {
		return nil
	}
	c := *cur / *prev - 1
	return &c
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
