package answer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
)

func opts(t *testing.T) Options {
	t.Helper()
	o, err := Defaults(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func read(t *testing.T, name string) *result.Run {
	t.Helper()
	r, err := result.Read("../../testdata/runs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The answer is the cost engine's: the same capacity step, the instance
// first by cost per million, the cheapest option and its all-in month.
func TestTheAnswerIsTheCostEnginesAnswer(t *testing.T) {
	run := read(t, "a10g-sweep")
	o := opts(t)
	a := For(run, "a10g", o)
	e, err := cost.CostRun(run, cost.RunOptions{Catalog: o.Catalog, Workload: o.Workload, Now: o.Now, MaxErrorRate: -1, CacheHitRate: 0.2, RunName: "a10g"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.HasCapacity || a.BatchSize != 8 || a.CapacityPerS != e.CapacityInferencesPerS || a.Step != e.CapacitySource.Number {
		t.Errorf("capacity: %+v", a)
	}
	if a.CostPerMillionUSD == nil || *a.CostPerMillionUSD != *e.Instances[0].UnitCostPerMillionUSD || a.FullUseInstance != e.Instances[0].Name {
		t.Errorf("cost per million %v on %s, engine %v on %s", a.CostPerMillionUSD, a.FullUseInstance, *e.Instances[0].UnitCostPerMillionUSD, e.Instances[0].Name)
	}
	if a.Cheapest() != e.Cheapest.Kind+" on "+e.Cheapest.Instance || *a.MonthlyTotalUSD != e.TCO.TotalUSD || a.NoAnswer != "" {
		t.Errorf("cheapest %q, month %v, no answer %q", a.Cheapest(), a.MonthlyTotalUSD, a.NoAnswer)
	}
	lines := strings.Join(a.Lines(), "\n")
	for _, want := range []string{"batch 8", "800 inferences/s", "$0.3493 on g5.xlarge", "dedicated on g5.xlarge"} {
		if !strings.Contains(lines, want) {
			t.Errorf("lines lack %q:\n%s", want, lines)
		}
	}
}

func TestAnLLMRunIsAnsweredPerOutputToken(t *testing.T) {
	// measured on a CPU host: the engine prices it on CPU instances
	a := For(read(t, "real-llm-sweep"), "llm", opts(t))
	if !a.HasCapacity || a.Load() != "concurrency 4" || a.CapacityPerS < 200 || a.CapacityPerS > 250 || a.SLO != "ttft_p95=250ms,itl_p95=30ms" {
		t.Errorf("real LLM sweep: %+v", a)
	}
	a = For(read(t, "llm-a10g-sweep"), "llm", opts(t))
	if !a.HasCapacity || a.Unit != result.UnitOutputToken || a.Load() != "concurrency 8" || a.CostPerMillionUSD == nil || a.FullUseInstance != "g5.xlarge" {
		t.Fatalf("answer %+v", a)
	}
	if l := strings.Join(a.Lines(), "\n"); !strings.Contains(l, "output tokens/s") || !strings.Contains(l, "million output tokens") {
		t.Errorf("lines:\n%s", l)
	}
}

// Every reason for no answer is words, never a failure.
func TestNoAnswerIsWords(t *testing.T) {
	o := opts(t)
	for _, tc := range []struct {
		run  string
		slo  string
		want string
		is   error
	}{
		{"cpu-profile", "", "records no SLO", cost.ErrInput},
		{"no-slo", "", "no step", cost.ErrNoCapacity},
		{"a10g-sweep", "p95=1ms", "no step", cost.ErrNoCapacity},
	} {
		oo := o
		if tc.slo != "" {
			oo.SLO, _ = result.ParseSLO(tc.slo)
		}
		a := For(read(t, tc.run), tc.run, oo)
		if a.HasCapacity || !strings.HasPrefix(a.NoAnswer, "no cost answer: ") || !strings.Contains(a.NoAnswer, tc.want) || !errors.Is(a.Err, tc.is) {
			t.Errorf("%s: %+v", tc.run, a)
		}
		if l := a.Lines(); len(l) != 1 || l[0] != a.NoAnswer {
			t.Errorf("%s: lines %q", tc.run, l)
		}
	}
	run := read(t, "a10g-sweep")
	run.Environment.GPUs = nil
	run.Environment.Hardware, run.Environment.HardwareSource = "Acme NPU 9000", "flag"
	run.Spec.HardwareUnpriced = true
	a := For(run, "unpriced", o)
	if !a.HasCapacity || a.CostPerMillionUSD != nil || !strings.Contains(a.NoAnswer, "nothing in the catalog is priced for Acme NPU 9000") {
		t.Errorf("unpriced hardware: %+v", a)
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{USD(1234567.891), "$1,234,567.89"}, {USD(2.5), "$2.50"}, {USD(-1000), "-$1,000.00"},
		{PerMillion(0.003), "$0.0030"}, {PerMillion(1234.5), "$1,234.50"},
		{Rate(44507.4), "44,507"}, {Rate(223.7), "224"}, {Rate(12.345), "12.35"}, {Num(4.391), "4.39"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
