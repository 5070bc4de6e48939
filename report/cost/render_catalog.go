package cost

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// CatalogFilter narrows a catalog listing; empty fields match everything.
type CatalogFilter struct {
	Provider string
	GPU      string
}

// Filter returns the rows that match: by provider (exact, case-insensitive)
// and by GPU (name or alias; only GPU rows remain then).
func (c *Catalog) Filter(f CatalogFilter) (*Catalog, error) {
	out := &Catalog{GPUs: []GPU{}, Instances: []Instance{}, Managed: []ManagedEndpoint{}, Kubernetes: []KubernetesFee{}, Serverless: []Serverless{}, Prices: []PriceLine{}}
	gpu := ""
	if f.GPU != "" {
		g := c.FindGPU(f.GPU)
		if g == nil {
			return nil, UnknownGPU(c, f.GPU)
		}
		gpu = g.Name
	}
	prov := func(p string) bool { return f.Provider == "" || strings.EqualFold(p, f.Provider) }
	for _, g := range c.GPUs {
		if gpu == "" || g.Name == gpu {
			out.GPUs = append(out.GPUs, g)
		}
	}
	for _, in := range c.Instances {
		if prov(in.Provider) && (gpu == "" || in.GPU == gpu) {
			out.Instances = append(out.Instances, in)
		}
	}
	for _, m := range c.Managed {
		if prov(m.Provider) && (gpu == "" || m.GPU == gpu) {
			out.Managed = append(out.Managed, m)
		}
	}
	if gpu != "" {
		return out, nil
	}
	for _, k := range c.Kubernetes {
		if prov(k.Provider) {
			out.Kubernetes = append(out.Kubernetes, k)
		}
	}
	for _, s := range c.Serverless {
		if prov(s.Provider) {
			out.Serverless = append(out.Serverless, s)
		}
	}
	for _, p := range c.Prices {
		if prov(p.Provider) {
			out.Prices = append(out.Prices, p)
		}
	}
	return out, nil
}

// PriceDates lists every price in the catalog with its source, date and
// flags, as of now.
func (c *Catalog) PriceDates(now time.Time) []PriceRef {
	b := newPriceBook(now)
	each := func(section, row string, prices map[string]*float64, m Meta, per map[string]Meta) {
		for _, f := range sortedPriceKeys(prices) {
			if p := prices[f]; p != nil {
				b.add(section, row, f, *p, fieldMeta(m, per, f))
			}
		}
	}
	for i := range c.Instances {
		in := &c.Instances[i]
		each("instances", in.Name, in.prices(), in.Meta, in.PerField)
	}
	for _, m := range c.Managed {
		each("managed_endpoints", m.Name, map[string]*float64{"usd_per_hour": m.USDPerHour}, m.Meta, m.PerField)
	}
	for _, k := range c.Kubernetes {
		each("kubernetes", k.Name, map[string]*float64{"usd_per_cluster_hour": k.USDPerClusterHour}, k.Meta, k.PerField)
	}
	for i := range c.Serverless {
		s := &c.Serverless[i]
		each("serverless", s.Name, s.prices(), s.Meta, s.PerField)
	}
	for _, p := range c.Prices {
		each("prices", p.Name, map[string]*float64{"usd": p.USD}, p.Meta, p.PerField)
	}
	return b.refs
}

