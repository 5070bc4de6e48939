package loadgen

import (
	"math"
	"slices"
	"time"

	"github.com/infercost/infercost/result"
)

// outcome is one completed request, ready to record.
type outcome struct {
	kind        string // "" for success, else a result.ErrorKinds key
	corrected   time.Duration
	uncorrected time.Duration
	bytesIn     int64
	bytesOut    int64
	// intended and sent are the request's intended and actual send times
	// from the attack's start (equal in a closed loop).
	intended, sent time.Duration
	// good: a success that met every per-request bound (goodput).
	good bool

	// Streamed responses only.
	stream bool
	// ttft is from the intended send to the first content chunk (corrected,
	// as request latency is); ttftUncorrected from the actual send.
	ttft, ttftUncorrected time.Duration
	// gaps are the inter-token latencies: between consecutive chunks.
	gaps                      []time.Duration
	inputTokens, outputTokens int64
	usage                     bool
}

// apply takes a protocol's verdict on a 2xx response into the outcome.
func (o *outcome) apply(v verdict) {
	o.kind = v.kind
	if v.bytesIn > 0 {
		o.bytesIn = v.bytesIn
	}
	if !v.stream || v.kind != "" {
		return
	}
	o.stream, o.usage = true, v.usage
	o.inputTokens, o.outputTokens = v.inputTokens, v.outputTokens
	if len(v.chunks) > 0 {
		first := v.chunks[0]
		// A chunk never arrives before its request was sent; the clamps only
		// guard against clock rounding.
		o.ttft = max(first-o.intended, 0)
		o.ttftUncorrected = max(first-o.sent, 0)
		o.gaps = make([]time.Duration, 0, len(v.chunks)-1)
		for i := 1; i < len(v.chunks); i++ {
			o.gaps = append(o.gaps, max(v.chunks[i]-v.chunks[i-1], 0))
		}
	}
}

// tpot is the time per output token after the first: (e2e - ttft) /
// (output tokens - 1); ok is false with fewer than two tokens.
func (o *outcome) tpot() (time.Duration, bool) {
	if !o.stream || o.outputTokens < 2 {
		return 0, false
	}
	return max(o.corrected-o.ttft, 0) / time.Duration(o.outputTokens-1), true
}

// judgeGoodput sets o.good: a success that meets every per-request bound.
// A bound on a percentile becomes a bound on each request's own figure:
// its e2e latency (plain pNN), its TTFT, its TPOT, and for ITL the gap at
// that percentile of the request's own gaps. With no bounds every success
// is good.
func (o *outcome) judgeGoodput(bounds []result.SLOBound) {
	o.good = false
	if o.kind != "" {
		return
	}
	for _, b := range bounds {
		v, ok := o.requestFigure(b)
		if !ok || v > b.BoundMS {
			return
		}
	}
	o.good = true
}

// requestFigure is the request's own figure for a bound, in ms; ok is false
// when the request has none (a TTFT bound on a KServe response).
func (o *outcome) requestFigure(b result.SLOBound) (float64, bool) {
	switch b.Metric {
	case "", result.MetricLatency:
		return ms(o.corrected), true
	case result.MetricTTFT:
		return ms(o.ttft), o.stream
	case result.MetricTPOT:
		t, ok := o.tpot()
		if !ok {
			return 0, o.stream // one token: no time per output token to bound
		}
		return ms(t), true
	case result.MetricITL:
		if !o.stream {
			return 0, false
		}
		return ms(nearestRank(o.gaps, percentileOf(b.Percentile))), true
	}
	return 0, false
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentileOf reads a canonical percentile name as a fraction.
func percentileOf(name string) float64 {
	switch name {
	case "p50":
		return 0.50
	case "p90":
		return 0.90
	case "p95":
		return 0.95
	case "p99":
		return 0.99
	case "p999":
		return 0.999
	}
	return 1
}

// nearestRank is the q-quantile of xs by the nearest-rank rule; 0 for none.
func nearestRank(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}
