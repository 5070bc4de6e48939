package cost

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func compareOpts(t *testing.T, slo string) CompareOptions {
	t.Helper()
	o := CompareOptions{Catalog: defaultCatalog(t), Workload: DefaultWorkload(), Now: today, MaxErrorRate: -1}
	if slo != "" {
		o.SLO = mustSLO(slo)
	}
	return o
}

func goldenPair(t *testing.T) []NamedRun {
	return []NamedRun{{"a10g", readGolden(t, "a10g-sweep")}, {"a100", readGolden(t, "a100-sweep")}}
}

// goldenTCO is the all-in month of a golden run (model 0.1024 GB, 4,000
// response bytes an inference, 10M a month) at a provider's price lines.
func goldenTCO(compute float64, provider string) float64 {
	if provider == "aws" {
		return BuildTCO(compute, 0.1024*3*0.023, 1e7*4000/1e9*0.09+0.1024*30*0.02, 50*0.30+1e7*512*0.1/1e9*0.50, 0.05, 0.1, 0.2).TotalUSD
	}
	// GCP has no inter-region or metric-series line in the catalog.
	return BuildTCO(compute, 0.1024*3*0.020, 1e7*4000/1e9*0.12, 1e7*512*0.1/1e9*0.4656612873077392, 0.05, 0.1, 0.2).TotalUSD
}

