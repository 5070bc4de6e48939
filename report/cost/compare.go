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
	SLO   string `json:"slo"`
	Model string `json:"model"`
	// Unit is what the runs count (inference, or output_token for LLM
	// runs); capacities and costs per million are in it.
	Unit         string       `json:"unit"`
	Pricing      string       `json:"pricing"`
	Workload     Workload     `json:"workload"`
	DefaultsUsed []string     `json:"defaults_used"`
	Runs         []CompareRow `json:"runs"`
	// Winner is the run whose cheapest way to serve the workload has the
	// lowest all-in month (null when no run meets the SLO).
	Winner  *Winner    `json:"winner"`
	Verdict string     `json:"verdict"`
	Prices  []PriceRef `json:"prices"`
	Notes   []string   `json:"notes"`
}

// CompareRow is one run's answer: what its workload costs served the
// cheapest way (the choice cost makes), and beside it, labelled, the cost
// per million at full utilisation.
type CompareRow struct {
	Run           string `json:"run"`
	Hardware      string `json:"hardware"`
	BestBatchSize int    `json:"best_batch_size"`
	// Concurrency is the capacity step's requests in flight (the load knob
	// of an LLM server); 0 in rate mode.
	Concurrency            int      `json:"concurrency"`
	CapacityInferencesPerS *float64 `json:"capacity_inferences_per_s"`
	P95MSAtCapacity        *float64 `json:"p95_ms_at_capacity"`
	// CheapestKind and CheapestInstance are the cheapest way to serve the
	// workload (the deployment option and its instance, endpoint or
	// platform); MonthlyComputeUSD is that option's month and
	// MonthlyTotalUSD the all-in month (TCO) on it.
	CheapestKind      string   `json:"cheapest_kind"`
	CheapestInstance  string   `json:"cheapest_instance"`
	CheapestInstances int      `json:"cheapest_instances"`
	CheapestDetail    string   `json:"cheapest_detail"`
	MonthlyComputeUSD *float64 `json:"monthly_compute_usd"`
	MonthlyTotalUSD   *float64 `json:"monthly_total_usd"`
	// UtilizationPercent is the workload's average rate over the capacity
	// the cheapest option pays for (null for serverless, billed by use).
	UtilizationPercent *float64 `json:"utilization_percent"`
	// FullUseInstance has the lowest cost per million at full utilisation
	// (a tie goes to the lower monthly bill), UnitCostPerMillionUSD.
	FullUseInstance       string         `json:"full_use_instance"`
	UnitCostPerMillionUSD *float64       `json:"unit_cost_per_million_usd"`
	Instances             []InstanceCost `json:"instances"`
	// Tokens is an LLM run's month in requests and tokens (null
	// otherwise).
	Tokens *TokenWorkload `json:"tokens"`
	// Energy is the run's on-premises electricity line (--kwh-price),
	// apart from the cloud months above.
	Energy *EnergyLine `json:"energy"`
	// Note says why a run has no figures (no step met the SLO, nothing
	// priced).
	Note string `json:"note"`
}

// Winner names the cheapest hardware for the workload and its margin over
// the runner-up, in all-in monthly bills.
type Winner struct {
	Run             string  `json:"run"`
	Hardware        string  `json:"hardware"`
	Kind            string  `json:"kind"`
	Instance        string  `json:"instance"`
	MonthlyTotalUSD float64 `json:"monthly_total_usd"`
	// UnitCostPerMillionUSD is the winner's cost per million at full
	// utilisation (null when no instance of its hardware is priced).
	UnitCostPerMillionUSD *float64 `json:"unit_cost_per_million_usd"`
	MarginPercent         *float64 `json:"margin_percent"`
}

