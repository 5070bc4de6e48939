package cost

import (
	"fmt"
	"math"
)

// priceLine returns the provider's first price line of a kind, or nil.
func priceLine(c *Catalog, provider, kind string) *PriceLine {
	for i := range c.Prices {
		if c.Prices[i].Provider == provider && c.Prices[i].Kind == kind && c.Prices[i].USD != nil {
			return &c.Prices[i]
		}
	}
	return nil
}

// buildTCOReport is the cheapest option's month, all-in (DESIGN "TCO
// lines"), at the option's provider's prices.
func buildTCOReport(in Input, ch *Cheapest, opts []Option, book *priceBook) *TCOReport {
	provider := ""
	for _, o := range opts {
		if o.Kind == ch.Kind && o.Instance == ch.Instance {
			provider = o.Provider
		}
	}
	t, missing := tcoFor(in, provider, ch.MonthlyTotalUSD, book)
	return &TCOReport{TCO: t, Shares: t.Shares(), Kind: ch.Kind, Instance: ch.Instance, Provider: provider, Missing: missing}
}

// tcoFor adds storage, transfer and monitoring at a provider's prices,
// A/B, overhead and buffer to a month's compute. A price line the catalog
// lacks leaves its part out and is listed in missing, never guessed.
func tcoFor(in Input, provider string, compute float64, book *priceBook) (TCO, []string) {
	w := in.Workload
	missing := []string{}
	get := func(kind string) float64 {
		p := priceLine(in.Catalog, provider, kind)
		if p == nil {
			missing = append(missing, fmt.Sprintf("%s (no %s price line for %s)", lineWords[kind], kind, provider))
			return 0
		}
		book.add("prices", p.Name, "usd", *p.USD, fieldMeta(p.Meta, p.PerField, "usd"))
		return *p.USD
	}
	storage := StorageUSD(w.ModelSizeGB, w.VersionsKept, w.Regions, get(LineStorage))
	transfer := TransferUSD(in.requests(), w.ResponseBytes, get(LineEgress), w.ModelSizeGB, w.ModelPulls, get(LineInterRegion))
	monitoring := MonitoringUSD(w.MetricSeries, get(LineMetric), in.requests(), w.LogBytes, w.LogSampling, get(LineLogIngest))
	return BuildTCO(compute, storage, transfer, monitoring, w.CanaryShare, w.OpsOverhead, w.Buffer), missing
}

var lineWords = map[string]string{
	LineStorage: "model storage", LineEgress: "response egress", LineInterRegion: "model pulls between regions",
	LineMetric: "metric series", LineLogIngest: "log ingestion",
}

// dedicatedAt is the cheapest fitting instance's monthly compute at a
// volume (+Inf when none is priced).
func dedicatedAt(in Input, insts []*Instance, monthly float64) (float64, string) {
	best, name := math.Inf(1), ""
	for _, inst := range insts {
		price, _, _ := instancePrice(inst, in.Workload.Pricing)
		if price == nil {
			continue
		}
		c := candidateFor(in, inst.Name, inst.Provider, inst.Region, inst.Kind, inst.GPU, inst.GPUCount, inst.VCPU, inst.MemoryGiB)
		if ok, _, _ := fits(in, c); !ok {
			continue
		}
		if f := fleetFor(in.Workload, monthly, c, *price, in.Workload.Pricing == PricingSpot, c.capacity); f.MonthlyUSD < best {
			best, name = f.MonthlyUSD, inst.Name
		}
	}
	return best, name
}

// serverlessAt is the cheapest applicable platform's monthly cost at a
// volume (+Inf when none applies).
func serverlessAt(in Input, monthly float64) (float64, string) {
	best, name := math.Inf(1), ""
	if serverlessBlocked(in) != "" {
		return best, name
	}
	for i := range in.Catalog.Serverless {
		s := &in.Catalog.Serverless[i]
		if u, _, status, _ := serverlessCost(in, s, monthly); status == StatusPriced && u.MonthlyUSD < best {
			best, name = u.MonthlyUSD, s.Name
		}
	}
	return best, name
}

// setCrossover finds the monthly volume above which the cheapest dedicated
// option costs less than serverless (both as compute: VMs vs requests and
// GB-seconds).
func setCrossover(e *Estimate, in Input, insts []*Instance) {
	var ded, srv *Option
	for i := range e.Options {
		switch e.Options[i].Kind {
		case OptionDedicated:
			ded = &e.Options[i]
		case OptionServerless:
			srv = &e.Options[i]
		}
	}
	switch {
	case ded == nil || !ded.Applicable:
		e.CrossoverNote = "no crossover: dedicated is not priced (" + ded.Reason + ")"
		return
	case srv == nil || !srv.Applicable:
		e.CrossoverNote = "no crossover: serverless does not apply"
		return
	}
	d := func(v float64) float64 { x, _ := dedicatedAt(in, insts, v); return x }
	s := func(v float64) float64 { x, _ := serverlessAt(in, v); return x }
	v, ok, below := Crossover(d, s)
	switch {
	case below:
		e.CrossoverNote = fmt.Sprintf("no crossover: dedicated is cheaper than serverless at every volume from %s a month up", count(crossoverLow))
	case !ok:
		e.CrossoverNote = fmt.Sprintf("no crossover: serverless stays cheaper up to %s inferences a month", count(crossoverHigh))
	default:
		e.CrossoverMonthlyInferences = ptr(v)
		_, dn := dedicatedAt(in, insts, v)
		_, sn := serverlessAt(in, v)
		e.CrossoverNote = fmt.Sprintf("below %s inferences a month %s is cheaper; from there dedicated %s is ($%s a month at the crossover)",
			count(v), sn, dn, money(d(v)))
	}
}
