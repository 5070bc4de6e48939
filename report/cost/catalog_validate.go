package cost

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// rowCheck collects the problems of one catalog row.
type rowCheck struct {
	origin Origin
	where  string
	errs   *[]error
}

func (r rowCheck) fail(format string, args ...any) {
	*r.errs = append(*r.errs, &LineError{File: r.origin.File, Line: r.origin.Line, Where: r.where, Reason: fmt.Sprintf(format, args...)})
}

// meta checks a row's source and date, and each per_field entry: the key
// must be one of the row's price fields and that price must be given.
func (r rowCheck) meta(m Meta, per map[string]Meta, prices map[string]*float64) {
	r.oneMeta("", m)
	for field, pm := range per {
		p, known := prices[field]
		if !known {
			r.fail("per_field names %q, which is not a price (or sourced limit) of this row (fields: %s)", field, joinComma(sortedPriceKeys(prices)))
			continue
		}
		if p == nil {
			r.fail("per_field gives a source for %s, but the row has no %s", field, field)
		}
		r.oneMeta("per_field."+field+": ", pm)
	}
}

func (r rowCheck) oneMeta(prefix string, m Meta) {
	if strings.TrimSpace(m.Source) == "" {
		r.fail("%smissing source: every row says where its figures come from", prefix)
	}
	if strings.TrimSpace(m.SourceDate) == "" {
		r.fail("%smissing source_date: every row carries the date of its source (YYYY-MM-DD, YYYY-MM or YYYY)", prefix)
	} else if _, err := parseSourceDate(m.SourceDate); err != nil {
		r.fail("%s%v", prefix, err)
	}
}

// price checks one price: finite and not negative (0 is a free line).
func (r rowCheck) price(field string, p *float64) {
	if p == nil {
		return
	}
	switch {
	case math.IsNaN(*p) || math.IsInf(*p, 0):
		r.fail("%s must be a finite number", field)
	case *p < 0:
		r.fail("%s is negative (%g): a price is 0 or more", field, *p)
	}
}

func (r rowCheck) required(field string, p *float64) {
	if p == nil {
		r.fail("missing %s", field)
	}
}

func (r rowCheck) nonNegative(field string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		r.fail("%s must be 0 or more (got %g)", field, v)
	}
}

func (r rowCheck) text(field, v string) {
	if strings.TrimSpace(v) == "" {
		r.fail("missing %s", field)
	}
}

// hardware checks kind, arch, GPU and CPU fields shared by instances and
// managed endpoints; it normalizes an empty arch to x86_64.
func (r rowCheck) hardware(kind string, arch *string, gpu string, gpuCount, vcpu int, memGiB float64) {
	if *arch == "" {
		*arch = ArchX86
	}
	if *arch != ArchX86 && *arch != ArchARM {
		r.fail("arch %q is not known (use %s or %s)", *arch, ArchX86, ArchARM)
	}
	switch kind {
	case KindGPU:
		if strings.TrimSpace(gpu) == "" {
			r.fail("kind gpu needs a gpu name")
		}
		if gpuCount < 1 {
			r.fail("kind gpu needs gpu_count of 1 or more (got %d)", gpuCount)
		}
	case KindCPU:
		if gpu != "" || gpuCount != 0 {
			r.fail("kind cpu cannot have a gpu (remove gpu and gpu_count, or use kind gpu)")
		}
		if vcpu < 1 {
			r.fail("kind cpu needs vcpu of 1 or more (got %d)", vcpu)
		}
	default:
		r.fail("kind %q is not known (use gpu or cpu)", kind)
	}
	if vcpu < 0 {
		r.fail("vcpu must be 0 (unknown) or more (got %d)", vcpu)
	}
	r.nonNegative("memory_gib", memGiB)
}

