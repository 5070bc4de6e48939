package result

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SLOBound is one latency objective: a percentile of corrected latency and
// its bound in milliseconds.
type SLOBound struct {
	// Percentile is the canonical name: p50, p90, p95, p99 or p999.
	Percentile string  `json:"percentile"`
	BoundMS    float64 `json:"bound_ms"`
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

// ParseSLO reads "p95=50ms,p99=120ms". Bounds take a Go duration unit (us,
// ms, s); a bare number is milliseconds. Each percentile may appear once.
func ParseSLO(s string) ([]SLOBound, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty SLO: write it as p95=50ms or p95=50ms,p99=120ms")
	}
	seen := map[string]bool{}
	var out []SLOBound
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("SLO term %q: want PERCENTILE=BOUND, e.g. p95=50ms", part)
		}
		p, known := percentileNames[strings.ToLower(strings.TrimSpace(name))]
		if !known {
			return nil, fmt.Errorf("SLO term %q: unknown percentile %q (use p50, p90, p95, p99 or p999)", part, name)
		}
		if seen[p] {
			return nil, fmt.Errorf("SLO names %s twice", p)
		}
		seen[p] = true
		ms, err := parseBoundMS(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("SLO term %q: %w", part, err)
		}
		out = append(out, SLOBound{Percentile: p, BoundMS: ms})
	}
	sort.Slice(out, func(i, j int) bool { return percentileRank(out[i].Percentile) < percentileRank(out[j].Percentile) })
	return out, nil
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
		parts[i] = fmt.Sprintf("%s=%sms", b.Percentile, strconv.FormatFloat(b.BoundMS, 'f', -1, 64))
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

// Miss is one way a step fails an SLO.
type Miss struct {
	// What is "p95", "error_rate", "generator_limited", "unstable",
	// "interrupted" or "no_success".
	What string `json:"what"`
	// Bound and Observed are in ms for a percentile, as ratios for
	// error_rate, and 0 for the flags.
	Bound    float64 `json:"bound"`
	Observed float64 `json:"observed"`
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
	return fmt.Sprintf("%s %.3g ms over the %.3g ms bound (%.0f%% over)", m.What, m.Observed, m.Bound, (m.Observed/m.Bound-1)*100)
}

// SLOMisses lists why a step does not meet the SLO; none means it meets it
// (DESIGN invariant 5: every percentile within bound, error ratio at most
// maxErrorRate, neither generator-limited nor unstable). Latency is the
// corrected latency.
func SLOMisses(st *Step, slo []SLOBound, maxErrorRate float64) []Miss {
	var out []Miss
	if st.Successes == 0 {
		out = append(out, Miss{What: "no_success"})
	}
	for _, b := range slo {
		if v := st.LatencyMS.Corrected.Value(b.Percentile); st.Successes > 0 && v > b.BoundMS {
			out = append(out, Miss{What: b.Percentile, Bound: b.BoundMS, Observed: v})
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
