package cost

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/infercost/infercost/result"
)

// NamedRun is a run and the name output gives it (its directory).
type NamedRun struct {
	Name string
	Run  *result.Run
}

// CompareOptions says how to compare runs.
type CompareOptions struct {
	Catalog  *Catalog
	Workload Workload
	Now      time.Time
	// SLO is --slo; nil takes the runs' own SLO, which must then agree.
	SLO []result.SLOBound
	// MaxErrorRate is --max-error-rate; negative takes each run's own.
	MaxErrorRate float64
}

// Comparison is runs on different hardware side by side at one SLO.
type Comparison struct {
	SLO          string       `json:"slo"`
	Model        string       `json:"model"`
	Pricing      string       `json:"pricing"`
	Workload     Workload     `json:"workload"`
	DefaultsUsed []string     `json:"defaults_used"`
	Runs         []CompareRow `json:"runs"`
	// Winner is the run with the lowest cost per million at the SLO on its
	// cheapest matching instance (null when no run meets the SLO).
	Winner  *Winner    `json:"winner"`
	Verdict string     `json:"verdict"`
	Prices  []PriceRef `json:"prices"`
	Notes   []string   `json:"notes"`
}

// CompareRow is one run's answer.
type CompareRow struct {
	Run                    string   `json:"run"`
	Hardware               string   `json:"hardware"`
	BestBatchSize          int      `json:"best_batch_size"`
	CapacityInferencesPerS *float64 `json:"capacity_inferences_per_s"`
	P95MSAtCapacity        *float64 `json:"p95_ms_at_capacity"`
	// CheapestInstance has the lowest cost per million; MonthlyTotalUSD is
	// the workload's all-in month (TCO) on it, dedicated.
	CheapestInstance      string   `json:"cheapest_instance"`
	UnitCostPerMillionUSD *float64 `json:"unit_cost_per_million_usd"`
	MonthlyTotalUSD       *float64 `json:"monthly_total_usd"`
	// CheapestMonthlyInstance is the instance with the lowest monthly
	// compute for this workload (whole instances can make it differ).
	CheapestMonthlyInstance   string         `json:"cheapest_monthly_instance"`
	CheapestMonthlyComputeUSD *float64       `json:"cheapest_monthly_compute_usd"`
	Instances                 []InstanceCost `json:"instances"`
	// Note says why a run has no capacity (no step met the SLO).
	Note string `json:"note"`
}

// Winner names the cheapest hardware and its margin over the runner-up.
type Winner struct {
	Run                   string   `json:"run"`
	Hardware              string   `json:"hardware"`
	Instance              string   `json:"instance"`
	UnitCostPerMillionUSD float64  `json:"unit_cost_per_million_usd"`
	MarginPercent         *float64 `json:"margin_percent"`
}

// Compare prices each run at one SLO and names the winner (DESIGN "Cost
// model": lowest cost per million at the SLO on its cheapest matching
// instance). Runs of different models, or measured against different SLOs
// when no --slo is given, are refused.
func Compare(runs []NamedRun, opts CompareOptions) (*Comparison, error) {
	if len(runs) < 2 {
		return nil, inputErrorf("compare needs two runs or more (got %d)", len(runs))
	}
	model := runs[0].Run.Spec.Model
	for _, r := range runs[1:] {
		if r.Run.Spec.Model != model {
			return nil, inputErrorf("the runs serve different models (%s: %q, %s: %q): compare runs of one model", runs[0].Name, model, r.Name, r.Run.Spec.Model)
		}
	}
	slo := opts.SLO
	if len(slo) == 0 {
		var err error
		if slo, err = agreedSLO(runs); err != nil {
			return nil, err
		}
	}
	c := &Comparison{SLO: result.FormatSLO(slo), Model: model, Pricing: opts.Workload.Pricing, Workload: opts.Workload,
		DefaultsUsed: opts.Workload.DefaultsUsed(), Runs: []CompareRow{}, Prices: []PriceRef{}, Notes: []string{}}
	book := newPriceBook(opts.Now)
	measured := map[string]bool{}
	for _, r := range runs {
		row, notes, w, err := compareRow(r, slo, opts, book)
		if err != nil {
			return nil, err
		}
		for k, o := range w.Origin {
			measured[k] = measured[k] || o == "measured"
		}
		c.Runs = append(c.Runs, row)
		for _, n := range notes {
			c.Notes = append(c.Notes, r.Name+": "+n)
		}
	}
	c.Prices = book.refs
	kept := []string{}
	for _, d := range c.DefaultsUsed {
		if key, _, _ := strings.Cut(d, "="); !measured[key] {
			kept = append(kept, d)
		}
	}
	c.DefaultsUsed = kept
	if err := setWinner(c); err != nil {
		return nil, err
	}
	return c, nil
}

// agreedSLO returns the SLO every run was measured against, or refuses.
func agreedSLO(runs []NamedRun) ([]result.SLOBound, error) {
	var first []result.SLOBound
	var seen []string
	for i, r := range runs {
		s, _, err := resolveSLO(r.Run, nil, r.Name)
		if err != nil {
			return nil, inputErrorf("%v", err)
		}
		seen = append(seen, r.Name+": "+result.FormatSLO(s))
		if i == 0 {
			first = s
		} else if !sameSLO(first, s) {
			return nil, inputErrorf("the runs were measured against different SLOs (%s): give --slo to judge them by one", strings.Join(seen, "; "))
		}
	}
	return first, nil
}