// Compare prices each run at one SLO and names the winner (docs/design.md
// "Cost model": the hardware whose cheapest way to serve the workload, the
// choice cost makes, has the lower all-in month; cost per million at full
// utilisation beside it). Runs of different models, or measured against
// different SLOs when no --slo is given, are refused.
func Compare(runs []NamedRun, opts CompareOptions) (*Comparison, error) {
	if len(runs) < 2 {
		return nil, inputErrorf("compare needs two runs or more (got %d)", len(runs))
	}
	model, unit := runs[0].Run.Spec.Model, runs[0].Run.Unit()
	for _, r := range runs[1:] {
		if r.Run.Spec.Model != model {
			return nil, inputErrorf("the runs serve different models (%s: %q, %s: %q): compare runs of one model", runs[0].Name, model, r.Name, r.Run.Spec.Model)
		}
		if r.Run.Unit() != unit {
			return nil, inputErrorf("the runs count different work (%s: %s, %s: %s): compare runs of one protocol", runs[0].Name, result.UnitWords(unit), r.Name, result.UnitWords(r.Run.Unit()))
		}
	}
	slo := opts.SLO
	if len(slo) == 0 {
		var err error
		if slo, err = agreedSLO(runs); err != nil {
			return nil, err
		}
	}
	c := &Comparison{SLO: result.FormatSLO(slo), Model: model, Unit: unit, Pricing: opts.Workload.Pricing, Workload: opts.Workload,
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

// compareRow prices one run as cost does; a run with no step at the SLO
// gets a row that says so rather than failing the comparison. It also
// returns the run's workload, with what the run measured in place of
// defaults.
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
	if in.Hardware.Kind != HardwareGPU {
		row.Hardware = orDash(in.Hardware.Name)
	}
	row.BestBatchSize = choice.batch
	if choice.step.Mode == result.ModeConcurrency {
		row.Concurrency = choice.step.Concurrency
	}
	row.CapacityInferencesPerS = ptr(in.CapacityPerS)
	row.P95MSAtCapacity = ptr(choice.step.LatencyMS.Corrected.P95)
	row.Instances, row.Tokens, row.Energy = e.Instances, e.Tokens, e.Energy
	for _, p := range e.Prices {
		book.add(p.Section, p.Row, p.Field, p.USD, Meta{Source: p.Source, SourceDate: p.SourceDate, Undated: p.Undated, Unconfirmed: p.Unconfirmed, Derived: p.Derived})
	}
	for i := range e.Instances { // sorted: the first priced, fitting row is the cheapest at full use
		if ic := &e.Instances[i]; ic.UnitCostPerMillionUSD != nil && ic.Fits {
			row.FullUseInstance, row.UnitCostPerMillionUSD = ic.Name, ptr(*ic.UnitCostPerMillionUSD)
			break
		}
	}
	if e.Cheapest == nil {
		row.Note = "nothing priced for " + hardwareWords(in.Hardware) + ": " + optionReasons(e.Options)
		return row, e.Notes, in.Workload, nil
	}
	for _, o := range e.Options {
		if o.Kind == e.Cheapest.Kind && o.Instance == e.Cheapest.Instance {
			row.CheapestKind, row.CheapestInstance, row.CheapestInstances, row.CheapestDetail = o.Kind, o.Instance, o.Instances, o.Detail
			row.MonthlyComputeUSD, row.UtilizationPercent = o.MonthlyTotalUSD, o.UtilizationPercent
		}
	}
	row.MonthlyTotalUSD = ptr(e.TCO.TotalUSD)
	return row, e.Notes, in.Workload, nil
}

// optionReasons joins why each option was not priced.
func optionReasons(opts []Option) string {
	var out []string
	for _, o := range opts {
		out = append(out, o.Kind+": "+o.Reason)
	}
	return strings.Join(out, "; ")
}

// setWinner ranks the runs by their all-in month (a tie goes to the lower
// cost per million at full use) and writes the verdict.
func setWinner(c *Comparison) error {
	var ranked []*CompareRow
	for i := range c.Runs {
		if c.Runs[i].MonthlyTotalUSD != nil {
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
	sort.SliceStable(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if *a.MonthlyTotalUSD != *b.MonthlyTotalUSD {
			return *a.MonthlyTotalUSD < *b.MonthlyTotalUSD
		}
		return a.UnitCostPerMillionUSD != nil && (b.UnitCostPerMillionUSD == nil || *a.UnitCostPerMillionUSD < *b.UnitCostPerMillionUSD)
	})
	win := ranked[0]
	c.Winner = &Winner{Run: win.Run, Hardware: win.Hardware, Kind: win.CheapestKind, Instance: win.CheapestInstance,
		MonthlyTotalUSD: *win.MonthlyTotalUSD, UnitCostPerMillionUSD: win.UnitCostPerMillionUSD}
	volume := c.volumeWords() + " at " + c.SLO
	if len(ranked) == 1 {
		c.Verdict = fmt.Sprintf("Only %s (%s) is priced at %s: %s a month all-in (%s) for %s.%s",
			win.Hardware, win.Run, c.SLO, usd(*win.MonthlyTotalUSD), servedOn(win), volume, fullUseWords([]*CompareRow{win}))
		return nil
	}
	second := ranked[1]
	c.Winner.MarginPercent = ptr(MarginPercent(*win.MonthlyTotalUSD, *second.MonthlyTotalUSD))
	c.Verdict = fmt.Sprintf("%s (%s) is the cheaper way to serve %s: %s a month all-in (%s), against %s for %s (%s), %.1f%% more.%s",
		win.Hardware, win.Run, volume, usd(*win.MonthlyTotalUSD), servedOn(win), usd(*second.MonthlyTotalUSD),
		second.Hardware, servedOn(second), *c.Winner.MarginPercent, fullUseWords(ranked))
	return nil
}

// volumeWords says the month compared: "10,000,000 inferences a month",
// or for LLM runs "10,000,000 requests (1,000,000,000 output tokens) a
// month" (the tokens when every run's month has as many).
func (c *Comparison) volumeWords() string {
	if c.Unit != result.UnitOutputToken {
		return count(c.Workload.MonthlyInferences) + " inferences a month"
	}
	var t *TokenWorkload
	same := true
	for _, r := range c.Runs {
		if r.Tokens == nil {
			continue
		}
		if t != nil && r.Tokens.MonthlyOutputTokens != t.MonthlyOutputTokens {
			same = false
		}
		if t == nil {
			t = r.Tokens
		}
	}
	if t == nil {
		return count(c.Workload.MonthlyInferences) + " requests a month"
	}
	if !same {
		return count(t.MonthlyRequests) + " requests a month"
	}
	return fmt.Sprintf("%s requests (%s output tokens) a month", count(t.MonthlyRequests), count(t.MonthlyOutputTokens))
}

// servedOn says how a row's workload is served: "dedicated on 2 x g5.xlarge".
func servedOn(r *CompareRow) string {
	s := r.CheapestKind + " on " + r.CheapestInstance
	if r.CheapestInstances > 0 {
		s = fmt.Sprintf("%s on %d x %s", r.CheapestKind, r.CheapestInstances, r.CheapestInstance)
	}
	if r.UtilizationPercent != nil {
		s += fmt.Sprintf(", %s of the capacity paid for in use", utilWords(*r.UtilizationPercent))
	}
	return s
}

// fullUseWords states the rows' cost per million at full utilisation, the
// figure the bill approaches only when the capacity paid for is used.
func fullUseWords(rows []*CompareRow) string {
	var parts []string
	for _, r := range rows {
		if r.UnitCostPerMillionUSD != nil {
			parts = append(parts, fmt.Sprintf("%s %s on %s", r.Hardware, perMillion(r.UnitCostPerMillionUSD), r.FullUseInstance))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	what := "Per million"
	if rows[0].Tokens != nil {
		what = "Per million output tokens (" + AttributionRule[:strings.Index(AttributionRule, ":")] + ")"
	}
	return " " + what + " at full utilisation: " + strings.Join(parts, ", ") + "."
}

// utilWords prints a utilisation percentage with the digits it needs.
func utilWords(p float64) string {
	if p >= 10 {
		return fmt.Sprintf("%.0f%%", p)
	}
	return fmt.Sprintf("%.2g%%", p)
}

// compareNoCapacity is "no run meets the SLO" (exit 4).
type compareNoCapacity struct{ msg string }

func (e *compareNoCapacity) Error() string        { return e.msg }
func (e *compareNoCapacity) Is(target error) bool { return target == ErrNoCapacity }
