package cost

import (
	"fmt"
	"io"
	"strings"
)

// RenderEstimate writes an estimate as a terminal table, Markdown or JSON.
func RenderEstimate(w io.Writer, e *Estimate, format string) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	if format == FormatJSON {
		return writeJSON(w, e)
	}
	d := &doc{}
	estimateHeader(d, e)
	instanceTable(d, e)
	optionTable(d, e)
	tcoTable(d, e)
	energySection(d, e.Energy)
	d.heading("Crossover (serverless vs dedicated)")
	d.para("%s", e.CrossoverNote)
	leverTable(d, e.Levers, e.Tokens != nil)
	priceTable(d, e.Prices)
	if len(e.Notes) > 0 {
		d.heading("Notes")
		d.list(e.Notes)
	}
	return d.write(w, format)
}

func estimateHeader(d *doc, e *Estimate) {
	w := e.Workload
	if e.Run != nil && e.Tokens != nil {
		d.heading("Cost of " + *e.Run)
		cs, t := e.CapacitySource, e.Tokens
		d.para("Capacity: %s output tokens/s per replica (%s requests/s, %s input tokens/s) on %s at %s: step %d %q, concurrency %d, p95 %.4g ms end to end.",
			rate(e.CapacityInferencesPerS), rate(t.CapacityRequestsPerS), rate(t.CapacityInputTokensPerS), orDash(e.Hardware.Name), e.SLO, cs.Number, cs.StepName, cs.Concurrency, cs.P95MS)
	} else if e.Run != nil {
		d.heading("Cost of " + *e.Run)
		cs := e.CapacitySource
		d.para("Capacity: %s inferences/s per replica on %s at %s: step %d %q, batch %d (%s), p95 %.3g ms.",
			rate(e.CapacityInferencesPerS), orDash(e.Hardware.Name), e.SLO, cs.Number, cs.StepName, cs.BatchSize, batchFromWords(cs.BatchFrom), cs.P95MS)
	} else {
		d.heading(fmt.Sprintf("Cost at %s inferences/s per replica", rate(e.CapacityInferencesPerS)))
		d.para("Capacity: %s inferences/s per replica, as given (per GPU on GPU instances, per instance on CPU ones).", rate(e.CapacityInferencesPerS))
	}
	shape := fmt.Sprintf("peak-to-average %g", w.PeakToAverage)
	if len(w.HourlyProfile) > 0 {
		shape = "hourly profile"
		if w.Autoscale {
			shape += ", autoscaled"
		}
	}
	month := count(w.MonthlyInferences) + " inferences a month"
	if e.Tokens != nil {
		month = tokenMonthWords(e.Tokens)
	}
	d.para("Workload: %s (average %s/s, peak %s/s; %s), headroom %g, min replicas %d, %s prices.",
		month, rate(e.AverageRatePerS), rate(e.PeakRatePerS), shape, w.Headroom, w.MinReplicas, e.Pricing)
	if len(e.DefaultsUsed) > 0 {
		d.para("Defaults used: %s.", strings.Join(e.DefaultsUsed, ", "))
	}
	if e.Tokens != nil {
		d.para("Per-token figures: %s.", AttributionRule)
	}
}

func batchFromWords(s string) string {
	switch s {
	case "flag":
		return "from --batch"
	case "sweep":
		return "the sweep's best batch"
	}
	return "the best batch"
}

func instanceTable(d *doc, e *Estimate) {
	d.heading("Instances")
	if len(e.Instances) == 0 {
		d.para("No price data: the catalog lists no instance with %s.", hardwareWords(e.Hardware))
		return
	}
	rows := [][]string{}
	for _, r := range e.Instances {
		hw := instanceHardware(r)
		capS := rate(r.CapacityInferencesPerS)
		if r.CapacityEstimated {
			capS += " (est.)"
		}
		fit := "yes"
		switch {
		case !r.Fits:
			fit = "NO"
		case !r.FitChecked:
			fit = "unchecked"
		}
		hour := "-"
		if r.USDPerHour != nil {
			hour = fmt.Sprintf("$%g", *r.USDPerHour)
		}
		reps, insts := "-", "-"
		if r.MonthlyComputeUSD != nil {
			reps, insts = fmt.Sprint(r.Replicas), fmt.Sprint(r.Instances)
		}
		row := []string{r.Name, r.Provider, hw, capS, hour, perMillion(r.UnitCostPerMillionUSD)}
		if e.Tokens != nil {
			row = append(row, perMillion(r.USDPerMillionTokens), perMillion(r.USDPer1kRequests))
		}
		rows = append(rows, append(row, reps, insts, usdPtr(r.MonthlyComputeUSD), fit, orDash(r.Note)))
	}
	head := []string{"INSTANCE", "PROVIDER", "HARDWARE", "CAPACITY/S", "$/HOUR", "$/MILLION"}
	if e.Tokens != nil {
		head = []string{"INSTANCE", "PROVIDER", "HARDWARE", "OUT TOKENS/S", "$/HOUR", "$/M OUT TOKENS", "$/M TOKENS", "$/1K REQUESTS"}
	}
	d.table(append(head, "REPLICAS", "INSTANCES", "COMPUTE/MONTH", "FITS", "NOTE"), rows)
}

