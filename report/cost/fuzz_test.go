package cost

import (
	"testing"
)

// FuzzParseCatalog: any bytes give a catalog or an error, never a panic or
// a hang; an accepted file merges with the default or is refused cleanly.
func FuzzParseCatalog(f *testing.F) {
	f.Add(defaultCatalogYAML)
	f.Add([]byte("version: 1\ninstances:\n  - {name: x, provider: aws, kind: cpu, vcpu: 2, on_demand_usd_per_hour: 0.1, source: s, source_date: 2026}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := parseCatalog("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		base, err := DefaultCatalog()
		if err != nil {
			t.Fatal(err)
		}
		c, err := mergeCatalog(base, cf)
		if err != nil {
			return
		}
		for _, in := range c.Instances {
			if in.OnDemandUSDPerHour == nil || *in.OnDemandUSDPerHour < 0 || in.Source == "" || in.SourceDate == "" {
				t.Fatalf("accepted a row that should be refused: %+v", in)
			}
		}
		_ = c.PriceDates(today)
	})
}

// FuzzParseWorkload: any bytes give a valid workload or an error; an
// accepted workload can be priced without a panic.
func FuzzParseWorkload(f *testing.F) {
	f.Add([]byte("monthly: 2e8\npeak_to_average: 3\n"))
	f.Add([]byte("hourly_profile: [1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2]\nautoscale: true\n"))
	cat, err := DefaultCatalog()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ParseWorkload("fuzz.yaml", data)
		if err != nil {
			return
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("ParseWorkload accepted an invalid workload: %v", err)
		}
		if _, err := Compute(Input{Catalog: cat, Workload: w, Now: today, CapacityPerS: 100, Instances: []string{"g5.xlarge", "c6i.xlarge"},
			Hardware: Hardware{Kind: HardwareAny}, LatencyMS: 5, RSSBytes: 2e8}); err != nil {
			t.Fatalf("a valid workload failed to price: %v", err)
		}
	})
}
