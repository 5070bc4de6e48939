package cost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func defaultCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefaultCatalogKnowsTheNVMLNames(t *testing.T) {
	c := defaultCatalog(t)
	for _, nvml := range []string{"NVIDIA A10G", "NVIDIA A10", "Tesla T4", "NVIDIA L4", "NVIDIA L40S", "Tesla V100-SXM2-16GB",
		"NVIDIA A100-SXM4-40GB", "NVIDIA A100-SXM4-80GB", "NVIDIA A100 80GB PCIe", "NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe",
		"NVIDIA H100 NVL", "NVIDIA H200"} {
		g := c.FindGPU(nvml)
		if g == nil {
			t.Errorf("default catalog does not know %q", nvml)
			continue
		}
		if g.MemoryGiB <= 0 {
			t.Errorf("%s has no memory", nvml)
		}
	}
}

func TestGPUMatchingIgnoresCaseAndSpacing(t *testing.T) {
	c := defaultCatalog(t)
	for in, want := range map[string]string{
		"nvidia a10g": "NVIDIA A10G", "A10G": "NVIDIA A10G", "  NVIDIA  A10G ": "NVIDIA A10G",
		"nvidia-a100-sxm4-40gb": "NVIDIA A100-SXM4-40GB", "NVIDIA_A100_80GB_PCIe": "NVIDIA A100 80GB PCIe",
		"tesla t4": "Tesla T4", "t4": "Tesla T4", "h100 nvl": "NVIDIA H100 NVL",
	} {
		g := c.FindGPU(in)
		if g == nil || g.Name != want {
			t.Errorf("FindGPU(%q) = %v, want %s", in, g, want)
		}
	}
	if g := c.FindGPU("NVIDIA B200"); g != nil {
		t.Errorf("FindGPU matched an unknown GPU to %s", g.Name)
	}
}

func TestDefaultCatalogRowsAreSourcedAndDated(t *testing.T) {
	c := defaultCatalog(t)
	refs := c.PriceDates(today)
	if len(refs) < 40 {
		t.Fatalf("only %d prices in the default catalog", len(refs))
	}
	for _, r := range refs {
		if r.Source == "" || r.SourceDate == "" {
			t.Errorf("%s %s has no source or date", r.Row, r.Field)
		}
	}
	byKey := map[string]PriceRef{}
	for _, r := range refs {
		byKey[r.Row+" "+r.Field] = r
	}
	for key, want := range map[string]struct{ unconfirmed, stale, derived bool }{
		"ml.g5.xlarge usd_per_hour":               {unconfirmed: true}, // conflicting sources
		"a3-highgpu-8g spot_usd_per_hour":         {unconfirmed: true}, // conflicting sources
		"aws-lambda-x86 per_gb_second_usd":        {stale: true},       // 2024
		"g2-standard-4 reserved_1y_usd_per_hour":  {derived: true},     // -37% applied
		"g5.xlarge on_demand_usd_per_hour":        {},                  // 2026-01-21
		"aws-lambda-x86 per_million_requests_usd": {},                  // per_field S17, 2026-09-20
		"cloud-run per_gb_second_usd":             {unconfirmed: true}, // third-party, undated
		"cloudwatch-custom-metric usd":            {},                  // 2025-12-30: 11 months
		"g5.xlarge spot_usd_per_hour":             {},                  // S2 2026-09
		"p4d.24xlarge reserved_1y_usd_per_hour":   {},                  // S1
		"aws-lambda-arm per_gb_second_usd":        {stale: true},
	} {
		r, ok := byKey[key]
		if !ok {
			t.Errorf("no price %s", key)
			continue
		}
		if r.Unconfirmed != want.unconfirmed || r.Stale != want.stale || r.Derived != want.derived {
			t.Errorf("%s: unconfirmed %v stale %v derived %v, want %+v", key, r.Unconfirmed, r.Stale, r.Derived, want)
		}
	}
	// Prices the sources lack stay absent.
	if in := c.FindInstance("g4dn.xlarge"); in.SpotUSDPerHour != nil {
		t.Error("g4dn.xlarge spot is unconfirmed in the sources but has a price")
	}
	if in := c.FindInstance("p3.2xlarge"); in.Reserved1yUSDPerHour != nil {
		t.Error("p3.2xlarge has no reserved price in the sources but has one")
	}
	for _, s := range c.Serverless {
		if s.Name == "sagemaker-serverless" && (s.PerGBSecondUSD != nil || s.PerMillionRequestsUSD != nil) {
			t.Error("sagemaker-serverless prices are unconfirmed in the sources but present")
		}
	}
}

