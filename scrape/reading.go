package scrape

import (
	"math"
	"time"
)

// Exporters infercost recognises in a response (ScrapeSummary.Exporters).
const (
	ExporterNode      = "node_exporter"
	ExporterDCGM      = "dcgm"
	ExporterTriton    = "triton"
	ExporterVLLM      = "vllm"
	ExporterInfercost = "infercost"
)

type exporterSet uint8

const (
	hasNode exporterSet = 1 << iota
	hasDCGM
	hasTriton
	hasVLLM
	hasInfercost
)

var exporterNames = []struct {
	bit  exporterSet
	name string
}{{hasNode, ExporterNode}, {hasDCGM, ExporterDCGM}, {hasTriton, ExporterTriton}, {hasVLLM, ExporterVLLM}, {hasInfercost, ExporterInfercost}}

func (e exporterSet) names() []string {
	out := []string{}
	for _, x := range exporterNames {
		if e&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return out
}

// reading is what one successful scrape of an endpoint said, mapped. A
// figure the response did not carry is NaN. Counter figures are increases
// since the previous successful scrape, dt seconds earlier.
type reading struct {
	t         time.Time
	dt        float64
	exporters exporterSet
	// dups: duplicate series in the response; gpuDups: GPUs reported by
	// more than one series of a field; migSkipped: MIG-instance series
	// left out; cpuReset: node_cpu_seconds_total went down.
	dups, gpuDups, migSkipped int
	cpuReset                  bool

	// The host: node_cpu_seconds_total increases (busy and all modes,
	// summed over CPUs), or Triton's CPU utilization gauge (%).
	cpuBusy, cpuAll float64
	cpuGauge        float64
	memUsed         float64
	memTotal        float64

	// The model server.
	running, waiting, kv  float64
	queueSec, queueCount  float64
	requests, inferences  float64
	procCPU, procRSS      float64
	gpus                  []gpuReading
	raw                   []float64 // kept series, by the endpoint's raw column index
	rawReady, hasProcInfo bool
}

// gpuReading is one GPU in one scrape. Figures are NaN when absent.
type gpuReading struct {
	id    string // identity within the endpoint: the gpu label, or the UUID
	index int
	name  string
	uuid  string

	util, memUsed, memTotal, power, temp, clock float64
}

func nan() float64 { return math.NaN() }

func newReading(t time.Time, dt float64) reading {
	nan := math.NaN()
	return reading{t: t, dt: dt, cpuBusy: nan, cpuAll: nan, cpuGauge: nan, memUsed: nan, memTotal: nan,
		running: nan, waiting: nan, kv: nan, queueSec: nan, queueCount: nan, requests: nan, inferences: nan,
		procCPU: nan, procRSS: nan}
}

func newGPU(id string) gpuReading {
	nan := math.NaN()
	return gpuReading{id: id, util: nan, memUsed: nan, memTotal: nan, power: nan, temp: nan, clock: nan}
}

// cpuPercent is the host CPU % this reading gives, NaN when none.
func (r *reading) cpuPercent() float64 {
	if r.cpuAll > 0 && finite(r.cpuBusy) {
		return math.Min(100, math.Max(0, r.cpuBusy/r.cpuAll*100))
	}
	return r.cpuGauge
}

// perSecond is an increase over the reading's interval, NaN when unknown.
func (r *reading) perSecond(inc float64) float64 {
	if !finite(inc) || r.dt <= 0 {
		return math.NaN()
	}
	return inc / r.dt
}

// queueMS is the mean queue time of the requests counted in this reading.
func (r *reading) queueMS() float64 {
	if !finite(r.queueSec) || !(r.queueCount > 0) {
		return math.NaN()
	}
	return r.queueSec / r.queueCount * 1000
}

// sumValues adds the values of series (gauges); NaN when there are none
// or none is finite.
func sumValues(series []Series) float64 {
	total, n := 0.0, 0
	for i := range series {
		if v := series[i].Value; finite(v) {
			total += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return total
}

// meanValues averages the values of series; NaN when none is finite.
func meanValues(series []Series) float64 {
	total, n := 0.0, 0
	for i := range series {
		if v := series[i].Value; finite(v) {
			total += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return total / float64(n)
}

// firstValue is the first finite value of series, NaN when none.
func firstValue(series []Series) float64 {
	for i := range series {
		if v := series[i].Value; finite(v) {
			return v
		}
	}
	return math.NaN()
}

// counterIncrease sums a counter's increases into *dst, leaving it NaN
// when nothing could be compared yet.
func counterIncrease(c *counters, series []Series, dst *float64) {
	if len(series) == 0 {
		return
	}
	if inc, ok, _ := c.sum(series); ok {
		if math.IsNaN(*dst) {
			*dst = 0
		}
		*dst += inc
	}
}
