package scrape

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/infercost/infercost/result"
)

// Source is the GPU source name of a target: "scrape:NAME".
func Source(name string) string { return "scrape:" + name }

// window copies what a target read in [from, to], both included.
func (t *target) window(from, to time.Time) (recs []reading, fails []failure, dropped int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range t.readings.items {
		if !r.t.Before(from) && !r.t.After(to) {
			recs = append(recs, r)
		}
	}
	for _, f := range t.failures.items {
		if !f.t.Before(from) && !f.t.After(to) {
			fails = append(fails, f)
		}
	}
	return recs, fails, t.dropped
}

// Summarize summarizes every target over [from, to] (a step's measured
// time): one result.ScrapeSummary per target name (its URL as given: the
// caller redacts it) and the GPUs they reported, as result.GPUSummary with
// source "scrape:NAME", numbered as each exporter numbers them, in
// --scrape order then by index.
//
// A reading is stamped when its read began; its rates cover the interval
// before it, so the first reading of a window reaches back up to one
// interval before from (as the samplers' first sample does). Counters are
// summed over the window's intervals before dividing (a time-weighted
// mean); gauges are averaged over its readings. A figure no reading had is
// null; a GPU figure no reading had is -1, as the samplers write theirs.
func (s *Scraper) Summarize(from, to time.Time) (map[string]result.ScrapeSummary, []result.GPUSummary) {
	out := map[string]result.ScrapeSummary{}
	var gpus []result.GPUSummary
	for _, t := range s.targets {
		recs, fails, dropped := t.window(from, to)
		t.mu.Lock()
		tg := t.Target
		t.mu.Unlock()
		sum, g := summarizeTarget(tg, recs, fails, dropped, s.cfg)
		out[t.Name] = sum
		gpus = append(gpus, g...)
	}
	if gpus == nil {
		gpus = []result.GPUSummary{}
	}
	return out, gpus
}

func summarizeTarget(t Target, recs []reading, fails []failure, dropped int, cfg Config) (result.ScrapeSummary, []result.GPUSummary) {
	sum := result.ScrapeSummary{URL: t.URL, Scrapes: len(recs), Failures: len(fails), Notes: []string{}}
	var exp exporterSet
	var cpuBusy, cpuAll, dtReq, req, dtInf, inf, qSec, qCount, dtProc, proc float64
	var cpuMax = math.Inf(-1)
	var gaugeCPU, mem, running, waiting, kv, rss []float64
	memTotal := math.NaN()
	dups, gpuDups, mig, resets := 0, 0, 0, 0
	for i := range recs {
		r := &recs[i]
		exp |= r.exporters
		dups += r.dups
		gpuDups += r.gpuDups
		mig += r.migSkipped
		if r.cpuReset {
			resets++
		}
		if r.cpuAll > 0 && finite(r.cpuBusy) {
			cpuBusy += r.cpuBusy
			cpuAll += r.cpuAll
			cpuMax = math.Max(cpuMax, r.cpuPercent())
		} else if finite(r.cpuGauge) {
			gaugeCPU = append(gaugeCPU, r.cpuGauge)
		}
		appendFinite(&mem, r.memUsed)
		if finite(r.memTotal) {
			memTotal = r.memTotal
		}
		appendFinite(&running, r.running)
		appendFinite(&waiting, r.waiting)
		appendFinite(&kv, r.kv)
		appendFinite(&rss, r.procRSS)
		if r.dt > 0 {
			if finite(r.requests) {
				req += r.requests
				dtReq += r.dt
			}
			if finite(r.inferences) {
				inf += r.inferences
				dtInf += r.dt
			}
			if finite(r.procCPU) {
				proc += r.procCPU
				dtProc += r.dt
			}
		}
		if finite(r.queueSec) && finite(r.queueCount) {
			qSec += r.queueSec
			qCount += r.queueCount
		}
	}
	sum.Exporters = exp.names()
	switch {
	case cpuAll > 0:
		sum.CPUPercentMean = ptr(math.Min(100, cpuBusy/cpuAll*100))
		sum.CPUPercentMax = ptr(cpuMax)
	case len(gaugeCPU) > 0:
		st := statOf(gaugeCPU)
		sum.CPUPercentMean, sum.CPUPercentMax = ptr(st.mean), ptr(st.max)
	}
	if len(mem) > 0 {
		st := statOf(mem)
		sum.MemoryUsedBytesMean, sum.MemoryUsedBytesMax = ptr(st.mean), ptr(st.max)
	}
	if finite(memTotal) {
		sum.MemoryTotalBytes = ptr(memTotal)
	}
	sum.RequestsRunningMean = meanPtr(running)
	sum.RequestsWaitingMean = meanPtr(waiting)
	sum.KVCacheUsagePercentMean = meanPtr(kv)
	if qCount > 0 {
		sum.QueueTimeMSMean = ptr(qSec / qCount * 1000)
	}
	if dtReq > 0 {
		sum.ServerRequestsPerS = ptr(req / dtReq)
	}
	if dtInf > 0 {
		sum.ServerInferencesPerS = ptr(inf / dtInf)
	}
	if dtProc > 0 {
		sum.ProcessCPUPercentMean = ptr(proc / dtProc * 100)
	}
	if len(rss) > 0 {
		sum.ProcessRSSBytesMax = ptr(statOf(rss).max)
	}
	gpus := summarizeGPUs(t.Name, recs)
	sum.GPUs = len(gpus)

	// Notes: what a reader must know about these figures.
	if len(fails) > 0 {
		sum.Notes = append(sum.Notes, failureNote(len(recs), fails))
	}
	if len(recs) == 0 && len(fails) == 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("no read of this endpoint fell within the step (reads every %v)", cfg.Interval))
	}
	if dups > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("%d duplicate series (same name and labels) over %d reads: the first of each was used", dups, len(recs)))
	}
	if gpuDups > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("%d GPU figures were served twice for the same GPU (labels such as pod differ): the first was used", gpuDups))
	}
	if mig > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("%d series of MIG instances (GPU_I_ID) left out: GPU figures are per whole GPU", mig))
	}
	if resets > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("node_cpu_seconds_total went down in %d reads (a counter reset): those intervals are left out of the CPU figures", resets))
	}
	if dropped > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("--scrape-keep: %d series beyond the first %d were not kept", dropped, cfg.MaxKept))
	}
	return sum, gpus
}