// validateFile checks every row of one file and refuses duplicate names.
func validateFile(file string, c *Catalog) []error {
	var errs []error
	dup := func(section string) func(name string, o Origin, where string) {
		seen := map[string]Origin{}
		return func(name string, o Origin, where string) {
			k := NormalizeName(name)
			if k == "" {
				return
			}
			if first, ok := seen[k]; ok {
				errs = append(errs, &LineError{File: o.File, Line: o.Line, Where: where,
					Reason: fmt.Sprintf("duplicate name %q in %s (first at line %d)", name, section, first.Line)})
				return
			}
			seen[k] = o
		}
	}
	gpuNames := dup("gpus (names and aliases)")
	for i := range c.GPUs {
		g := &c.GPUs[i]
		r := rowCheck{g.Origin, fmt.Sprintf("gpus[%d] %s", i, g.Name), &errs}
		r.text("name", g.Name)
		r.meta(g.Meta, nil, nil)
		if g.MemoryGiB <= 0 || math.IsNaN(g.MemoryGiB) || math.IsInf(g.MemoryGiB, 0) {
			r.fail("memory_gib must be more than 0 (got %g)", g.MemoryGiB)
		}
		gpuNames(g.Name, g.Origin, r.where)
		for _, a := range g.Aliases {
			if strings.TrimSpace(a) == "" {
				r.fail("an alias is empty")
				continue
			}
			if NormalizeName(a) != NormalizeName(g.Name) {
				gpuNames(a, g.Origin, r.where)
			}
		}
	}
	instNames := dup("instances")
	for i := range c.Instances {
		in := &c.Instances[i]
		r := rowCheck{in.Origin, fmt.Sprintf("instances[%d] %s", i, in.Name), &errs}
		r.text("name", in.Name)
		r.text("provider", in.Provider)
		r.hardware(in.Kind, &in.Arch, in.GPU, in.GPUCount, in.VCPU, in.MemoryGiB)
		prices := in.prices()
		for _, f := range sortedPriceKeys(prices) {
			r.price(f, prices[f])
		}
		r.required("on_demand_usd_per_hour", in.OnDemandUSDPerHour)
		r.meta(in.Meta, in.PerField, prices)
		instNames(in.Name, in.Origin, r.where)
	}
	mNames := dup("managed_endpoints")
	for i := range c.Managed {
		m := &c.Managed[i]
		r := rowCheck{m.Origin, fmt.Sprintf("managed_endpoints[%d] %s", i, m.Name), &errs}
		r.text("name", m.Name)
		r.text("provider", m.Provider)
		r.text("platform", m.Platform)
		r.hardware(m.Kind, &m.Arch, m.GPU, m.GPUCount, m.VCPU, m.MemoryGiB)
		r.price("usd_per_hour", m.USDPerHour)
		r.required("usd_per_hour", m.USDPerHour)
		r.meta(m.Meta, m.PerField, map[string]*float64{"usd_per_hour": m.USDPerHour})
		mNames(m.Name, m.Origin, r.where)
	}
	kNames := dup("kubernetes")
	for i := range c.Kubernetes {
		k := &c.Kubernetes[i]
		r := rowCheck{k.Origin, fmt.Sprintf("kubernetes[%d] %s", i, k.Name), &errs}
		r.text("name", k.Name)
		r.text("provider", k.Provider)
		r.price("usd_per_cluster_hour", k.USDPerClusterHour)
		r.required("usd_per_cluster_hour", k.USDPerClusterHour)
		r.meta(k.Meta, k.PerField, map[string]*float64{"usd_per_cluster_hour": k.USDPerClusterHour})
		kNames(k.Name, k.Origin, r.where)
	}
	sNames := dup("serverless")
	for i := range c.Serverless {
		s := &c.Serverless[i]
		r := rowCheck{s.Origin, fmt.Sprintf("serverless[%d] %s", i, s.Name), &errs}
		validateServerless(r, s)
		sNames(s.Name, s.Origin, r.where)
	}
	pNames := dup("prices")
	for i := range c.Prices {
		p := &c.Prices[i]
		r := rowCheck{p.Origin, fmt.Sprintf("prices[%d] %s", i, p.Name), &errs}
		r.text("name", p.Name)
		r.text("provider", p.Provider)
		if !slices.Contains(LineKinds, p.Kind) {
			r.fail("kind %q is not known (use %s)", p.Kind, joinComma(LineKinds))
		}
		r.price("usd", p.USD)
		r.required("usd", p.USD)
		r.meta(p.Meta, p.PerField, map[string]*float64{"usd": p.USD})
		pNames(p.Name, p.Origin, r.where)
	}
	return errs
}

