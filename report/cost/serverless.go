package cost

import (
	"fmt"
	"strings"

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

// serverlessFits says why a platform cannot run what was measured ("" when
// it can): a GPU model needs the platform's GPU, and a replica of one GPU;
// a CPU model a CPU platform of its architecture.
func serverlessFits(in Input, s *Serverless) string {
	hw := in.Hardware
	switch {
	case hw.Kind == HardwareGPU && !s.GPU:
		return s.Name + ": the model runs on a GPU and this platform has none"
	case hw.Kind == HardwareGPU && s.GPUModel != hw.GPU:
		return fmt.Sprintf("%s: offers %s, the model was measured on %s", s.Name, s.GPUModel, hw.GPU)
	case hw.Kind == HardwareGPU && hw.GPUsPerReplica > 1:
		return fmt.Sprintf("%s: an instance has one GPU, a replica needs %d", s.Name, hw.GPUsPerReplica)
	case hw.Kind == HardwareCPU && s.GPU:
		return fmt.Sprintf("%s: a %s platform, the model runs on a CPU", s.Name, s.GPUModel)
	case hw.Arch != "" && s.Arch != hw.Arch:
		return fmt.Sprintf("%s: runs %s, the model was measured on %s", s.Name, s.Arch, hw.Arch)
	}
	return ""
}

// serverlessCost prices one platform, or says why it cannot be priced.
func serverlessCost(in Input, s *Serverless, monthly float64) (ServerlessUsage, float64, string, string) {
	bytime := s.PerGBSecondUSD != nil || s.PerInstanceSecondUSD != nil
	if reason := serverlessFits(in, s); reason != "" {
		return ServerlessUsage{}, 0, StatusNotApplicable, reason
	}
	switch {
	case in.LatencyMS <= 0 || (in.RSSBytes <= 0 && s.PerGBSecondUSD != nil):
		return ServerlessUsage{}, 0, StatusNotApplicable, s.Name + ": no batch-1 latency and memory measured (give --latency-ms and --rss-bytes, or price a run with a batch-1 step)"
	case in.Workload.ModelSizeGB > 0 && s.MaxImageGB > 0 && in.Workload.ModelSizeGB > s.MaxImageGB:
		return ServerlessUsage{}, 0, StatusNotApplicable, fmt.Sprintf("%s: the %g GB model is over the %g GB image limit", s.Name, in.Workload.ModelSizeGB, s.MaxImageGB)
	}
	mem := ServerlessMemoryMB(in.RSSBytes, s.MemoryStepMB, s.MinMemoryMB)
	if s.MaxMemoryMB > 0 && mem > s.MaxMemoryMB {
		return ServerlessUsage{}, mem, StatusNotApplicable, fmt.Sprintf("%s: needs %g MB, over the %g MB memory limit", s.Name, mem, s.MaxMemoryMB)
	}
	var missing []string
	if s.PerMillionRequestsUSD == nil {
		missing = append(missing, "per request")
	}
	if !bytime {
		missing = append(missing, "per GB-second")
	}
	if len(missing) > 0 {
		return ServerlessUsage{}, mem, StatusNoPriceData, fmt.Sprintf("%s: no price data (%s)", s.Name, strings.Join(missing, ", "))
	}
	val := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	w := in.Workload
	latency, cold := BilledMS(in.LatencyMS, s.DurationRoundingMS), BilledMS(w.ColdStartS*1000, s.DurationRoundingMS)/1000
	u := ServerlessMonthly(monthly, latency, mem, w.ColdStartShare, cold, *s.PerMillionRequestsUSD, val(s.PerGBSecondUSD), val(s.PerVCPUSecondUSD), s.VCPU, val(s.PerInstanceSecondUSD))
	if s.PerGBSecondUSD == nil {
		u.GBSeconds = 0
	}
	return u, mem, StatusPriced, ""
}

// serverlessDetail says how a platform's month was made.
func serverlessDetail(in Input, s *Serverless, u ServerlessUsage, mem float64) string {
	w := in.Workload
	billed := ""
	if s.DurationRoundingMS > 0 {
		billed = fmt.Sprintf(", %g ms billed", BilledMS(in.LatencyMS, s.DurationRoundingMS))
	}
	parts := []string{fmt.Sprintf("%s requests x $%s/M", count(u.Requests), money(*s.PerMillionRequestsUSD))}
	if s.PerGBSecondUSD != nil {
		parts = append(parts, fmt.Sprintf("%s GB-s x $%s", count(u.GBSeconds), moneyExact(*s.PerGBSecondUSD)))
	}
	if u.VCPUSeconds > 0 && s.PerVCPUSecondUSD != nil {
		parts = append(parts, fmt.Sprintf("%s vCPU-s x $%s", count(u.VCPUSeconds), moneyExact(*s.PerVCPUSecondUSD)))
	}
	what := fmt.Sprintf("%g MB", mem)
	if s.PerInstanceSecondUSD != nil {
		parts = append(parts, fmt.Sprintf("%s instance-s x $%s", count(u.InstanceSeconds), moneyExact(*s.PerInstanceSecondUSD)))
		what = s.GPUModel + ", one request at a time per instance (concurrent requests would share its seconds)"
	}
	return fmt.Sprintf("%s (%s, %.3g ms at batch 1%s, %g%% cold starts of %g s)",
		strings.Join(parts, " + "), what, in.LatencyMS, billed, w.ColdStartShare*100, w.ColdStartS)
}

// serverlessOption is the cheapest platform that applies; when none does,
// every platform's reason is listed.
func serverlessOption(in Input, book *priceBook) Option {
	if reason := serverlessBlocked(in); reason != "" {
		return notPriced(OptionServerless, StatusNotApplicable, reason)
	}
	if in.Hardware.Kind == HardwareGPU {
		var others []string
		matched := false
		for _, s := range in.Catalog.Serverless {
			if s.GPU {
				matched = matched || s.GPUModel == in.Hardware.GPU
				others = append(others, s.Name+" offers "+s.GPUModel)
			}
		}
		switch {
		case len(others) == 0:
			return notPriced(OptionServerless, StatusNotApplicable, "not applicable: the model runs on a GPU, and no serverless platform in the catalog offers one")
		case !matched:
			return notPriced(OptionServerless, StatusNotApplicable, fmt.Sprintf("not applicable: no serverless platform in the catalog offers %s (%s)", in.Hardware.GPU, strings.Join(others, "; ")))
		}
	}
	var best Option
	var reasons []string
	anyNoPrice := false
	for i := range in.Catalog.Serverless {
		s := &in.Catalog.Serverless[i]
		u, mem, status, reason := serverlessCost(in, s, in.requests())
		if status != StatusPriced {
			reasons = append(reasons, reason)
			anyNoPrice = anyNoPrice || status == StatusNoPriceData
			continue
		}
		if best.MonthlyTotalUSD != nil && u.MonthlyUSD >= *best.MonthlyTotalUSD {
			continue
		}
		best = priced(OptionServerless, s.Name, s.Provider, u.MonthlyUSD, in.volume(), 0, 0, serverlessDetail(in, s, u, mem))
		prices := s.prices()
		for _, field := range sortedPriceKeys(prices) {
			if p := prices[field]; p != nil && (field != "per_vcpu_second_usd" || u.VCPUSeconds > 0) {
				book.add("serverless", s.Name, field, *p, fieldMeta(s.Meta, s.PerField, field))
			}
		}
	}
	if best.MonthlyTotalUSD != nil {
		return best
	}
	status := StatusNotApplicable
	if anyNoPrice && in.Hardware.Kind != HardwareGPU {
		status = StatusNoPriceData
	}
	if len(reasons) == 0 {
		return notPriced(OptionServerless, StatusNoPriceData, "no price data: no serverless platform in the catalog")
	}
	prefix := "not applicable: "
	if status == StatusNoPriceData {
		prefix = "no price data or not applicable: "
	}
	return notPriced(OptionServerless, status, prefix+strings.Join(reasons, "; "))
}
