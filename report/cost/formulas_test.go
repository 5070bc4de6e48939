package cost

import (
	"math"
	"testing"
)

// near reports whether got is within tol (absolute) of want.
func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestFormulasHandWorked(t *testing.T) {
	cases := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		// The g5.xlarge example: $1.006/h at 250 inferences/s.
		{"unit cost per million, g5.xlarge at 250/s", UnitCostUSD(1.006, 250) * 1e6, 1.1178, 0.00005},
		{"average rate of 10M a month", AverageRatePerS(1e7), 1e7 / 2628000, 1e-12},
		{"peak = average x ratio", PeakRatePerS(1e7, 3, nil), 3 * 1e7 / 2628000, 1e-9},
		{"compute a month, 1 x $1.006/h", MonthlyComputeUSD(1, 1.006), 734.38, 1e-9},
		// p4d.24xlarge: 8 GPUs at $21.957642/h.
		{"price per GPU-hour on p4d", PricePerReplicaHour(21.957642, 8), 2.74470525, 1e-12},
		{"p4d a month", MonthlyComputeUSD(1, 21.957642), 16029.07866, 1e-6},
		{"spot demand", SpotDemandPerS(100, 0.05), 105, 1e-12},
		{"k8s capacity", K8sCapacityPerS(1000, 0.1), 900, 1e-12},
		{"control plane a month", ControlPlaneMonthlyUSD(0.10), 73, 1e-9},
		{"CPU scaling 2 -> 4 vCPU", CPUCapacityPerS(4000, 2, 4), 8000, 0},
		// 150e6 bytes = 143.05 MB -> 144 MB at a 1 MB step.
		{"serverless memory, no step", ServerlessMemoryMB(150e6, 0, 0), 144, 0},
		{"serverless memory, 1 GB step and minimum", ServerlessMemoryMB(150e6, 1024, 1024), 1024, 0},
		{"serverless memory, 2e9 bytes at 1 GB steps", ServerlessMemoryMB(2e9, 1024, 0), 2048, 0},
		{"serverless memory, exactly 256 MB", ServerlessMemoryMB(256<<20, 0, 0), 256, 0},
		{"storage", StorageUSD(1, 3, 1, 0.023), 0.069, 1e-12},
		{"transfer", TransferUSD(1e7, 1024, 0.09, 1, 30, 0.02), 0.9216 + 0.6, 1e-9},
		{"monitoring", MonitoringUSD(50, 0.30, 1e7, 512, 0.1, 0.50), 15.256, 1e-9},
		{"margin", MarginPercent(100, 110), 10, 1e-9},
		{"saving", SavingPercent(200, 50), 75, 1e-9},
	}
	for _, c := range cases {
		if !near(c.got, c.want, c.tol) {
			t.Errorf("%s: got %.10g, want %.10g", c.name, c.got, c.want)
		}
	}
}

func TestPeakFromHourlyProfile(t *testing.T) {
	p := make([]float64, 24)
	for i := range p {
		p[i] = 1
	}
	p[18] = 2 // sum 25: the busiest hour carries 24 x 2 / 25 = 1.92 x average
	avg := AverageRatePerS(1e7)
	if got := PeakRatePerS(1e7, 5, p); !near(got, 1.92*avg, 1e-9) {
		t.Errorf("peak from profile = %g, want %g (the profile overrides the ratio)", got, 1.92*avg)
	}
	rates := HourlyRatesPerS(1e7, p)
	sum := 0.0
	for _, r := range rates {
		sum += r
	}
	if !near(sum/24, avg, 1e-9) {
		t.Errorf("hourly rates average %g, want the month's average %g", sum/24, avg)
	}
}

func TestReplicasAndInstances(t *testing.T) {
	cases := []struct {
		demand, capacity, headroom float64
		min, perInstance           int
		replicas, instances        int
	}{
		// The g5.xlarge example: 10M a month, ratio 1, headroom 1, min 1.
		{AverageRatePerS(1e7), 250, 1, 1, 1, 1, 1},
		// p4d.24xlarge, per-GPU capacity 1000/s: 8 replicas fit one instance, 9 need two.
		{8000, 1000, 1, 1, 8, 8, 1},
		{8001, 1000, 1, 1, 8, 9, 2},
		{1, 1000, 1, 1, 8, 1, 1},
		// Headroom: 700/s at 0.7 of 1000/s is exactly one replica; 701 needs two.
		{700, 1000, 0.7, 1, 1, 1, 1},
		{701, 1000, 0.7, 1, 1, 2, 2},
		// The minimum wins at low volume.
		{1, 1000, 0.7, 3, 1, 3, 3},
		// Replicas kept for availability sit on different machines: two on
		// one 8-GPU instance are not redundant, so the minimum spreads over
		// as many instances.
		{0, 1000, 0.7, 2, 8, 2, 2},
		{9000, 1000, 1, 2, 8, 9, 2},
		{17000, 1000, 1, 2, 8, 17, 3},
		{8000, 1000, 1, 3, 8, 8, 3},
	}
	for _, c := range cases {
		r := Replicas(c.demand, c.capacity, c.headroom, c.min)
		n := InstancesFor(r, c.perInstance, c.min)
		if r != c.replicas || n != c.instances {
			t.Errorf("demand %g cap %g h %g min %d per %d: got %d replicas %d instances, want %d and %d",
				c.demand, c.capacity, c.headroom, c.min, c.perInstance, r, n, c.replicas, c.instances)
		}
	}
}