// failureNote counts failed reads by reason.
func failureNote(ok int, fails []failure) string {
	by := map[string]int{}
	var reasons []string
	for _, f := range fails {
		if by[f.reason] == 0 {
			reasons = append(reasons, f.reason)
		}
		by[f.reason]++
	}
	sort.SliceStable(reasons, func(i, j int) bool { return by[reasons[i]] > by[reasons[j]] })
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s x%d", r, by[r])
	}
	if ok == 0 {
		return fmt.Sprintf("every read failed (%d: %s): no figures from this endpoint for the step", len(fails), strings.Join(parts, "; "))
	}
	return fmt.Sprintf("%d of %d reads failed (%s): gaps in these figures, not zeros", len(fails), len(fails)+ok, strings.Join(parts, "; "))
}

// summarizeGPUs summarizes each GPU seen in recs.
func summarizeGPUs(name string, recs []reading) []result.GPUSummary {
	type acc struct {
		index                          int
		name                           string
		n                              int
		util, used, power, temp, clock []float64
		total                          float64
	}
	by := map[string]*acc{}
	var ids []string
	for i := range recs {
		for _, g := range recs[i].gpus {
			a := by[g.id]
			if a == nil {
				a = &acc{index: g.index, total: math.NaN()}
				by[g.id] = a
				ids = append(ids, g.id)
			}
			a.index = g.index
			if g.name != "" {
				a.name = g.name
			}
			if finite(g.util) || finite(g.memUsed) || finite(g.power) || finite(g.temp) || finite(g.clock) {
				a.n++
			}
			appendFinite(&a.util, g.util)
			appendFinite(&a.used, g.memUsed)
			appendFinite(&a.power, g.power)
			appendFinite(&a.temp, g.temp)
			appendFinite(&a.clock, g.clock)
			if finite(g.memTotal) {
				a.total = g.memTotal
			}
		}
	}
	slices.SortStableFunc(ids, func(x, y string) int {
		if by[x].index != by[y].index {
			return by[x].index - by[y].index
		}
		return strings.Compare(x, y)
	})
	out := make([]result.GPUSummary, 0, len(ids))
	for _, id := range ids {
		a := by[id]
		u, m, p, te, c := gpuStat(a.util), gpuStat(a.used), gpuStat(a.power), gpuStat(a.temp), gpuStat(a.clock)
		g := result.GPUSummary{Index: a.index, Name: a.name, Source: Source(name), Samples: a.n,
			UtilizationPercentMean: u.mean, UtilizationPercentP95: u.p95, UtilizationPercentMax: u.max,
			MemoryUsedBytesMean: m.mean, MemoryUsedBytesP95: m.p95, MemoryUsedBytesMax: m.max,
			PowerWattsMean: p.mean, PowerWattsP95: p.p95, PowerWattsMax: p.max,
			TemperatureCMean: te.mean, TemperatureCMax: te.max, SMClockMHzMean: c.mean, SMClockMHzMax: c.max}
		if finite(a.total) && a.total > 0 {
			g.MemoryTotalBytes = uint64(a.total)
		}
		out = append(out, g)
	}
	return out
}

