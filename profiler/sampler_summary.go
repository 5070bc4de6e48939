package profiler

import (
	"math"
	"slices"
	"time"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/result"
)

// MachineSummary is what the samplers saw over one step, ready for
// result.Step's host, process, generator and gpus keys.
type MachineSummary struct {
	Host      result.HostSummary
	Process   result.ProcessSummary
	Generator result.GeneratorSummary
	// GPUs has one entry per device the source listed, in device order;
	// [] without GPUs.
	GPUs []result.GPUSummary
}

// SaturationShare is the share of the generator's usable cores at which its
// mean CPU counts as saturated (DESIGN invariant 3).
const SaturationShare = 0.9

// Summarize summarizes the samples taken in [from, to], both included:
// mean, p95 and max of each figure. Figures a sample could not read (-1)
// are left out of that figure only. With no samples in the window every
// figure is 0 and Samples is 0; the target process is Available only when
// at least one sample read it. A GPU figure no sample could read is -1.
//
// A sample is stamped when it was read; its CPU % covers the interval
// before it, so the first sample of a window reaches up to one interval
// before from.
func (s *Sampler) Summarize(from, to time.Time) MachineSummary {
	s.mu.Lock()
	var recs []record
	for _, r := range s.store.recs {
		if !r.Time.Before(from) && !r.Time.After(to) {
			recs = append(recs, r)
		}
	}
	memTotal := s.memTotal
	s.mu.Unlock()
	return summarizeRecords(recs, memTotal, s.cores, s.gpuDevs, s.pid.Load())
}

func summarizeRecords(recs []record, memTotal uint64, cores int, devs []gpu.Device, pidNow int32) MachineSummary {
	var m MachineSummary
	pick := func(f func(record) float64) stat {
		vals := make([]float64, 0, len(recs))
		for _, r := range recs {
			if v := f(r); v >= 0 && !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		return statOf(vals)
	}
	// count is the number of samples with at least one of the figures read.
	count := func(fs ...func(record) float64) int {
		n := 0
		for _, r := range recs {
			for _, f := range fs {
				if v := f(r); v >= 0 && !math.IsNaN(v) {
					n++
					break
				}
			}
		}
		return n
	}

	hostCPU := func(r record) float64 { return r.HostCPUPercent }
	hostMem := func(r record) float64 { return r.HostMemoryUsedBytes }
	cpu, hmem := pick(hostCPU), pick(hostMem)
	m.Host = result.HostSummary{Samples: count(hostCPU, hostMem),
		CPUPercentMean: cpu.mean, CPUPercentP95: cpu.p95, CPUPercentMax: cpu.max,
		MemoryUsedBytesMean: hmem.mean, MemoryUsedBytesP95: hmem.p95, MemoryUsedBytesMax: hmem.max,
		MemoryTotalBytes: memTotal}

	procCPU := func(r record) float64 { return r.ProcessCPUPercent }
	procRSS := func(r record) float64 { return r.ProcessRSSBytes }
	pcpu, rss := pick(procCPU), pick(procRSS)
	m.Process = result.ProcessSummary{PID: pidNow, Samples: count(procCPU, procRSS),
		CPUPercentMean: pcpu.mean, CPUPercentP95: pcpu.p95, CPUPercentMax: pcpu.max,
		RSSBytesMean: rss.mean, RSSBytesP95: rss.p95, RSSBytesMax: rss.max}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].ProcessRSSBytes >= 0 || recs[i].ProcessCPUPercent >= 0 {
			m.Process.Available, m.Process.PID = true, recs[i].pid
			break
		}
	}

	gcpu := pick(func(r record) float64 { return r.GeneratorCPUPercent })
	grss := pick(func(r record) float64 { return r.GeneratorRSSBytes })
	m.Generator = result.GeneratorSummary{Samples: gcpu.n,
		CPUPercentMean: gcpu.mean, CPUPercentP95: gcpu.p95, CPUPercentMax: gcpu.max,
		RSSBytesMax: grss.max, Saturated: generatorSaturated(gcpu, cores)}

	m.GPUs = make([]result.GPUSummary, 0, len(devs))
	for pos, d := range devs {
		// field reads one figure of this device from a record.
		field := func(f func(result.GPUSample) float64) func(record) float64 {
			return func(r record) float64 {
				if pos >= len(r.GPUs) || r.GPUs[pos].Index != d.Index {
					return unavailable
				}
				return f(r.GPUs[pos])
			}
		}
		fUtil := field(func(x result.GPUSample) float64 { return x.UtilizationPercent })
		fUsed := field(func(x result.GPUSample) float64 { return x.MemoryUsedBytes })
		fPower := field(func(x result.GPUSample) float64 { return x.PowerWatts })
		fTemp := field(func(x result.GPUSample) float64 { return x.TemperatureC })
		fClock := field(func(x result.GPUSample) float64 { return x.SMClockMHz })
		g := func(f func(record) float64) stat {
			st := pick(f)
			if st.n == 0 {
				st.mean, st.p95, st.max = unavailable, unavailable, unavailable
			}
			return st
		}
		util, used, power, temp, clock := g(fUtil), g(fUsed), g(fPower), g(fTemp), g(fClock)
		m.GPUs = append(m.GPUs, result.GPUSummary{Index: d.Index, Name: d.Name, Source: GPUSourceNVML,
			Samples:                count(fUtil, fUsed, fPower, fTemp, fClock),
			UtilizationPercentMean: util.mean, UtilizationPercentP95: util.p95, UtilizationPercentMax: util.max,
			MemoryUsedBytesMean: used.mean, MemoryUsedBytesP95: used.p95, MemoryUsedBytesMax: used.max,
			MemoryTotalBytes: d.MemoryBytes,
			PowerWattsMean:   power.mean, PowerWattsP95: power.p95, PowerWattsMax: power.max,
			TemperatureCMean: temp.mean, TemperatureCMax: temp.max,
			SMClockMHzMean: clock.mean, SMClockMHzMax: clock.max})
	}
	return m
}

// generatorSaturated applies invariant 3's CPU rule: the generator's mean
// CPU (% of one core) reached SaturationShare of the cores it may use.
func generatorSaturated(c stat, cores int) bool {
	return c.n > 0 && cores > 0 && c.mean >= SaturationShare*float64(cores)*100
}

// stat is the mean, p95 and max of n values; all 0 when n is 0.
type stat struct {
	n              int
	mean, p95, max float64
}

// statOf computes a stat. p95 is the nearest-rank percentile: the smallest
// value with at least 95% of the values at or below it, so it is always a
// value that was read.
func statOf(vals []float64) stat {
	n := len(vals)
	if n == 0 {
		return stat{}
	}
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	sum := 0.0
	for _, v := range sorted {
		sum += v
	}
	rank := int(math.Ceil(0.95 * float64(n)))
	return stat{n: n, mean: sum / float64(n), p95: sorted[rank-1], max: sorted[n-1]}
}
