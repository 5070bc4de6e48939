package runs

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// QuantilesMS reads a microsecond histogram as millisecond quantiles, as
// the load generator summarizes its own histograms into run.json (the same
// percentiles, the same rounding), so a figure recomputed from a step's log
// equals the one the profiler wrote. An empty or nil histogram gives the
// zero Quantiles ("no data").
func QuantilesMS(h *hdrhistogram.Histogram) result.Quantiles {
	if h == nil || h.TotalCount() == 0 {
		return result.Quantiles{}
	}
	return result.Quantiles{
		Count: h.TotalCount(),
		Min:   usToMS(h.Min()),
		Mean:  h.Mean() / 1000,
		P50:   usToMS(h.ValueAtQuantile(50)),
		P90:   usToMS(h.ValueAtQuantile(90)),
		P95:   usToMS(h.ValueAtQuantile(95)),
		P99:   usToMS(h.ValueAtQuantile(99)),
		P999:  usToMS(h.ValueAtQuantile(99.9)),
		Max:   usToMS(h.Max()),
	}
}

func usToMS(us int64) float64 { return float64(us) / 1000 }

// Histograms are one step's histograms by tag (loadgen.TagCorrected, ...).
type Histograms map[string]*hdrhistogram.Histogram

// Apply writes the quantiles of hs into st: request latency (corrected
// and uncorrected) and send lag always, and the token latencies (TTFT,
// ITL, TPOT) when the step counts output tokens and the log holds them.
// Counts, rates and every other figure are left as they are: the log
// holds latencies only.
func (hs Histograms) Apply(st *result.Step) {
	st.LatencyMS.Corrected = QuantilesMS(hs[loadgen.TagCorrected])
	st.LatencyMS.Uncorrected = QuantilesMS(hs[loadgen.TagUncorrected])
	lag := QuantilesMS(hs[loadgen.TagSendLag])
	st.SendLagMS = result.SendLag{P50: lag.P50, P99: lag.P99, Max: lag.Max}
	if st.Unit != result.UnitOutputToken {
		return
	}
	for _, f := range []struct {
		tag  string
		into **result.Quantiles
	}{{loadgen.TagTTFT, &st.TTFTMS}, {loadgen.TagTTFTUncorrected, &st.TTFTUncorrectedMS}, {loadgen.TagITL, &st.ITLMS}, {loadgen.TagTPOT, &st.TPOTMS}} {
		if h := hs[f.tag]; h != nil {
			q := QuantilesMS(h)
			*f.into = &q
		}
	}
}

// Clone copies every histogram, so a merge never changes what it read.
func (hs Histograms) Clone() Histograms {
	out := make(Histograms, len(hs))
	for tag, h := range hs {
		out[tag] = h.Clone()
	}
	return out
}
