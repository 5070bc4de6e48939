package cost

import (
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func serverlessRow(t *testing.T, c *Catalog, name string) *Serverless {
	t.Helper()
	for i := range c.Serverless {
		if c.Serverless[i].Name == name {
			return &c.Serverless[i]
		}
	}
	t.Fatalf("no serverless row %s", name)
	return nil
}

// Every row pricing-sources.md sources is in the default catalog.
func TestCatalogHasEverySourcedRow(t *testing.T) {
	c := defaultCatalog(t)
	if g := c.FindGPU("V100-SXM2-32GB"); g == nil || g.MemoryGiB != 32 {
		t.Errorf("V100-SXM2 32GB (S8: 16/32GB): %+v", g)
	}
	run := serverlessRow(t, c, "cloud-run-gpu-l4")
	if !run.GPU || run.GPUModel != "NVIDIA L4" || run.PerInstanceSecondUSD == nil || *run.PerInstanceSecondUSD != 0.000186 ||
		run.PerMillionRequestsUSD == nil || *run.PerMillionRequestsUSD != 0 || run.MinMemoryMB != 16384 || !run.Derived {
		t.Errorf("Cloud Run L4: %+v", run)
	}
	inst := serverlessRow(t, c, "cloud-run-instance")
	if inst.PerVCPUSecondUSD == nil || *inst.PerVCPUSecondUSD != 0.000018 || inst.PerGBSecondUSD != nil {
		t.Errorf("Cloud Run instance-based: %+v", inst)
	}
	if r := serverlessRow(t, c, "cloud-run"); r.FreeRequestsPerMonth != 2e6 || r.FreeGBSecondsPerMonth != 360000 {
		t.Errorf("Cloud Run free tier: %+v", r)
	}
	lines := map[string]bool{}
	for _, p := range c.Prices {
		lines[p.Name] = true
	}
	for _, name := range []string{"s3-glacier-instant", "s3-glacier-flexible", "s3-deep-archive", "gcs-nearline", "gcs-coldline", "gcs-archive",
		"datadog-custom-metric", "datadog-logs-ingest"} {
		if !lines[name] {
			t.Errorf("no price line %s", name)
		}
	}
	// The TCO keeps using each provider's first (standard) storage line.
	if p := priceLine(c, "aws", LineStorage); p.Name != "s3-standard" {
		t.Errorf("aws storage line %s", p.Name)
	}
}

// asGPU is the A10G golden run as if its GPU were another.
func asGPU(t *testing.T, name string) *result.Run {
	r := readGolden(t, "a10g-sweep")
	r.Environment.Hardware = name
	for i := range r.Environment.GPUs {
		r.Environment.GPUs[i].Name = name
	}
	return r
}

func TestAGPUModelGoesServerlessWhenTheGPUMatches(t *testing.T) {
	// On an L4, Cloud Run's L4 applies: per second of instance time while
	// serving, one request at a time: 1e7 x 6 ms (the lightest batch-1 step)
	// + 1e7 x 1% x 2 s of cold starts = 260,000 s at $0.000186, no
	// per-request fee.
	e, err := CostRun(asGPU(t, "NVIDIA L4"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	s := option(t, e, OptionServerless)
	if !s.Applicable || s.Instance != "cloud-run-gpu-l4" || !near(*s.MonthlyTotalUSD, 260000*0.000186, 1e-9) || !strings.Contains(s.Detail, "instance-s") {
		t.Fatalf("L4 serverless %+v", s)
	}
	if e.Cheapest.Kind != OptionServerless || e.CrossoverMonthlyInferences == nil {
		t.Errorf("cheapest %+v, crossover %v (%s)", e.Cheapest, e.CrossoverMonthlyInferences, e.CrossoverNote)
	}
	// On an A10G no serverless platform offers the GPU.
	e, err = CostRun(readGolden(t, "a10g-sweep"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	if s := option(t, e, OptionServerless); s.Applicable || !strings.Contains(s.Reason, "no serverless platform in the catalog offers NVIDIA A10G (cloud-run-gpu-l4 offers NVIDIA L4)") {
		t.Errorf("A10G serverless %+v", s)
	}
	// A CPU model is not priced on a GPU platform.
	e, err = CostRun(readGolden(t, "cpu-profile"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	if s := option(t, e, OptionServerless); s.Instance == "cloud-run-gpu-l4" {
		t.Errorf("a CPU model priced on a GPU platform: %+v", s)
	}
}
