package runs

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// Histograms are one step's histograms by tag (loadgen.TagCorrected, ...).
type Histograms map[string]*hdrhistogram.Histogram

// Apply writes the quantiles of hs into st: request latency (corrected
// and uncorrected) and send lag always, and the token latencies (TTFT,
// ITL, TPOT) when the step counts output tokens and the log holds them.
// Counts, rates and every other figure are left as they are: the log
// holds latencies only.
func (hs Histograms) Apply(st *result.Step) {
	st.LatencyMS.Corrected = loadgen.QuantilesMS(hs[loadgen.TagCorrected])
	st.LatencyMS.Uncorrected = loadgen.QuantilesMS(hs[loadgen.TagUncorrected])
	lag := loadgen.QuantilesMS(hs[loadgen.TagSendLag])
	st.SendLagMS = result.SendLag{P50: lag.P50, P99: lag.P99, Max: lag.Max}
	if st.Unit != result.UnitOutputToken {
		return
	}
	for _, f := range []struct {
		tag  string
		into **result.Quantiles
	}{{loadgen.TagTTFT, &st.TTFTMS}, {loadgen.TagTTFTUncorrected, &st.TTFTUncorrectedMS}, {loadgen.TagITL, &st.ITLMS}, {loadgen.TagTPOT, &st.TPOTMS}} {
		if h := hs[f.tag]; h != nil {
			q := loadgen.QuantilesMS(h)
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