func TestCompareWinnerByHand(t *testing.T) {
	// Each run is billed on the cheapest way to serve 10M a month, as
	// cost picks it: the A10G on two g5.xlarge (the two minimum replicas),
	// the A100 on two a2-highgpu-1g (a p4d.24xlarge would be two whole
	// boxes for two replicas on different machines).
	a10g := goldenTCO(2*1.006*730, "aws")
	a100 := goldenTCO(2*3.673385*730, "gcp")
	avg := 1e7 / (730 * 3600)
	for _, slo := range []string{"p95=50ms", ""} {
		c, err := Compare(goldenPair(t), compareOpts(t, slo))
		if err != nil {
			t.Fatal(err)
		}
		if c.SLO != "p95=50ms" || c.Winner.Run != "a10g" || c.Winner.Instance != "g5.xlarge" || c.Winner.Kind != OptionDedicated || c.Winner.Hardware != "NVIDIA A10G" {
			t.Fatalf("winner %+v at %s", c.Winner, c.SLO)
		}
		if !near(c.Winner.MonthlyTotalUSD, a10g, 1e-6) || !near(*c.Winner.MarginPercent, (a100/a10g-1)*100, 1e-9) {
			t.Errorf("winner $%v margin %v%%, want $%v and %v%%", c.Winner.MonthlyTotalUSD, *c.Winner.MarginPercent, a10g, (a100/a10g-1)*100)
		}
		r := c.Runs[1]
		if r.BestBatchSize != 16 || *r.CapacityInferencesPerS != 2000 || *r.P95MSAtCapacity != 44 || r.CheapestInstance != "a2-highgpu-1g" ||
			r.CheapestKind != OptionDedicated || !near(*r.MonthlyTotalUSD, a100, 1e-6) || *r.MonthlyTotalUSD >= 10000 {
			t.Errorf("A100 row %+v, want $%v on a2-highgpu-1g", r, a100)
		}
		// $/million at full utilisation stays beside it, labelled, on its
		// own instance.
		if r.FullUseInstance != "p4d.24xlarge" || !near(*r.UnitCostPerMillionUSD, 21.957642/8/(2000*3600)*1e6, 1e-12) {
			t.Errorf("A100 full use: %s at %v", r.FullUseInstance, *r.UnitCostPerMillionUSD)
		}
		// Utilisation: the average rate over the capacity paid for.
		if u := c.Runs[0].UtilizationPercent; u == nil || !near(*u, avg/(2*800)*100, 1e-12) || fmt.Sprintf("%.2f", *u) != "0.24" {
			t.Errorf("A10G utilisation %v, want 0.24%%", u)
		}
		if u := r.UtilizationPercent; u == nil || !near(*u, avg/(2*2000)*100, 1e-12) {
			t.Errorf("A100 utilisation %v", u)
		}
		for _, want := range []string{"NVIDIA A10G (a10g) is the cheaper way to serve 10,000,000 inferences a month at p95=50ms",
			usd(a10g) + " a month all-in", usd(a100), "dedicated on 2 x a2-highgpu-1g", "$0.3493", "$0.3812"} {
			if !strings.Contains(c.Verdict, want) {
				t.Errorf("verdict %q lacks %q", c.Verdict, want)
			}
		}
	}
	// At p95=60ms the A10G runs batch 16 at 960/s and the A100 batch 32 at 2,200/s.
	c, err := Compare(goldenPair(t), compareOpts(t, "p95=60ms"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Winner.Run != "a10g" || !near(*c.Runs[0].UnitCostPerMillionUSD, 1.006/(960*3600)*1e6, 1e-12) || c.Runs[1].BestBatchSize != 32 {
		t.Errorf("p95=60ms: winner %+v, A100 batch %d", c.Winner, c.Runs[1].BestBatchSize)
	}
}

func TestCompareWinnerFollowsTheCatalog(t *testing.T) {
	// At $0.50/h for an a2-highgpu-1g the A100's month is two of them.
	path := filepath.Join(t.TempDir(), "lab.yaml")
	data := "instances:\n  - {name: a2-highgpu-1g, provider: gcp, region: us-central1, kind: gpu, gpu: A100-40GB, gpu_count: 1, vcpu: 12, on_demand_usd_per_hour: 0.5, source: negotiated, source_date: 2026-11}\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := LoadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	o := compareOpts(t, "p95=50ms")
	o.Catalog = cat
	c, err := Compare(goldenPair(t), o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Winner.Run != "a100" || c.Winner.Instance != "a2-highgpu-1g" || !near(c.Winner.MonthlyTotalUSD, goldenTCO(2*0.5*730, "gcp"), 1e-6) {
		t.Errorf("winner %+v", c.Winner)
	}
}

func TestInstanceTiesBreakOnTheMonthlyBill(t *testing.T) {
	// p5.48xlarge and p5.4xlarge cost the same per GPU-hour ($55.04 / 8 =
	// $6.88); a name order put the 8-GPU box first, four times the bill.
	e, err := Compute(Input{Catalog: defaultCatalog(t), Workload: DefaultWorkload(), Now: today, CapacityPerS: 1000,
		Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA H100 80GB HBM3"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Instances[0].Name != "p5.4xlarge" || e.Instances[1].Name != "p5.48xlarge" {
		t.Errorf("instances in order %s, %s", e.Instances[0].Name, e.Instances[1].Name)
	}
	o := compareOpts(t, "p95=50ms")
	h100 := readGolden(t, "a100-sweep")
	h100.Environment.Hardware = "NVIDIA H100 80GB HBM3"
	for i := range h100.Environment.GPUs {
		h100.Environment.GPUs[i].Name = "NVIDIA H100 80GB HBM3"
	}
	c, err := Compare([]NamedRun{{"a10g", readGolden(t, "a10g-sweep")}, {"h100", h100}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Runs[1]; r.FullUseInstance != "p5.4xlarge" || r.CheapestInstance != "p5.4xlarge" {
		t.Errorf("H100 row: full use on %s, served on %s", r.FullUseInstance, r.CheapestInstance)
	}
}

func TestCompareRefusals(t *testing.T) {
	other := readGolden(t, "a100-sweep")
	other.Spec.Model = "bert-base"
	_, err := Compare([]NamedRun{{"a10g", readGolden(t, "a10g-sweep")}, {"bert", other}}, compareOpts(t, "p95=50ms"))
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), `different models (a10g: "resnet50", bert: "bert-base")`) {
		t.Errorf("different models: %v", err)
	}
	diff := readGolden(t, "a100-sweep")
	diff.Sweep.SLO = mustSLO("p99=100ms")
	runs := []NamedRun{{"a10g", readGolden(t, "a10g-sweep")}, {"a100", diff}}
	_, err = Compare(runs, compareOpts(t, ""))
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "different SLOs (a10g: p95=50ms; a100: p99=100ms): give --slo") {
		t.Errorf("different SLOs: %v", err)
	}
	if _, err := Compare(runs, compareOpts(t, "p95=50ms")); err != nil {
		t.Errorf("--slo settles different run SLOs: %v", err)
	}
	if _, err := Compare(runs[:1], compareOpts(t, "p95=50ms")); err == nil {
		t.Error("one run accepted")
	}
}

func TestCompareWithARunThatMissesTheSLO(t *testing.T) {
	runs := append(goldenPair(t), NamedRun{"l4", readGolden(t, "no-slo")})
	c, err := Compare(runs, compareOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Runs[2]; r.CapacityInferencesPerS != nil || !strings.Contains(r.Note, "closest is step 1") || c.Winner.Run != "a10g" {
		t.Errorf("L4 row %+v winner %+v", r, c.Winner)
	}
	_, err = Compare([]NamedRun{{"l4", readGolden(t, "no-slo")}, {"l4b", readGolden(t, "no-slo")}}, compareOpts(t, "p95=50ms"))
	if !errors.Is(err, ErrNoCapacity) {
		t.Errorf("no run at the SLO: %v", err)
	}
}

func TestDemoAnswer(t *testing.T) {
	e, err := DemoAnswer(readGolden(t, "cpu-profile"), "runs/demo", nil, defaultCatalog(t), today)
	if err != nil {
		t.Fatal(err)
	}
	if e.SLO != DemoSLO || e.Workload.MonthlyInferences != 1e7 || e.Hardware.Kind != HardwareCPU {
		t.Errorf("demo estimate: SLO %s, monthly %g, hardware %+v", e.SLO, e.Workload.MonthlyInferences, e.Hardware)
	}
	var b strings.Builder
	if err := RenderDemo(&b, e); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"10,000,000 inferences a month (the default workload)", "SLO p95=50ms", "c6i.xlarge", "8,000 (est.)",
		"$0.0059", "shared the host with the load generator", "Cheapest option: serverless on aws-lambda-x86", "infercost cost runs/demo --slo p95=50ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// A GPU host's demo run is still priced on CPU instances.
	gpuHost := readGolden(t, "cpu-profile")
	gpuHost.Environment.GPUs = []result.GPU{{Name: "NVIDIA A10G"}}
	if e, err := DemoAnswer(gpuHost, "d", nil, nil, today); err != nil || e.Hardware.Kind != HardwareCPU {
		t.Errorf("demo on a GPU host: %v %+v", err, e)
	}
	if _, err := DemoAnswer(readGolden(t, "no-slo"), "d", nil, nil, today); !errors.Is(err, ErrNoCapacity) {
		t.Errorf("demo run with no step at the SLO: %v", err)
	}
}