func optionTable(d *doc, e *Estimate) {
	d.heading("Deployment options")
	rows := [][]string{}
	for _, o := range e.Options {
		text := o.Detail
		if !o.Applicable {
			text = o.Reason
		}
		unit := perInference(o.CostPerInferenceUSD)
		if e.Tokens != nil {
			unit = perMillion(o.USDPerMillionOutputTokens)
		}
		rows = append(rows, []string{o.Kind, orDash(o.Instance), usdPtr(o.MonthlyTotalUSD), unit, text})
	}
	unitHead := "$/INFERENCE"
	if e.Tokens != nil {
		unitHead = "$/M OUT TOKENS"
	}
	d.table([]string{"OPTION", "ON", "$/MONTH", unitHead, "HOW (OR WHY NOT)"}, rows)
	if c := e.Cheapest; c != nil {
		per := ""
		if e.Tokens != nil {
			per = fmt.Sprintf(" (%s per million output tokens, %s per million tokens, %s per 1k requests)",
				perMillion(c.USDPerMillionOutputTokens), perMillion(c.USDPerMillionTokens), perMillion(c.USDPer1kRequests))
		}
		if c.MarginPercent != nil {
			d.para("Cheapest: %s on %s at %s a month%s; the runner-up (%s) costs %s more.", c.Kind, c.Instance, usd(c.MonthlyTotalUSD), per, c.RunnerUpKind, pct(*c.MarginPercent))
		} else {
			d.para("Cheapest: %s on %s at %s a month%s (no other option applies).", c.Kind, c.Instance, usd(c.MonthlyTotalUSD), per)
		}
	} else {
		d.para("No option could be priced.")
	}
}

func tcoTable(d *doc, e *Estimate) {
	t := e.TCO
	if t == nil {
		return
	}
	d.heading(fmt.Sprintf("TCO a month (%s on %s, %s)", t.Kind, t.Instance, t.Provider))
	lines := []struct {
		name, key string
		v         float64
	}{
		{"compute", "compute", t.ComputeUSD}, {"storage", "storage", t.StorageUSD}, {"transfer", "transfer", t.TransferUSD},
		{"monitoring", "monitoring", t.MonitoringUSD}, {"A/B (canary)", "ab", t.ABUSD}, {"operations overhead", "overhead", t.OverheadUSD},
		{"buffer", "buffer", t.BufferUSD},
	}
	rows := [][]string{}
	for _, l := range lines {
		rows = append(rows, []string{l.name, usd(l.v), pct(t.Shares[l.key] * 100)})
	}
	rows = append(rows, []string{"total", usd(t.TotalUSD), "100.0%"})
	d.table([]string{"LINE", "USD", "SHARE"}, rows)
	if len(t.Missing) > 0 {
		d.para("Left out (no price data): %s.", strings.Join(t.Missing, "; "))
	}
}

// energySection prints the on-premises electricity line, apart from the
// cloud TCO, when the run measured energy or a kWh price was given.
func energySection(d *doc, l *EnergyLine) {
	if l == nil || (l.JoulesPerUnit == nil && l.KWhPriceUSD == nil) {
		return
	}
	d.heading("Electricity (on-premises; not in the cloud prices above)")
	if l.MonthlyUSD != nil {
		d.para("%s a month: %s.", usd(*l.MonthlyUSD), l.Note)
		return
	}
	d.para("%s.", l.Note)
}

func leverTable(d *doc, levers []Lever, tokens bool) {
	if len(levers) == 0 {
		return
	}
	d.heading("Levers")
	rows := [][]string{}
	for _, l := range levers {
		text := l.Note
		if l.Verdict != "" {
			text = l.Verdict + ". " + l.Note
		}
		rows = append(rows, []string{l.Name, orDash(l.Instance), usdPtr(l.MonthlySavingUSD), pctPtr(l.SavingPercent),
			pctPtr(l.UnitSavingPercent), orDash(l.RuleOfThumb), text})
	}
	per := "PER INFERENCE"
	if tokens {
		per = "PER OUTPUT TOKEN"
	}
	d.table([]string{"LEVER", "ON", "SAVES/MONTH", "SAVING %", per, "RULE OF THUMB", "WHAT WAS MEASURED"}, rows)
}

func priceTable(d *doc, prices []PriceRef) {
	if len(prices) == 0 {
		return
	}
	d.heading("Prices used")
	rows := [][]string{}
	for _, p := range prices {
		rows = append(rows, []string{p.Row, p.Field, fmt.Sprintf("%g", p.USD), p.SourceDate, orDash(strings.Join(p.Flags(), ", ")), p.Source})
	}
	d.table([]string{"ROW", "PRICE", "USD", "DATE", "FLAGS", "SOURCE"}, rows)
}

// instanceHardware says what an instance carries: "8 x NVIDIA A100-SXM4-40GB" or "4 vCPU".
func instanceHardware(r InstanceCost) string {
	if r.Kind == KindGPU {
		return fmt.Sprintf("%d x %s", r.GPUCount, r.GPU)
	}
	if r.VCPU == 0 {
		return "? vCPU"
	}
	return fmt.Sprintf("%d vCPU", r.VCPU)
}
