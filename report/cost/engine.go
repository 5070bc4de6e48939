package cost

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/infercost/infercost/result"
)

// ErrInput marks errors in what the user gave (an unknown instance, a bad
// capacity): the CLI answers them with a usage exit code.
var ErrInput = errors.New("bad input")

// inputError is a user-facing error that matches ErrInput.
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == ErrInput }

func inputErrorf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// candidate is one instance (or managed endpoint) with the capacity one of
// its replicas has.
type candidate struct {
	name, provider, region, kind, gpu string
	gpuCount, vcpu                    int
	memGiB                            float64
	perInstance                       int
	capacity                          float64
	estimated                         bool
	// tooFewGPUs: the row has fewer GPUs than one replica needs.
	tooFewGPUs bool
}

// Compute prices a capacity for a workload (DESIGN "Cost model").
func Compute(in Input) (*Estimate, error) {
	if in.Catalog == nil {
		return nil, fmt.Errorf("no catalog")
	}
	if math.IsNaN(in.CapacityPerS) || math.IsInf(in.CapacityPerS, 0) || in.CapacityPerS <= 0 {
		return nil, inputErrorf("capacity must be more than 0 inferences/s (got %g)", in.CapacityPerS)
	}
	w := in.Workload
	if err := w.Validate(); err != nil {
		return nil, &inputError{msg: err.Error()}
	}
	if in.Tokens == nil {
		if err := tokenVolumeError(w); err != nil {
			return nil, err
		}
	}
	unit := in.Unit
	if unit == "" {
		unit = result.UnitInference
	}
	e := &Estimate{
		Unit:                   unit,
		CapacityInferencesPerS: in.CapacityPerS,
		Hardware:               in.Hardware,
		MonthlyUnits:           in.volume(),
		Tokens:                 in.Tokens,
		Pricing:                w.Pricing,
		Workload:               w,
		DefaultsUsed:           w.DefaultsUsed(),
		AverageRatePerS:        AverageRatePerS(in.volume()),
		PeakRatePerS:           PeakRatePerS(in.volume(), w.PeakToAverage, w.HourlyProfile),
		Instances:              []InstanceCost{},
		Options:                []Option{},
		Levers:                 []Lever{},
		Notes:                  append([]string{}, in.Notes...),
	}
	if in.LatencyMS > 0 {
		e.LatencyMSBatch1 = ptr(in.LatencyMS)
	}
	if in.RSSBytes > 0 {
		e.RSSBytes = ptr(in.RSSBytes)
	}
	if in.GPUMemoryBytes > 0 {
		e.GPUMemoryBytes = ptr(in.GPUMemoryBytes)
	}
	book := newPriceBook(in.Now)
	if in.Hardware.Kind == HardwareUnpriced {
		reason := fmt.Sprintf("no price data: the run's hardware %q was recorded unpriced (--hardware-unpriced)", in.Hardware.Name)
		for _, kind := range []string{OptionDedicated, OptionKubernetes, OptionManaged, OptionServerless} {
			e.Options = append(e.Options, notPriced(kind, StatusNoPriceData, reason))
		}
		e.CrossoverNote = "no crossover: " + reason
		e.Energy = energyLine(in, unit)
		e.Prices = book.refs
		return e, nil
	}
	insts, err := selectInstances(in)
	if err != nil {
		return nil, err
	}
	for _, inst := range insts {
		e.Instances = append(e.Instances, priceInstance(in, inst, book))
	}
	sortInstances(e.Instances)
	if w.Pricing == PricingReserved && w.Autoscale {
		e.Notes = append(e.Notes, "reserved instances are billed all month: autoscaling does not lower their cost, so the peak's instances are billed")
	}
	if in.Hardware.Kind == HardwareCPU && in.Hardware.CPUs > 0 {
		e.Notes = append(e.Notes, fmt.Sprintf("capacity on CPU instances is an estimate: measured on %d logical CPUs and scaled linearly by each instance's vCPUs", in.Hardware.CPUs))
	}
	e.Options = []Option{
		dedicatedOption(in, e.Instances),
		kubernetesOption(in, insts, book),
		managedOption(in, book),
		serverlessOption(in, book),
	}
	e.Cheapest = cheapestOf(e.Options)
	if e.Cheapest != nil {
		e.TCO = buildTCOReport(in, e.Cheapest, e.Options, book)
	}
	setCrossover(e, in, insts)
	applyTokenPrices(e, in.Tokens)
	e.Energy = energyLine(in, unit)
	e.Prices = book.refs
	return e, nil
}

