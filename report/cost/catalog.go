// Package cost turns a measured capacity into money: the pricing catalog
// (prices are data, never code: DESIGN invariant 7), the workload, the cost
// model's formulas (formulas.go, the one file that holds them), deployment
// options, TCO, the serverless crossover, the levers, the comparison of runs,
// and the renderers that print all of it as a table, Markdown or JSON.
//
// The catalog's YAML schema is documented in CATALOG.md beside this file.
package cost

// Catalog is a merged pricing catalog: the embedded default, extended or
// overridden by the user's --catalog file. Every row carries a source and a
// date (Meta); a price the sources do not give is absent (a nil pointer), and
// the engine shows "no price data" for it rather than inventing one.
type Catalog struct {
	GPUs       []GPU             `json:"gpus"`
	Instances  []Instance        `json:"instances"`
	Managed    []ManagedEndpoint `json:"managed_endpoints"`
	Kubernetes []KubernetesFee   `json:"kubernetes"`
	Serverless []Serverless      `json:"serverless"`
	Prices     []PriceLine       `json:"prices"`
}

// Meta is where a row's figures come from. SourceDate is YYYY, YYYY-MM or
// YYYY-MM-DD; when the source carries no date, SourceDate is the day the
// figure was gathered and Undated is true.
type Meta struct {
	Source      string `yaml:"source" json:"source"`
	SourceDate  string `yaml:"source_date" json:"source_date"`
	Undated     bool   `yaml:"undated" json:"undated"`
	Unconfirmed bool   `yaml:"unconfirmed" json:"unconfirmed"`
	// Derived marks a figure computed from the source (a percentage applied
	// to a price), not read from it; Note says how.
	Derived bool   `yaml:"derived" json:"derived"`
	Note    string `yaml:"note" json:"note"`
}

// Origin is where a row was read: file and line, for error messages and for
// "overrides the default" notes.
type Origin struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// GPU is one accelerator model. Aliases are other spellings, NVML's first
// among them; matching ignores case, spaces, '-' and '_' (see NormalizeName).
type GPU struct {
	Name      string   `yaml:"name" json:"name"`
	Aliases   []string `yaml:"aliases" json:"aliases"`
	MemoryGiB float64  `yaml:"memory_gib" json:"memory_gib"`
	Meta      `yaml:",inline" json:"meta"`
	Origin    Origin `yaml:"-" json:"-"`
}

// Instance kinds and architectures.
const (
	KindGPU  = "gpu"
	KindCPU  = "cpu"
	ArchX86  = "x86_64"
	ArchARM  = "arm64"
	unknownS = "?"
)

// Instance is one rentable machine type in one region. Prices are USD per
// instance-hour; nil means the sources give none.
type Instance struct {
	Name     string `yaml:"name" json:"name"`
	Provider string `yaml:"provider" json:"provider"`
	Region   string `yaml:"region" json:"region"`
	// Kind is "gpu" or "cpu"; Arch is "x86_64" (default) or "arm64".
	Kind     string `yaml:"kind" json:"kind"`
	Arch     string `yaml:"arch" json:"arch"`
	GPU      string `yaml:"gpu" json:"gpu"`
	GPUCount int    `yaml:"gpu_count" json:"gpu_count"`
	// VCPU and MemoryGiB are 0 when the sources do not say.
	VCPU                 int      `yaml:"vcpu" json:"vcpu"`
	MemoryGiB            float64  `yaml:"memory_gib" json:"memory_gib"`
	OnDemandUSDPerHour   *float64 `yaml:"on_demand_usd_per_hour" json:"on_demand_usd_per_hour"`
	SpotUSDPerHour       *float64 `yaml:"spot_usd_per_hour" json:"spot_usd_per_hour"`
	Reserved1yUSDPerHour *float64 `yaml:"reserved_1y_usd_per_hour" json:"reserved_1y_usd_per_hour"`
	Meta                 `yaml:",inline" json:"meta"`
	// PerField gives a different source for one price of the row (a spot
	// price read elsewhere, a derived reserved price).
	PerField map[string]Meta `yaml:"per_field" json:"per_field"`
	Origin   Origin          `yaml:"-" json:"-"`
}

// ManagedEndpoint is a managed real-time inference endpoint (SageMaker,
// ...): an instance type at the platform's own hourly price.
type ManagedEndpoint struct {
	Name       string   `yaml:"name" json:"name"`
	Provider   string   `yaml:"provider" json:"provider"`
	Platform   string   `yaml:"platform" json:"platform"`
	Region     string   `yaml:"region" json:"region"`
	Kind       string   `yaml:"kind" json:"kind"`
	Arch       string   `yaml:"arch" json:"arch"`
	GPU        string   `yaml:"gpu" json:"gpu"`
	GPUCount   int      `yaml:"gpu_count" json:"gpu_count"`
	VCPU       int      `yaml:"vcpu" json:"vcpu"`
	MemoryGiB  float64  `yaml:"memory_gib" json:"memory_gib"`
	USDPerHour *float64 `yaml:"usd_per_hour" json:"usd_per_hour"`
	Meta       `yaml:",inline" json:"meta"`
	PerField   map[string]Meta `yaml:"per_field" json:"per_field"`
	Origin     Origin          `yaml:"-" json:"-"`
}

// KubernetesFee is a managed Kubernetes control plane's fee (EKS, GKE),
// charged per cluster-hour on top of the nodes.
type KubernetesFee struct {
	Name              string   `yaml:"name" json:"name"`
	Provider          string   `yaml:"provider" json:"provider"`
	USDPerClusterHour *float64 `yaml:"usd_per_cluster_hour" json:"usd_per_cluster_hour"`
	Meta              `yaml:",inline" json:"meta"`
	PerField          map[string]Meta `yaml:"per_field" json:"per_field"`
	Origin            Origin          `yaml:"-" json:"-"`
}

