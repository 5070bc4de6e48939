package htmlreport

import (
	"fmt"
	"sort"
	"strings"

	"github.com/infercost/infercost/report/summary"
	"github.com/infercost/infercost/result"
)

// settings lists what was asked for (spec), flags and defaults resolved.
func settings(run *result.Run) []kv {
	sp := run.Spec
	out := []kv{
		{"command", run.Command}, {"target", orDash(sp.Target)}, {"model", orDash(sp.Model)}, {"protocol", sp.Protocol},
		{"mode", orDash(sp.Mode)}, {"arrival", orDash(sp.Arrival)}, {"rates (req/s)", joinFloats(sp.RatesRPS)},
		{"concurrency", joinInts(sp.Concurrency)}, {"batch sizes", joinInts(sp.BatchSizes)},
		{"measurement", fmt.Sprintf("%gs warm-up, then %gs in %d windows (up to %d) until throughput and p95 agree within %.0f%%; at least %d requests a window",
			sp.WarmupS, sp.DurationS, sp.Windows, sp.MaxWindows, sp.StabilityTolerance*100, sp.MinRequests)},
		{"trials", fmt.Sprint(sp.Trials)}, {"max in flight", fmt.Sprint(sp.MaxInflight)}, {"late threshold (ms)", fmt.Sprint(sp.LateThresholdMS)},
		{"timeout (s)", fmt.Sprint(sp.TimeoutS)}, {"sample interval (ms)", fmt.Sprint(sp.SampleIntervalMS)}, {"seed", fmt.Sprint(sp.Seed)},
		{"data file", orDash(sp.DataFile)}, {"headers (names only)", orDash(strings.Join(sp.HeaderNames, ", "))}, {"HTTP/2", yesNo(sp.HTTP2)},
		{"search", orDash(sp.Search)}, {"SLO", orDash(result.FormatSLO(sp.SLO))}, {"max error rate", fmt.Sprint(sp.MaxErrorRate)},
		{"hardware label", orDash(sp.HardwareLabel)}, {"GPUs serving the target", fmt.Sprint(sp.GPUs)},
	}
	if s := sp.Server; s != nil {
		out = append(out, kv{"built-in server", fmt.Sprintf("preset %s, max batch %d, queue delay %g ms, %d instance(s), max queue %d", s.Preset, s.MaxBatchSize, s.MaxQueueDelayMS, s.Instances, s.MaxQueue)})
	}
	if l := sp.LLM; l != nil {
		out = append(out, kv{"LLM prompts", fmt.Sprintf("%s API; prompt tokens %g±%g, output tokens %g±%g; %d prompts; data %s; force output length %s; %.3g tokens a word%s",
			l.API, l.PromptTokens.Mean, l.PromptTokens.StdDev, l.OutputTokens.Mean, l.OutputTokens.StdDev, l.Prompts, orDash(l.DataFormat),
			yesNo(l.ForceOutputLength), l.TokensPerWord, map[bool]string{true: " (calibrated)", false: " (estimated)"}[l.TokenizerCalibrated])})
	}
	for _, s := range sp.Scrape {
		out = append(out, kv{"scrape " + s.Name, s.URL})
	}
	return out
}

// labels lists --label pairs, sorted by key.
func labels(run *result.Run) []kv {
	keys := make([]string, 0, len(run.Spec.Labels))
	for k := range run.Spec.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]kv, len(keys))
	for i, k := range keys {
		out[i] = kv{k, run.Spec.Labels[k]}
	}
	return out
}

// environment lists where the run was measured.
func environment(run *result.Run) []kv {
	e := run.Environment
	out := []kv{
		{"hardware", fmt.Sprintf("%s (%s)", orDash(e.Hardware), orDash(e.HardwareSource))},
		{"host", fmt.Sprintf("%s, %s/%s, %s, %d logical CPUs, %s memory", orDash(e.Hostname), e.OS, e.Arch, orDash(e.CPUModel), e.CPUCores, summary.Bytes(float64(e.MemoryBytes)))},
		{"GPU", orDash(e.GPUStatus)},
		{"target", orDash(e.TargetURL)}, {"target on this host", yesNo(e.TargetIsLocal)},
		{"infercost", fmt.Sprintf("%s (%s)", orDash(e.InfercostVersion), orDash(e.GoVersion))},
	}
	for _, g := range e.GPUs {
		out = append(out, kv{fmt.Sprintf("GPU %d", g.Index), fmt.Sprintf("%s, %s, driver %s", g.Name, summary.Bytes(float64(g.MemoryBytes)), orDash(g.Driver))})
	}
	if sc := run.Samplers; sc.Samples > 0 {
		cost := "not measurable on this OS"
		if sc.CPUPercentOfCore >= 0 {
			cost = fmt.Sprintf("%.2f%% of one core", sc.CPUPercentOfCore)
		}
		out = append(out, kv{"samplers", fmt.Sprintf("%d samples every %g ms, costing %s", sc.Samples, sc.IntervalMS, cost)})
	}
	return out
}

// sweepLines says a sweep's answers in words, as the terminal does.
func sweepLines(run *result.Run) []string {
	sw := run.Sweep
	if sw == nil {
		return nil
	}
	var b strings.Builder
	summary.WriteSweep(&b, run)
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// runNotes lists every step's notes and errors, prefixed with the step.
func runNotes(run *result.Run) []string {
	var out []string
	for i := range run.Steps {
		st := &run.Steps[i]
		for _, n := range st.Notes {
			out = append(out, fmt.Sprintf("step %d %s: %s", st.Number(), st.Name, n))
		}
		var errs []string
		for _, k := range result.ErrorKinds {
			if n := st.Errors[k]; n > 0 {
				errs = append(errs, fmt.Sprintf("%s=%d", k, n))
			}
		}
		if len(errs) > 0 {
			out = append(out, fmt.Sprintf("step %d %s: errors %s", st.Number(), st.Name, strings.Join(errs, " ")))
		}
	}
	return out
}
