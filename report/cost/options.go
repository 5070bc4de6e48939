package cost

import (
	"fmt"
	"math"
	"strings"
)

// hardwareWords names the measured hardware for messages.
func hardwareWords(hw Hardware) string {
	switch hw.Kind {
	case HardwareGPU:
		return hw.GPU
	case HardwareCPU:
		if hw.Arch != "" {
			return "a " + hw.Arch + " CPU"
		}
		return "a CPU"
	case HardwareUnpriced:
		return hw.Name + " (recorded unpriced)"
	}
	return "this capacity"
}

// setUtilization fills an instance-billed option's paid capacity and
// utilisation.
func setUtilization(o *Option, in Input, instanceHours float64, perInstance int, capacity float64) {
	o.PaidCapacityPerS = ptr(PaidCapacityPerS(instanceHours, perInstance, capacity))
	o.UtilizationPercent = ptr(UtilizationPercent(AverageRatePerS(in.volume()), instanceHours, perInstance, capacity))
}

// spreadWords says, in an option's HOW, that the minimum replicas were
// spread over as many instances for availability.
func spreadWords(spread bool, minReplicas int) string {
	if !spread {
		return ""
	}
	return fmt.Sprintf("; the %d minimum replicas spread over %d instances for availability", minReplicas, minReplicas)
}

func notPriced(kind, status, reason string) Option {
	return Option{Kind: kind, Status: status, Reason: reason}
}

func priced(kind, instance, provider string, monthly, volume float64, replicas, instances int, detail string) Option {
	return Option{Kind: kind, Instance: instance, Provider: provider, MonthlyTotalUSD: ptr(monthly),
		CostPerInferenceUSD: ptr(monthly / volume), Applicable: true, Status: StatusPriced,
		Replicas: replicas, Instances: instances, Detail: detail}
}

// dedicatedOption is the cheapest fitting instance billed as VMs.
func dedicatedOption(in Input, rows []InstanceCost) Option {
	w, hw := in.Workload, in.Hardware
	var best *InstanceCost
	unpriced, unfit := 0, 0
	for i := range rows {
		r := &rows[i]
		switch {
		case r.MonthlyComputeUSD == nil:
			unpriced++
		case !r.Fits:
			unfit++
		case best == nil || *r.MonthlyComputeUSD < *best.MonthlyComputeUSD:
			best = r
		}
	}
	switch {
	case len(rows) == 0:
		return notPriced(OptionDedicated, StatusNoPriceData, "no price data: the catalog lists no instance with "+hardwareWords(hw))
	case best == nil && unfit > 0:
		return notPriced(OptionDedicated, StatusNotApplicable, "no priced instance has enough memory for the measured model")
	case best == nil:
		return notPriced(OptionDedicated, StatusNoPriceData, fmt.Sprintf("no price data: no instance has a %s price", w.Pricing))
	}
	detail := fmt.Sprintf("%d x %s at $%s/h x %g h (%s)", best.Instances, best.Name, money(*best.USDPerHour), HoursPerMonth, plural(best.Replicas, "replica"))
	if w.Autoscale && w.Pricing != PricingReserved {
		detail = fmt.Sprintf("%s autoscaled by the hourly profile, up to %d instances (%d replicas) at $%s/h", best.Name, best.Instances, best.Replicas, money(*best.USDPerHour))
	}
	detail += spreadWords(best.SpreadForAvailability, w.MinReplicas)
	o := priced(OptionDedicated, best.Name, best.Provider, *best.MonthlyComputeUSD, in.volume(), best.Replicas, best.Instances, detail)
	setUtilization(&o, in, *best.MonthlyComputeUSD / *best.USDPerHour, best.ReplicasPerInstance, best.CapacityInferencesPerS)
	return o
}

// kubernetesOption runs the replicas on nodes of each instance type, with
// a share of every node kept for system pods, plus the control-plane fee.
func kubernetesOption(in Input, insts []*Instance, book *priceBook) Option {
	w := in.Workload
	var best Option
	var missingFee []string
	for _, inst := range insts {
		price, field, _ := instancePrice(inst, w.Pricing)
		if price == nil {
			continue
		}
		c := candidateFor(in, inst.Name, inst.Provider, inst.Region, inst.Kind, inst.GPU, inst.GPUCount, inst.VCPU, inst.MemoryGiB)
		if ok, _, _ := fits(in, c); !ok {
			continue
		}
		fee := kubernetesFee(in.Catalog, inst.Provider)
		if fee == nil {
			if !containsStr(missingFee, inst.Provider) {
				missingFee = append(missingFee, inst.Provider)
			}
			continue
		}
		// System pods reserve CPU and memory: on CPU nodes that is
		// capacity; on GPU nodes the GPUs serve as before.
		capacity, pods := K8sCapacityPerS(c.capacity, w.K8sOverhead), fmt.Sprintf("%g%% of each for system pods", w.K8sOverhead*100)
		if c.kind == KindGPU {
			capacity, pods = c.capacity, fmt.Sprintf("%g%% of each node's CPU and memory for system pods, GPU capacity unchanged", w.K8sOverhead*100)
		}
		f := fleetFor(w, in.volume(), c, *price, w.Pricing == PricingSpot, capacity)
		total := f.MonthlyUSD + ControlPlaneMonthlyUSD(*fee.USDPerClusterHour)
		if best.MonthlyTotalUSD != nil && total >= *best.MonthlyTotalUSD {
			continue
		}
		detail := fmt.Sprintf("%d x %s nodes (%s) + %s control plane $%s/h x %g h",
			f.Instances, inst.Name, pods, strings.ToUpper(fee.Name), money(*fee.USDPerClusterHour), HoursPerMonth) + spreadWords(f.Spread, w.MinReplicas)
		best = priced(OptionKubernetes, inst.Name, inst.Provider, total, in.volume(), f.Replicas, f.Instances, detail)
		setUtilization(&best, in, f.InstanceHours, c.perInstance, capacity)
		book.add("instances", inst.Name, field, *price, fieldMeta(inst.Meta, inst.PerField, field))
		book.add("kubernetes", fee.Name, "usd_per_cluster_hour", *fee.USDPerClusterHour, fieldMeta(fee.Meta, fee.PerField, "usd_per_cluster_hour"))
	}
	if best.MonthlyTotalUSD != nil {
		return best
	}
	if len(missingFee) > 0 {
		return notPriced(OptionKubernetes, StatusNoPriceData, "no price data: no Kubernetes control-plane fee in the catalog for "+strings.Join(missingFee, ", "))
	}
	return notPriced(OptionKubernetes, StatusNoPriceData, "no price data: no priced instance that fits to run nodes on")
}