func TestSizeFleetAutoscale(t *testing.T) {
	// Average 100/s; half the day at 50/s, half at 150/s (weights 1 and 3).
	profile := make([]float64, 24)
	for i := range profile {
		profile[i] = 1
		if i >= 12 {
			profile[i] = 3
		}
	}
	monthly := 100 * HoursPerMonth * SecondsPerHour
	hourly := HourlyRatesPerS(monthly, profile)
	peak := PeakRatePerS(monthly, 1, profile)
	if !near(peak, 150, 1e-9) || !near(hourly[0], 50, 1e-9) {
		t.Fatalf("rates: peak %g low %g, want 150 and 50", peak, hourly[0])
	}
	flat := SizeFleet(hourly, peak, 100, 1, 1, 1, 1, false)
	auto := SizeFleet(hourly, peak, 100, 1, 1, 1, 1, true)
	// Without autoscaling 2 instances all month; with it 1 for 12 hours a day and 2 for 12.
	if flat.MonthlyUSD != 1460 || flat.Instances != 2 {
		t.Errorf("flat fleet = %+v, want 2 instances and $1460", flat)
	}
	if !near(auto.MonthlyUSD, 1095, 1e-9) || auto.Replicas != 2 {
		t.Errorf("autoscaled fleet = %+v, want $1095 and a peak of 2 replicas", auto)
	}
}

func TestServerlessMonthlyHandWorked(t *testing.T) {
	// 10M requests, 1.2 ms at 144 MB, 1% cold starts of 2 s:
	// billed seconds = 12,000 + 200,000 = 212,000; GB-s = 212,000 x 144/1024 = 29,812.5.
	u := ServerlessMonthly(1e7, 1.2, 144, 0.01, 2, 0.20, 0.0000166667, 0, 0, 0)
	if !near(u.GBSeconds, 29812.5, 1e-6) || !near(u.RequestsUSD, 2, 1e-12) {
		t.Fatalf("usage = %+v", u)
	}
	if !near(u.MonthlyUSD, 2+29812.5*0.0000166667, 1e-9) {
		t.Errorf("monthly = %.8g", u.MonthlyUSD)
	}
	// A platform that bills vCPU-seconds: 1 vCPU for the same 212,000 s.
	v := ServerlessMonthly(1e7, 1.2, 144, 0.01, 2, 0.40, 0.0000025, 0.000024, 1, 0)
	want := 4 + 29812.5*0.0000025 + 212000*0.000024
	if !near(v.MonthlyUSD, want, 1e-9) {
		t.Errorf("with vCPU-seconds: %.8g, want %.8g", v.MonthlyUSD, want)
	}
}

func TestBuildTCOHandWorked(t *testing.T) {
	tc := BuildTCO(734.38, 0.069, 1.5216, 15.256, 0.05, 0.1, 0.2)
	want := TCO{ComputeUSD: 734.38, StorageUSD: 0.069, TransferUSD: 1.5216, MonitoringUSD: 15.256,
		ABUSD: 36.719, OverheadUSD: 78.79456, BufferUSD: 173.348032, TotalUSD: 1040.088192}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"ab", tc.ABUSD, want.ABUSD}, {"overhead", tc.OverheadUSD, want.OverheadUSD}, {"buffer", tc.BufferUSD, want.BufferUSD}, {"total", tc.TotalUSD, want.TotalUSD}} {
		if !near(c.got, c.want, 1e-6) {
			t.Errorf("%s = %.8g, want %.8g", c.name, c.got, c.want)
		}
	}
	sum := 0.0
	for _, s := range tc.Shares() {
		sum += s
	}
	if !near(sum, 1, 1e-12) {
		t.Errorf("shares add up to %g, want 1", sum)
	}
}

func TestCrossover(t *testing.T) {
	// Serverless at $1e-5 an inference against a flat $1000 a month:
	// equal at 1e8.
	v, ok, below := Crossover(func(float64) float64 { return 1000 }, func(v float64) float64 { return 1e-5 * v })
	if !ok || below || v < 1e8 || v > 1.01e8 {
		t.Errorf("crossover = %g (ok %v below %v), want within 1%% above 1e8", v, ok, below)
	}
	// Whole instances of 1e8 each never undercut a slightly cheaper line.
	_, ok, _ = Crossover(func(v float64) float64 { return 1000 * math.Ceil(v/1e8) }, func(v float64) float64 { return 0.999e-5 * v })
	if ok {
		t.Error("a step cost that never goes below the line reported a crossover")
	}
	// Dedicated already cheaper at the bottom of the range.
	_, ok, below = Crossover(func(float64) float64 { return 0.001 }, func(v float64) float64 { return 1e-5 * v })
	if ok || !below {
		t.Errorf("want below=true when dedicated wins from 1e3 (ok %v below %v)", ok, below)
	}
}

func TestCeilCountIgnoresFloatNoise(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want int
	}{{8.000000000001, 8}, {8.01, 9}, {0, 0}, {0.3 / 0.1, 3}, {1e-12, 1}} {
		if got := ceilCount(c.x); got != c.want {
			t.Errorf("ceilCount(%v) = %d, want %d", c.x, got, c.want)
		}
	}
}
