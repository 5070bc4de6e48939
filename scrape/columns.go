package scrape

import (
	"sort"
	"strconv"
	"time"

	"github.com/infercost/infercost/result"
)

// Figures of a reading written to samples.csv, as column suffixes after
// "scrape.NAME.". GPU figures are "gpuN.<figure>" (N the GPU's index as the
// exporter numbers it); kept series are "raw.<series>" (--scrape-keep), as
// served: a counter stays a running total there.
var readingColumns = []struct {
	name  string
	value func(r *reading) float64
}{
	{"cpu_percent", func(r *reading) float64 { return r.cpuPercent() }},
	{"memory_used_bytes", func(r *reading) float64 { return r.memUsed }},
	{"memory_total_bytes", func(r *reading) float64 { return r.memTotal }},
	{"requests_running", func(r *reading) float64 { return r.running }},
	{"requests_waiting", func(r *reading) float64 { return r.waiting }},
	{"kv_cache_usage_percent", func(r *reading) float64 { return r.kv }},
	{"queue_time_ms", func(r *reading) float64 { return r.queueMS() }},
	{"server_requests_per_s", func(r *reading) float64 { return r.perSecond(r.requests) }},
	{"server_inferences_per_s", func(r *reading) float64 { return r.perSecond(r.inferences) }},
	{"process_cpu_percent", func(r *reading) float64 { return r.perSecond(r.procCPU) * 100 }},
	{"process_rss_bytes", func(r *reading) float64 { return r.procRSS }},
}

var gpuColumns = []struct {
	name  string
	value func(g *gpuReading) float64
}{
	{"utilization_percent", func(g *gpuReading) float64 { return g.util }},
	{"memory_used_bytes", func(g *gpuReading) float64 { return g.memUsed }},
	{"memory_total_bytes", func(g *gpuReading) float64 { return g.memTotal }},
	{"power_watts", func(g *gpuReading) float64 { return g.power }},
	{"temperature_c", func(g *gpuReading) float64 { return g.temp }},
	{"sm_clock_mhz", func(g *gpuReading) float64 { return g.clock }},
}

// ColumnPrefix starts every samples.csv column of target name.
func ColumnPrefix(name string) string { return result.ScrapeColumnPrefix + name + "." }

// GPUColumn is the samples.csv column of one scraped GPU figure.
func GPUColumn(name string, index int, figure string) string {
	return ColumnPrefix(name) + "gpu" + strconv.Itoa(index) + "." + figure
}

// SampleColumns returns the scraped figures as samples.csv columns: each
// sampler row gets, per target, the latest reading taken at or before the
// row's time and no more than staleness before it (older: blank, a gap).
// It holds a copy of the readings taken so far.
func (s *Scraper) SampleColumns(staleness time.Duration) result.SampleColumns {
	c := &columns{staleness: staleness}
	for _, t := range s.targets {
		t.mu.Lock()
		tc := targetColumns{recs: append([]reading(nil), t.readings.items...), raw: append([]string(nil), t.rawCols...)}
		t.mu.Unlock()
		tc.plan(t.Name)
		c.targets = append(c.targets, tc)
		c.names = append(c.names, tc.names...)
	}
	return c
}

type columns struct {
	staleness time.Duration
	targets   []targetColumns
	names     []string
}

// targetColumns are one target's columns: which figures any reading had.
type targetColumns struct {
	recs  []reading
	raw   []string
	names []string
	// figs are readingColumns indexes with a value somewhere; gpus the GPU
	// indexes seen, in order; each GPU has every gpuColumns figure.
	figs []int
	gpus []int
}

func (tc *targetColumns) plan(name string) {
	prefix := ColumnPrefix(name)
	for i, col := range readingColumns {
		for j := range tc.recs {
			if finite(col.value(&tc.recs[j])) {
				tc.figs = append(tc.figs, i)
				tc.names = append(tc.names, prefix+col.name)
				break
			}
		}
	}
	seen := map[int]bool{}
	for j := range tc.recs {
		for _, g := range tc.recs[j].gpus {
			if !seen[g.index] {
				seen[g.index] = true
				tc.gpus = append(tc.gpus, g.index)
			}
		}
	}
	sort.Ints(tc.gpus)
	for _, g := range tc.gpus {
		for _, col := range gpuColumns {
			tc.names = append(tc.names, GPUColumn(name, g, col.name))
		}
	}
	for _, k := range tc.raw {
		tc.names = append(tc.names, prefix+"raw."+k)
	}
}

func (c *columns) Names() []string { return append([]string(nil), c.names...) }

func (c *columns) Fill(t time.Time, row []string) {
	off := 0
	for i := range c.targets {
		tc := &c.targets[i]
		n := len(tc.names)
		if r := tc.at(t, c.staleness); r != nil {
			tc.fill(r, row[off:off+n])
		}
		off += n
	}
}

// at is the latest reading at or before t, within staleness; nil if none.
func (tc *targetColumns) at(t time.Time, staleness time.Duration) *reading {
	j := sort.Search(len(tc.recs), func(i int) bool { return tc.recs[i].t.After(t) }) - 1
	if j < 0 || t.Sub(tc.recs[j].t) > staleness {
		return nil
	}
	return &tc.recs[j]
}

func (tc *targetColumns) fill(r *reading, row []string) {
	k := 0
	put := func(v float64) {
		if finite(v) {
			row[k] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		k++
	}
	for _, i := range tc.figs {
		put(readingColumns[i].value(r))
	}
	for _, idx := range tc.gpus {
		var g *gpuReading
		for j := range r.gpus {
			if r.gpus[j].index == idx {
				g = &r.gpus[j]
				break
			}
		}
		for _, col := range gpuColumns {
			if g == nil {
				k++
				continue
			}
			put(col.value(g))
		}
	}
	for j := range tc.raw {
		v := nan()
		if r.rawReady && j < len(r.raw) {
			v = r.raw[j]
		}
		put(v)
	}
}
