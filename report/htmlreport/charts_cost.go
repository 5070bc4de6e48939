package htmlreport

import (
	"sort"

	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
)

// maxCostBars bounds the instances a cost chart shows: the cheapest ones,
// which are the ones a decision is between (the tables list every one).
const maxCostBars = 15

// perMillionWords names what a cost per million counts.
func perMillionWords(unit string) string {
	return "$ per million " + result.UnitWords(unit) + " at full utilisation"
}

// costChart draws each priced instance's cost per million at full
// utilisation, cheapest first; false when nothing is priced.
func costChart(id string, e *cost.Estimate) (Chart, bool) {
	var cats []string
	var vals []any
	for _, ic := range e.Instances {
		if ic.UnitCostPerMillionUSD == nil || !ic.Fits || len(cats) == maxCostBars {
			continue
		}
		cats = append(cats, ic.Name)
		vals = append(vals, round(*ic.UnitCostPerMillionUSD))
	}
	if len(cats) == 0 {
		return Chart{}, false
	}
	reverse(cats, vals) // a horizontal bar chart lists from the bottom up: cheapest on top
	return newChart(id, "Cost per million by instance",
		"Each instance that fits, priced at the measured capacity if all it pays for were used (the cheapest "+itoa(len(cats))+"; the table below lists every one).",
		axis{name: "", kind: "category", categories: cats}, []axis{{name: perMillionWords(e.Unit), kind: "value"}},
		[]series{{name: perMillionWords(e.Unit), kind: "bar", data: vals}}, true), true
}

// compareCostChart draws the cost per million of every run on each
// instance priced for any of them: one series per run, so runs on the
// same instance type stand side by side.
func compareCostChart(id string, c *cost.Comparison) (Chart, bool) {
	best := map[string]float64{}
	for _, r := range c.Runs {
		for _, ic := range r.Instances {
			if ic.UnitCostPerMillionUSD == nil || !ic.Fits {
				continue
			}
			if v, ok := best[ic.Name]; !ok || *ic.UnitCostPerMillionUSD < v {
				best[ic.Name] = *ic.UnitCostPerMillionUSD
			}
		}
	}
	if len(best) == 0 {
		return Chart{}, false
	}
	cats := make([]string, 0, len(best))
	for n := range best {
		cats = append(cats, n)
	}
	sort.Slice(cats, func(i, j int) bool {
		return best[cats[i]] < best[cats[j]] || (best[cats[i]] == best[cats[j]] && cats[i] < cats[j])
	})
	if len(cats) > maxCostBars {
		cats = cats[:maxCostBars]
	}
	for i, j := 0, len(cats)-1; i < j; i, j = i+1, j-1 {
		cats[i], cats[j] = cats[j], cats[i]
	}
	var ss []series
	for _, r := range c.Runs {
		vals := make([]any, len(cats))
		for i, n := range cats {
			for _, ic := range r.Instances {
				if ic.Name == n && ic.UnitCostPerMillionUSD != nil && ic.Fits {
					vals[i] = round(*ic.UnitCostPerMillionUSD)
				}
			}
		}
		ss = append(ss, series{name: r.Run, kind: "bar", data: vals})
	}
	return newChart(id, "Cost per million by instance, run by run",
		"Each run's capacity priced on each instance that carries its hardware, at full utilisation; a run with no bar on an instance is not priced there.",
		axis{kind: "category", categories: cats}, []axis{{name: perMillionWords(c.Unit), kind: "value"}}, ss, true), true
}

// compareCapacityChart draws each run's capacity at the SLO.
func compareCapacityChart(id string, c *cost.Comparison) (Chart, bool) {
	var cats []string
	var vals []any
	for _, r := range c.Runs {
		cats = append(cats, r.Run)
		if r.CapacityInferencesPerS != nil {
			vals = append(vals, round(*r.CapacityInferencesPerS))
		} else {
			vals = append(vals, nil)
		}
	}
	name := result.UnitWords(c.Unit) + "/s per replica within " + c.SLO
	return newChart(id, "Capacity at the SLO, run by run", "The most a step meeting the SLO carried, on each run's hardware (no bar: no step met it).",
		axis{kind: "category", categories: cats}, []axis{{name: name, kind: "value"}}, []series{{name: name, kind: "bar", data: vals}}, false), true
}

func reverse(cats []string, vals []any) {
	for i, j := 0, len(cats)-1; i < j; i, j = i+1, j-1 {
		cats[i], cats[j] = cats[j], cats[i]
		vals[i], vals[j] = vals[j], vals[i]
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
