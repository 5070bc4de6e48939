package cost

import (
	"fmt"

	"github.com/infercost/infercost/result"
)

// Lever is one way to spend less, sized from the measured curves. Before
// and After are all-in monthly totals (TCO) of the dedicated deployment;
// MonthlySavingUSD = Before - After and SavingPercent = saving / Before x
// 100. A lever that could not be sized has null figures and a Note.
type Lever struct {
	Name             string   `json:"name"`
	Instance         string   `json:"instance"`
	BeforeUSD        *float64 `json:"before_usd"`
	AfterUSD         *float64 `json:"after_usd"`
	MonthlySavingUSD *float64 `json:"monthly_saving_usd"`
	SavingPercent    *float64 `json:"saving_percent"`
	// UnitSavingPercent is the fall in cost per inference at full use,
	// what rules of thumb describe (whole instances and minimum replicas
	// can keep the monthly bill from following it).
	UnitSavingPercent *float64 `json:"unit_saving_percent"`
	RuleOfThumb       string   `json:"rule_of_thumb"`
	Verdict           string   `json:"verdict"`
	Note              string   `json:"note"`
}

// Lever names.
const (
	LeverBatching     = "batching"
	LeverCaching      = "caching"
	LeverSpot         = "spot"
	LeverRightSizing  = "right_sizing"
	LeverQuantization = "quantization"
)

// scenario is a what-if on the dedicated deployment of one instance.
type scenario struct {
	inst          *Instance
	capacity      float64 // one replica, before CPU scaling
	computeVolume float64 // inferences a month the compute serves
	pricing       string
	modelSizeGB   float64
}

// scenarioTCO is a scenario's all-in month and its per-inference compute
// cost at full use; ok is false when the instance has no price for it.
func scenarioTCO(in Input, s scenario, book *priceBook) (total, unit float64, ok bool) {
	price, field, _ := instancePrice(s.inst, s.pricing)
	if price == nil {
		return 0, 0, false
	}
	book.add("instances", s.inst.Name, field, *price, fieldMeta(s.inst.Meta, s.inst.PerField, field))
	x := in
	x.CapacityPerS = s.capacity
	x.Workload.Pricing = s.pricing
	x.Workload.ModelSizeGB = s.modelSizeGB
	c := candidateFor(x, s.inst.Name, s.inst.Provider, s.inst.Region, s.inst.Kind, s.inst.GPU, s.inst.GPUCount, s.inst.VCPU, s.inst.MemoryGiB)
	f := fleetFor(x.Workload, s.computeVolume, c, *price, s.pricing == PricingSpot, c.capacity)
	t, _ := tcoFor(x, s.inst.Provider, f.MonthlyUSD, book)
	unit = UnitCostUSD(PricePerReplicaHour(*price, c.perInstance), c.capacity)
	if s.pricing == PricingSpot {
		unit *= 1 + x.Workload.SpotOverhead
	}
	return t.TotalUSD, unit, true
}

// leverFrom fills a lever's figures from two scenario totals.
func leverFrom(name, inst string, before, after float64) Lever {
	return Lever{Name: name, Instance: inst, BeforeUSD: ptr(before), AfterUSD: ptr(after),
		MonthlySavingUSD: ptr(before - after), SavingPercent: ptr(SavingPercent(before, after))}
}

// computeLevers sizes each lever against the dedicated deployment on the
// cheapest fitting instance (the dedicated option).
func computeLevers(run *result.Run, in runInputs, choice *capacityChoice, e *Estimate, opts RunOptions) []Lever {
	book := newPriceBook(in.Now)
	for _, p := range e.Prices {
		book.add(p.Section, p.Row, p.Field, p.USD, Meta{Source: p.Source, SourceDate: p.SourceDate, Undated: p.Undated, Unconfirmed: p.Unconfirmed, Derived: p.Derived})
	}
	defer func() { e.Prices = book.refs }()
	var ded *Option
	for i := range e.Options {
		if e.Options[i].Kind == OptionDedicated && e.Options[i].Applicable {
			ded = &e.Options[i]
		}
	}
	names := []string{LeverBatching, LeverCaching, LeverSpot, LeverRightSizing, LeverQuantization}
	if ded == nil {
		out := make([]Lever, len(names))
		for i, n := range names {
			out[i] = Lever{Name: n, Note: "not sized: the dedicated deployment has no price"}
		}
		return out
	}
	w := in.Workload
	base := scenario{inst: in.Catalog.FindInstance(ded.Instance), capacity: in.CapacityPerS,
		computeVolume: in.volume(), pricing: w.Pricing, modelSizeGB: w.ModelSizeGB}
	baseTotal, baseUnit, _ := scenarioTCO(in.Input, base, book)
	e.Notes = append(e.Notes, fmt.Sprintf("levers are sized on the dedicated deployment on %s, all-in $%s a month", base.inst.Name, money(baseTotal)))
	return []Lever{
		batchingLever(run, in, choice, base, baseTotal, baseUnit, book),
		cachingLever(in, opts.CacheHitRate, base, baseTotal, book),
		spotLever(in, base, baseTotal, baseUnit, book),
		rightSizingLever(run, in, opts.Instance, base, baseTotal, book),
		quantizationLever(in, base, baseTotal, book),
	}
}

