package cost

import (
	"errors"
	"strings"
	"testing"
)

func runOpts(t *testing.T, slo string) RunOptions {
	t.Helper()
	o := RunOptions{Catalog: defaultCatalog(t), Workload: DefaultWorkload(), Now: today, MaxErrorRate: -1, CacheHitRate: 0.2, RunName: "golden"}
	if slo != "" {
		o.SLO = mustSLO(slo)
	}
	return o
}

func TestCostRunPicksTheRightStep(t *testing.T) {
	a10g := readGolden(t, "a10g-sweep")
	cases := []struct {
		name      string
		slo       string
		batch     int
		maxErr    float64
		step      int
		capacity  float64
		batchFrom string
	}{
		// The sweep's best batch (8) under the sweep's SLO; the
		// generator-limited step at 880/s never counts.
		{"sweep best", "p95=50ms", 0, -1, 8, 800, "sweep"},
		// The run's own SLO when none is given.
		{"run's SLO", "", 0, -1, 8, 800, "sweep"},
		// Another error rate: recomputed from the steps; batch 8 and 16
		// tie at 800/s and the smaller batch wins.
		{"tie to the smaller batch", "p95=50ms", 0, 0.002, 8, 800, "steps"},
		// A looser SLO: batch 16 reaches 960/s at p95 58 ms.
		{"looser SLO recomputed", "p95=60ms", 0, -1, 12, 960, "steps"},
		{"--batch 4", "p95=50ms", 4, -1, 5, 600, "flag"},
		{"--batch 1", "p95=50ms", 1, -1, 2, 198, "flag"},
	}
	for _, c := range cases {
		o := runOpts(t, c.slo)
		o.Batch, o.MaxErrorRate = c.batch, c.maxErr
		e, err := CostRun(a10g, o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cs := e.CapacitySource
		if cs.Step != c.step || e.CapacityInferencesPerS != c.capacity || cs.BatchFrom != c.batchFrom {
			t.Errorf("%s: step %d (%g/s, %s), want step %d (%g/s, %s)", c.name, cs.Step, e.CapacityInferencesPerS, cs.BatchFrom, c.step, c.capacity, c.batchFrom)
		}
	}
	o := runOpts(t, "p95=50ms")
	o.Batch = 3
	if _, err := CostRun(a10g, o); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "no step at batch 3 (batch sizes measured: 1, 4, 8, 16)") {
		t.Errorf("--batch 3: %v", err)
	}
}