// RenderCatalog lists a catalog, every price with its date and flags.
func RenderCatalog(w io.Writer, c *Catalog, now time.Time, format string) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	dates := c.PriceDates(now)
	if format == FormatJSON {
		return writeJSON(w, struct {
			Catalog    *Catalog   `json:"catalog"`
			PriceDates []PriceRef `json:"price_dates"`
		}{c, dates})
	}
	flags := map[string][]string{}
	for _, p := range dates {
		if f := p.Flags(); len(f) > 0 {
			flags[p.Row] = append(flags[p.Row], shortField(p.Field)+": "+strings.Join(f, ", "))
		}
	}
	d := &doc{}
	d.heading("GPUs")
	rows := [][]string{}
	for _, g := range c.GPUs {
		rows = append(rows, []string{g.Name, strings.Join(g.Aliases, ", "), fmt.Sprintf("%g", g.MemoryGiB), g.SourceDate})
	}
	d.table([]string{"GPU", "ALIASES", "MEMORY GIB", "DATE"}, rows)
	d.heading("Instances (USD per hour)")
	rows = [][]string{}
	for _, in := range c.Instances {
		hw := fmt.Sprintf("%d vCPU", in.VCPU)
		if in.Kind == KindGPU {
			hw = fmt.Sprintf("%d x %s", in.GPUCount, in.GPU)
		}
		rows = append(rows, []string{in.Name, in.Provider, in.Region, hw, priceText(in.OnDemandUSDPerHour), priceText(in.SpotUSDPerHour),
			priceText(in.Reserved1yUSDPerHour), in.SourceDate, orDash(strings.Join(flags[in.Name], "; "))})
	}
	d.table([]string{"INSTANCE", "PROVIDER", "REGION", "HARDWARE", "ON-DEMAND", "SPOT", "RESERVED 1Y", "DATE", "FLAGS"}, rows)
	if len(c.Managed) > 0 {
		d.heading("Managed endpoints (USD per hour)")
		rows = [][]string{}
		for _, m := range c.Managed {
			hw := fmt.Sprintf("%d vCPU", m.VCPU)
			if m.Kind == KindGPU {
				hw = fmt.Sprintf("%d x %s", m.GPUCount, m.GPU)
			}
			rows = append(rows, []string{m.Name, m.Platform, hw, priceText(m.USDPerHour), m.SourceDate, orDash(strings.Join(flags[m.Name], "; "))})
		}
		d.table([]string{"ENDPOINT", "PLATFORM", "HARDWARE", "USD/HOUR", "DATE", "FLAGS"}, rows)
	}
	catalogOtherTables(d, c, flags)
	d.para("Prices older than %d months are flagged as of %s. A price the sources lack is absent (\"-\"): infercost shows \"no price data\" rather than inventing it.", StaleAfterMonths, now.Format("2006-01-02"))
	return d.write(w, format)
}

func catalogOtherTables(d *doc, c *Catalog, flags map[string][]string) {
	if len(c.Kubernetes) > 0 {
		d.heading("Kubernetes control planes")
		rows := [][]string{}
		for _, k := range c.Kubernetes {
			rows = append(rows, []string{k.Name, k.Provider, priceText(k.USDPerClusterHour), k.SourceDate, orDash(strings.Join(flags[k.Name], "; "))})
		}
		d.table([]string{"NAME", "PROVIDER", "USD/CLUSTER-HOUR", "DATE", "FLAGS"}, rows)
	}
	if len(c.Serverless) > 0 {
		d.heading("Serverless platforms")
		rows := [][]string{}
		for _, s := range c.Serverless {
			rows = append(rows, []string{s.Name, s.Provider, orDash(s.GPUModel), priceText(s.PerMillionRequestsUSD), priceText(s.PerGBSecondUSD),
				priceText(s.PerVCPUSecondUSD), priceText(s.PerInstanceSecondUSD), limitText(s.MinMemoryMB), limitText(s.MaxMemoryMB),
				limitText(s.DurationRoundingMS), s.SourceDate, orDash(strings.Join(flags[s.Name], "; "))})
		}
		d.table([]string{"PLATFORM", "PROVIDER", "GPU", "USD/M REQ", "USD/GB-S", "USD/VCPU-S", "USD/INSTANCE-S", "MIN MB", "MAX MB", "ROUND MS", "DATE", "FLAGS"}, rows)
	}
	if len(c.Prices) > 0 {
		d.heading("Storage, transfer and monitoring")
		rows := [][]string{}
		for _, p := range c.Prices {
			rows = append(rows, []string{p.Name, p.Provider, p.Kind, priceText(p.USD), p.SourceDate, orDash(strings.Join(flags[p.Name], "; "))})
		}
		d.table([]string{"NAME", "PROVIDER", "KIND", "USD", "DATE", "FLAGS"}, rows)
	}
}

func priceText(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%g", *p)
}

func limitText(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%g", v)
}

// shortField names a price field briefly for the flags column.
func shortField(f string) string {
	for _, s := range []string{"_usd_per_hour", "_usd_per_cluster_hour", "_usd"} {
		f = strings.TrimSuffix(f, s)
	}
	if f == "" || strings.HasPrefix(f, "usd") {
		return "price"
	}
	return f
}