func batchingLever(run *result.Run, in runInputs, choice *capacityChoice, base scenario, baseTotal, baseUnit float64, book *priceBook) Lever {
	l := Lever{Name: LeverBatching, Instance: base.inst.Name, RuleOfThumb: "50-75% cheaper per inference"}
	if in.Tokens != nil {
		l.RuleOfThumb = ""
		l.Note = "an LLM server batches continuously: concurrency plays batch's part, and the capacity is already the highest output tokens/s within the SLO over the concurrencies measured"
		return l
	}
	if choice.batch == 1 {
		l.Note = "the capacity is measured at batch 1: no batching to compare against"
		return l
	}
	b1 := bestStepPerBatch(run, in.slo, in.maxErr)[1]
	if b1 == nil {
		l.Note = "not sized: no batch-1 step meets the SLO"
		return l
	}
	s := base
	s.capacity = b1.InferencesPerS
	before, unit1, _ := scenarioTCO(in.Input, s, book)
	out := leverFrom(LeverBatching, base.inst.Name, before, baseTotal)
	out.RuleOfThumb = l.RuleOfThumb
	out.UnitSavingPercent = ptr(SavingPercent(unit1, baseUnit))
	out.Note = fmt.Sprintf("batch %d (%.4g inferences/s) vs batch 1 (%.4g inferences/s), both within %s", choice.batch, in.CapacityPerS, b1.InferencesPerS, result.FormatSLO(in.slo))
	out.Verdict = verdict(*out.UnitSavingPercent, *out.SavingPercent, 50, 75, "inference")
	return out
}

func cachingLever(in runInputs, hit float64, base scenario, baseTotal float64, book *priceBook) Lever {
	s := base
	s.computeVolume = base.computeVolume * (1 - hit)
	after, _, _ := scenarioTCO(in.Input, s, book)
	l := leverFrom(LeverCaching, base.inst.Name, baseTotal, after)
	l.UnitSavingPercent = ptr(hit * 100)
	l.Note = fmt.Sprintf("a %g%% cache hit rate removes %g%% of the compute demand", hit*100, hit*100)
	if *l.SavingPercent < hit*100*0.5 && hit > 0 {
		l.Note += "; the monthly bill falls less, because minimum replicas and whole instances do not shrink with demand"
	}
	return l
}

func spotLever(in runInputs, base scenario, baseTotal, baseUnit float64, book *priceBook) Lever {
	l := Lever{Name: LeverSpot, Instance: base.inst.Name, RuleOfThumb: "~70% cheaper"}
	if base.pricing == PricingSpot {
		l.Note = "already priced on spot"
		return l
	}
	inst := base.inst
	if inst.SpotUSDPerHour == nil {
		inst = cheapestWithSpot(in.Input, base)
	}
	if inst == nil {
		l.Note = fmt.Sprintf("not sized: no %s instance with %s has a spot price in the catalog (the lever stays with the provider, so storage, transfer and monitoring compare like for like)",
			base.inst.Provider, hardwareWords(in.Hardware))
		return l
	}
	s := base
	s.inst, s.pricing = inst, PricingSpot
	after, unit, _ := scenarioTCO(in.Input, s, book)
	out := leverFrom(LeverSpot, inst.Name, baseTotal, after)
	out.RuleOfThumb = l.RuleOfThumb
	out.UnitSavingPercent = ptr(SavingPercent(baseUnit, unit))
	out.Note = fmt.Sprintf("spot on %s with %g%% extra capacity for interruptions, vs %s on %s", inst.Name, in.Workload.SpotOverhead*100, base.pricing, base.inst.Name)
	out.Verdict = verdict(*out.UnitSavingPercent, *out.SavingPercent, 60, 80, unitWord(in.Unit))
	return out
}

