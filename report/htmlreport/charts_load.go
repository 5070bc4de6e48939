package htmlreport

import (
	"fmt"
	"sort"

	"github.com/infercost/infercost/result"
)

// loadAxis says where a run's steps sit on the load axis. An LLM run
// measured in a closed loop sits at its concurrency (the knob that plays
// batch size for a server that batches continuously, on a log2 axis);
// every other run at requests/s: offered in rate steps, achieved in
// closed-loop ones, as the PNG plots place them.
type loadAxis struct {
	byConcurrency bool
	name          string
}

func loadAxisOf(run *result.Run) loadAxis {
	if run.Unit() == result.UnitOutputToken {
		closed := true
		for i := range run.Steps {
			if run.Steps[i].Mode != result.ModeConcurrency {
				closed = false
			}
		}
		if closed {
			return loadAxis{byConcurrency: true, name: "concurrency (requests in flight)"}
		}
	}
	return loadAxis{name: "load (requests/s: offered; achieved in closed-loop steps)"}
}

func (l loadAxis) x(st *result.Step) float64 {
	switch {
	case l.byConcurrency:
		return float64(st.Concurrency)
	case st.Mode == result.ModeRate && st.OfferedRPS > 0:
		return st.OfferedRPS
	}
	return st.AchievedRPS
}

// measured lists the steps with a success, the ones a chart can place.
func measured(run *result.Run) []*result.Step {
	var out []*result.Step
	for i := range run.Steps {
		if st := &run.Steps[i]; st.Successes > 0 {
			out = append(out, st)
		}
	}
	return out
}

// throughputChart is the run's work per second against its knob: for a
// KServe run, per batch size, the most measured within the SLO and the
// most measured at all; for an LLM run, output tokens/s (with requests/s
// and goodput on a second axis) at each load.
func throughputChart(id string, run *result.Run, slo []result.SLOBound, maxErr float64) (Chart, bool) {
	steps := measured(run)
	if len(steps) == 0 {
		return Chart{}, false
	}
	if run.Unit() == result.UnitOutputToken {
		return llmThroughputChart(id, run, steps, slo, maxErr), true
	}
	best, top := map[int]float64{}, map[int]float64{}
	for _, st := range steps {
		top[st.BatchSize] = max(top[st.BatchSize], st.InferencesPerS)
		if len(slo) > 0 && result.MeetsSLO(st, slo, maxErr) {
			best[st.BatchSize] = max(best[st.BatchSize], st.InferencesPerS)
		}
	}
	batches := make([]int, 0, len(top))
	for b := range top {
		batches = append(batches, b)
	}
	sort.Ints(batches)
	cats := make([]string, len(batches))
	atSLO, atAll := make([]any, len(batches)), make([]any, len(batches))
	for i, b := range batches {
		cats[i] = fmt.Sprint(b)
		atAll[i] = round(top[b])
		if v, ok := best[b]; ok {
			atSLO[i] = round(v)
		}
	}
	ss := []series{{name: "most measured, any latency", kind: "bar", data: atAll}}
	caption := "Inferences/s by batch size: the most any step measured. The run has no SLO to judge the steps by."
	if len(slo) > 0 {
		ss = append([]series{{name: "most within SLO " + result.FormatSLO(slo), kind: "bar", data: atSLO}}, ss...)
		caption = "Inferences/s by batch size: the most a step meeting the SLO measured (no bar: no step met it), beside the most measured at any latency."
	}
	return newChart(id, "Throughput vs batch size", caption, axis{name: "batch size (inputs per request)", kind: "category", categories: cats},
		[]axis{{name: "inferences/s", kind: "value"}}, ss, false), true
}

func llmThroughputChart(id string, run *result.Run, steps []*result.Step, slo []result.SLOBound, maxErr float64) Chart {
	la := loadAxisOf(run)
	var out, rps, good, within []any
	var xs []float64
	for _, st := range steps {
		x := la.x(st)
		xs = append(xs, x)
		out = append(out, xy(x, val(st.OutputTokensPerS)))
		rps = append(rps, xy(x, val(st.RequestsPerS)))
		if st.GoodputRPS != nil {
			good = append(good, xy(x, *st.GoodputRPS))
		}
		if len(slo) > 0 && result.MeetsSLO(st, slo, maxErr) {
			within = append(within, xy(x, val(st.OutputTokensPerS)))
		}
	}
	for _, s := range [][]any{out, rps, good, within} {
		sortXY(s)
	}
	x := axis{name: la.name, kind: "value"}
	if la.byConcurrency {
		x = axis{name: la.name, kind: "log", logBase: 2}
	} else {
		x = scaleFor(la.name, xs, 10)
	}
	ss := []series{{name: "output tokens/s", kind: "line", data: out}}
	if len(within) > 0 {
		ss = append(ss, series{name: "output tokens/s, steps within SLO " + result.FormatSLO(slo), kind: "line", data: within, dashed: true})
	}
	ss = append(ss, series{name: "requests/s", kind: "line", data: rps, yAxis: 1, dashed: true})
	if len(good) > 0 {
		ss = append(ss, series{name: "goodput (requests/s meeting every per-request bound)", kind: "line", data: good, yAxis: 1, dashed: true})
	}
	return newChart(id, "Throughput vs concurrency", "Output tokens/s (left axis) and requests/s with goodput (right axis) at each load.", x,
		[]axis{{name: "output tokens/s", kind: "value"}, {name: "requests/s", kind: "value"}}, ss, false)
}

