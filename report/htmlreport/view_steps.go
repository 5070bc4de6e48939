package htmlreport

import (
	"fmt"
	"strings"

	"github.com/infercost/infercost/report/summary"
	"github.com/infercost/infercost/result"
)

// stepsTable is the summary table of a run, the columns the terminal
// prints (the LLM columns for an LLM run) plus the trials' range and the
// SLO verdict; the capacity step's row is marked.
func stepsTable(run *result.Run, slo []result.SLOBound, maxErr float64, capacityStep int) table {
	llm := run.Unit() == result.UnitOutputToken
	head := []string{"#", "step", "batch (inputs)", "offered (req/s)", "achieved (req/s)", "throughput (infer/s)", "p50 (ms)", "p95 (ms)", "p99 (ms)",
		"p99 uncorr. (ms)", "errors (%)", "host CPU (% machine)", "target CPU (% of 1 core)", "target RSS (MiB)", "GPU util (%)", "trials: throughput range", "flags", "SLO"}
	if llm {
		head = []string{"#", "step", "offered", "achieved (req/s)", "output (tok/s)", "per user (tok/s)", "TTFT p50 (ms)", "TTFT p95 (ms)", "ITL p50 (ms)",
			"ITL p95 (ms)", "TPOT p50 (ms)", "e2e p95 (ms)", "goodput (req/s)", "errors (%)", "host CPU (% machine)", "GPU util (%)", "trials: throughput range", "flags", "SLO"}
	}
	t := table{Head: head, Class: "steps"}
	for i := range run.Steps {
		st := &run.Steps[i]
		verdict, class := "-", ""
		if len(slo) > 0 {
			if misses := result.SLOMisses(st, slo, maxErr); len(misses) == 0 {
				verdict = "meets"
			} else {
				words := make([]string, len(misses))
				for j, m := range misses {
					words[j] = shortMiss(m)
				}
				verdict, class = "misses: "+strings.Join(words, ", "), "fail"
			}
		}
		if st.Number() == capacityStep {
			class = "best"
		}
		var cells []string
		if llm {
			cells = []string{fmt.Sprint(st.Number()), st.Name, offered(st), summary.Num(st.AchievedRPS), opt(st.OutputTokensPerS), opt(st.OutputTokensPerSPerUser),
				q(st.TTFTMS, "p50"), q(st.TTFTMS, "p95"), q(st.ITLMS, "p50"), q(st.ITLMS, "p95"), q(st.TPOTMS, "p50"), q(&st.LatencyMS.Corrected, "p95"),
				opt(st.GoodputRPS), summary.Num(st.ErrorRatio * 100), summary.Num(st.Host.CPUPercentMean), gpuUtil(st), trialsRange(st), summary.Flags(st), verdict}
		} else {
			c, u := &st.LatencyMS.Corrected, &st.LatencyMS.Uncorrected
			proc, rss := "-", "-"
			if st.Process.Available {
				proc, rss = summary.Num(st.Process.CPUPercentMean), summary.Num(st.Process.RSSBytesMax/(1<<20))
			}
			cells = []string{fmt.Sprint(st.Number()), st.Name, fmt.Sprint(st.BatchSize), offered(st), summary.Num(st.AchievedRPS), summary.Num(st.InferencesPerS),
				q(c, "p50"), q(c, "p95"), q(c, "p99"), q(u, "p99"), summary.Num(st.ErrorRatio * 100), summary.Num(st.Host.CPUPercentMean), proc, rss,
				gpuUtil(st), trialsRange(st), summary.Flags(st), verdict}
		}
		r := newTable(nil, [][]string{cells}).Rows[0]
		r.Class = class
		t.Rows = append(t.Rows, r)
	}
	return t
}

func offered(st *result.Step) string {
	if st.Mode == result.ModeConcurrency {
		return fmt.Sprintf("c=%d", st.Concurrency)
	}
	return summary.Num(st.OfferedRPS)
}

func opt(v *float64) string {
	if v == nil {
		return "-"
	}
	return summary.Num(*v)
}

func q(qs *result.Quantiles, p string) string {
	if qs == nil || qs.Count == 0 {
		return "-"
	}
	return summary.Num(qs.Value(p))
}

func gpuUtil(st *result.Step) string {
	if len(st.GPUs) == 0 {
		return "-"
	}
	parts := make([]string, len(st.GPUs))
	for j, g := range st.GPUs {
		parts[j] = "n/a"
		if g.UtilizationPercentMean >= 0 {
			parts[j] = summary.Num(g.UtilizationPercentMean)
		}
	}
	return strings.Join(parts, "/")
}

// trialsRange is the min-max throughput over the step's trials, "-" for a
// step measured once (its spread is 0).
func trialsRange(st *result.Step) string {
	if len(st.Trials) < 2 {
		return "-"
	}
	return fmt.Sprintf("%s-%s (%d trials)", summary.Num(st.Spread.UnitsPerSMin), summary.Num(st.Spread.UnitsPerSMax), len(st.Trials))
}

// shortMiss says a miss in a few words for a table cell ("p95 1904 >
// 50 ms", "unstable"); the notes below the table say more.
func shortMiss(m result.Miss) string {
	switch {
	case m.Missing:
		return "no " + m.What + " figure"
	case m.What == "error_rate":
		return fmt.Sprintf("errors %s%% > %s%%", summary.Num(m.Observed*100), summary.Num(m.Bound*100))
	case m.IsLatency():
		return fmt.Sprintf("%s %s > %s ms", m.What, summary.Num(m.Observed), summary.Num(m.Bound))
	}
	return strings.ReplaceAll(m.What, "_", "-")
}