func validateServerless(r rowCheck, s *Serverless) {
	r.text("name", s.Name)
	r.text("provider", s.Provider)
	if s.Arch == "" {
		s.Arch = ArchX86
	}
	if s.Arch != ArchX86 && s.Arch != ArchARM {
		r.fail("arch %q is not known (use %s or %s)", s.Arch, ArchX86, ArchARM)
	}
	prices := s.prices()
	for _, f := range sortedPriceKeys(prices) {
		r.price(f, prices[f])
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"vcpu", s.VCPU}, {"memory_step_mb", s.MemoryStepMB}, {"min_memory_mb", s.MinMemoryMB},
		{"max_memory_mb", s.MaxMemoryMB}, {"max_image_gb", s.MaxImageGB}, {"duration_rounding_ms", s.DurationRoundingMS},
		{"free_requests_per_month", s.FreeRequestsPerMonth}, {"free_gb_seconds_per_month", s.FreeGBSecondsPerMonth}} {
		r.nonNegative(f.name, f.v)
	}
	if s.PerVCPUSecondUSD != nil && s.VCPU <= 0 {
		r.fail("per_vcpu_second_usd needs vcpu (the allocation billed) of more than 0")
	}
	if s.GPU != (s.GPUModel != "") {
		r.fail("gpu: true and gpu_model (the GPU the platform offers) go together")
	}
	if s.MaxMemoryMB > 0 && s.MinMemoryMB > s.MaxMemoryMB {
		r.fail("min_memory_mb (%g) is above max_memory_mb (%g)", s.MinMemoryMB, s.MaxMemoryMB)
	}
	sourced := s.prices()
	for k, v := range s.facts() {
		sourced[k] = v
	}
	r.meta(s.Meta, s.PerField, sourced)
}

// validateMerged checks what needs the whole catalog: every instance's and
// endpoint's GPU is a known GPU (its name becomes the canonical one), and
// no alias names two GPUs.
func validateMerged(c *Catalog) []error {
	var errs []error
	owner := map[string]string{} // normalized name or alias -> canonical GPU name
	for _, g := range c.GPUs {
		for _, n := range append([]string{g.Name}, g.Aliases...) {
			k := NormalizeName(n)
			if o, ok := owner[k]; ok && o != g.Name {
				errs = append(errs, &LineError{File: g.Origin.File, Line: g.Origin.Line, Where: "gpus " + g.Name,
					Reason: fmt.Sprintf("alias %q already names GPU %q", n, o)})
				continue
			}
			owner[k] = g.Name
		}
	}
	resolveGPU := func(name *string, o Origin, where string) {
		if *name == "" {
			return
		}
		canonical, ok := owner[NormalizeName(*name)]
		if ok {
			*name = canonical
			return
		}
		reason := fmt.Sprintf("unknown GPU %q: add it under gpus", *name)
		if len(errs) < maxReportedErrors { // suggestions cost time: only for the errors shown
			reason += fmt.Sprintf(" (nearest known: %s)", quoteList(nearestGPUs(c, *name, 3)))
		}
		errs = append(errs, &LineError{File: o.File, Line: o.Line, Where: where, Reason: reason})
	}
	for i := range c.Instances {
		resolveGPU(&c.Instances[i].GPU, c.Instances[i].Origin, "instances "+c.Instances[i].Name)
	}
	for i := range c.Managed {
		resolveGPU(&c.Managed[i].GPU, c.Managed[i].Origin, "managed_endpoints "+c.Managed[i].Name)
	}
	for i := range c.Serverless {
		resolveGPU(&c.Serverless[i].GPUModel, c.Serverless[i].Origin, "serverless "+c.Serverless[i].Name)
	}
	return errs
}

// prices maps an instance's price field names to its prices.
func (in *Instance) prices() map[string]*float64 {
	return map[string]*float64{
		"on_demand_usd_per_hour":   in.OnDemandUSDPerHour,
		"spot_usd_per_hour":        in.SpotUSDPerHour,
		"reserved_1y_usd_per_hour": in.Reserved1yUSDPerHour,
	}
}

func (s *Serverless) prices() map[string]*float64 {
	return map[string]*float64{
		"per_million_requests_usd": s.PerMillionRequestsUSD,
		"per_gb_second_usd":        s.PerGBSecondUSD,
		"per_vcpu_second_usd":      s.PerVCPUSecondUSD,
		"per_instance_second_usd":  s.PerInstanceSecondUSD,
	}
}

// facts maps a serverless platform's limits and rounding, which carry
// sources as prices do, to their values (nil when 0: not given).
func (s *Serverless) facts() map[string]*float64 {
	out := map[string]*float64{}
	for k, v := range map[string]float64{"memory_step_mb": s.MemoryStepMB, "min_memory_mb": s.MinMemoryMB, "max_memory_mb": s.MaxMemoryMB,
		"max_image_gb": s.MaxImageGB, "duration_rounding_ms": s.DurationRoundingMS} {
		out[k] = nil
		if v != 0 {
			out[k] = ptr(v)
		}
	}
	return out
}

func sortedPriceKeys(m map[string]*float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