func TestCostRunGPUMatchesCatalogAndMeasurements(t *testing.T) {
	e, err := CostRun(readGolden(t, "a10g-sweep"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Hardware.Kind != HardwareGPU || e.Hardware.GPU != "NVIDIA A10G" || len(e.Instances) != 2 || e.Instances[0].Name != "g5.xlarge" {
		t.Fatalf("hardware %+v instances %+v", e.Hardware, e.Instances)
	}
	r := e.Instances[0]
	if !near(*r.UnitCostPerMillionUSD, 1.006/(800*3600)*1e6, 1e-12) || !r.Fits || !r.FitChecked {
		t.Errorf("g5.xlarge row %+v", r)
	}
	// Response bytes measured (32,000 per batch-8 request = 4,000 per
	// inference); model size from weight_bytes.
	w := e.Workload
	if w.ResponseBytes != 4000 || w.Origin["response_bytes"] != "measured" || w.ModelSizeGB != 0.1024 || w.Origin["model_size_gb"] != "measured" {
		t.Errorf("measured workload values: response %g (%s), model %g (%s)", w.ResponseBytes, w.Origin["response_bytes"], w.ModelSizeGB, w.Origin["model_size_gb"])
	}
	if strings.Contains(strings.Join(e.DefaultsUsed, " "), "response_bytes") {
		t.Error("a measured value is listed among the defaults")
	}
	if s := option(t, e, OptionServerless); s.Applicable {
		t.Error("serverless applied to a GPU run")
	}
	// A user's --model-size-gb wins over the metadata.
	o := runOpts(t, "p95=50ms")
	if err := o.Workload.Set("model_size_gb", "2", "flag"); err != nil {
		t.Fatal(err)
	}
	e, _ = CostRun(readGolden(t, "a10g-sweep"), o)
	if e.Workload.ModelSizeGB != 2 {
		t.Errorf("model size %g, want the flag's 2", e.Workload.ModelSizeGB)
	}
}

func TestCostRunCPUScalesByVCPUAndPricesServerless(t *testing.T) {
	run := readGolden(t, "cpu-profile")
	if _, err := CostRun(run, runOpts(t, "")); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "records no SLO: give one with --slo") {
		t.Fatalf("no SLO anywhere: %v", err)
	}
	e, err := CostRun(run, runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	if e.CapacitySource.Step != 6 || e.CapacityInferencesPerS != 4000 || e.CapacitySource.BatchFrom != "steps" {
		t.Errorf("capacity source %+v", e.CapacitySource)
	}
	for _, r := range e.Instances {
		if r.Kind != KindCPU || r.Name == "c7g.xlarge" {
			t.Errorf("%s priced for an x86 CPU run", r.Name)
		}
		if r.VCPU == 4 && (r.CapacityInferencesPerS != 8000 || !r.CapacityEstimated) {
			t.Errorf("%s: capacity %g (estimated %v), want 4000 x 4/2 = 8000 estimated", r.Name, r.CapacityInferencesPerS, r.CapacityEstimated)
		}
	}
	s := option(t, e, OptionServerless)
	// Batch-1 step at the lightest load: mean 1.2 ms, billed as 2 ms (Lambda
	// rounds each request up to 1 ms), RSS 150e6 bytes = 144 MB.
	want := ServerlessMonthly(1e7, 2, 144, 0.01, 2, 0.20, 0.0000166667, 0, 0, 0).MonthlyUSD
	if s.Instance != "aws-lambda-x86" || !near(*s.MonthlyTotalUSD, want, 1e-9) {
		t.Errorf("serverless %+v, want aws-lambda-x86 at %g", s, want)
	}
	notes := strings.Join(e.Notes, "\n")
	if !strings.Contains(notes, "shared the host with the load generator") || !strings.Contains(notes, "estimate") {
		t.Errorf("notes miss the caveats: %s", notes)
	}
}

func TestCostRunNoStepMeetsTheSLO(t *testing.T) {
	run := readGolden(t, "no-slo")
	_, err := CostRun(run, runOpts(t, "p95=50ms"))
	var nc *NoCapacityError
	if !errors.Is(err, ErrNoCapacity) || !errors.As(err, &nc) {
		t.Fatalf("got %v", err)
	}
	if nc.Closest.Index != 0 || len(nc.Misses) != 1 || nc.Misses[0].What != "p95" {
		t.Errorf("closest step %d misses %+v, want step 0 missing p95", nc.Closest.Index, nc.Misses)
	}
	for _, want := range []string{"no step of golden meets p95=50ms", `the closest is step 1 "b1-r50"`, "p95 70 ms over the 50 ms bound (40% over)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err.Error(), want)
		}
	}
	o := runOpts(t, "p95=50ms")
	o.Batch = 4
	_, err = CostRun(run, o)
	if !errors.As(err, &nc) || nc.Closest.Index != 2 || !strings.Contains(err.Error(), "no step at batch 4") || !strings.Contains(err.Error(), "error rate 0.01 over the 0.001 allowed") {
		t.Errorf("--batch 4: %v (the generator-limited step 3 must not be the closest)", err)
	}
}

func TestLeversAddUp(t *testing.T) {
	for _, tc := range []struct {
		run     string
		monthly string
	}{{"a10g-sweep", "10000000"}, {"a10g-sweep", "10000000000"}, {"a100-sweep", "10000000"}, {"cpu-profile", "3000000000"}} {
		o := runOpts(t, "p95=50ms")
		if err := o.Workload.Set("monthly", tc.monthly, "flag"); err != nil {
			t.Fatal(err)
		}
		e, err := CostRun(readGolden(t, tc.run), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Levers) != 5 {
			t.Fatalf("%s: %d levers", tc.run, len(e.Levers))
		}
		for _, l := range e.Levers {
			if l.MonthlySavingUSD == nil {
				if l.Note == "" {
					t.Errorf("%s %s: no figures and no reason", tc.run, l.Name)
				}
				continue
			}
			if !near(*l.MonthlySavingUSD, *l.BeforeUSD-*l.AfterUSD, 1e-9) || !near(*l.SavingPercent, *l.MonthlySavingUSD / *l.BeforeUSD * 100, 1e-9) {
				t.Errorf("%s %s: saving %v of %v -> %v, %v%%: does not add up", tc.run, l.Name, *l.MonthlySavingUSD, *l.BeforeUSD, *l.AfterUSD, *l.SavingPercent)
			}
			if *l.MonthlySavingUSD < -1e-9 && l.Name != LeverRightSizing {
				t.Errorf("%s %s: negative saving %v", tc.run, l.Name, *l.MonthlySavingUSD)
			}
		}
	}
}

func TestLeversHandWorked(t *testing.T) {
	lever := func(e *Estimate, name string) Lever {
		for _, l := range e.Levers {
			if l.Name == name {
				return l
			}
		}
		t.Fatalf("no lever %s", name)
		return Lever{}
	}
	o := runOpts(t, "p95=50ms")
	if err := o.Workload.Set("monthly", "10000000000", "flag"); err != nil {
		t.Fatal(err)
	}
	e, err := CostRun(readGolden(t, "a10g-sweep"), o)
	if err != nil {
		t.Fatal(err)
	}
	// 1e10 a month: peak 2 x 3,805.2/s = 7,610/s. Batch 8 at 800/s x 0.7
	// needs 14 replicas; batch 1 at 198/s x 0.7 needs 55: 41 fewer
	// g5.xlarge at $1.006/h x 730, times (1 + canary) (1 + ops) (1 + buffer).
	b := lever(e, LeverBatching)
	want := 41 * 1.006 * 730 * 1.05 * 1.1 * 1.2
	if !near(*b.MonthlySavingUSD, want, 1e-6) || !near(*b.UnitSavingPercent, (1-198.0/800)*100, 1e-9) {
		t.Errorf("batching saves %v (unit %v%%), want %v (75.25%%)", *b.MonthlySavingUSD, *b.UnitSavingPercent, want)
	}
	// Spot: 14 x 1.05 = 14.7 -> 15 replicas at $0.469 vs 14 at $1.006.
	s := lever(e, LeverSpot)
	wantSpot := (14*1.006 - 15*0.469) * 730 * 1.05 * 1.1 * 1.2
	if !near(*s.MonthlySavingUSD, wantSpot, 1e-6) || !strings.Contains(s.Verdict, "disagrees") {
		t.Errorf("spot saves %v (%s), want %v and a disagreement with ~70%%", *s.MonthlySavingUSD, s.Verdict, wantSpot)
	}
	// A100 run: right-sizing from the 96-CPU host's p4d.24xlarge (two of
	// them: the two minimum replicas sit on different machines) to two
	// a2-highgpu-1g.
	e, err = CostRun(readGolden(t, "a100-sweep"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	r := lever(e, LeverRightSizing)
	// The move is also AWS -> GCP: storage, transfer and monitoring follow
	// the provider (GCP has no inter-region or metric-series line).
	aws := BuildTCO(2*21.957642*730, 0.1024*3*0.023, 1e7*4000/1e9*0.09+0.1024*30*0.02, 50*0.30+1e7*512*0.1/1e9*0.50, 0.05, 0.1, 0.2)
	gcp := BuildTCO(2*3.673385*730, 0.1024*3*0.020, 1e7*4000/1e9*0.12, 1e7*512*0.1/1e9*0.4656612873077392, 0.05, 0.1, 0.2)
	wantRS := aws.TotalUSD - gcp.TotalUSD
	if r.Instance != "a2-highgpu-1g" || !near(*r.MonthlySavingUSD, wantRS, 1e-6) || !strings.Contains(r.Note, "p4d.24xlarge") {
		t.Errorf("right-sizing %+v, want %v", r, wantRS)
	}
}

func TestCostRunUnknownGPU(t *testing.T) {
	run := readGolden(t, "a10g-sweep")
	run.Environment.Hardware = "NVIDIA B300"
	run.Environment.GPUs[0].Name = "NVIDIA B300"
	_, err := CostRun(run, runOpts(t, "p95=50ms"))
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), `GPU "NVIDIA B300" is not in the catalog`) {
		t.Errorf("got %v", err)
	}
}