// selectInstances returns the instances to price: those named, or those
// whose hardware matches the capacity's.
func selectInstances(in Input) ([]*Instance, error) {
	c := in.Catalog
	if len(in.Instances) > 0 {
		var out []*Instance
		for _, name := range in.Instances {
			inst := c.FindInstance(name)
			if inst == nil {
				return nil, UnknownInstance(c, name)
			}
			out = append(out, inst)
		}
		return out, nil
	}
	var out []*Instance
	for i := range c.Instances {
		inst := &c.Instances[i]
		if hardwareMatches(in.Hardware, inst.Kind, inst.GPU, inst.Arch) {
			out = append(out, inst)
		}
	}
	return out, nil
}

// UnknownInstance is the error for an instance name the catalog lacks; it
// names the nearest ones.
func UnknownInstance(c *Catalog, name string) error {
	names := make([]string, len(c.Instances))
	for i, in := range c.Instances {
		names[i] = in.Name
	}
	return inputErrorf("unknown instance %q: the catalog has no such instance (nearest: %s; list them with `infercost catalog`)", name, quoteList(Nearest(name, names, 3)))
}

// UnknownGPU is the error for a GPU name the catalog lacks; it names the
// nearest ones.
func UnknownGPU(c *Catalog, name string) error {
	return inputErrorf("unknown GPU %q: the catalog has no such GPU or alias (nearest: %s; list them with `infercost catalog`)", name, quoteList(nearestGPUs(c, name, 3)))
}