// Serverless is a function platform billed per request and per GB-second
// (and, for some, per vCPU-second). Memory is what the function is given:
// the measured RSS rounded up to MemoryStepMB, at least MinMemoryMB, at most
// MaxMemoryMB. MB here is the platforms' MB: 2^20 bytes, 1024 per GB. The
// limits and rounding are facts with sources too: per_field takes them as
// it takes prices.
type Serverless struct {
	Name     string `yaml:"name" json:"name"`
	Provider string `yaml:"provider" json:"provider"`
	Arch     string `yaml:"arch" json:"arch"`
	// GPU is true for a platform that offers a GPU, GPUModel (a catalog
	// GPU name or alias, made canonical) the one it offers: a model
	// measured on that GPU can go serverless there; platforms without a
	// GPU are "not applicable" to a model measured on one.
	GPU                   bool     `yaml:"gpu" json:"gpu"`
	GPUModel              string   `yaml:"gpu_model" json:"gpu_model"`
	PerMillionRequestsUSD *float64 `yaml:"per_million_requests_usd" json:"per_million_requests_usd"`
	PerGBSecondUSD        *float64 `yaml:"per_gb_second_usd" json:"per_gb_second_usd"`
	PerVCPUSecondUSD      *float64 `yaml:"per_vcpu_second_usd" json:"per_vcpu_second_usd"`
	// PerInstanceSecondUSD bills each second an instance serves (a GPU
	// instance on Cloud Run), instead of or beside GB-seconds.
	PerInstanceSecondUSD *float64 `yaml:"per_instance_second_usd" json:"per_instance_second_usd"`
	// VCPU is the vCPU allocation billed per vCPU-second (a configuration,
	// not a price); needed only with PerVCPUSecondUSD.
	VCPU         float64 `yaml:"vcpu" json:"vcpu"`
	MemoryStepMB float64 `yaml:"memory_step_mb" json:"memory_step_mb"`
	MinMemoryMB  float64 `yaml:"min_memory_mb" json:"min_memory_mb"`
	MaxMemoryMB  float64 `yaml:"max_memory_mb" json:"max_memory_mb"`
	MaxImageGB   float64 `yaml:"max_image_gb" json:"max_image_gb"`
	// DurationRoundingMS is the increment each request's billed duration
	// is rounded up to, on platforms that bill every invocation on its
	// own (Lambda: 1 ms); 0: not rounded.
	DurationRoundingMS float64 `yaml:"duration_rounding_ms" json:"duration_rounding_ms"`
	// Free tiers are recorded for the reader; the DESIGN formula does not
	// subtract them (the estimate stays conservative).
	FreeRequestsPerMonth  float64 `yaml:"free_requests_per_month" json:"free_requests_per_month"`
	FreeGBSecondsPerMonth float64 `yaml:"free_gb_seconds_per_month" json:"free_gb_seconds_per_month"`
	Meta                  `yaml:",inline" json:"meta"`
	PerField              map[string]Meta `yaml:"per_field" json:"per_field"`
	Origin                Origin          `yaml:"-" json:"-"`
}

// Price line kinds: the figures the TCO lines need, one per provider.
const (
	LineStorage     = "storage_gb_month"    // object storage, USD per GB-month
	LineEgress      = "egress_gb"           // transfer out to the internet, USD per GB
	LineInterRegion = "inter_region_gb"     // transfer between regions, USD per GB
	LineMetric      = "metric_series_month" // one custom metric series, USD per month
	LineLogIngest   = "log_ingest_gb"       // log ingestion, USD per GB
)

// LineKinds lists the price line kinds in the order the catalog prints them.
var LineKinds = []string{LineStorage, LineEgress, LineInterRegion, LineMetric, LineLogIngest}

// PriceLine is one storage, transfer or monitoring price. The TCO uses,
// for each kind, the first line of the deployment's provider.
type PriceLine struct {
	Name     string   `yaml:"name" json:"name"`
	Provider string   `yaml:"provider" json:"provider"`
	Kind     string   `yaml:"kind" json:"kind"`
	USD      *float64 `yaml:"usd" json:"usd"`
	Meta     `yaml:",inline" json:"meta"`
	PerField map[string]Meta `yaml:"per_field" json:"per_field"`
	Origin   Origin          `yaml:"-" json:"-"`
}

// fieldMeta returns the Meta behind one price field of a row: its PerField
// entry when there is one, else the row's own.
func fieldMeta(row Meta, per map[string]Meta, field string) Meta {
	if m, ok := per[field]; ok {
		return m
	}
	return row
}

// FindGPU returns the catalog GPU whose name or alias matches name
// (NormalizeName), or nil.
func (c *Catalog) FindGPU(name string) *GPU {
	key := NormalizeName(name)
	if key == "" {
		return nil
	}
	for i := range c.GPUs {
		g := &c.GPUs[i]
		if NormalizeName(g.Name) == key {
			return g
		}
		for _, a := range g.Aliases {
			if NormalizeName(a) == key {
				return g
			}
		}
	}
	return nil
}

// FindInstance returns the instance named name (NormalizeName), or nil.
func (c *Catalog) FindInstance(name string) *Instance {
	key := NormalizeName(name)
	for i := range c.Instances {
		if NormalizeName(c.Instances[i].Name) == key {
			return &c.Instances[i]
		}
	}
	return nil
}