func val(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

// latencyMetric is one latency a chart draws: its name, how to read it
// from a step, and which SLO bounds apply to it.
type latencyMetric struct {
	metric string // result.MetricLatency, MetricTTFT, ...
	title  string
	of     func(st *result.Step) *result.Quantiles
}

var latencyMetrics = []latencyMetric{
	{result.MetricLatency, "Latency", func(st *result.Step) *result.Quantiles { return &st.LatencyMS.Corrected }},
	{result.MetricTTFT, "Time to first token", func(st *result.Step) *result.Quantiles { return st.TTFTMS }},
	{result.MetricITL, "Inter-token latency", func(st *result.Step) *result.Quantiles { return st.ITLMS }},
}

// latencyCharts draws p50, p95 and p99 of each latency against load, one
// group of lines per batch size, with the SLO's bounds on that latency as
// red dashed lines (a legend entry of their own toggles them): request
// latency for a KServe run; TTFT, ITL and end-to-end latency for an LLM
// run.
func latencyCharts(prefix string, run *result.Run, slo []result.SLOBound) []Chart {
	steps := measured(run)
	metrics := latencyMetrics[:1]
	if run.Unit() == result.UnitOutputToken {
		metrics = []latencyMetric{latencyMetrics[1], latencyMetrics[2], {result.MetricLatency, "End-to-end latency", latencyMetrics[0].of}}
	}
	la := loadAxisOf(run)
	var out []Chart
	for _, m := range metrics {
		byBatch := map[int][]*result.Step{}
		for _, st := range steps {
			if q := m.of(st); q != nil && q.Count > 0 {
				byBatch[st.BatchSize] = append(byBatch[st.BatchSize], st)
			}
		}
		if len(byBatch) == 0 {
			continue
		}
		batches := make([]int, 0, len(byBatch))
		for b := range byBatch {
			batches = append(batches, b)
		}
		sort.Ints(batches)
		var ss []series
		var xs, ys []float64
		for bi, b := range batches {
			for _, p := range []string{"p50", "p95", "p99"} {
				var pts []any
				for _, st := range byBatch[b] {
					x, y := la.x(st), m.of(st).Value(p)
					xs, ys = append(xs, x), append(ys, y)
					pts = append(pts, xy(x, y))
				}
				sortXY(pts)
				name := p
				if len(batches) > 1 || run.Unit() != result.UnitOutputToken {
					name = fmt.Sprintf("batch %d %s", b, p)
				}
				st := percentileStyle[p]
				ss = append(ss, series{name: name, kind: "line", data: pts, color: palette[bi%len(palette)], lineType: st[0], symbol: st[1]})
			}
		}
		var marks []mark
		for _, bd := range slo {
			if bd.Metric == m.metric || (bd.Metric == "" && m.metric == result.MetricLatency) {
				marks = append(marks, mark{name: fmt.Sprintf("SLO %s %g ms", bd.Name(), bd.BoundMS), y: bd.BoundMS})
				ys = append(ys, bd.BoundMS)
			}
		}
		if len(marks) > 0 {
			ss = append(ss, series{name: "SLO bounds", kind: "line", data: []any{}, marks: marks, color: "#c62828"})
		}
		x := scaleFor(la.name, xs, 10)
		if la.byConcurrency {
			x = axis{name: la.name, kind: "log", logBase: 2}
		}
		caption := fmt.Sprintf("%s (corrected: from each request's intended send time) at each load: p50 dashed, p95 solid, p99 dotted, a colour per batch size; the SLO's bounds on it in red.", m.title)
		out = append(out, newChart(fmt.Sprintf("%s-%s", prefix, m.metric), m.title+" vs load", caption, x,
			[]axis{scaleFor(m.title+" (ms)", ys, 10)}, ss, false))
	}
	return out
}
