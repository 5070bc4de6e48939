package result

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SLOBound is one latency objective: a percentile of a corrected latency
// metric and its bound in milliseconds.
type SLOBound struct {
	// Metric is what is bounded: MetricLatency (request latency, e2e for a
	// stream), MetricTTFT, MetricITL or MetricTPOT.
	Metric string `json:"metric"`
	// Percentile is the canonical name: p50, p90, p95, p99 or p999.
	Percentile string  `json:"percentile"`
	BoundMS    float64 `json:"bound_ms"`
}

// SLO metrics. On the command line a latency bound is a plain percentile
// (p95=50ms), the others carry their metric as a prefix (ttft_p95=500ms).
const (
	MetricLatency = "latency"
	MetricTTFT    = "ttft"
	MetricITL     = "itl"
	MetricTPOT    = "tpot"
)

// metricOrder ranks metrics in the order SLOs are written and checked.
var metricOrder = map[string]int{MetricLatency: 0, MetricTTFT: 1, MetricITL: 2, MetricTPOT: 3}

// Name is the bound's name as ParseSLO reads it: "p95", "ttft_p95".
func (b SLOBound) Name() string {
	if b.Metric == "" || b.Metric == MetricLatency {
		return b.Percentile
	}
	return b.Metric + "_" + b.Percentile
}

// maxBoundMS is the longest latency the histograms record (1 h).
const maxBoundMS = 3600 * 1000.0

// DefaultMaxErrorRate is --max-error-rate's default (DESIGN invariant 5).
const DefaultMaxErrorRate = 0.001

// percentileNames maps what users write to the canonical names.
var percentileNames = map[string]string{
	"p50": "p50", "median": "p50", "p90": "p90", "p95": "p95",
	"p99": "p99", "p999": "p999", "p99.9": "p999",
}

// ParseSLO reads "p95=50ms,p99=120ms" or, for an LLM endpoint,
// "ttft_p95=500ms,itl_p95=50ms,p99=20s": a plain percentile bounds request
// latency (e2e for a stream); ttft_, itl_ and tpot_ bound time to first
// token, inter-token latency and time per output token. Bounds take a Go
// duration unit (us, ms, s); a bare number is milliseconds. Each name may
// appear once.
func ParseSLO(s string) ([]SLOBound, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty SLO: write it as p95=50ms or p95=50ms,p99=120ms (LLM endpoints: ttft_p95=500ms,itl_p95=50ms)")
	}
	seen := map[string]bool{}
	var out []SLOBound
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("SLO term %q: want PERCENTILE=BOUND, e.g. p95=50ms", part)
		}
		metric, pct := MetricLatency, strings.ToLower(strings.TrimSpace(name))
		if m, rest, ok := strings.Cut(pct, "_"); ok {
			if _, known := metricOrder[m]; !known || m == MetricLatency {
				return nil, fmt.Errorf("SLO term %q: unknown metric %q (use ttft_, itl_ or tpot_ before the percentile, or a plain percentile for request latency)", part, m)
			}
			metric, pct = m, rest
		}
		p, known := percentileNames[pct]
		if !known {
			return nil, fmt.Errorf("SLO term %q: unknown percentile %q (use p50, p90, p95, p99 or p999)", part, pct)
		}
		b := SLOBound{Metric: metric, Percentile: p}
		if seen[b.Name()] {
			return nil, fmt.Errorf("SLO names %s twice", b.Name())
		}
		seen[b.Name()] = true
		ms, err := parseBoundMS(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("SLO term %q: %w", part, err)
		}
		b.BoundMS = ms
		out = append(out, b)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if mi, mj := metricOrder[out[i].Metric], metricOrder[out[j].Metric]; mi != mj {
			return mi < mj
		}
		return percentileRank(out[i].Percentile) < percentileRank(out[j].Percentile)
	})
	return out, nil
}

// HasTokenMetrics reports whether the SLO bounds a metric only a
// token-streaming endpoint has (ttft, itl, tpot).
func HasTokenMetrics(slo []SLOBound) bool {
	for _, b := range slo {
		if b.Metric != "" && b.Metric != MetricLatency {
			return true
		}
	}
	return false
}

func parseBoundMS(v string) (float64, error) {
	var ms float64
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		ms = f
	} else {
		d, derr := time.ParseDuration(v)
		if derr != nil {
			return 0, fmt.Errorf("bound %q is not a duration (write 50ms, 0.2s or 50)", v)
		}
		ms = float64(d) / float64(time.Millisecond)
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) || ms <= 0 {
		return 0, fmt.Errorf("bound %q must be a positive duration", v)
	}
	if ms > maxBoundMS {
		return 0, fmt.Errorf("bound %q is over 1h, the longest latency infercost records", v)
	}
	return ms, nil
}

func percentileRank(p string) int {
	return map[string]int{"p50": 0, "p90": 1, "p95": 2, "p99": 3, "p999": 4}[p]
}

// FormatSLO writes bounds back in ParseSLO's syntax.
func FormatSLO(slo []SLOBound) string {
	parts := make([]string, len(slo))
	for i, b := range slo {
		parts[i] = fmt.Sprintf("%s=%sms", b.Name(), strconv.FormatFloat(b.BoundMS, 'f', -1, 64))
	}
	return strings.Join(parts, ",")
}

