package profiler

import (
	"math"
	"testing"
	"time"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/result"
)

func TestSamplerStatOf(t *testing.T) {
	seq := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i + 1)
		}
		return v
	}
	cases := []struct {
		name string
		vals []float64
		want stat
	}{
		{"none", nil, stat{}},
		{"one", []float64{42}, stat{n: 1, mean: 42, p95: 42, max: 42}},
		{"two", []float64{10, 30}, stat{n: 2, mean: 20, p95: 30, max: 30}},
		{"1..10: rank 10", seq(10), stat{n: 10, mean: 5.5, p95: 10, max: 10}},
		{"1..20: rank 19", seq(20), stat{n: 20, mean: 10.5, p95: 19, max: 20}},
		{"1..100: rank 95", seq(100), stat{n: 100, mean: 50.5, p95: 95, max: 100}},
		{"unsorted with a spike", []float64{5, 1, 3, 400, 2, 4, 3, 3, 1, 2, 5, 4, 3, 2, 1, 3, 4, 2, 3, 5}, stat{n: 20, mean: 22.8, p95: 5, max: 400}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := statOf(c.vals); got != c.want {
				t.Errorf("statOf = %+v, want %+v", got, c.want)
			}
		})
	}
}

// rec builds a record at second i of a fixed clock.
func rec(i int, hostCPU, procCPU, procRSS, genCPU float64, gpus ...result.GPUSample) record {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return record{pid: 4242, Sample: result.Sample{Time: t0.Add(time.Duration(i) * time.Second), Step: 0,
		HostCPUPercent: hostCPU, HostMemoryUsedBytes: 1000 * float64(i+1),
		ProcessCPUPercent: procCPU, ProcessRSSBytes: procRSS,
		GeneratorCPUPercent: genCPU, GeneratorRSSBytes: 5e6 + float64(i), GPUs: gpus}}
}

func TestSamplerSummarizeArithmetic(t *testing.T) {
	devs := []gpu.Device{{Index: 0, MemoryBytes: 24 << 30}, {Index: 1, MemoryBytes: 16 << 30}}
	g := func(idx int, util, used, power float64) result.GPUSample {
		return result.GPUSample{Index: idx, UtilizationPercent: util, MemoryUsedBytes: used, MemoryTotalBytes: 1,
			PowerWatts: power, TemperatureC: 50 + util/10, SMClockMHz: 1500}
	}
	cases := []struct {
		name  string
		recs  []record
		cores int
		check func(t *testing.T, m MachineSummary)
	}{
		{"empty window", nil, 2, func(t *testing.T, m MachineSummary) {
			if m.Host.Samples != 0 || m.Host.CPUPercentMean != 0 || m.Process.Available || m.Process.PID != 77 || m.Generator.Saturated {
				t.Errorf("summary = %+v", m)
			}
			if len(m.GPUs) != 2 || m.GPUs[0].Samples != 0 || m.GPUs[0].PowerWattsMean != -1 || m.GPUs[1].MemoryTotalBytes != 16<<30 {
				t.Errorf("GPUs = %+v, want two with no samples (-1)", m.GPUs)
			}
		}},
		{"host and process, 20 samples", func() []record {
			var rs []record
			for i := 0; i < 20; i++ {
				rs = append(rs, rec(i, float64(i+1), float64(10*(i+1)), float64(1e6*(i+1)), 50))
			}
			return rs
		}(), 2, func(t *testing.T, m MachineSummary) {
			h := m.Host
			if h.Samples != 20 || h.CPUPercentMean != 10.5 || h.CPUPercentP95 != 19 || h.CPUPercentMax != 20 ||
				h.MemoryUsedBytesMean != 10500 || h.MemoryUsedBytesP95 != 19000 || h.MemoryUsedBytesMax != 20000 || h.MemoryTotalBytes != 1<<30 {
				t.Errorf("host = %+v", h)
			}
			p := m.Process
			if !p.Available || p.PID != 4242 || p.Samples != 20 || p.CPUPercentMean != 105 || p.CPUPercentP95 != 190 || p.CPUPercentMax != 200 ||
				p.RSSBytesMean != 10.5e6 || p.RSSBytesP95 != 19e6 || p.RSSBytesMax != 20e6 {
				t.Errorf("process = %+v", p)
			}
			if gs := m.Generator; gs.Samples != 20 || gs.CPUPercentMean != 50 || gs.RSSBytesMax != 5e6+19 || gs.Saturated {
				t.Errorf("generator = %+v", gs)
			}
		}},
		{"unreadable figures are left out", []record{
			rec(0, -1, -1, 3e6, 10), rec(1, 40, 100, 4e6, 20), rec(2, 60, 300, -1, -1), rec(3, 50, -1, -1, 30),
		}, 2, func(t *testing.T, m MachineSummary) {
			if h := m.Host; h.Samples != 4 || h.CPUPercentMean != 50 || h.CPUPercentMax != 60 {
				t.Errorf("host = %+v", h)
			}
			if p := m.Process; !p.Available || p.Samples != 3 || p.CPUPercentMean != 200 || p.CPUPercentMax != 300 || p.RSSBytesMean != 3.5e6 || p.RSSBytesMax != 4e6 {
				t.Errorf("process = %+v", p)
			}
			if gs := m.Generator; gs.Samples != 3 || gs.CPUPercentMean != 20 {
				t.Errorf("generator = %+v", gs)
			}
		}},
		{"process never read", []record{rec(0, 10, -1, -1, 5), rec(1, 10, -1, -1, 5)}, 2, func(t *testing.T, m MachineSummary) {
			if p := m.Process; p.Available || p.Samples != 0 || p.CPUPercentMean != 0 || p.PID != 77 {
				t.Errorf("process = %+v, want unavailable", p)
			}
		}},
		{"generator saturated at 90% of 2 cores", []record{rec(0, 90, -1, -1, 170), rec(1, 95, -1, -1, 190)}, 2, func(t *testing.T, m MachineSummary) {
			if !m.Generator.Saturated {
				t.Errorf("generator mean %.0f%% on 2 cores not saturated", m.Generator.CPUPercentMean)
			}
		}},
		{"generator below 90% of 2 cores", []record{rec(0, 90, -1, -1, 170), rec(1, 95, -1, -1, 189)}, 2, func(t *testing.T, m MachineSummary) {
			if m.Generator.Saturated {
				t.Errorf("generator mean %.1f%% on 2 cores saturated", m.Generator.CPUPercentMean)
			}
		}},
		{"generator saturated on 1 core", []record{rec(0, 90, -1, -1, 95)}, 1, func(t *testing.T, m MachineSummary) {
			if !m.Generator.Saturated {
				t.Error("generator at 95% of its one core not saturated")
			}
		}},
		{"GPUs, one without power", []record{
			rec(0, 1, -1, -1, 1, g(0, 40, 3e9, 60), g(1, 10, 1e9, -1)),
			rec(1, 1, -1, -1, 1, g(0, 90, 5e9, 150), g(1, 20, 2e9, -1)),
			rec(2, 1, -1, -1, 1, g(0, 50, 4e9, 90), g(1, 30, 1e9, -1)),
		}, 2, func(t *testing.T, m MachineSummary) {
			if len(m.GPUs) != 2 {
				t.Fatalf("GPUs = %+v", m.GPUs)
			}
			g0, g1 := m.GPUs[0], m.GPUs[1]
			if g0.Index != 0 || g0.Samples != 3 || g0.UtilizationPercentMean != 60 || g0.UtilizationPercentP95 != 90 || g0.UtilizationPercentMax != 90 ||
				g0.MemoryUsedBytesMean != 4e9 || g0.MemoryUsedBytesMax != 5e9 || g0.MemoryTotalBytes != 24<<30 ||
				g0.PowerWattsMean != 100 || g0.PowerWattsMax != 150 || g0.TemperatureCMax != 59 || g0.SMClockMHzMean != 1500 {
				t.Errorf("GPU 0 = %+v", g0)
			}
			if g1.Index != 1 || g1.Samples != 3 || g1.UtilizationPercentMean != 20 || g1.MemoryUsedBytesMax != 2e9 ||
				g1.PowerWattsMean != -1 || g1.PowerWattsP95 != -1 || g1.PowerWattsMax != -1 {
				t.Errorf("GPU 1 = %+v, want power -1 (never read)", g1)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, summarizeRecords(c.recs, 1<<30, c.cores, devs, 77))
		})
	}
}

