package cost

import (
	"fmt"
	"io"
	"strings"

	"github.com/infercost/infercost/result"
)

// RenderComparison writes a comparison as a terminal table, Markdown or
// JSON.
func RenderComparison(w io.Writer, c *Comparison, format string) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	if format == FormatJSON {
		return writeJSON(w, c)
	}
	d := &doc{}
	d.heading(fmt.Sprintf("Compare at %s", c.SLO))
	wl := c.Workload
	d.para("Model %q; workload %s, headroom %g, min replicas %d, %s prices.", c.Model, c.volumeWords(), wl.Headroom, wl.MinReplicas, c.Pricing)
	if len(c.DefaultsUsed) > 0 {
		d.para("Defaults used: %s.", strings.Join(c.DefaultsUsed, ", "))
	}
	rows := [][]string{}
	for _, r := range c.Runs {
		if r.CapacityInferencesPerS == nil {
			rows = append(rows, []string{r.Run, orDash(r.Hardware), "-", "-", "-", "-", "-", "-", "-"})
			continue
		}
		way, use := "-", "-"
		if r.CheapestKind != "" {
			way = r.CheapestKind + ", " + r.CheapestInstance
			if r.CheapestInstances > 0 {
				way = fmt.Sprintf("%s, %d x %s", r.CheapestKind, r.CheapestInstances, r.CheapestInstance)
			}
		}
		if r.UtilizationPercent != nil {
			use = utilWords(*r.UtilizationPercent)
		} else if r.CheapestKind == OptionServerless {
			use = "per use"
		}
		full := perMillion(r.UnitCostPerMillionUSD)
		if r.FullUseInstance != "" {
			full += " (" + r.FullUseInstance + ")"
		}
		load := fmt.Sprint(r.BestBatchSize)
		if c.Unit == result.UnitOutputToken {
			load = fmt.Sprint(r.Concurrency)
		}
		rows = append(rows, []string{r.Run, r.Hardware, load, rate(*r.CapacityInferencesPerS),
			fmt.Sprintf("%.4g", *r.P95MSAtCapacity), way, usdPtr(r.MonthlyTotalUSD), use, full})
	}
	head := []string{"RUN", "HARDWARE", "BEST BATCH", "CAPACITY/S", "P95 MS", "CHEAPEST WAY TO SERVE IT", "ALL-IN/MONTH", "IN USE", "$/MILLION AT FULL USE"}
	if c.Unit == result.UnitOutputToken {
		head[2], head[3], head[8] = "CONCURRENCY", "OUT TOKENS/S", "$/M OUT TOKENS AT FULL USE"
	}
	d.table(head, rows)
	d.para("ALL-IN/MONTH is this workload served the cheapest way (the choice infercost cost makes), with storage, transfer, monitoring, overhead and buffer; IN USE is its average rate over the capacity that option pays for. %s is the instance cheapest per million if all it pays for were used.", head[8])
	if c.Unit == result.UnitOutputToken {
		d.para("Per-token figures: %s.", AttributionRule)
	}
	var energy []string
	for _, r := range c.Runs {
		if en := r.Energy; en != nil && en.MonthlyUSD != nil {
			energy = append(energy, fmt.Sprintf("%s: %s a month for %.4g kWh (%.4g J per %s x PUE %g)", r.Run, usd(*en.MonthlyUSD), *en.KWhPerMonth, *en.JoulesPerUnit, unitWord(en.Unit), en.PUE))
		}
	}
	if len(energy) > 0 {
		d.para("Electricity on premises (--kwh-price; apart from the cloud months above, which include their electricity):")
		d.list(energy)
	}
	var missing []string
	for _, r := range c.Runs {
		if r.Note != "" {
			missing = append(missing, r.Run+": "+r.Note)
		}
	}
	if len(missing) > 0 {
		d.list(missing)
	}
	d.heading("Cost per million on each matching instance")
	rows = [][]string{}
	for _, r := range c.Runs {
		for _, ic := range r.Instances {
			fit := ""
			if !ic.Fits {
				fit = "does not fit"
			}
			rows = append(rows, []string{r.Run, ic.Name, instanceHardware(ic), perMillion(ic.UnitCostPerMillionUSD),
				usdPtr(ic.MonthlyComputeUSD), orDash(joinNotes(fit, ic.Note))})
		}
	}
	if len(rows) > 0 {
		d.table([]string{"RUN", "INSTANCE", "HARDWARE", "$/MILLION", "COMPUTE/MONTH", "NOTE"}, rows)
	}
	d.heading("Verdict")
	d.para("%s", c.Verdict)
	priceTable(d, c.Prices)
	if len(c.Notes) > 0 {
		d.heading("Notes")
		d.list(c.Notes)
	}
	return d.write(w, format)
}

// unitWordOf names one unit: "inference" or "output token".
func unitWord(unit string) string {
	if unit == result.UnitOutputToken {
		return "output token"
	}
	return "inference"
}
