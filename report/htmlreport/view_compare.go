package htmlreport

import (
	"fmt"
	"io"
	"strings"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// compareView is the head of a page of several runs: cost.Compare's
// verdict and table, the capacity and cost charts, the prices.
type compareView struct {
	OK        bool
	Verdict   string
	Facts     []kv
	NoCompare string
	Lines     []string
	Table     table
	Charts    []Chart
	Prices    table
	Notes     []string
}

// WriteCompare writes the compare view of several runs (cost.Compare at
// one SLO and workload, the winner first), then each run's own report.
// Runs that cannot be compared (different models or units, different SLOs
// without --slo, none meeting it) still get their own reports, under a box
// that says why there is no comparison.
func WriteCompare(w io.Writer, ds []*runs.Dir, o Options) error {
	named := make([]cost.NamedRun, len(ds))
	names := make([]string, len(ds))
	for i, d := range ds {
		named[i], names[i] = cost.NamedRun{Name: d.Path, Run: d.Run}, d.Path
	}
	cv := &compareView{}
	c, err := cost.Compare(named, cost.CompareOptions{Catalog: o.Answer.Catalog, Workload: o.Answer.Workload, Now: o.Answer.Now,
		SLO: o.Answer.SLO, MaxErrorRate: o.Answer.MaxErrorRate})
	if err != nil {
		cv.NoCompare = "no comparison: " + err.Error()
	} else {
		fillCompare(cv, c)
	}
	p := newPage(fmt.Sprintf("Compare %d runs of %s", len(ds), orDash(ds[0].Run.Spec.Model)), strings.Join(names, " · "), o)
	p.Compare = cv
	p.Nav = []kv{{"compare-answer", "Answer"}}
	if len(cv.Table.Rows) > 0 {
		p.Nav = append(p.Nav, kv{"compare-table", "Side by side"})
	}
	for i, d := range ds {
		rv, err := buildRun(fmt.Sprintf("run-%d", i+1), d, o, true)
		if err != nil {
			return err
		}
		p.Runs = append(p.Runs, rv)
		p.Nav = append(p.Nav, kv{rv.ID, fmt.Sprintf("Run %d", i+1)})
	}
	return p.write(w)
}

func fillCompare(cv *compareView, c *cost.Comparison) {
	cv.Verdict, cv.OK, cv.Notes = c.Verdict, c.Winner != nil, c.Notes
	unit := result.UnitWords(c.Unit)
	cv.Facts = []kv{{"SLO", c.SLO}, {"model", c.Model}, {"pricing", c.Pricing}}
	if win := c.Winner; win != nil {
		cv.Facts = append(cv.Facts, kv{"winner", fmt.Sprintf("%s (%s): %s on %s, %s a month all-in", win.Hardware, win.Run, win.Kind, win.Instance, answer.USD(win.MonthlyTotalUSD))})
		if win.UnitCostPerMillionUSD != nil {
			cv.Facts = append(cv.Facts, kv{"winner's cost per million " + unit, answer.PerMillion(*win.UnitCostPerMillionUSD) + " at full utilisation"})
		}
	}
	if len(c.DefaultsUsed) > 0 {
		cv.Lines = append(cv.Lines, "Defaults used: "+strings.Join(c.DefaultsUsed, ", ")+".")
	}
	if c.Unit == result.UnitOutputToken {
		cv.Lines = append(cv.Lines, "Per-token figures: "+cost.AttributionRule+".")
	}
	load := "best batch"
	if c.Unit == result.UnitOutputToken {
		load = "concurrency"
	}
	var rows [][]string
	for _, r := range c.Runs {
		if r.CapacityInferencesPerS == nil {
			rows = append(rows, []string{r.Run, orDash(r.Hardware), "-", "-", "-", "-", "-", "-", "-", r.Note})
			continue
		}
		way := "-"
		if r.CheapestKind != "" {
			way = fmt.Sprintf("%s, %d x %s", r.CheapestKind, r.CheapestInstances, r.CheapestInstance)
			if r.CheapestInstances == 0 {
				way = r.CheapestKind + ", " + r.CheapestInstance
			}
		}
		use := "-"
		if r.UtilizationPercent != nil {
			use = fmt.Sprintf("%.2g%%", *r.UtilizationPercent)
		}
		knob := fmt.Sprint(r.BestBatchSize)
		if c.Unit == result.UnitOutputToken {
			knob = fmt.Sprint(r.Concurrency)
		}
		full := perMillion(r.UnitCostPerMillionUSD)
		if r.FullUseInstance != "" {
			full += " (" + r.FullUseInstance + ")"
		}
		rows = append(rows, []string{r.Run, r.Hardware, knob, answer.Rate(*r.CapacityInferencesPerS), answer.Num(*r.P95MSAtCapacity), way,
			usd(r.MonthlyTotalUSD), use, full, orDash(r.Note)})
	}
	cv.Table = newTable([]string{"run", "hardware", load, unit + "/s at the SLO", "p95 (ms)", "cheapest way to serve it", "all-in/month", "in use",
		"$/million " + unit + " at full use", "note"}, rows)
	if ch, ok := compareCapacityChart("compare-capacity", c); ok {
		cv.Charts = append(cv.Charts, ch)
	}
	if ch, ok := compareCostChart("compare-cost", c); ok {
		cv.Charts = append(cv.Charts, ch)
	}
	cv.Prices = priceTable(c.Prices)
}