// Summarize takes the samples in [from, to], both ends included.
func TestSamplerSummarizeWindow(t *testing.T) {
	s := &Sampler{cores: 2, store: sampleStore{max: 100}}
	for i := 0; i < 10; i++ {
		s.store.add(rec(i, float64(i), -1, -1, 0))
	}
	at := func(i int) time.Time { return s.store.recs[i].Time }
	cases := []struct {
		from, to    time.Time
		n           int
		mean, maxCP float64
	}{
		{at(0), at(9), 10, 4.5, 9},
		{at(2), at(4), 3, 3, 4},
		{at(2).Add(time.Nanosecond), at(4).Add(-time.Nanosecond), 1, 3, 3},
		{at(9).Add(time.Second), at(9).Add(time.Hour), 0, 0, 0},
	}
	for _, c := range cases {
		h := s.Summarize(c.from, c.to).Host
		if h.Samples != c.n || h.CPUPercentMean != c.mean || h.CPUPercentMax != c.maxCP {
			t.Errorf("Summarize(%v, %v) host = %+v, want %d samples, mean %v, max %v", c.from, c.to, h, c.n, c.mean, c.maxCP)
		}
	}
}

func TestSamplerStoreStaysBounded(t *testing.T) {
	const max = 16
	st := sampleStore{max: max}
	const total = 1000
	for i := 0; i < total; i++ {
		st.add(rec(i, float64(i), -1, -1, 0))
		if len(st.recs) > max {
			t.Fatalf("after %d adds the store holds %d samples, cap %d", i+1, len(st.recs), max)
		}
	}
	for i := 1; i < len(st.recs); i++ {
		if !st.recs[i].Time.After(st.recs[i-1].Time) {
			t.Fatalf("samples out of order at %d", i)
		}
	}
	// The newest half is complete: the last max/2 samples are consecutive.
	n := len(st.recs)
	for k := 1; k <= max/2; k++ {
		if got, want := st.recs[n-k].HostCPUPercent, float64(total-k); got != want {
			t.Errorf("sample %d from the end = %v, want %v", k, got, want)
		}
	}
	if st.recs[0].HostCPUPercent != 0 {
		t.Errorf("first sample kept = %v, want the run's first (0)", st.recs[0].HostCPUPercent)
	}
	if math.Abs(float64(n)-0.75*max) > max/4 {
		t.Errorf("store holds %d samples, want between %d and %d", n, max/2, max)
	}
}
