package cost

import (
	"errors"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// issueWorkload is the issue's example: 10M a month, ratio 1, headroom 1,
// one minimum replica.
func issueWorkload() Workload {
	w := DefaultWorkload()
	for k, v := range map[string]string{"monthly": "10000000", "peak_to_average": "1", "headroom": "1", "min_replicas": "1"} {
		if err := w.Set(k, v, "flag"); err != nil {
			panic(err)
		}
	}
	return w
}

func option(t *testing.T, e *Estimate, kind string) Option {
	t.Helper()
	for _, o := range e.Options {
		if o.Kind == kind {
			return o
		}
	}
	t.Fatalf("no %s option", kind)
	return Option{}
}

func TestComputeG5XlargeIssueExample(t *testing.T) {
	c := defaultCatalog(t)
	e, err := Compute(Input{Catalog: c, Workload: issueWorkload(), Now: today, CapacityPerS: 250,
		Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA A10G"}, Instances: []string{"g5.xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Instances) != 1 {
		t.Fatalf("instances: %+v", e.Instances)
	}
	r := e.Instances[0]
	if got := math.Round(*r.UnitCostPerMillionUSD*1e4) / 1e4; got != 1.1178 {
		t.Errorf("$/million = %v, want 1.1178", *r.UnitCostPerMillionUSD)
	}
	if r.Replicas != 1 || r.Instances != 1 || math.Round(*r.MonthlyComputeUSD*100)/100 != 734.38 {
		t.Errorf("replicas %d instances %d compute %v, want 1, 1, 734.38", r.Replicas, r.Instances, *r.MonthlyComputeUSD)
	}
	ded := option(t, e, OptionDedicated)
	if !ded.Applicable || math.Round(*ded.MonthlyTotalUSD*100)/100 != 734.38 {
		t.Errorf("dedicated option %+v", ded)
	}
	// Kubernetes: the same node plus EKS at $0.10/h x 730.
	if k := option(t, e, OptionKubernetes); !near(*k.MonthlyTotalUSD, 734.38+73, 1e-9) {
		t.Errorf("kubernetes = %v, want 807.38", *k.MonthlyTotalUSD)
	}
	// Managed: ml.g5.xlarge at $1.408/h.
	if m := option(t, e, OptionManaged); m.Instance != "ml.g5.xlarge" || !near(*m.MonthlyTotalUSD, 1.408*730, 1e-9) {
		t.Errorf("managed = %+v", m)
	}
	s := option(t, e, OptionServerless)
	if s.Applicable || s.MonthlyTotalUSD != nil || !strings.Contains(s.Reason, "no serverless platform in the catalog offers NVIDIA A10G") {
		t.Errorf("serverless for a GPU model: %+v", s)
	}
	if e.Cheapest.Kind != OptionDedicated || !near(*e.Cheapest.MarginPercent, (807.38/734.38-1)*100, 1e-9) {
		t.Errorf("cheapest %+v", e.Cheapest)
	}
	// TCO, worked by hand in TestBuildTCOHandWorked.
	if !near(e.TCO.TotalUSD, 1040.088192, 1e-6) || len(e.TCO.Missing) != 0 {
		t.Errorf("TCO total %v, missing %v", e.TCO.TotalUSD, e.TCO.Missing)
	}
	if e.CrossoverMonthlyInferences != nil {
		t.Error("a crossover reported with no serverless option")
	}
}

func TestComputeP4dReplicasPerInstance(t *testing.T) {
	c := defaultCatalog(t)
	for _, tc := range []struct {
		peakPerS             float64
		replicas, instances  int
		wantMonthlyInstances float64
	}{{8000, 8, 1, 1}, {8001, 9, 2, 2}, {100, 1, 1, 1}} {
		w := issueWorkload()
		if err := w.Set("monthly", fmtF(tc.peakPerS*HoursPerMonth*SecondsPerHour), "flag"); err != nil {
			t.Fatal(err)
		}
		e, err := Compute(Input{Catalog: c, Workload: w, Now: today, CapacityPerS: 1000,
			Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA A100-SXM4-40GB"}, Instances: []string{"p4d.24xlarge"}})
		if err != nil {
			t.Fatal(err)
		}
		r := e.Instances[0]
		if r.Replicas != tc.replicas || r.Instances != tc.instances || !near(*r.MonthlyComputeUSD, tc.wantMonthlyInstances*21.957642*730, 1e-6) {
			t.Errorf("peak %g/s: %d replicas on %d instances ($%v), want %d on %d", tc.peakPerS, r.Replicas, r.Instances, *r.MonthlyComputeUSD, tc.replicas, tc.instances)
		}
		if !near(*r.UnitCostPerMillionUSD, 21.957642/8/(1000*3600)*1e6, 1e-12) {
			t.Errorf("unit cost priced per GPU: %v", *r.UnitCostPerMillionUSD)
		}
	}
}

func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func TestUnknownInstanceNamesTheNearest(t *testing.T) {
	c := defaultCatalog(t)
	_, err := Compute(Input{Catalog: c, Workload: DefaultWorkload(), Now: today, CapacityPerS: 10, Instances: []string{"g5.xlarg"}})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), `unknown instance "g5.xlarg"`) || !strings.Contains(err.Error(), `nearest: "g5.xlarge"`) {
		t.Errorf("got %v", err)
	}
	err = UnknownGPU(c, "A100 40")
	if !strings.Contains(err.Error(), `"NVIDIA A100-SXM4-40GB"`) {
		t.Errorf("unknown GPU: %v", err)
	}
}

func TestNoPriceDataIsShownNotInvented(t *testing.T) {
	c := defaultCatalog(t)
	e, err := Compute(Input{Catalog: c, Workload: DefaultWorkload(), Now: today, CapacityPerS: 1000, Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA H200"}})
	if err != nil {
		t.Fatal(err)
	}
	ded := option(t, e, OptionDedicated)
	if ded.Applicable || ded.Status != StatusNoPriceData || !strings.Contains(ded.Reason, "no price data") || e.Cheapest != nil || e.TCO != nil {
		t.Errorf("H200 (no instance in the sources): %+v cheapest %+v", ded, e.Cheapest)
	}
	// Spot on an instance without a spot price: the row says why.
	w := DefaultWorkload()
	if err := w.Set("pricing", "spot", "flag"); err != nil {
		t.Fatal(err)
	}
	e, err = Compute(Input{Catalog: c, Workload: w, Now: today, CapacityPerS: 100, Hardware: Hardware{Kind: HardwareGPU, GPU: "Tesla T4"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Instances[0]; r.MonthlyComputeUSD != nil || !strings.Contains(r.Note, "no spot price") {
		t.Errorf("g4dn.xlarge on spot: %+v", r)
	}
}

func TestServerlessApplicability(t *testing.T) {
	c := defaultCatalog(t)
	base := Input{Catalog: c, Workload: DefaultWorkload(), Now: today, CapacityPerS: 500, Hardware: Hardware{Kind: HardwareCPU, CPUs: 4, Arch: ArchX86}}
	in := base
	e, _ := Compute(in)
	if s := option(t, e, OptionServerless); s.Applicable || !strings.Contains(s.Reason, "no batch-1 latency") {
		t.Errorf("no latency: %+v", s)
	}
	in.LatencyMS, in.RSSBytes = 2, 12e9 // 12 GB: over Lambda's 10,240 MB and SageMaker's 6,144 MB
	e, _ = Compute(in)
	s := option(t, e, OptionServerless)
	if !s.Applicable || s.Instance != "cloud-run" {
		t.Errorf("12 GB: only cloud-run (no limit in the sources) should apply: %+v", s)
	}
	in.RSSBytes = 200e6
	in.Workload.ModelSizeGB = 11 // over Lambda's 10 GB image
	e, _ = Compute(in)
	if s := option(t, e, OptionServerless); s.Instance != "cloud-run" {
		t.Errorf("11 GB model: %+v", s)
	}
	in.Workload.ModelSizeGB = 1
	e, _ = Compute(in)
	s = option(t, e, OptionServerless)
	if s.Instance != "aws-lambda-x86" {
		t.Fatalf("x86 model: cheapest serverless %+v", s)
	}
	mem := ServerlessMemoryMB(200e6, 0, 0)
	want := ServerlessMonthly(1e7, 2, mem, 0.01, 2, 0.20, 0.0000166667, 0, 0, 0).MonthlyUSD
	if !near(*s.MonthlyTotalUSD, want, 1e-9) || !near(*s.CostPerInferenceUSD, want/1e7, 1e-18) {
		t.Errorf("lambda total %v, want %v", *s.MonthlyTotalUSD, want)
	}
}

func TestFitsUsesMeasuredGPUMemory(t *testing.T) {
	c := defaultCatalog(t)
	e, err := Compute(Input{Catalog: c, Workload: DefaultWorkload(), Now: today, CapacityPerS: 100,
		Hardware: Hardware{Kind: HardwareAny}, GPUMemoryBytes: 30 << 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.Instances {
		if r.Kind != KindGPU {
			continue
		}
		g := c.FindGPU(r.GPU)
		if wantFit := g.MemoryGiB >= 30; r.Fits != wantFit || !r.FitChecked {
			t.Errorf("%s (%s, %g GiB): fits %v, want %v", r.Name, r.GPU, g.MemoryGiB, r.Fits, wantFit)
		}
	}
	if ded := option(t, e, OptionDedicated); ded.Instance == "g5.xlarge" {
		t.Error("an instance that does not fit was chosen")
	}
}

// Property: the cost per inference falls as capacity rises, and monthly
// compute never rises; replicas never drop below the minimum.
func TestPropertyCostFallsAsCapacityRises(t *testing.T) {
	c := defaultCatalog(t)
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 200; trial++ {
		w := DefaultWorkload()
		w.MonthlyInferences = math.Pow(10, 3+rng.Float64()*8)
		w.PeakToAverage = 1 + rng.Float64()*5
		w.Headroom = 0.1 + rng.Float64()*0.9
		w.MinReplicas = 1 + rng.Intn(4)
		inst := c.Instances[rng.Intn(len(c.Instances))].Name
		prevUnit, prevMonthly := math.Inf(1), math.Inf(1)
		capacity := 1 + rng.Float64()*10
		for step := 0; step < 8; step++ {
			capacity *= 1.5 + rng.Float64()
			e, err := Compute(Input{Catalog: c, Workload: w, Now: today, CapacityPerS: capacity, Instances: []string{inst}, Hardware: Hardware{Kind: HardwareAny}})
			if err != nil {
				t.Fatal(err)
			}
			r := e.Instances[0]
			if *r.UnitCostPerInferenceUSD >= prevUnit || *r.MonthlyComputeUSD > prevMonthly {
				t.Fatalf("%s at %g/s: unit %g (before %g), monthly %g (before %g)", inst, capacity, *r.UnitCostPerInferenceUSD, prevUnit, *r.MonthlyComputeUSD, prevMonthly)
			}
			if r.Replicas < w.MinReplicas {
				t.Fatalf("%d replicas below the minimum %d", r.Replicas, w.MinReplicas)
			}
			prevUnit, prevMonthly = *r.UnitCostPerInferenceUSD, *r.MonthlyComputeUSD
		}
	}
}

// Property: at the reported crossover the cheapest dedicated and serverless
// monthly costs are within 1% of each other.
func TestPropertyCrossoverCurvesMeet(t *testing.T) {
	c := defaultCatalog(t)
	rng := rand.New(rand.NewSource(2))
	found := 0
	for trial := 0; trial < 60; trial++ {
		w := DefaultWorkload()
		w.MinReplicas = 1 + rng.Intn(3)
		in := Input{Catalog: c, Workload: w, Now: today, CapacityPerS: 50 + rng.Float64()*2000,
			Hardware:  Hardware{Kind: HardwareCPU, CPUs: 2 + rng.Intn(6), Arch: ArchX86},
			LatencyMS: 1 + rng.Float64()*80, RSSBytes: 1e8 + rng.Float64()*3e9}
		e, err := Compute(in)
		if err != nil {
			t.Fatal(err)
		}
		if e.CrossoverMonthlyInferences == nil {
			if e.CrossoverNote == "" {
				t.Fatal("no crossover and no note")
			}
			continue
		}
		found++
		in.Workload.MonthlyInferences = *e.CrossoverMonthlyInferences
		at, err := Compute(in)
		if err != nil {
			t.Fatal(err)
		}
		d, s := *option(t, at, OptionDedicated).MonthlyTotalUSD, *option(t, at, OptionServerless).MonthlyTotalUSD
		if math.Abs(d-s)/math.Max(d, s) > 0.01 {
			t.Fatalf("at the crossover %g: dedicated %g, serverless %g (more than 1%% apart)", *e.CrossoverMonthlyInferences, d, s)
		}
		if d >= s {
			t.Fatalf("at the crossover dedicated (%g) is not yet cheaper than serverless (%g)", d, s)
		}
	}
	if found < 10 {
		t.Fatalf("only %d of 60 random cases had a crossover: the property was barely tested", found)
	}
}

func TestAutoscaleAndSpotInTheEngine(t *testing.T) {
	c := defaultCatalog(t)
	w := issueWorkload()
	profile := make([]float64, 24)
	for i := range profile {
		profile[i] = 1
		if i >= 12 {
			profile[i] = 3
		}
	}
	w.HourlyProfile, w.Autoscale = profile, true
	w.Origin["peak_to_average"] = "default"
	w.MonthlyInferences = 500 * HoursPerMonth * SecondsPerHour // average 500/s: 250/s and 750/s
	e, err := Compute(Input{Catalog: c, Workload: w, Now: today, CapacityPerS: 500, Instances: []string{"g5.xlarge"}, Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA A10G"}})
	if err != nil {
		t.Fatal(err)
	}
	// 1 replica for 12 hours a day, 2 for 12: 1.5 x 730 h.
	if r := e.Instances[0]; !near(*r.MonthlyComputeUSD, 1.5*730*1.006, 1e-9) || r.Replicas != 2 {
		t.Errorf("autoscaled: %+v", r)
	}
	w.Autoscale = false
	w.Pricing = PricingSpot
	e, err = Compute(Input{Catalog: c, Workload: w, Now: today, CapacityPerS: 750, Instances: []string{"g5.xlarge"}, Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA A10G"}})
	if err != nil {
		t.Fatal(err)
	}
	// Peak 750/s x 1.05 over 750/s: 2 replicas on spot.
	if r := e.Instances[0]; r.Replicas != 2 || !near(*r.MonthlyComputeUSD, 2*0.469*730, 1e-9) {
		t.Errorf("spot with overhead: %+v", r)
	}
}
