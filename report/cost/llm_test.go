package cost

import (
	"errors"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestCostPerTokenHandWorked(t *testing.T) {
	e, err := CostRun(readGolden(t, "llm-a10g-sweep"), runOpts(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	// The run's own SLO (ttft_p95=500ms,itl_p95=60ms): concurrency 8 at
	// 160 output tokens/s (1.6 requests/s of 200 in and 100 out tokens);
	// concurrency 16 breaks TTFT.
	cs := e.CapacitySource
	if e.Unit != result.UnitOutputToken || cs.Step != 2 || cs.Concurrency != 8 || e.CapacityInferencesPerS != 160 {
		t.Fatalf("capacity: unit %s, step %d at concurrency %d, %g/s", e.Unit, cs.Step, cs.Concurrency, e.CapacityInferencesPerS)
	}
	tk := e.Tokens
	if tk == nil || tk.MonthlyRequests != 1e7 || tk.MonthlyOutputTokens != 1e9 || tk.MonthlyInputTokens != 2e9 || tk.From != "monthly" ||
		tk.CapacityRequestsPerS != 1.6 || tk.CapacityInputTokensPerS != 320 {
		t.Fatalf("token workload %+v", tk)
	}
	// g5.xlarge at $1.006/h, all of it charged to the tokens.
	g5 := instanceRow(t, e, "g5.xlarge")
	for _, c := range []struct {
		name      string
		got       *float64
		want, tol float64
	}{
		{"$/M output tokens", g5.USDPerMillionOutputTokens, 1.006 / (160 * 3600) * 1e6, 1e-12}, // 1.746528
		{"$/M tokens (in + out)", g5.USDPerMillionTokens, 1.006 / (480 * 3600) * 1e6, 1e-12},   // 0.582176
		{"$/1k requests", g5.USDPer1kRequests, 1.006 / (1.6 * 3600) * 1000, 1e-12},             // 0.174653
		{"$/million of the unit", g5.UnitCostPerMillionUSD, 1.006 / (160 * 3600) * 1e6, 1e-12},
	} {
		if c.got == nil || !near(*c.got, c.want, c.tol) {
			t.Errorf("g5.xlarge %s = %v, want %.6f", c.name, c.got, c.want)
		}
	}
	// 1e9 output tokens a month: peak 2 x 380.5 = 761.0/s over 160 x 0.7
	// is 6.8: seven replicas on seven g5.xlarge.
	if g5.Replicas != 7 || g5.Instances != 7 || !near(*g5.MonthlyComputeUSD, 7*1.006*730, 1e-9) {
		t.Errorf("g5.xlarge fleet %+v", g5)
	}
	ded := option(t, e, OptionDedicated)
	if ded.USDPerMillionOutputTokens == nil || !near(*ded.USDPerMillionOutputTokens, 7*1.006*730/1e9*1e6, 1e-9) ||
		!near(*ded.USDPer1kRequests, 7*1.006*730/1e7*1e3, 1e-9) || !near(*ded.USDPerMillionTokens, 7*1.006*730/3e9*1e6, 1e-9) {
		t.Errorf("dedicated per token %+v", ded)
	}
	if e.Cheapest.USDPerMillionOutputTokens == nil || !near(*e.Cheapest.USDPerMillionOutputTokens, *ded.USDPerMillionOutputTokens, 1e-12) {
		t.Errorf("cheapest %+v", e.Cheapest)
	}
	if s := option(t, e, OptionServerless); s.Applicable || !strings.Contains(s.Reason, "per-token serverless APIs are not priced yet") {
		t.Errorf("serverless on an LLM run: %+v", s)
	}
	notesHave(t, e, "all GPU time is charged to the tokens")
	if !strings.Contains(tk.Attribution, "all GPU time is charged to the tokens") {
		t.Errorf("attribution %q", tk.Attribution)
	}
}

func TestTokenWorkloadFlags(t *testing.T) {
	run := readGolden(t, "llm-a10g-sweep")
	for _, tc := range []struct {
		key, value        string
		requests, outToks float64
		from              string
	}{
		{"monthly", "2000000", 2e6, 2e8, "monthly"},
		{"monthly_requests", "3000000", 3e6, 3e8, "monthly_requests"},
		{"monthly_output_tokens", "500000000", 5e6, 5e8, "monthly_output_tokens"},
	} {
		o := runOpts(t, "")
		if err := o.Workload.Set(tc.key, tc.value, "flag"); err != nil {
			t.Fatal(err)
		}
		e, err := CostRun(run, o)
		if err != nil {
			t.Fatal(err)
		}
		if tk := e.Tokens; tk.MonthlyRequests != tc.requests || tk.MonthlyOutputTokens != tc.outToks || tk.From != tc.from {
			t.Errorf("--%s %s: %+v", tc.key, tc.value, tk)
		}
		if !near(e.AverageRatePerS, tc.outToks/(730*3600), 1e-9) {
			t.Errorf("--%s: average %g output tokens/s", tc.key, e.AverageRatePerS)
		}
	}
	// Token volumes belong to LLM runs.
	o := runOpts(t, "p95=50ms")
	if err := o.Workload.Set("monthly_output_tokens", "1000000", "flag"); err != nil {
		t.Fatal(err)
	}
	if _, err := CostRun(readGolden(t, "a10g-sweep"), o); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "--monthly-output-tokens") {
		t.Errorf("a token volume on a KServe run: %v", err)
	}
	w := DefaultWorkload()
	w.Set("monthly_requests", "5", "flag")
	if err := w.Set("monthly_output_tokens", "5", "flag"); err != nil {
		t.Fatal(err)
	}
	if err := w.Validate(); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both token volumes: %v", err)
	}
}

func TestCostPerTokenAtATighterSLO(t *testing.T) {
	// TTFT within 250 ms: only concurrency 1 and 4 pass; 4 carries 90/s.
	e, err := CostRun(readGolden(t, "llm-a10g-sweep"), runOpts(t, "ttft_p95=250ms"))
	if err != nil {
		t.Fatal(err)
	}
	if e.CapacitySource.Concurrency != 4 || e.CapacityInferencesPerS != 90 || !near(*instanceRow(t, e, "g5.xlarge").USDPerMillionOutputTokens, 1.006/(90*3600)*1e6, 1e-12) {
		t.Errorf("ttft_p95=250ms: %+v at %g/s", e.CapacitySource, e.CapacityInferencesPerS)
	}
	// A bound no step meets names the closest step in output tokens/s.
	_, err = CostRun(readGolden(t, "llm-a10g-sweep"), runOpts(t, "ttft_p95=50ms"))
	if !errors.Is(err, ErrNoCapacity) || !strings.Contains(err.Error(), "output tokens/s") {
		t.Errorf("ttft_p95=50ms: %v", err)
	}
}

func TestCompareLLMRuns(t *testing.T) {
	runs := []NamedRun{{"a10g", readGolden(t, "llm-a10g-sweep")}, {"a100", readGolden(t, "llm-a100-sweep")}}
	c, err := Compare(runs, compareOpts(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	// 1e9 output tokens a month: A10G 7 x g5.xlarge; A100 at 480/s needs
	// ceil(761.0 / 336) = 3 replicas, three a2-highgpu-1g.
	a10g := goldenLLMTCO(7*1.006*730, "aws")
	a100 := goldenLLMTCO(3*3.673385*730, "gcp")
	if c.Unit != result.UnitOutputToken || c.Winner.Run != "a10g" || !near(c.Winner.MonthlyTotalUSD, a10g, 1e-6) || !near(*c.Runs[1].MonthlyTotalUSD, a100, 1e-6) ||
		c.Runs[1].CheapestInstance != "a2-highgpu-1g" {
		t.Fatalf("unit %s winner %+v, A100 row %+v", c.Unit, c.Winner, c.Runs[1])
	}
	if !near(*c.Runs[1].UnitCostPerMillionUSD, 21.957642/8/(480*3600)*1e6, 1e-12) || c.Runs[1].FullUseInstance != "p4d.24xlarge" {
		t.Errorf("A100 per million output tokens at full use: %v on %s", *c.Runs[1].UnitCostPerMillionUSD, c.Runs[1].FullUseInstance)
	}
	if !strings.Contains(c.Verdict, "10,000,000 requests (1,000,000,000 output tokens) a month") || !strings.Contains(c.Verdict, "Per million output tokens (all GPU time is charged to the tokens)") {
		t.Errorf("verdict %q", c.Verdict)
	}
	// The electricity line rides along, apart from the cloud months: the
	// A100's 360 W at 480 tokens/s is 0.75 J a token.
	o := compareOpts(t, "")
	if err := o.Workload.Set("kwh_price", "0.2", "flag"); err != nil {
		t.Fatal(err)
	}
	c, err = Compare(runs, o)
	if err != nil {
		t.Fatal(err)
	}
	if en := c.Runs[1].Energy; en == nil || en.MonthlyUSD == nil || !near(*en.MonthlyUSD, 1e9*(360.0/480)/3.6e6*0.2, 1e-9) || !near(*c.Runs[1].MonthlyTotalUSD, a100, 1e-6) {
		t.Errorf("A100 energy %+v", en)
	}
	_, err = Compare([]NamedRun{{"a10g", readGolden(t, "a10g-sweep")}, {"llm", readGolden(t, "llm-a10g-sweep")}}, compareOpts(t, "p95=50ms"))
	if !errors.Is(err, ErrInput) {
		t.Errorf("an LLM run beside an inference run: %v", err)
	}
}

// goldenLLMTCO is the all-in month of an LLM golden run: 1e7 requests of
// 30,000 response bytes, no model size in the metadata (1 GB default).
func goldenLLMTCO(compute float64, provider string) float64 {
	if provider == "aws" {
		return BuildTCO(compute, 1*3*0.023, 1e7*30000/1e9*0.09+1*30*0.02, 50*0.30+1e7*512*0.1/1e9*0.50, 0.05, 0.1, 0.2).TotalUSD
	}
	return BuildTCO(compute, 1*3*0.020, 1e7*30000/1e9*0.12, 1e7*512*0.1/1e9*0.4656612873077392, 0.05, 0.1, 0.2).TotalUSD
}
