package cost

import (
	"fmt"

	"github.com/infercost/infercost/result"
)

// percentileTail is the share of requests above each percentile: the
// share a p99 bound lets be slow is 1%.
var percentileTail = map[string]float64{"p50": 0.5, "p90": 0.1, "p95": 0.05, "p99": 0.01, "p999": 0.001}

// serverlessBlocked says why no serverless platform can serve this
// capacity within its SLO ("" when one may): the caller's reason (no
// batch-1 step meets the SLO, ...), or cold starts. A cold start makes
// its request wait cold_start_s; when cold-start requests are at least
// the tail a bound allows (share >= 1 - q: 1% cold starts against a p99
// bound) and a cold start is longer than the bound, the bound is broken.
func serverlessBlocked(in Input) string {
	if in.ServerlessReason != "" {
		return in.ServerlessReason
	}
	w := in.Workload
	for _, b := range in.SLO {
		tail, ok := percentileTail[b.Percentile]
		if !ok || w.ColdStartShare <= 0 {
			continue
		}
		if w.ColdStartShare >= tail*(1-1e-9) && w.ColdStartS*1000 > b.BoundMS {
			return fmt.Sprintf("not applicable: cold starts break %s: %g%% of requests wait a %g s cold start, at least the %g%% the %s bound lets be slow (--cold-start-share, --cold-start-s)",
				result.FormatSLO([]result.SLOBound{b}), w.ColdStartShare*100, w.ColdStartS, tail*100, b.Name())
		}
	}
	return ""
}
