package render

import (
	"strconv"
	"time"

	"github.com/infercost/infercost/result"
)

// runColumns are the figures after latency: the generator's send lag, the
// flags and the SLO verdict, stability and trials, the machine's figures,
// and where the quantiles came from.
func runColumns() []column {
	b := func(v bool) string { return strconv.FormatBool(v) }
	return []column{
		{"send_lag_p50_ms", func(_ Item, _ int, st *result.Step) string { return num(st.SendLagMS.P50) }},
		{"send_lag_p99_ms", func(_ Item, _ int, st *result.Step) string { return num(st.SendLagMS.P99) }},
		{"send_lag_max_ms", func(_ Item, _ int, st *result.Step) string { return num(st.SendLagMS.Max) }},
		{"late_send_ratio", func(_ Item, _ int, st *result.Step) string { return num(st.LateSendRatio) }},
		{"inflight_capped_ratio", func(_ Item, _ int, st *result.Step) string { return num(st.InflightCappedRatio) }},
		{"bytes_in_per_request", func(_ Item, _ int, st *result.Step) string { return num(st.BytesInPerRequest) }},
		{"bytes_out_per_request", func(_ Item, _ int, st *result.Step) string { return num(st.BytesOutPerRequest) }},
		{"generator_limited", func(_ Item, _ int, st *result.Step) string { return b(st.Flags.GeneratorLimited) }},
		{"unstable", func(_ Item, _ int, st *result.Step) string { return b(st.Flags.Unstable) }},
		{"interrupted", func(_ Item, _ int, st *result.Step) string { return b(st.Flags.Interrupted) }},
		{"stopped_early", func(_ Item, _ int, st *result.Step) string { return b(st.Flags.StoppedEarly) }},
		{"slo", func(it Item, _ int, _ *result.Step) string { return result.FormatSLO(it.SLO) }},
		{"meets_slo", func(it Item, _ int, st *result.Step) string {
			return map[string]string{"yes": "true", "no": "false", "-": ""}[it.meets(st)]
		}},
		{"stability_windows", func(_ Item, _ int, st *result.Step) string { return strconv.Itoa(st.Stability.Windows) }},
		{"stability_throughput_spread", func(_ Item, _ int, st *result.Step) string { return num(st.Stability.ThroughputSpread) }},
		{"stability_p95_spread", func(_ Item, _ int, st *result.Step) string { return num(st.Stability.P95Spread) }},
		{"trials", func(_ Item, _ int, st *result.Step) string { return strconv.Itoa(max(1, len(st.Trials))) }},
		{"trials_units_per_s_min", func(_ Item, _ int, st *result.Step) string { return num(st.Spread.UnitsPerSMin) }},
		{"trials_units_per_s_max", func(_ Item, _ int, st *result.Step) string { return num(st.Spread.UnitsPerSMax) }},
		{"trials_p95_ms_min", func(_ Item, _ int, st *result.Step) string { return num(st.Spread.P95MSMin) }},
		{"trials_p95_ms_max", func(_ Item, _ int, st *result.Step) string { return num(st.Spread.P95MSMax) }},
		{"host_cpu_percent_mean", func(_ Item, _ int, st *result.Step) string { return num(st.Host.CPUPercentMean) }},
		{"host_cpu_percent_max", func(_ Item, _ int, st *result.Step) string { return num(st.Host.CPUPercentMax) }},
		{"host_memory_used_bytes_max", func(_ Item, _ int, st *result.Step) string { return num(st.Host.MemoryUsedBytesMax) }},
		{"target_cpu_percent_of_core_mean", func(_ Item, _ int, st *result.Step) string { return procNum(st, st.Process.CPUPercentMean) }},
		{"target_cpu_percent_of_core_max", func(_ Item, _ int, st *result.Step) string { return procNum(st, st.Process.CPUPercentMax) }},
		{"target_rss_bytes_max", func(_ Item, _ int, st *result.Step) string { return procNum(st, st.Process.RSSBytesMax) }},
		{"generator_cpu_percent_of_core_mean", func(_ Item, _ int, st *result.Step) string { return num(st.Generator.CPUPercentMean) }},
		{"gpus", func(_ Item, _ int, st *result.Step) string { return strconv.Itoa(len(st.GPUs)) }},
		{"gpu_utilization_percent_mean", func(_ Item, _ int, st *result.Step) string {
			return gpuMean(st, func(g result.GPUSummary) float64 { return g.UtilizationPercentMean })
		}},
		{"gpu_memory_used_bytes_max", func(_ Item, _ int, st *result.Step) string {
			return gpuMax(st, func(g result.GPUSummary) float64 { return g.MemoryUsedBytesMax })
		}},
		{"gpu_power_watts_mean_sum", func(_ Item, _ int, st *result.Step) string {
			return gpuSum(st, func(g result.GPUSummary) float64 { return g.PowerWattsMean })
		}},
		{"energy_joules", func(_ Item, _ int, st *result.Step) string {
			if st.Energy == nil {
				return ""
			}
			return num(st.Energy.Joules)
		}},
		{"started_at", func(_ Item, _ int, st *result.Step) string { return st.StartedAt.UTC().Format(time.RFC3339) }},
		{"quantiles_source", func(it Item, i int, _ *result.Step) string { return it.Dir.StepSource(i) }},
	}
}

// procNum is a target-process figure, "" when its PID was unknown.
func procNum(st *result.Step, v float64) string {
	if !st.Process.Available {
		return ""
	}
	return num(v)
}

// gpuMean is the mean over the step's GPUs, "" without GPUs.
func gpuMean(st *result.Step, f func(result.GPUSummary) float64) string {
	if len(st.GPUs) == 0 {
		return ""
	}
	s := 0.0
	for _, g := range st.GPUs {
		s += f(g)
	}
	return num(s / float64(len(st.GPUs)))
}

func gpuMax(st *result.Step, f func(result.GPUSummary) float64) string {
	if len(st.GPUs) == 0 {
		return ""
	}
	m := f(st.GPUs[0])
	for _, g := range st.GPUs[1:] {
		m = max(m, f(g))
	}
	return num(m)
}

func gpuSum(st *result.Step, f func(result.GPUSummary) float64) string {
	if len(st.GPUs) == 0 {
		return ""
	}
	s := 0.0
	for _, g := range st.GPUs {
		s += f(g)
	}
	return num(s)
}
