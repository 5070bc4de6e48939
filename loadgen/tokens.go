package loadgen

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/infercost/infercost/result"
)

// TokenFigures is what an interval's streamed responses carried: the
// latencies only streams have, in microseconds, and their tokens.
type TokenFigures struct {
	// Streams counts successful streamed responses.
	Streams int64
	// UsageStreams counts those whose token counts came from the server's
	// usage (the rest were counted from chunks, inputs estimated).
	UsageStreams int64
	InputTokens  int64
	OutputTokens int64
	// PerUserRateSum sums each stream's output tokens / e2e seconds, for the
	// mean per-stream rate (the interactivity figure).
	PerUserRateSum float64
	// TTFT (corrected and uncorrected), ITL (every gap) and TPOT (per
	// request), microseconds.
	TTFT, TTFTUncorrected, ITL, TPOT *hdrhistogram.Histogram
}

func newTokenFigures() TokenFigures {
	return TokenFigures{TTFT: NewHistogram(), TTFTUncorrected: NewHistogram(), ITL: NewHistogram(), TPOT: NewHistogram()}
}

// recordStream adds one successful streamed response. The caller holds the
// recorder's lock.
func (iv *Interval) recordStream(o *outcome) {
	t := &iv.Tokens
	t.Streams++
	if o.usage {
		t.UsageStreams++
	}
	t.InputTokens += o.inputTokens
	t.OutputTokens += o.outputTokens
	if s := o.corrected.Seconds(); s > 0 {
		t.PerUserRateSum += float64(o.outputTokens) / s
	}
	recordUS(t.TTFT, o.ttft)
	recordUS(t.TTFTUncorrected, o.ttftUncorrected)
	for _, g := range o.gaps {
		recordUS(t.ITL, g)
	}
	if tp, ok := o.tpot(); ok {
		recordUS(t.TPOT, tp)
	}
}

func (t *TokenFigures) merge(o *TokenFigures) {
	t.Streams += o.Streams
	t.UsageStreams += o.UsageStreams
	t.InputTokens += o.InputTokens
	t.OutputTokens += o.OutputTokens
	t.PerUserRateSum += o.PerUserRateSum
	t.TTFT = mergeHist(t.TTFT, o.TTFT)
	t.TTFTUncorrected = mergeHist(t.TTFTUncorrected, o.TTFTUncorrected)
	t.ITL = mergeHist(t.ITL, o.ITL)
	t.TPOT = mergeHist(t.TPOT, o.TPOT)
}

// fill writes the token figures of a step measured over dur seconds.
func (t *TokenFigures) fill(st *result.Step, dur float64) {
	f := &st.LLMFigures
	f.TTFTMS = quantilesPtr(t.TTFT)
	f.TTFTUncorrectedMS = quantilesPtr(t.TTFTUncorrected)
	f.ITLMS = quantilesPtr(t.ITL)
	f.TPOTMS = quantilesPtr(t.TPOT)
	source := result.TokensMixed
	switch t.UsageStreams {
	case t.Streams:
		source = result.TokensFromUsage
	case 0:
		source = result.TokensFromStream
	}
	f.TokenCountSource = &source
	in, out := t.InputTokens, t.OutputTokens
	f.InputTokens, f.OutputTokens = &in, &out
	f.InputTokensPerS = ptr(ratio(float64(in), dur))
	f.OutputTokensPerS = ptr(ratio(float64(out), dur))
	f.RequestsPerS = ptr(ratio(float64(t.Streams), dur))
	f.OutputTokensPerSPerUser = ptr(ratio(t.PerUserRateSum, float64(t.Streams)))
	f.InputTokensPerRequest = ptr(ratio(float64(in), float64(t.Streams)))
	f.OutputTokensPerRequest = ptr(ratio(float64(out), float64(t.Streams)))
}

func quantilesPtr(h *hdrhistogram.Histogram) *result.Quantiles {
	q := QuantilesMS(h)
	return &q
}

func ptr[T any](v T) *T { return &v }
