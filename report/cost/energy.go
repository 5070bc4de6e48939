package cost

import (
	"fmt"

	"github.com/infercost/infercost/result"
)

// The energy line prices the electricity the measured work takes, for an
// on-premises TCO: the GPUs' board power at the capacity step (joules per
// inference, or per output token), scaled by PUE, over the month's units.
// It is a line of its own: cloud prices include their electricity, so it
// is never added to them.

// EnergyLine is a month's electricity for the work.
type EnergyLine struct {
	// Unit is what JoulesPerUnit is per: inference or output_token.
	Unit string `json:"unit"`
	// JoulesPerUnit is the capacity step's (null: no power measured);
	// Source where the power was read ("nvml", "scrape:NAME").
	JoulesPerUnit *float64 `json:"joules_per_unit"`
	Source        string   `json:"source"`
	GPUs          int      `json:"gpus"`
	// PUE and KWhPriceUSD as given (--pue, --kwh-price; null price: none).
	PUE         float64  `json:"pue"`
	KWhPriceUSD *float64 `json:"kwh_price_usd"`
	// KWhPerMonth = units x joules per unit x PUE / 3.6e6; MonthlyUSD =
	// KWhPerMonth x the kWh price.
	KWhPerMonth *float64 `json:"kwh_per_month"`
	MonthlyUSD  *float64 `json:"monthly_usd"`
	Note        string   `json:"note"`
}

// runEnergy reads the capacity step's energy per unit of the run's work.
func runEnergy(st *result.Step, unit string) *UnitEnergy {
	en := st.Energy
	if en == nil {
		return nil
	}
	j := en.JoulesPerInference
	if unit == result.UnitOutputToken {
		j = en.JoulesPerOutputToken
	}
	if j == nil {
		return nil
	}
	return &UnitEnergy{JoulesPerUnit: *j, Source: en.Source, GPUs: en.GPUs}
}

// energyLine prices the month's electricity, or says what it lacks.
func energyLine(in Input, unit string) *EnergyLine {
	w := in.Workload
	l := &EnergyLine{Unit: unit, PUE: w.PUE}
	if l.PUE == 0 {
		l.PUE = 1
	}
	if w.KWhPriceUSD > 0 {
		l.KWhPriceUSD = ptr(w.KWhPriceUSD)
	}
	if in.Energy == nil {
		l.Note = "no energy data: the capacity step has no GPU power readings (run.json energy is null), so there is no electricity line"
		if in.SLO == nil {
			l.Note = "no energy data: a capacity given by hand carries none (price a run whose steps read GPU power)"
		}
		return l
	}
	l.JoulesPerUnit, l.Source, l.GPUs = ptr(in.Energy.JoulesPerUnit), in.Energy.Source, in.Energy.GPUs
	kwh := EnergyKWh(in.volume(), in.Energy.JoulesPerUnit, l.PUE)
	l.KWhPerMonth = ptr(kwh)
	basis := fmt.Sprintf("%s %s a month x %.4g J (the GPUs' board power at the capacity step, %s) x PUE %g / 3.6e6 = %.4g kWh",
		count(in.volume()), result.UnitWords(unit), in.Energy.JoulesPerUnit, in.Energy.Source, l.PUE, kwh)
	if l.KWhPriceUSD == nil {
		l.Note = basis + "; give --kwh-price to price it. An on-premises line: not in the cloud prices above"
		return l
	}
	l.MonthlyUSD = ptr(kwh * w.KWhPriceUSD)
	l.Note = fmt.Sprintf("%s x $%g = %s; the work's energy only (idle replicas and the rest of the host draw power too); an on-premises line, not in the cloud prices above, which include their electricity",
		basis, w.KWhPriceUSD, usd(*l.MonthlyUSD))
	if l.PUE == 1 {
		l.Note += "; PUE 1 counts the GPUs alone (no cooling or power delivery): give --pue for your facility"
	}
	return l
}
