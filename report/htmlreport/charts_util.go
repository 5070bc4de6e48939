package htmlreport

import (
	"fmt"

	"github.com/infercost/infercost/result"
)

// maxSamplePoints bounds each series of the utilisation chart: a long run
// keeps up to 65,536 samples, and every one inlined would make a page of
// megabytes for a line no screen can resolve. Longer runs keep every
// k-th sample (the step spans are exact either way).
const maxSamplePoints = 1500

// utilizationChart draws samples.csv over time: the host's CPU (% of the
// machine), the target's and the generator's CPU (% of one core), each
// GPU's utilisation, and memory on a second axis, with each measured step
// shaded and numbered. false when the run kept no samples.
func utilizationChart(id string, samples []result.Sample) (Chart, bool) {
	if len(samples) == 0 {
		return Chart{}, false
	}
	t0 := samples[0].Time
	every := (len(samples) + maxSamplePoints - 1) / maxSamplePoints
	var host, proc, gen, hostMem, rss []any
	gpus := map[int][]any{}
	gpuOrder := []int{}
	hasProc := false
	type span struct{ from, to float64 }
	spans := map[int]*span{}
	stepOrder := []int{}
	for i, s := range samples {
		x := s.Time.Sub(t0).Seconds()
		if s.Step >= 0 {
			if sp := spans[s.Step]; sp == nil {
				spans[s.Step] = &span{x, x}
				stepOrder = append(stepOrder, s.Step)
			} else {
				sp.to = x
			}
		}
		if i%every != 0 {
			continue
		}
		host = append(host, xy(x, s.HostCPUPercent))
		gen = append(gen, xy(x, s.GeneratorCPUPercent))
		hostMem = append(hostMem, xy(x, s.HostMemoryUsedBytes/(1<<20)))
		if s.ProcessCPUPercent >= 0 {
			hasProc = true
			proc = append(proc, xy(x, s.ProcessCPUPercent))
			rss = append(rss, xy(x, s.ProcessRSSBytes/(1<<20)))
		}
		for _, g := range s.GPUs {
			if _, ok := gpus[g.Index]; !ok {
				gpuOrder = append(gpuOrder, g.Index)
			}
			gpus[g.Index] = append(gpus[g.Index], xy(x, g.UtilizationPercent))
		}
	}
	var areas []area
	for _, st := range stepOrder {
		sp := spans[st]
		areas = append(areas, area{name: fmt.Sprint(st + 1), from: round(sp.from), to: round(sp.to)})
	}
	ss := []series{{name: "host CPU (% of the machine)", kind: "line", data: host, areas: areas}}
	if hasProc {
		ss = append(ss, series{name: "target CPU (% of one core)", kind: "line", data: proc})
	}
	ss = append(ss, series{name: "generator CPU (% of one core)", kind: "line", data: gen})
	for _, g := range gpuOrder {
		ss = append(ss, series{name: fmt.Sprintf("GPU %d utilisation (%%)", g), kind: "line", data: gpus[g]})
	}
	ss = append(ss, series{name: "host memory used (MiB)", kind: "line", data: hostMem, yAxis: 1, dashed: true})
	if hasProc {
		ss = append(ss, series{name: "target RSS (MiB)", kind: "line", data: rss, yAxis: 1, dashed: true})
	}
	for i := range ss {
		ss[i].kind = "line"
	}
	c := newChart(id, "Utilisation over time",
		"Every sampler reading (samples.csv): CPU and GPU in % (left axis), memory in MiB (right axis); the shaded spans are the measured steps, numbered. Drag the slider to zoom.",
		axis{name: "time since the run started (s)", kind: "value", min: 0}, []axis{{name: "%", kind: "value", min: 0}, {name: "MiB", kind: "value", min: 0}}, ss, false)
	for _, s := range c.Option["series"].([]any) {
		s.(map[string]any)["showSymbol"] = false
	}
	c.Marked = false
	c.Option["dataZoom"] = []any{map[string]any{"type": "slider", "xAxisIndex": 0, "bottom": 8, "height": 18}, map[string]any{"type": "inside", "xAxisIndex": 0}}
	c.Option["grid"].(map[string]any)["bottom"] = 80
	c.Option["tooltip"] = map[string]any{"trigger": "axis", "confine": true}
	return c, true
}