func kubernetesFee(c *Catalog, provider string) *KubernetesFee {
	for i := range c.Kubernetes {
		if c.Kubernetes[i].Provider == provider {
			return &c.Kubernetes[i]
		}
	}
	return nil
}

// managedOption prices the managed endpoints that carry the measured
// hardware, at their own hourly prices (they have no spot or reserved).
func managedOption(in Input, book *priceBook) Option {
	w := in.Workload
	w.Pricing = PricingOnDemand
	var best Option
	matched := 0
	for i := range in.Catalog.Managed {
		m := &in.Catalog.Managed[i]
		if !hardwareMatches(in.Hardware, m.Kind, m.GPU, m.Arch) || m.USDPerHour == nil {
			continue
		}
		matched++
		c := candidateFor(in, m.Name, m.Provider, m.Region, m.Kind, m.GPU, m.GPUCount, m.VCPU, m.MemoryGiB)
		if ok, _, _ := fits(in, c); !ok {
			continue
		}
		f := fleetFor(w, in.volume(), c, *m.USDPerHour, false, c.capacity)
		if best.MonthlyTotalUSD != nil && f.MonthlyUSD >= *best.MonthlyTotalUSD {
			continue
		}
		detail := fmt.Sprintf("%d x %s (%s) at $%s/h x %g h", f.Instances, m.Name, m.Platform, money(*m.USDPerHour), HoursPerMonth) + spreadWords(f.Spread, w.MinReplicas)
		if in.Workload.Pricing != PricingOnDemand {
			detail += "; managed endpoints are priced at their on-demand rate"
		}
		best = priced(OptionManaged, m.Name, m.Provider, f.MonthlyUSD, in.volume(), f.Replicas, f.Instances, detail)
		setUtilization(&best, in, f.InstanceHours, c.perInstance, c.capacity)
		book.add("managed_endpoints", m.Name, "usd_per_hour", *m.USDPerHour, fieldMeta(m.Meta, m.PerField, "usd_per_hour"))
	}
	switch {
	case best.MonthlyTotalUSD != nil:
		return best
	case matched > 0:
		return notPriced(OptionManaged, StatusNotApplicable, "no managed endpoint with "+hardwareWords(in.Hardware)+" has enough memory for the measured model")
	}
	return notPriced(OptionManaged, StatusNoPriceData, "no price data: no managed endpoint with "+hardwareWords(in.Hardware)+" in the catalog")
}

// cheapestOf picks the applicable option with the lowest monthly total
// and its margin over the runner-up.
func cheapestOf(opts []Option) *Cheapest {
	var first, second *Option
	for i := range opts {
		o := &opts[i]
		if !o.Applicable {
			continue
		}
		switch {
		case first == nil || *o.MonthlyTotalUSD < *first.MonthlyTotalUSD:
			first, second = o, first
		case second == nil || *o.MonthlyTotalUSD < *second.MonthlyTotalUSD:
			second = o
		}
	}
	if first == nil {
		return nil
	}
	c := &Cheapest{Kind: first.Kind, Instance: first.Instance, MonthlyTotalUSD: *first.MonthlyTotalUSD}
	if second != nil {
		c.MarginPercent = ptr(MarginPercent(*first.MonthlyTotalUSD, *second.MonthlyTotalUSD))
		c.RunnerUpKind = second.Kind
	}
	return c
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// money prints dollars with cents, or more digits below a dollar.
func money(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		return commas(fmt.Sprintf("%.2f", v))
	case math.Abs(v) >= 0.01:
		return fmt.Sprintf("%.4g", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// moneyExact prints a tiny unit price as written in the catalog.
func moneyExact(v float64) string { return fmt.Sprintf("%g", v) }

// count prints a large count with thousands separators.
func count(v float64) string { return commas(fmt.Sprintf("%.0f", v)) }

// commas inserts thousands separators into a plain decimal number.
func commas(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// plural writes "1 replica", "2 replicas".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
