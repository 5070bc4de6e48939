package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// levelResult is the medians over the trials at one concurrency.
type levelResult struct {
	c                                                          int
	tokensPerSec, itlP50, itlP90, ttftP50, seqsPerStep, stepMS float64
	rssPeak                                                    int64
	spread                                                     [2]float64 // min and max tokens/s over the trials
}

func summarize(c int, ts []trialResult) levelResult {
	pick := func(f func(trialResult) float64) float64 {
		var vs []float64
		for _, t := range ts {
			vs = append(vs, f(t))
		}
		return median(vs)
	}
	r := levelResult{c: c,
		tokensPerSec: pick(func(t trialResult) float64 { return t.tokensPerSec }),
		itlP50:       pick(func(t trialResult) float64 { return t.itlP50 }),
		itlP90:       pick(func(t trialResult) float64 { return t.itlP90 }),
		ttftP50:      pick(func(t trialResult) float64 { return t.ttftP50 }),
		seqsPerStep:  pick(func(t trialResult) float64 { return t.seqsPerStep }),
		stepMS:       pick(func(t trialResult) float64 { return t.stepSeconds * 1e3 }),
		spread:       [2]float64{ts[0].tokensPerSec, ts[0].tokensPerSec},
	}
	// The first round's RSS: the levels run in increasing order in it, so
	// each figure is the memory that level needed (later rounds start from
	// what the busiest level left behind, as the Go heap keeps it).
	r.rssPeak = ts[0].rssPeak
	for _, t := range ts {
		r.spread[0], r.spread[1] = min(r.spread[0], t.tokensPerSec), max(r.spread[1], t.tokensPerSec)
	}
	return r
}

func printReport(w io.Writer, startup []string, rows []levelResult, ttft []ttftResult, hwm int64, promptLen, maxTokens, trials int, warmup, window time.Duration) {
	fmt.Fprintf(w, "Server:\n\n```\n%s\n```\n\n", strings.Join(startup, "\n"))
	fmt.Fprintf(w, "Streams of completions (prompt %d tokens, max_tokens %d, ignore_eos, temperature 0.8), each stream sending its next request when the last ends; %v warm-up then %v measured, medians of %d rounds (each round measures every level in turn):\n\n",
		promptLen, maxTokens, warmup, window, trials)
	fmt.Fprintln(w, "| streams | output tokens/s | vs 1 stream | min-max tokens/s | sequences per step | step (ms) | ITL p50 (ms) | ITL p90 (ms) | TTFT p50 (ms) | server RSS peak, round 1 (MiB) |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	base := 0.0
	for _, r := range rows {
		if r.c == 1 {
			base = r.tokensPerSec
		}
		ratio := "-"
		if base > 0 {
			ratio = fmt.Sprintf("%.2fx", r.tokensPerSec/base)
		}
		fmt.Fprintf(w, "| %d | %.0f | %s | %.0f-%.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f |\n",
			r.c, r.tokensPerSec, ratio, r.spread[0], r.spread[1], r.seqsPerStep, r.stepMS, r.itlP50*1e3, r.itlP90*1e3, r.ttftP50*1e3, float64(r.rssPeak)/(1<<20))
	}
	fmt.Fprintf(w, "\nTime to first token against prompt length (one stream, max_tokens 1, the server otherwise idle; medians over the rounds of each round's p50 and p90):\n\n")
	fmt.Fprintln(w, "| prompt (tokens) | TTFT p50 (ms) | TTFT p90 (ms) |")
	fmt.Fprintln(w, "|---:|---:|---:|")
	for _, r := range ttft {
		fmt.Fprintf(w, "| %d | %.2f | %.2f |\n", r.promptLen, r.p50*1e3, r.p90*1e3)
	}
	fmt.Fprintf(w, "\nServer peak RSS over the whole run (VmHWM): %.1f MiB.\n", float64(hwm)/(1<<20))
}
