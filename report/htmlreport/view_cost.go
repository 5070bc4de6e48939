package htmlreport

import (
	"fmt"
	"strings"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/cost"
)

// costView is a run's cost section: what `infercost cost RUN` prints, as
// tables, with the cost per million by instance as a chart.
type costView struct {
	Lines     []string
	Chart     *Chart
	Instances table
	Options   table
	Cheapest  string
	TCOTitle  string
	TCO       table
	TCONote   string
	Energy    string
	Crossover string
	Levers    table
	Prices    table
	Notes     []string
}

func costSection(id string, e *cost.Estimate) *costView {
	if e == nil {
		return nil
	}
	v := &costView{Crossover: e.CrossoverNote, Notes: e.Notes}
	w := e.Workload
	month := answer.Rate(w.MonthlyInferences) + " inferences a month"
	if t := e.Tokens; t != nil {
		month = fmt.Sprintf("%s requests a month (%s output tokens, %s input tokens)", answer.Rate(t.MonthlyRequests), answer.Rate(t.MonthlyOutputTokens), answer.Rate(t.MonthlyInputTokens))
	}
	v.Lines = append(v.Lines, fmt.Sprintf("Workload: %s (average %s/s, peak %s/s), headroom %g, min replicas %d, %s prices.",
		month, answer.Rate(e.AverageRatePerS), answer.Rate(e.PeakRatePerS), w.Headroom, w.MinReplicas, e.Pricing))
	if len(e.DefaultsUsed) > 0 {
		v.Lines = append(v.Lines, "Defaults used: "+strings.Join(e.DefaultsUsed, ", ")+".")
	}
	if e.Tokens != nil {
		v.Lines = append(v.Lines, "Per-token figures: "+cost.AttributionRule+".")
	}
	if c, ok := costChart(id, e); ok {
		v.Chart = &c
	}
	v.Instances = instanceTable(e)
	v.Options, v.Cheapest = optionTable(e)
	if t := e.TCO; t != nil {
		v.TCOTitle = fmt.Sprintf("TCO a month: %s on %s (%s)", t.Kind, t.Instance, orDash(t.Provider))
		lines := []struct {
			name, key string
			usd       float64
		}{{"compute", "compute", t.ComputeUSD}, {"storage", "storage", t.StorageUSD}, {"transfer", "transfer", t.TransferUSD},
			{"monitoring", "monitoring", t.MonitoringUSD}, {"A/B (canary)", "ab", t.ABUSD}, {"operations overhead", "overhead", t.OverheadUSD}, {"buffer", "buffer", t.BufferUSD}}
		var rows [][]string
		for _, l := range lines {
			rows = append(rows, []string{l.name, answer.USD(l.usd), fmt.Sprintf("%.1f%%", t.Shares[l.key]*100)})
		}
		rows = append(rows, []string{"total", answer.USD(t.TotalUSD), "100.0%"})
		v.TCO = newTable([]string{"line", "USD a month", "share"}, rows)
		if len(t.Missing) > 0 {
			v.TCONote = "Left out (no price data): " + strings.Join(t.Missing, "; ") + "."
		}
	}
	if en := e.Energy; en != nil && (en.JoulesPerUnit != nil || en.KWhPriceUSD != nil) {
		v.Energy = en.Note
		if en.MonthlyUSD != nil {
			v.Energy = answer.USD(*en.MonthlyUSD) + " a month: " + en.Note
		}
	}
	v.Levers = leverTable(e)
	v.Prices = priceTable(e.Prices)
	return v
}

