package cost

import (
	"errors"
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

func TestCompareWinnerByHand(t *testing.T) {
	// A10G: 800/s on g5.xlarge at $1.006/h -> $0.349306 per million.
	// A100: 2,000/s per GPU on p4d.24xlarge at $21.957642/8 per GPU-hour
	// -> $0.381209 (a2-highgpu-1g: $0.510192). The A10G wins by 9.13%.
	a10g := 1.006 / (800 * 3600) * 1e6
	a100 := 21.957642 / 8 / (2000 * 3600) * 1e6
	for _, slo := range []string{"p95=50ms", ""} {
		c, err := Compare(goldenPair(t), compareOpts(t, slo))
		if err != nil {
			t.Fatal(err)
		}
		if c.SLO != "p95=50ms" || c.Winner.Run != "a10g" || c.Winner.Instance != "g5.xlarge" || c.Winner.Hardware != "NVIDIA A10G" {
			t.Fatalf("winner %+v at %s", c.Winner, c.SLO)
		}
		if !near(c.Winner.UnitCostPerMillionUSD, a10g, 1e-12) || !near(*c.Winner.MarginPercent, (a100/a10g-1)*100, 1e-9) {
			t.Errorf("winner %v margin %v, want %v and %v", c.Winner.UnitCostPerMillionUSD, *c.Winner.MarginPercent, a10g, (a100/a10g-1)*100)
		}
		r := c.Runs[1]
		if r.BestBatchSize != 16 || *r.CapacityInferencesPerS != 2000 || *r.P95MSAtCapacity != 44 || r.CheapestInstance != "p4d.24xlarge" ||
			!near(*r.UnitCostPerMillionUSD, a100, 1e-12) || r.CheapestMonthlyInstance != "a2-highgpu-1g" {
			t.Errorf("A100 row %+v", r)
		}
		if !strings.Contains(c.Verdict, "NVIDIA A10G (a10g) wins at p95=50ms") {
			t.Errorf("verdict %q", c.Verdict)
		}
	}
	// At p95=60ms the A10G runs batch 16 at 960/s and the A100 batch 32 at 2,200/s.
	c, err := Compare(goldenPair(t), compareOpts(t, "p95=60ms"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Winner.Run != "a10g" || !near(c.Winner.UnitCostPerMillionUSD, 1.006/(960*3600)*1e6, 1e-12) || c.Runs[1].BestBatchSize != 32 {
		t.Errorf("p95=60ms: winner %+v, A100 batch %d", c.Winner, c.Runs[1].BestBatchSize)
	}
}

func TestCompareWinnerFollowsTheCatalog(t *testing.T) {
	// At $16/h for a p4d.24xlarge the A100 costs $0.277778 per million and wins.
	path := filepath.Join(t.TempDir(), "lab.yaml")
	data := "instances:\n  - {name: p4d.24xlarge, provider: aws, region: us-east-1, kind: gpu, gpu: A100-40GB, gpu_count: 8, vcpu: 96, on_demand_usd_per_hour: 16, source: negotiated, source_date: 2026-11}\n"
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
	if c.Winner.Run != "a100" || !near(c.Winner.UnitCostPerMillionUSD, 2.0/(2000*3600)*1e6, 1e-12) {
		t.Errorf("winner %+v", c.Winner)
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
	if r := c.Runs[2]; r.CapacityInferencesPerS != nil || !strings.Contains(r.Note, "closest is step 0") || c.Winner.Run != "a10g" {
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
