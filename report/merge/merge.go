package merge

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// ErrNotMergeable marks runs that cannot be merged (different models,
// units or hardware; a step without its histogram log; nothing in
// common): the caller's input is wrong, not infercost.
var ErrNotMergeable = errors.New("runs cannot be merged")

// Runs merges the runs into one (doc.go says what is merged and what is
// not). The result has one step for each load measured in every run, in
// the first run's order; its Path names the runs and its Root is empty
// (it exists in memory only).
func Runs(dirs []*runs.Dir) (*runs.Dir, error) {
	if len(dirs) < 2 {
		return nil, fmt.Errorf("%w: merging needs two runs or more (got %d)", ErrNotMergeable, len(dirs))
	}
	if err := sameSetup(dirs); err != nil {
		return nil, err
	}
	first := dirs[0].Run
	out := *first
	out.Steps = []result.Step{}
	out.Sweep = nil
	out.Warnings = []string{}
	names := make([]string, len(dirs))
	for i, d := range dirs {
		names[i] = d.Path
	}
	out.Name = "merge of " + strings.Join(names, " + ")
	d := &runs.Dir{Path: strings.Join(names, " + "), Run: &out}

	index := make([]map[key]int, len(dirs))
	for i, dir := range dirs {
		index[i] = map[key]int{}
		for j := range dir.Run.Steps {
			k := keyOf(&dir.Run.Steps[j])
			if _, dup := index[i][k]; dup {
				return nil, fmt.Errorf("%w: %s measured %s twice (steps can be matched only when each load is measured once per run)", ErrNotMergeable, dir.Path, k)
			}
			index[i][k] = j
		}
	}
	for j := range first.Steps {
		k := keyOf(&first.Steps[j])
		parts, missing := []part{}, []string{}
		for i, dir := range dirs {
			at, ok := index[i][k]
			if !ok {
				missing = append(missing, dir.Path)
				continue
			}
			if dir.Hists[at] == nil {
				st := &dir.Run.Steps[at]
				return nil, fmt.Errorf("%w: step %d %s of %s has no histogram log (.hlog), so its quantiles cannot be merged exactly", ErrNotMergeable, st.Number(), st.Name, dir.Path)
			}
			parts = append(parts, part{run: dir.Path, step: &dir.Run.Steps[at], hists: dir.Hists[at]})
		}
		if len(missing) > 0 {
			d.Notes = append(d.Notes, fmt.Sprintf("left out %s (step %s of %s): not measured in %s", k, first.Steps[j].Name, dirs[0].Path, strings.Join(missing, ", ")))
			continue
		}
		st, hs := mergeStep(parts)
		st.Index = len(out.Steps)
		st.Normalize()
		out.Steps = append(out.Steps, st)
		d.Hists = append(d.Hists, hs)
	}
	for i, dir := range dirs[1:] {
		for j := range dir.Run.Steps {
			if k := keyOf(&dir.Run.Steps[j]); !hasKey(first, k) {
				d.Notes = append(d.Notes, fmt.Sprintf("left out %s (step %s of %s): not measured in %s", k, dir.Run.Steps[j].Name, dirs[i+1].Path, dirs[0].Path))
			}
		}
	}
	if len(out.Steps) == 0 {
		return nil, fmt.Errorf("%w: no load was measured in every run (%s)", ErrNotMergeable, strings.Join(d.Notes, "; "))
	}
	mergeRunLevel(&out, dirs)
	d.Notes = append(d.Notes, fmt.Sprintf("merged %d runs: histograms added, counts and durations summed, rates over the summed time; sampler figures are %s's; the sweeps' answers are not merged", len(dirs), dirs[0].Path))
	return d, nil
}

// sameSetup refuses runs that did not measure the same thing.
func sameSetup(dirs []*runs.Dir) error {
	a := dirs[0]
	for _, b := range dirs[1:] {
		switch {
		case b.Run.Spec.Model != a.Run.Spec.Model:
			return fmt.Errorf("%w: %s serves model %q and %s %q", ErrNotMergeable, a.Path, a.Run.Spec.Model, b.Path, b.Run.Spec.Model)
		case b.Run.Unit() != a.Run.Unit():
			return fmt.Errorf("%w: %s counts %s and %s %s", ErrNotMergeable, a.Path, result.UnitWords(a.Run.Unit()), b.Path, result.UnitWords(b.Run.Unit()))
		case b.Run.Environment.Hardware != a.Run.Environment.Hardware:
			return fmt.Errorf("%w: %s ran on %q and %s on %q: merge runs of one hardware (compare them instead)", ErrNotMergeable, a.Path, a.Run.Environment.Hardware, b.Path, b.Run.Environment.Hardware)
		}
	}
	return nil
}

func hasKey(run *result.Run, k key) bool {
	for j := range run.Steps {
		if keyOf(&run.Steps[j]) == k {
			return true
		}
	}
	return false
}

// mergeRunLevel sets what belongs to the whole merged run: its span, its
// status (complete only when every run is), the samplers' counts and
// every run's warnings once.
func mergeRunLevel(out *result.Run, dirs []*runs.Dir) {
	seen := map[string]bool{}
	out.Samplers.Samples, out.Samplers.CPUPercentOfCore = 0, 0
	for _, d := range dirs {
		r := d.Run
		if r.StartedAt.Before(out.StartedAt) {
			out.StartedAt = r.StartedAt
		}
		if r.FinishedAt != nil && (out.FinishedAt == nil || r.FinishedAt.After(*out.FinishedAt)) {
			t := *r.FinishedAt
			out.FinishedAt = &t
		}
		if r.Status != result.StatusComplete && out.Status == result.StatusComplete {
			out.Status = r.Status
		}
		out.Samplers.Samples += r.Samplers.Samples
		out.Samplers.CPUPercentOfCore = math.Max(out.Samplers.CPUPercentOfCore, r.Samplers.CPUPercentOfCore)
		for _, w := range r.Warnings {
			if !seen[w] {
				seen[w] = true
				out.Warnings = append(out.Warnings, w)
			}
		}
	}
}