// cheapestWithSpot is the matching, fitting instance of the base's
// provider with the cheapest spot deployment.
func cheapestWithSpot(in Input, base scenario) *Instance {
	var best *Instance
	bestCost := 0.0
	for i := range in.Catalog.Instances {
		inst := &in.Catalog.Instances[i]
		if inst.SpotUSDPerHour == nil || inst.Provider != base.inst.Provider || !hardwareMatches(in.Hardware, inst.Kind, inst.GPU, inst.Arch) {
			continue
		}
		c := candidateFor(in, inst.Name, inst.Provider, inst.Region, inst.Kind, inst.GPU, inst.GPUCount, inst.VCPU, inst.MemoryGiB)
		if ok, _, _ := fits(in, c); !ok {
			continue
		}
		w := in.Workload
		w.Pricing = PricingSpot
		f := fleetFor(w, base.computeVolume, c, *inst.SpotUSDPerHour, true, c.capacity)
		if best == nil || f.MonthlyUSD < bestCost {
			best, bestCost = inst, f.MonthlyUSD
		}
	}
	return best
}

func rightSizingLever(run *result.Run, in runInputs, named string, base scenario, baseTotal float64, book *priceBook) Lever {
	l := Lever{Name: LeverRightSizing, Instance: base.inst.Name}
	cur, how := currentInstance(run, in.Input, named)
	if cur == nil {
		l.Note = "not sized: " + how
		return l
	}
	s := base
	s.inst = cur
	before, _, ok := scenarioTCO(in.Input, s, book)
	if !ok {
		l.Note = fmt.Sprintf("not sized: %s has no %s price", cur.Name, base.pricing)
		return l
	}
	out := leverFrom(LeverRightSizing, base.inst.Name, before, baseTotal)
	out.Note = fmt.Sprintf("%s (%s) vs %s, the cheapest instance that meets the SLO", cur.Name, how, base.inst.Name)
	if cur == base.inst {
		out.Note = fmt.Sprintf("%s (%s) is already the cheapest instance that meets the SLO", cur.Name, how)
	}
	return out
}

// currentInstance is the instance the model runs on now: the one named,
// else the first matching instance with as many vCPUs as the host had.
func currentInstance(run *result.Run, in Input, named string) (*Instance, string) {
	if named != "" {
		inst := in.Catalog.FindInstance(named)
		switch {
		case inst == nil:
			return nil, fmt.Sprintf("instance %q is not in the catalog", named)
		case !hardwareMatches(in.Hardware, inst.Kind, inst.GPU, inst.Arch):
			return nil, fmt.Sprintf("%s does not carry %s", inst.Name, hardwareWords(in.Hardware))
		}
		return inst, "given with --instance"
	}
	cpus := run.Environment.CPUCores
	for i := range in.Catalog.Instances {
		inst := &in.Catalog.Instances[i]
		if inst.VCPU == cpus && cpus > 0 && hardwareMatches(in.Hardware, inst.Kind, inst.GPU, inst.Arch) {
			return inst, fmt.Sprintf("matches the measured host's %d CPUs", cpus)
		}
	}
	return nil, fmt.Sprintf("no matching instance has the measured host's %d CPUs; name yours with --instance", cpus)
}

func quantizationLever(in runInputs, base scenario, baseTotal float64, book *priceBook) Lever {
	s := base
	s.modelSizeGB = base.modelSizeGB / 4
	after, _, _ := scenarioTCO(in.Input, s, book)
	l := leverFrom(LeverQuantization, base.inst.Name, baseTotal, after)
	l.Note = fmt.Sprintf("int8 weights at a quarter of %.4g GB, in storage and model pulls only; compute at int8 needs its own run", base.modelSizeGB)
	return l
}

// verdict compares a measured per-inference saving with a rule of thumb's
// range, and says when the monthly bill does not follow it.
func verdict(unit, monthly, lo, hi float64, per string) string {
	var v string
	switch {
	case unit < lo:
		v = fmt.Sprintf("disagrees: measured %.0f%% per %s, below the rule of thumb", unit, per)
	case unit > hi:
		v = fmt.Sprintf("disagrees: measured %.0f%% per %s, above the rule of thumb", unit, per)
	default:
		v = fmt.Sprintf("agrees: measured %.0f%% per %s", unit, per)
	}
	if monthly < unit/2 {
		v += fmt.Sprintf("; at this volume the monthly bill falls only %.0f%% (minimum replicas and whole instances)", monthly)
	}
	return v
}
