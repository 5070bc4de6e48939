package cost

import (
	"errors"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestEnergyFormulaHandWorked(t *testing.T) {
	// 1e9 output tokens at 0.9375 J each: 9.375e8 J = 260.4167 kWh.
	if got := EnergyKWh(1e9, 0.9375, 1); !near(got, 260.41666666666667, 1e-9) {
		t.Errorf("EnergyKWh = %.10g", got)
	}
	// PUE 1.5 on 1e7 inferences of 3.6 J: 36e6 J x 1.5 / 3.6e6 = 15 kWh.
	if got := EnergyKWh(1e7, 3.6, 1.5); !near(got, 15, 1e-12) {
		t.Errorf("EnergyKWh with PUE = %g", got)
	}
}

func energyOpts(t *testing.T, slo string, kv ...string) RunOptions {
	o := runOpts(t, slo)
	for i := 0; i+1 < len(kv); i += 2 {
		if err := o.Workload.Set(kv[i], kv[i+1], "flag"); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func TestEnergyLine(t *testing.T) {
	// The LLM run's capacity step drew 150 W for 160 output tokens/s:
	// 0.9375 J a token. 1e9 tokens x 0.9375 J x PUE 1.4 / 3.6e6 = 364.58
	// kWh, at $0.10 a kWh $36.46.
	run := readGolden(t, "llm-a10g-sweep")
	plain, err := CostRun(run, runOpts(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	e, err := CostRun(run, energyOpts(t, "", "kwh_price", "0.10", "pue", "1.4"))
	if err != nil {
		t.Fatal(err)
	}
	en := e.Energy
	if en == nil || en.JoulesPerUnit == nil || *en.JoulesPerUnit != 0.9375 || en.PUE != 1.4 || *en.KWhPriceUSD != 0.10 || en.Source != "nvml" ||
		!near(*en.KWhPerMonth, 1e9*0.9375*1.4/3.6e6, 1e-9) || !near(*en.MonthlyUSD, 1e9*0.9375*1.4/3.6e6*0.10, 1e-9) {
		t.Fatalf("energy line %+v", en)
	}
	// Never mixed into the cloud prices.
	if e.TCO.TotalUSD != plain.TCO.TotalUSD || e.Cheapest.MonthlyTotalUSD != plain.Cheapest.MonthlyTotalUSD {
		t.Errorf("the energy line changed the cloud TCO: %v vs %v", e.TCO.TotalUSD, plain.TCO.TotalUSD)
	}
	if !strings.Contains(en.Note, "not in the cloud prices") {
		t.Errorf("note %q", en.Note)
	}
	// Without a price: the kWh, and what is missing.
	if en := plain.Energy; en.MonthlyUSD != nil || en.KWhPerMonth == nil || !strings.Contains(en.Note, "--kwh-price") || en.PUE != 1 {
		t.Errorf("no price: %+v", en)
	}
	// A KServe run with an energy figure: 150 W at 800/s, 0.1875 J an
	// inference; 1e7 x 0.1875 / 3.6e6 x $0.12.
	a10g := readGolden(t, "a10g-sweep")
	a10g.Steps[8].Energy = &result.Energy{Source: "nvml", GPUs: 1, PowerWattsMean: 150, Joules: 4500, JoulesPerInference: ptr(0.1875)}
	e, err = CostRun(a10g, energyOpts(t, "p95=50ms", "kwh_price", "0.12"))
	if err != nil {
		t.Fatal(err)
	}
	if en := e.Energy; en.MonthlyUSD == nil || !near(*en.MonthlyUSD, 1e7*0.1875/3.6e6*0.12, 1e-12) || en.Unit != result.UnitInference {
		t.Errorf("KServe energy %+v", en)
	}
	// Absent energy data: the line says so.
	e, err = CostRun(readGolden(t, "a10g-sweep"), energyOpts(t, "p95=50ms", "kwh_price", "0.12"))
	if err != nil {
		t.Fatal(err)
	}
	if en := e.Energy; en.MonthlyUSD != nil || en.JoulesPerUnit != nil || !strings.Contains(en.Note, "no energy data") {
		t.Errorf("no energy data: %+v", en)
	}
	// A PUE below 1 is refused.
	w := DefaultWorkload()
	if err := w.Set("pue", "0.9", "flag"); err == nil || !strings.Contains(err.Error(), "--pue") {
		t.Errorf("PUE 0.9: %v", err)
	}
	if err := w.Set("kwh_price", "-1", "flag"); err == nil {
		t.Error("a negative kWh price accepted")
	}
	_, err = Compute(Input{Catalog: defaultCatalog(t), Workload: energyOpts(t, "", "kwh_price", "0.1").Workload, Now: today, CapacityPerS: 10, Hardware: Hardware{Kind: HardwareAny}})
	if errors.Is(err, ErrInput) {
		t.Errorf("a kWh price on a capacity given by hand: %v", err)
	}
}