// Value returns the named percentile of q.
func (q Quantiles) Value(percentile string) float64 {
	switch percentile {
	case "p50":
		return q.P50
	case "p90":
		return q.P90
	case "p95":
		return q.P95
	case "p99":
		return q.P99
	case "p999":
		return q.P999
	}
	return math.NaN()
}

// Quantiles returns the step's corrected quantiles of an SLO metric; nil
// when the step has none (a ttft bound on a KServe step).
func (st *Step) Quantiles(metric string) *Quantiles {
	switch metric {
	case "", MetricLatency:
		return &st.LatencyMS.Corrected
	case MetricTTFT:
		return st.TTFTMS
	case MetricITL:
		return st.ITLMS
	case MetricTPOT:
		return st.TPOTMS
	}
	return nil
}

// Miss is one way a step fails an SLO.
type Miss struct {
	// What is a bound's name ("p95", "ttft_p95"), "no_data" (the step has
	// no figure for a bound's metric: Bound names it), "error_rate",
	// "generator_limited", "unstable", "interrupted" or "no_success".
	What string `json:"what"`
	// Bound and Observed are in ms for a percentile, as ratios for
	// error_rate, and 0 for the flags.
	Bound    float64 `json:"bound"`
	Observed float64 `json:"observed"`
	// Missing: the step has no figure for the bound's metric.
	Missing bool `json:"missing"`
}

// IsLatency reports whether the miss is a latency bound broken (as opposed
// to an error rate, a flag or a missing figure).
func (m Miss) IsLatency() bool {
	switch m.What {
	case "error_rate", "generator_limited", "unstable", "interrupted", "no_success":
		return false
	}
	return !m.Missing && m.Bound > 0
}

// String says the miss in words.
func (m Miss) String() string {
	switch m.What {
	case "error_rate":
		return fmt.Sprintf("error rate %.4g over the %.4g allowed", m.Observed, m.Bound)
	case "generator_limited":
		return "the load generator was the bottleneck"
	case "unstable":
		return "the step never settled (unstable)"
	case "interrupted":
		return "the step was interrupted"
	case "no_success":
		return "no request succeeded"
	}
	if m.Missing {
		return fmt.Sprintf("%s: the step has no such figure (ttft, itl and tpot need a token-streaming endpoint)", m.What)
	}
	return fmt.Sprintf("%s %.3g ms over the %.3g ms bound (%.0f%% over)", m.What, m.Observed, m.Bound, (m.Observed/m.Bound-1)*100)
}

// SLOMisses lists why a step does not meet the SLO; none means it meets it
// (DESIGN invariant 5: every percentile within bound, error ratio at most
// maxErrorRate, neither generator-limited nor unstable). Latencies are
// the corrected ones.
func SLOMisses(st *Step, slo []SLOBound, maxErrorRate float64) []Miss {
	var out []Miss
	if st.Successes == 0 {
		out = append(out, Miss{What: "no_success"})
	}
	for _, b := range slo {
		q := st.Quantiles(b.Metric)
		switch {
		case q == nil:
			out = append(out, Miss{What: b.Name(), Bound: b.BoundMS, Missing: true})
		case st.Successes > 0 && q.Value(b.Percentile) > b.BoundMS:
			out = append(out, Miss{What: b.Name(), Bound: b.BoundMS, Observed: q.Value(b.Percentile)})
		}
	}
	if st.ErrorRatio > maxErrorRate {
		out = append(out, Miss{What: "error_rate", Bound: maxErrorRate, Observed: st.ErrorRatio})
	}
	if st.Flags.GeneratorLimited {
		out = append(out, Miss{What: "generator_limited"})
	}
	if st.Flags.Unstable {
		out = append(out, Miss{What: "unstable"})
	}
	if st.Flags.Interrupted {
		out = append(out, Miss{What: "interrupted"})
	}
	return out
}

// MeetsSLO reports whether a step meets the SLO (DESIGN invariant 5).
func MeetsSLO(st *Step, slo []SLOBound, maxErrorRate float64) bool {
	return len(SLOMisses(st, slo, maxErrorRate)) == 0
}

// RecordedSLO is the SLO the run itself records: its sweep's, else its
// spec's (from says which: "sweep" or "spec"); nil when it records none.
func (r *Run) RecordedSLO() (slo []SLOBound, from string) {
	switch {
	case r.Sweep != nil && len(r.Sweep.SLO) > 0:
		return r.Sweep.SLO, "sweep"
	case len(r.Spec.SLO) > 0:
		return r.Spec.SLO, "spec"
	}
	return nil, ""
}

// RecordedMaxErrorRate is the error rate the run itself was judged by: its
// sweep's, else its spec's, else DefaultMaxErrorRate.
func (r *Run) RecordedMaxErrorRate() float64 {
	switch {
	case r.Sweep != nil && r.Sweep.MaxErrorRate > 0:
		return r.Sweep.MaxErrorRate
	case r.Spec.MaxErrorRate > 0:
		return r.Spec.MaxErrorRate
	}
	return DefaultMaxErrorRate
}