func instanceTable(e *cost.Estimate) table {
	head := []string{"instance", "provider", "hardware", "capacity/s", "$/hour", "$/million " + unitShort(e.Unit), "replicas", "instances", "compute/month", "fits", "note"}
	var rows [][]string
	for _, r := range e.Instances {
		hw := fmt.Sprintf("%d vCPU", r.VCPU)
		if r.Kind == cost.KindGPU {
			hw = fmt.Sprintf("%d x %s", r.GPUCount, r.GPU)
		}
		capS := answer.Rate(r.CapacityInferencesPerS)
		if r.CapacityEstimated {
			capS += " (est.)"
		}
		hour, reps, insts := "-", "-", "-"
		if r.USDPerHour != nil {
			hour = fmt.Sprintf("$%g", *r.USDPerHour)
		}
		if r.MonthlyComputeUSD != nil {
			reps, insts = fmt.Sprint(r.Replicas), fmt.Sprint(r.Instances)
		}
		fit := "yes"
		switch {
		case !r.Fits:
			fit = "NO"
		case !r.FitChecked:
			fit = "unchecked"
		}
		rows = append(rows, []string{r.Name, r.Provider, hw, capS, hour, perMillion(r.UnitCostPerMillionUSD), reps, insts, usd(r.MonthlyComputeUSD), fit, orDash(r.Note)})
	}
	return newTable(head, rows)
}

func optionTable(e *cost.Estimate) (table, string) {
	var rows [][]string
	for _, o := range e.Options {
		text := o.Detail
		if !o.Applicable {
			text = o.Reason
		}
		per := "-"
		if o.CostPerInferenceUSD != nil {
			per = fmt.Sprintf("$%.4g", *o.CostPerInferenceUSD)
		}
		if e.Tokens != nil {
			per = perMillion(o.USDPerMillionOutputTokens)
		}
		rows = append(rows, []string{o.Kind, orDash(o.Instance), usd(o.MonthlyTotalUSD), per, text})
	}
	unit := "$/inference"
	if e.Tokens != nil {
		unit = "$/M output tokens"
	}
	cheapest := "No option could be priced."
	if c := e.Cheapest; c != nil {
		cheapest = fmt.Sprintf("Cheapest: %s on %s at %s a month", c.Kind, c.Instance, answer.USD(c.MonthlyTotalUSD))
		if c.MarginPercent != nil {
			cheapest += fmt.Sprintf("; the runner-up (%s) costs %.1f%% more.", c.RunnerUpKind, *c.MarginPercent)
		} else {
			cheapest += " (no other option applies)."
		}
	}
	return newTable([]string{"option", "on", "$/month", unit, "how (or why not)"}, rows), cheapest
}

func leverTable(e *cost.Estimate) table {
	var rows [][]string
	for _, l := range e.Levers {
		text := l.Note
		if l.Verdict != "" {
			text = l.Verdict + ". " + l.Note
		}
		rows = append(rows, []string{l.Name, orDash(l.Instance), usd(l.MonthlySavingUSD), pct(l.SavingPercent), pct(l.UnitSavingPercent), orDash(l.RuleOfThumb), text})
	}
	per := "per inference"
	if e.Tokens != nil {
		per = "per output token"
	}
	return newTable([]string{"lever", "on", "saves/month", "saving %", per, "rule of thumb", "what was measured"}, rows)
}

// priceTable lists every price used with its source and date. Sources are
// text, never links: a report opens offline and loads nothing.
func priceTable(prices []cost.PriceRef) table {
	var rows [][]string
	for _, p := range prices {
		rows = append(rows, []string{p.Section, p.Row, p.Field, fmt.Sprintf("%g", p.USD), p.SourceDate, orDash(strings.Join(p.Flags(), ", ")), p.Source})
	}
	return newTable([]string{"catalog section", "row", "price", "USD", "date", "flags", "source"}, rows)
}

func unitShort(unit string) string {
	if unit == "output_token" {
		return "output tokens"
	}
	return "inferences"
}

func perMillion(v *float64) string {
	if v == nil {
		return "-"
	}
	return answer.PerMillion(*v)
}

func usd(v *float64) string {
	if v == nil {
		return "-"
	}
	return answer.USD(*v)
}

func pct(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", *v)
}