// gpuStat is statOf with -1 for a figure never read (the samplers' rule).
func gpuStat(v []float64) stat {
	if len(v) == 0 {
		return stat{mean: -1, p95: -1, max: -1}
	}
	return statOf(v)
}

// Power is the GPUs' board power over [from, to] as the endpoints report
// it: the sum over scraped GPUs of their mean power, each physical GPU
// once (by UUID: a dcgm-exporter and a Triton endpoint on the same box
// report the same GPUs; the first --scrape target reporting a GPU wins).
// gpus is how many GPUs were summed (0: no power read), sources the
// "scrape:NAME" of the targets that contributed, joined by "+".
func (s *Scraper) Power(from, to time.Time) (watts float64, gpus int, sources string) {
	seen := map[string]bool{}
	var srcs []string
	for _, t := range s.targets {
		recs, _, _ := t.window(from, to)
		type acc struct {
			uuid  string
			power []float64
		}
		by := map[string]*acc{}
		var ids []string
		for i := range recs {
			for _, g := range recs[i].gpus {
				a := by[g.id]
				if a == nil {
					a = &acc{}
					by[g.id] = a
					ids = append(ids, g.id)
				}
				if g.uuid != "" {
					a.uuid = g.uuid
				}
				appendFinite(&a.power, g.power)
			}
		}
		contributed := false
		for _, id := range ids {
			a := by[id]
			if len(a.power) == 0 {
				continue
			}
			key := a.uuid
			if key == "" {
				key = t.Name + "/" + id
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			watts += statOf(a.power).mean
			gpus++
			contributed = true
		}
		if contributed {
			srcs = append(srcs, Source(t.Name))
		}
	}
	return watts, gpus, strings.Join(srcs, "+")
}

// Hardware names the GPU model the endpoints report: the model name of the
// lowest-numbered named GPU of the first --scrape target (in flag order)
// whose latest reading has one, with source "scrape:NAME". ("", "") when
// no endpoint named a GPU.
func (s *Scraper) Hardware() (model, source string) {
	for _, t := range s.targets {
		t.mu.Lock()
		var name string
		for i := len(t.readings.items) - 1; i >= 0 && name == ""; i-- {
			for _, g := range t.readings.items[i].gpus {
				if g.name != "" {
					name = g.name
					break
				}
			}
		}
		t.mu.Unlock()
		if name != "" {
			return name, Source(t.Name)
		}
	}
	return "", ""
}

// stat is the mean, p95 (nearest rank) and max of values.
type stat struct{ mean, p95, max float64 }

// statOf computes a stat. The mean is a running mean, so a figure served
// unchanged (GPU utilization 73 at every read) comes back exactly as
// served, not off by a rounding of sum/n.
func statOf(vals []float64) stat {
	if len(vals) == 0 {
		return stat{}
	}
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	mean := 0.0
	for i, v := range vals {
		mean += (v - mean) / float64(i+1)
	}
	rank := int(math.Ceil(0.95 * float64(len(sorted))))
	return stat{mean: mean, p95: sorted[rank-1], max: sorted[len(sorted)-1]}
}

func appendFinite(dst *[]float64, v float64) {
	if finite(v) {
		*dst = append(*dst, v)
	}
}

func meanPtr(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	return ptr(statOf(v).mean)
}

func ptr(v float64) *float64 { return &v }