// compareRow prices one run; a run with no step at the SLO gets a row
// that says so rather than failing the comparison. It also returns the
// run's workload, with what the run measured in place of defaults.
func compareRow(r NamedRun, slo []result.SLOBound, opts CompareOptions, book *priceBook) (CompareRow, []string, Workload, error) {
	row := CompareRow{Run: r.Name, Hardware: r.Run.Environment.Hardware, Instances: []InstanceCost{}}
	ro := RunOptions{Catalog: opts.Catalog, Workload: opts.Workload, Now: opts.Now, SLO: slo, MaxErrorRate: opts.MaxErrorRate, RunName: r.Name}
	in, choice, err := runInput(r.Run, ro)
	var nc *NoCapacityError
	if errors.As(err, &nc) {
		row.Note = nc.Error()
		return row, nil, opts.Workload, nil
	}
	if err != nil {
		return row, nil, opts.Workload, err
	}
	e, err := Compute(in.Input)
	if err != nil {
		return row, nil, opts.Workload, err
	}
	row.Hardware = orDash(in.Hardware.GPU)
	if in.Hardware.Kind == HardwareCPU {
		row.Hardware = orDash(in.Hardware.Name)
	}
	row.BestBatchSize = choice.batch
	row.CapacityInferencesPerS = ptr(in.CapacityPerS)
	row.P95MSAtCapacity = ptr(choice.step.LatencyMS.Corrected.P95)
	row.Instances = e.Instances
	for _, p := range e.Prices {
		if p.Section == "instances" {
			book.add(p.Section, p.Row, p.Field, p.USD, Meta{Source: p.Source, SourceDate: p.SourceDate, Undated: p.Undated, Unconfirmed: p.Unconfirmed, Derived: p.Derived})
		}
	}
	for i := range e.Instances {
		ic := &e.Instances[i]
		if ic.UnitCostPerMillionUSD == nil || !ic.Fits {
			continue
		}
		if row.UnitCostPerMillionUSD == nil || *ic.UnitCostPerMillionUSD < *row.UnitCostPerMillionUSD {
			row.CheapestInstance, row.UnitCostPerMillionUSD = ic.Name, ptr(*ic.UnitCostPerMillionUSD)
		}
		if row.CheapestMonthlyComputeUSD == nil || *ic.MonthlyComputeUSD < *row.CheapestMonthlyComputeUSD {
			row.CheapestMonthlyInstance, row.CheapestMonthlyComputeUSD = ic.Name, ptr(*ic.MonthlyComputeUSD)
		}
	}
	if row.UnitCostPerMillionUSD == nil {
		row.Note = "no priced instance with " + hardwareWords(in.Hardware) + " fits"
		return row, e.Notes, in.Workload, nil
	}
	w := in.Workload
	total, _, _ := scenarioTCO(in.Input, scenario{inst: opts.Catalog.FindInstance(row.CheapestInstance), capacity: in.CapacityPerS,
		computeVolume: w.MonthlyInferences, pricing: w.Pricing, modelSizeGB: w.ModelSizeGB}, book)
	row.MonthlyTotalUSD = ptr(total)
	return row, e.Notes, in.Workload, nil
}

// setWinner picks the lowest cost per million and writes the verdict.
func setWinner(c *Comparison) error {
	var ranked []*CompareRow
	for i := range c.Runs {
		if c.Runs[i].UnitCostPerMillionUSD != nil {
			ranked = append(ranked, &c.Runs[i])
		}
	}
	if len(ranked) == 0 {
		notes := make([]string, len(c.Runs))
		for i, r := range c.Runs {
			notes[i] = r.Note
		}
		return &compareNoCapacity{msg: "no run has a priced capacity at " + c.SLO + ": " + strings.Join(notes, "; ")}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return *ranked[i].UnitCostPerMillionUSD < *ranked[j].UnitCostPerMillionUSD })
	win := ranked[0]
	c.Winner = &Winner{Run: win.Run, Hardware: win.Hardware, Instance: win.CheapestInstance, UnitCostPerMillionUSD: *win.UnitCostPerMillionUSD}
	if len(ranked) == 1 {
		c.Verdict = fmt.Sprintf("Only %s (%s) meets %s: $%.4f per million on %s.", win.Hardware, win.Run, c.SLO, *win.UnitCostPerMillionUSD, win.CheapestInstance)
		return nil
	}
	second := ranked[1]
	c.Winner.MarginPercent = ptr(MarginPercent(*win.UnitCostPerMillionUSD, *second.UnitCostPerMillionUSD))
	c.Verdict = fmt.Sprintf("%s (%s) wins at %s: $%.4f per million on %s, against $%.4f for %s on %s (%.1f%% more); for %s inferences a month that is %s vs %s all-in.",
		win.Hardware, win.Run, c.SLO, *win.UnitCostPerMillionUSD, win.CheapestInstance, *second.UnitCostPerMillionUSD,
		second.Hardware, second.CheapestInstance, *c.Winner.MarginPercent, count(c.Workload.MonthlyInferences),
		usdPtr(win.MonthlyTotalUSD), usdPtr(second.MonthlyTotalUSD))
	return nil
}

// compareNoCapacity is "no run meets the SLO" (exit 4).
type compareNoCapacity struct{ msg string }

func (e *compareNoCapacity) Error() string        { return e.msg }
func (e *compareNoCapacity) Is(target error) bool { return target == ErrNoCapacity }
