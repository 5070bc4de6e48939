package cost

import (
	"strings"
	"testing"
)

func TestServerlessMustMeetTheSLO(t *testing.T) {
	// Batch-1 steps at p95 63-150 ms against p95=50ms: the batching lever
	// already said "no batch-1 step meets the SLO", and serverless, priced
	// from batch 1, must not be the cheapest.
	e, err := CostRun(readGolden(t, "cpu-slow-batch1"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	s := option(t, e, OptionServerless)
	if s.Applicable || s.Status != StatusNotApplicable || !strings.Contains(s.Reason, "no batch-1 step meets p95=50ms") {
		t.Errorf("serverless with slow batch-1 steps: %+v", s)
	}
	if e.Cheapest == nil || e.Cheapest.Kind == OptionServerless {
		t.Errorf("cheapest %+v", e.Cheapest)
	}
	if e.CrossoverMonthlyInferences != nil {
		t.Errorf("a crossover against a serverless option that breaks the SLO")
	}

	// Serverless is priced from the lightest batch-1 step that meets the
	// SLO: at p95=70ms only step 0 does (p95 63 ms, mean 30 ms).
	e, err = CostRun(readGolden(t, "cpu-slow-batch1"), runOpts(t, "p95=70ms"))
	if err != nil {
		t.Fatal(err)
	}
	if s := option(t, e, OptionServerless); !s.Applicable || e.LatencyMSBatch1 == nil || *e.LatencyMSBatch1 != 30 {
		t.Errorf("p95=70ms: serverless %+v at %v ms", s, e.LatencyMSBatch1)
	}
}

func TestServerlessColdStartsAgainstTheTail(t *testing.T) {
	for _, tc := range []struct {
		slo, share string
		applies    bool
	}{
		// 1% of requests wait a 2 s cold start: a p99 bound's tail is 1%.
		{"p99=20ms", "0.01", false},
		{"p99=20ms", "0.005", true},
		// A p95 bound's tail is 5%: 1% cold starts fit in it.
		{"p95=50ms", "0.01", true},
		{"p95=50ms", "0.05", false},
		// Cold starts shorter than the bound break nothing.
		{"p99=5s", "0.5", true},
	} {
		o := runOpts(t, tc.slo)
		if err := o.Workload.Set("cold_start_share", tc.share, "flag"); err != nil {
			t.Fatal(err)
		}
		e, err := CostRun(readGolden(t, "cpu-profile"), o)
		if err != nil {
			t.Fatal(err)
		}
		s := option(t, e, OptionServerless)
		if s.Applicable != tc.applies {
			t.Errorf("%s with %s cold starts: applicable %v, want %v (%s)", tc.slo, tc.share, s.Applicable, tc.applies, s.Reason)
		}
		if !tc.applies && (!strings.Contains(s.Reason, "cold start") || e.Cheapest.Kind == OptionServerless) {
			t.Errorf("%s with %s cold starts: reason %q, cheapest %s", tc.slo, tc.share, s.Reason, e.Cheapest.Kind)
		}
	}
}

func TestLambdaIsBilledAsLambdaBills(t *testing.T) {
	c := defaultCatalog(t)
	var lambda *Serverless
	for i := range c.Serverless {
		if c.Serverless[i].Name == "aws-lambda-x86" {
			lambda = &c.Serverless[i]
		}
	}
	if lambda == nil || lambda.MinMemoryMB != 128 || lambda.MemoryStepMB != 1 || lambda.DurationRoundingMS != 1 {
		t.Fatalf("aws-lambda-x86 row %+v: want 128 MB minimum, 1 MB steps, duration rounded up to 1 ms", lambda)
	}
	for _, f := range []string{"min_memory_mb", "memory_step_mb", "duration_rounding_ms", "max_memory_mb"} {
		if m, ok := lambda.PerField[f]; !ok || m.Source == "" {
			t.Errorf("aws-lambda-x86 %s has no source of its own", f)
		}
	}
	// 2.3 ms at 50e6 bytes (48 MB): billed 3 ms at 128 MB, and the 2 s
	// cold starts of 1% of requests. GB-s = (1e7 x 0.003 + 1e7 x 0.01 x 2)
	// x 128/1024 = 28,750.
	in := Input{Catalog: c, Workload: DefaultWorkload(), Now: today, CapacityPerS: 500, Hardware: Hardware{Kind: HardwareCPU, CPUs: 4, Arch: ArchX86},
		LatencyMS: 2.3, RSSBytes: 50e6}
	e, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	s := option(t, e, OptionServerless)
	want := 1e7/1e6*0.20 + 28750*0.0000166667
	if s.Instance != "aws-lambda-x86" || !near(*s.MonthlyTotalUSD, want, 1e-9) || !strings.Contains(s.Detail, "128 MB") || !strings.Contains(s.Detail, "3 ms billed") {
		t.Errorf("lambda %+v, want $%.6f", s, want)
	}
	if got := BilledMS(2.3, 1); got != 3 {
		t.Errorf("BilledMS(2.3, 1) = %g", got)
	}
	if got := BilledMS(2.3, 0); got != 2.3 {
		t.Errorf("BilledMS(2.3, 0) = %g (no rounding)", got)
	}
	if got := BilledMS(200, 100); got != 200 {
		t.Errorf("BilledMS(200, 100) = %g", got)
	}
}

func TestSpotLeverStaysWithTheProvider(t *testing.T) {
	// The CPU run is cheapest on AWS; no AWS CPU instance has a spot price.
	// Comparing AWS on-demand with GCP spot let the monitoring line vanish.
	e, err := CostRun(readGolden(t, "cpu-profile"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range e.Levers {
		if l.Name != LeverSpot {
			continue
		}
		base := defaultCatalog(t).FindInstance(option(t, e, OptionDedicated).Instance)
		if inst := defaultCatalog(t).FindInstance(l.Instance); inst == nil || inst.Provider != base.Provider {
			t.Errorf("spot lever on %q against %s (%s)", l.Instance, base.Name, base.Provider)
		}
		if l.MonthlySavingUSD != nil || !strings.Contains(l.Note, "no aws instance") {
			t.Errorf("spot lever %+v", l)
		}
	}
}