func TestStaleFlagUsesTheInjectedClock(t *testing.T) {
	if isStale("2026-01-21", today) {
		t.Error("a 10-month-old price flagged stale")
	}
	if !isStale("2025-11-27", today) {
		t.Error("a price from 2025-11-27 is over 12 months old on 2026-11-28")
	}
	if isStale("2025-11", today) {
		t.Error("2025-11 may be as late as 2025-11-30: not yet 12 months")
	}
	if !isStale("2025-11", today.AddDate(0, 1, 0)) {
		t.Error("2025-11 is stale a month later")
	}
}

func TestBadCatalogRowsAreRefusedWithLineAndReason(t *testing.T) {
	const head = "version: 1\ninstances:\n"
	row := func(extra string) string {
		return head + "  - name: x1\n    provider: aws\n    kind: cpu\n    vcpu: 4\n    on_demand_usd_per_hour: 0.1\n    source: S\n    source_date: 2026-01-01\n" + extra
	}
	cases := []struct {
		name, yaml, want string
	}{
		{"negative price", strings.Replace(row(""), "0.1", "-0.1", 1), "bad.yaml:3: instances[0] x1: on_demand_usd_per_hour is negative (-0.1)"},
		{"missing source", strings.Replace(row(""), "    source: S\n", "", 1), "bad.yaml:3: instances[0] x1: missing source"},
		{"missing date", strings.Replace(row(""), "    source_date: 2026-01-01\n", "", 1), "bad.yaml:3: instances[0] x1: missing source_date"},
		{"bad date", strings.Replace(row(""), "2026-01-01", "last year", 1), `source_date "last year" is not a date`},
		{"unknown field", row("    colour: red\n"), `bad.yaml:10: instances[0] x1: unknown field "colour"`},
		{"wrong type", strings.Replace(row(""), "0.1", "cheap", 1), `bad.yaml:7: instances[0] x1: on_demand_usd_per_hour: want a number, got "cheap"`},
		{"duplicate name", row("  - {name: X1, provider: aws, kind: cpu, vcpu: 2, on_demand_usd_per_hour: 1, source: S, source_date: 2026}\n"),
			`bad.yaml:10: instances[1] X1: duplicate name "X1" in instances (first at line 3)`},
		{"unknown GPU", head + "  - {name: g9, provider: aws, kind: gpu, gpu: NVIDIA A10GX, gpu_count: 1, on_demand_usd_per_hour: 1, source: S, source_date: 2026}\n",
			`bad.yaml:3: instances g9: unknown GPU "NVIDIA A10GX": add it under gpus (nearest known: "NVIDIA A10G"`},
		{"cpu with a gpu", strings.Replace(row(""), "    vcpu: 4\n", "    vcpu: 4\n    gpu: T4\n    gpu_count: 1\n", 1), "kind cpu cannot have a gpu"},
		{"missing on-demand", strings.Replace(row(""), "    on_demand_usd_per_hour: 0.1\n", "", 1), "missing on_demand_usd_per_hour"},
		{"per_field for an absent price", row("    per_field:\n      spot_usd_per_hour: {source: S2, source_date: 2026}\n"), "per_field gives a source for spot_usd_per_hour, but the row has no spot_usd_per_hour"},
		{"per_field unknown field", row("    per_field:\n      spot_usd_per_hour: {source: S2, date: 2026}\n"), `bad.yaml:11: instances[0] x1: per_field.spot_usd_per_hour: unknown field "date"`},
		{"unknown section", "version: 1\nmachines: []\n", `bad.yaml:2: unknown section "machines"`},
		{"future version", "version: 2\n", "version 2 is not known"},
		{"alias taken", "gpus:\n  - {name: My GPU, aliases: [A10G], memory_gib: 8, source: S, source_date: 2026}\n", `alias "A10G" already names GPU "NVIDIA A10G"`},
		{"price line kind", "prices:\n  - {name: p, provider: aws, kind: storage, usd: 1, source: S, source_date: 2026}\n", `bad.yaml:2: prices[0] p: kind "storage" is not known`},
		{"not yaml", "instances: [\n", "bad.yaml: not valid YAML"},
		{"serverless vcpu price without vcpu", "serverless:\n  - {name: s, provider: aws, per_vcpu_second_usd: 0.1, source: S, source_date: 2026}\n", "per_vcpu_second_usd needs vcpu"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		path := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadCatalog(path)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		msg := strings.ReplaceAll(err.Error(), path, "bad.yaml")
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s:\n got  %s\n want %s", c.name, msg, c.want)
		}
	}
}

