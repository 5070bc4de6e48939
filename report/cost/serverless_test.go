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