// nearestGPUs ranks GPUs by their closest name or alias to query.
func nearestGPUs(c *Catalog, query string, n int) []string {
	canonical := map[string]string{}
	var names []string
	for _, g := range c.GPUs {
		for _, a := range append([]string{g.Name}, g.Aliases...) {
			canonical[a] = g.Name
			names = append(names, a)
		}
	}
	out := []string{}
	seen := map[string]bool{}
	for _, a := range Nearest(query, names, len(names)) {
		if g := canonical[a]; !seen[g] && len(out) < n {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// hardwareMatches reports whether a catalog row can run what was measured.
func hardwareMatches(hw Hardware, kind, gpu, arch string) bool {
	switch hw.Kind {
	case HardwareGPU:
		return kind == KindGPU && gpu == hw.GPU
	case HardwareCPU:
		return kind == KindCPU && (hw.Arch == "" || arch == hw.Arch)
	case HardwareUnpriced:
		return false
	}
	return true
}

// candidateFor sizes one replica on a row: a GPU each on GPU rows; the
// whole instance on CPU rows, scaled from the measured host when known.
func candidateFor(in Input, name, provider, region, kind, gpu string, gpuCount, vcpu int, memGiB float64) candidate {
	c := candidate{name: name, provider: provider, region: region, kind: kind, gpu: gpu,
		gpuCount: gpuCount, vcpu: vcpu, memGiB: memGiB, perInstance: 1, capacity: in.CapacityPerS}
	if kind == KindGPU {
		per := max(1, in.Hardware.GPUsPerReplica)
		c.perInstance = max(1, gpuCount) / per
		if c.perInstance < 1 {
			c.perInstance, c.tooFewGPUs = 1, true
		}
		return c
	}
	if in.Hardware.Kind == HardwareCPU && in.Hardware.CPUs > 0 && vcpu > 0 {
		c.capacity = CPUCapacityPerS(in.CapacityPerS, in.Hardware.CPUs, vcpu)
		c.estimated = vcpu != in.Hardware.CPUs
	}
	return c
}

// fits checks the measured memory against the row's: GPU memory on a GPU
// row, process RSS on a CPU row.
func fits(in Input, c candidate) (ok, checked bool, note string) {
	if c.tooFewGPUs {
		return false, true, fmt.Sprintf("does not fit: a replica needs %d GPUs; %s has %d", in.Hardware.GPUsPerReplica, c.name, c.gpuCount)
	}
	if c.kind == KindGPU && in.GPUMemoryBytes > 0 {
		if g := in.Catalog.FindGPU(c.gpu); g != nil {
			have := g.MemoryGiB * (1 << 30)
			if have < in.GPUMemoryBytes {
				return false, true, fmt.Sprintf("does not fit: %s has %.0f GiB, the run used %.1f GiB", c.gpu, g.MemoryGiB, in.GPUMemoryBytes/(1<<30))
			}
			return true, true, ""
		}
	}
	if c.kind == KindCPU && in.RSSBytes > 0 && c.memGiB > 0 {
		if c.memGiB*(1<<30) < in.RSSBytes {
			return false, true, fmt.Sprintf("does not fit: %.0f GiB of memory, the server used %.1f GiB", c.memGiB, in.RSSBytes/(1<<30))
		}
		return true, true, ""
	}
	return true, false, ""
}

// instancePrice returns an instance's price under the pricing model, the
// field it came from, and why there is none.
func instancePrice(inst *Instance, pricing string) (*float64, string, string) {
	switch pricing {
	case PricingSpot:
		return inst.SpotUSDPerHour, "spot_usd_per_hour", "no spot price in the catalog"
	case PricingReserved:
		return inst.Reserved1yUSDPerHour, "reserved_1y_usd_per_hour", "no 1-year reserved price in the catalog"
	}
	return inst.OnDemandUSDPerHour, "on_demand_usd_per_hour", "no on-demand price in the catalog"
}

// demand returns the peak and hourly rates a fleet is sized for; spot
// carries its interruption overhead.
func demand(w Workload, monthly float64, spot bool) (peak float64, hourly []float64) {
	peak = PeakRatePerS(monthly, w.PeakToAverage, w.HourlyProfile)
	if w.Autoscale && w.Pricing != PricingReserved {
		hourly = HourlyRatesPerS(monthly, w.HourlyProfile)
	}
	if spot {
		peak = SpotDemandPerS(peak, w.SpotOverhead)
		for i := range hourly {
			hourly[i] = SpotDemandPerS(hourly[i], w.SpotOverhead)
		}
	}
	return peak, hourly
}

// fleetFor sizes a candidate's fleet at a monthly volume.
func fleetFor(w Workload, monthly float64, c candidate, usdPerHour float64, spot bool, capacity float64) Fleet {
	peak, hourly := demand(w, monthly, spot)
	return SizeFleet(hourly, peak, capacity, w.Headroom, w.MinReplicas, c.perInstance, usdPerHour, w.Autoscale && w.Pricing != PricingReserved)
}

func priceInstance(in Input, inst *Instance, book *priceBook) InstanceCost {
	c := candidateFor(in, inst.Name, inst.Provider, inst.Region, inst.Kind, inst.GPU, inst.GPUCount, inst.VCPU, inst.MemoryGiB)
	row := InstanceCost{Name: inst.Name, Provider: inst.Provider, Region: inst.Region, Kind: inst.Kind,
		GPU: inst.GPU, GPUCount: inst.GPUCount, VCPU: inst.VCPU, ReplicasPerInstance: c.perInstance,
		CapacityInferencesPerS: c.capacity, CapacityEstimated: c.estimated}
	row.Fits, row.FitChecked, row.Note = fits(in, c)
	if c.tooFewGPUs {
		return row
	}
	price, field, missing := instancePrice(inst, in.Workload.Pricing)
	if price == nil {
		row.Note = joinNotes(missing, row.Note)
		return row
	}
	book.add("instances", inst.Name, field, *price, fieldMeta(inst.Meta, inst.PerField, field))
	f := fleetFor(in.Workload, in.volume(), c, *price, in.Workload.Pricing == PricingSpot, c.capacity)
	unit := UnitCostUSD(PricePerReplicaHour(*price, c.perInstance), c.capacity)
	row.USDPerHour = ptr(*price)
	row.UnitCostPerInferenceUSD = ptr(unit)
	row.UnitCostPerMillionUSD = ptr(unit * 1e6)
	row.Replicas, row.Instances, row.SpreadForAvailability = f.Replicas, f.Instances, f.Spread
	row.MonthlyComputeUSD = ptr(f.MonthlyUSD)
	return row
}

// sortInstances orders rows by cost per million (unpriced last); a tie
// (within a part in 1e9: p5.48xlarge / 8 = p5.4xlarge) goes to the lower
// monthly bill, then the name.
func sortInstances(rows []InstanceCost) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].UnitCostPerMillionUSD, rows[j].UnitCostPerMillionUSD
		switch {
		case a == nil && b == nil:
			return rows[i].Name < rows[j].Name
		case a == nil || b == nil:
			return b == nil
		case math.Abs(*a-*b) > 1e-9*math.Max(*a, *b):
			return *a < *b
		}
		if ma, mb := rows[i].MonthlyComputeUSD, rows[j].MonthlyComputeUSD; ma != nil && mb != nil && *ma != *mb {
			return *ma < *mb
		}
		return rows[i].Name < rows[j].Name
	})
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
