package summary

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/infercost/infercost/result"
)

// WriteLLMSteps writes one aligned row per step of a token-streaming
// endpoint: its work in output tokens, and the latencies only streams have.
// Every latency is corrected (from the intended send time).
func WriteLLMSteps(w io.Writer, steps []result.Step) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	remote := remoteColumns(steps)
	heads, units := "", ""
	for _, c := range remote {
		heads, units = heads+c.head+"\t", units+c.unit+"\t"
	}
	fmt.Fprintln(tw, "#\tstep\toffered\tachieved\toutput\tper user\tTTFT p50\tTTFT p95\tITL p50\tITL p95\tTPOT p50\te2e p95\tgoodput\terrors\thost CPU\ttarget CPU\ttarget RSS\tGPU util\t"+heads+"flags\t")
	fmt.Fprintln(tw, "\t\t(req/s)\t(req/s)\t(tok/s)\t(tok/s)\t(ms)\t(ms)\t(ms)\t(ms)\t(ms)\t(ms)\t(req/s)\t(%)\t(% machine)\t(% of 1 core)\t(MiB)\t(%)\t"+units+"\t")
	for i := range steps {
		st := &steps[i]
		cells := ""
		for _, rc := range remote {
			cells += rc.cell(st) + "\t"
		}
		proc, rss := "-", "-"
		if st.Process.Available {
			proc, rss = Num(st.Process.CPUPercentMean), Num(st.Process.RSSBytesMax/(1<<20))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\t\n",
			st.Number(), st.Name, offered(st), Num(st.AchievedRPS), optNum(st.OutputTokensPerS), optNum(st.OutputTokensPerSPerUser),
			quant(st.TTFTMS, "p50"), quant(st.TTFTMS, "p95"), quant(st.ITLMS, "p50"), quant(st.ITLMS, "p95"), quant(st.TPOTMS, "p50"),
			quant(&st.LatencyMS.Corrected, "p95"), optNum(st.GoodputRPS), Num(st.ErrorRatio*100), Num(st.Host.CPUPercentMean),
			proc, rss, gpuUtil(st), cells, Flags(st))
	}
	tw.Flush()
	if note := gpuUtilNote(steps); note != "" {
		fmt.Fprintln(w, note)
	}
	if src := tokenSource(steps); src != "" {
		fmt.Fprintf(w, "tokens: %s\n", src)
	}
}

// tokenSource says where the token counts came from, once for the run.
func tokenSource(steps []result.Step) string {
	seen := map[string]bool{}
	for i := range steps {
		if s := steps[i].TokenCountSource; s != nil {
			seen[*s] = true
		}
	}
	switch {
	case len(seen) == 1 && seen[result.TokensFromUsage]:
		return "counted by the server (usage)"
	case len(seen) == 1 && seen[result.TokensFromStream]:
		return "the server sent no usage: output tokens are the content chunks counted, input tokens estimated from the prompt's words"
	case len(seen) > 0:
		return "some responses carried the server's usage and some did not (output counted from chunks, input estimated, for those)"
	}
	return ""
}

// offered is the offered load in words: a rate, or c=N in a closed loop.
func offered(st *result.Step) string {
	if st.Mode == result.ModeConcurrency {
		return fmt.Sprintf("c=%d", st.Concurrency)
	}
	return Num(st.OfferedRPS)
}

func optNum(v *float64) string {
	if v == nil {
		return "-"
	}
	return Num(*v)
}

// quant formats a percentile of q, "-" when there is no data.
func quant(q *result.Quantiles, p string) string {
	if q == nil || q.Count == 0 {
		return "-"
	}
	return Num(q.Value(p))
}