func TestCatalogFileExtendsAndOverrides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.yaml")
	data := `version: 1
gpus:
  - {name: NVIDIA B200, aliases: [B200], memory_gib: 192, source: vendor sheet, source_date: 2026-06}
instances:
  - {name: g5.xlarge, provider: aws, region: us-east-1, kind: gpu, gpu: a10g, gpu_count: 1, vcpu: 4, memory_gib: 16,
     on_demand_usd_per_hour: 0.9, source: our contract, source_date: 2026-10-01}
  - {name: lab-b200, provider: lab, kind: gpu, gpu: B200, gpu_count: 8, on_demand_usd_per_hour: 40, source: internal chargeback, source_date: 2026-11}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	def := defaultCatalog(t)
	if len(c.Instances) != len(def.Instances)+1 {
		t.Errorf("instances: %d, want the default's %d plus one", len(c.Instances), len(def.Instances))
	}
	g5 := c.FindInstance("g5.xlarge")
	if *g5.OnDemandUSDPerHour != 0.9 || g5.Source != "our contract" || g5.GPU != "NVIDIA A10G" {
		t.Errorf("override not applied or GPU not canonical: %+v", g5)
	}
	if b := c.FindInstance("lab-b200"); b == nil || b.GPU != "NVIDIA B200" {
		t.Errorf("new instance with a new GPU: %+v", b)
	}
	if *def.FindInstance("g5.xlarge").OnDemandUSDPerHour != 1.006 {
		t.Error("loading a file changed the default catalog")
	}
	// replace_default starts from nothing.
	if err := os.WriteFile(path, []byte("version: 1\nreplace_default: true\n"+data[strings.Index(data, "gpus:"):]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCatalog(path); err == nil || !strings.Contains(err.Error(), `unknown GPU "a10g"`) {
		t.Errorf("replace_default: want the default GPUs gone, got %v", err)
	}
}

func TestCatalogFilter(t *testing.T) {
	c := defaultCatalog(t)
	f, err := c.Filter(CatalogFilter{GPU: "a100-40gb"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range f.Instances {
		names = append(names, in.Name)
	}
	if strings.Join(names, ",") != "p4d.24xlarge,a2-highgpu-1g" || len(f.Managed) != 1 || len(f.Kubernetes) != 0 {
		t.Errorf("A100-40GB filter: instances %v, %d managed, %d k8s", names, len(f.Managed), len(f.Kubernetes))
	}
	f, _ = c.Filter(CatalogFilter{Provider: "GCP"})
	for _, in := range f.Instances {
		if in.Provider != "gcp" {
			t.Errorf("provider filter kept %s (%s)", in.Name, in.Provider)
		}
	}
	if _, err := c.Filter(CatalogFilter{GPU: "A10X"}); err == nil || !strings.Contains(err.Error(), `nearest: "NVIDIA A10`) {
		t.Errorf("unknown GPU filter: %v", err)
	}
}

func TestAliasBombIsRefusedQuickly(t *testing.T) {
	// One row with 2,000 aliases, repeated 2,000 times through a YAML
	// alias: a 20 kB file that would expand to 4 million values.
	var b strings.Builder
	b.WriteString("gpus:\n  - &row\n    name: G\n    memory_gib: 1\n    source: s\n    source_date: 2026\n    aliases: [")
	for i := 0; i < 2000; i++ {
		b.WriteString("x, ")
	}
	b.WriteString("x]\n")
	for i := 0; i < 2000; i++ {
		b.WriteString("  - *row\n")
	}
	start := time.Now()
	_, err := parseCatalog("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Errorf("alias bomb: %.300v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("alias bomb took %v", d)
	}
}
