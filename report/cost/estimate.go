package cost

import (
	"time"

	"github.com/infercost/infercost/result"
)

// Hardware kinds an estimate can be for.
const (
	// HardwareGPU: the capacity is one GPU's; GPU instances holding that
	// GPU are priced per GPU.
	HardwareGPU = "gpu"
	// HardwareCPU: the capacity is a CPU host's; CPU instances are priced,
	// with the capacity scaled by vCPUs when the host's CPU count is known.
	HardwareCPU = "cpu"
	// HardwareAny: a capacity given by hand priced on every instance
	// (per GPU on GPU instances, per instance on CPU ones).
	HardwareAny = "any"
	// HardwareUnpriced: a run recorded with --hardware-unpriced; nothing
	// in the catalog is matched to it and every option says "no price
	// data".
	HardwareUnpriced = "unpriced"
)

// Hardware says what a capacity was measured on.
type Hardware struct {
	Kind string `json:"kind"`
	// Name is what the run called it (a GPU or CPU model); GPU is the
	// catalog's canonical GPU name for a GPU capacity.
	Name string `json:"name"`
	GPU  string `json:"gpu"`
	// CPUs is the measured host's logical CPU count for a CPU run (0: the
	// capacity is an instance's, as given).
	CPUs int `json:"cpus"`
	// Arch is x86_64 or arm64 when known; CPU instances and serverless
	// platforms of another architecture are left out.
	Arch string `json:"arch"`
	// GPUsPerReplica is how many GPUs one replica of a GPU capacity
	// holds: the GPUs busy at the capacity step, else the run's --gpus,
	// else 1. A GPU instance holds gpu_count / GPUsPerReplica replicas
	// (whole ones); 0 means 1.
	GPUsPerReplica int `json:"gpus_per_replica"`
}

// Input is everything one estimate needs.
type Input struct {
	Catalog  *Catalog
	Workload Workload
	// Now dates the estimate: prices older than 12 months before it are
	// flagged. Inject it in tests.
	Now time.Time
	// CapacityPerS is one replica's work per second at the SLO, in Unit
	// (inferences/s, or output tokens/s for an LLM run): one GPU (or the
	// GPUs busy) for a GPU capacity, the measured host for a CPU run.
	CapacityPerS float64
	Hardware     Hardware
	// Unit is what CapacityPerS counts: result.UnitInference ("" too) or
	// result.UnitOutputToken.
	Unit string
	// Tokens is an LLM run's month in requests and tokens (nil otherwise);
	// the month's volume in Unit is then its output tokens, not
	// Workload.MonthlyInferences.
	Tokens *TokenWorkload
	// Instances restricts pricing to these instances (by name); empty
	// means every instance that matches Hardware.
	Instances []string
	// LatencyMS is the mean latency at batch 1 and RSSBytes the serving
	// process's peak memory: what serverless is priced from (0: unknown).
	LatencyMS float64
	RSSBytes  float64
	// GPUMemoryBytes is the peak GPU memory measured (0: unknown), for
	// "fits".
	GPUMemoryBytes float64
	// SLO is the SLO the capacity was measured at (nil for a capacity
	// given by hand): serverless cold starts are judged against it.
	SLO []result.SLOBound
	// ServerlessReason, when set, says why serverless does not apply to
	// this capacity (no batch-1 step meets the SLO, ...).
	ServerlessReason string
	// Notes carry the caller's caveats into the output.
	Notes []string
	// Energy is what one unit of work took at the capacity step, from GPU
	// power readings (nil: none measured).
	Energy *UnitEnergy
}

// UnitEnergy is the measured energy of one unit of work.
type UnitEnergy struct {
	JoulesPerUnit float64
	// Source is where the power was read: "nvml" or "scrape:NAME".
	Source string
	GPUs   int
}

// Estimate is the answer: what the capacity costs on each instance, per
// deployment option, all-in, and where serverless stops paying.
type Estimate struct {
	// Run is the run directory priced (null for a capacity given by hand).
	Run            *string         `json:"run"`
	SLO            string          `json:"slo"`
	CapacitySource *CapacitySource `json:"capacity_source"`
	// Unit is what capacities and volumes count: "inference", or
	// "output_token" for an LLM run (its figures named *_inferences_* and
	// *_per_million_* are then in output tokens).
	Unit string `json:"unit"`
	// CapacityInferencesPerS is the capacity of one replica as measured or
	// given, in Unit; each instance row shows the capacity used on it.
	CapacityInferencesPerS float64  `json:"capacity_inferences_per_s"`
	Hardware               Hardware `json:"hardware"`
	// MonthlyUnits is the month's volume in Unit (the workload's monthly
	// inferences, or an LLM run's output tokens).
	MonthlyUnits float64 `json:"monthly_units"`
	// Tokens is an LLM run's month in requests and tokens, with the rule
	// per-token figures follow; null for inference runs.
	Tokens          *TokenWorkload `json:"tokens"`
	Pricing         string         `json:"pricing"`
	Workload        Workload       `json:"workload"`
	DefaultsUsed    []string       `json:"defaults_used"`
	AverageRatePerS float64        `json:"average_rate_per_s"`
	PeakRatePerS    float64        `json:"peak_rate_per_s"`
	LatencyMSBatch1 *float64       `json:"latency_ms_batch1"`
	RSSBytes        *float64       `json:"rss_bytes"`
	GPUMemoryBytes  *float64       `json:"gpu_memory_bytes"`
	Instances       []InstanceCost `json:"instances"`
	Options         []Option       `json:"options"`
	TCO             *TCOReport     `json:"tco"`
	// CrossoverMonthlyInferences is null when dedicated never becomes
	// cheaper than serverless in 1e3..1e11 (CrossoverNote says why).
	CrossoverMonthlyInferences *float64  `json:"crossover_monthly_inferences"`
	CrossoverNote              string    `json:"crossover_note"`
	Cheapest                   *Cheapest `json:"cheapest"`
	// Energy is the on-premises electricity line: apart from every cloud
	// price above, never in the TCO.
	Energy *EnergyLine `json:"energy"`
	Levers []Lever     `json:"levers"`
	Prices []PriceRef  `json:"prices"`
	Notes  []string    `json:"notes"`
}

// CapacitySource names the step a run's capacity was read from.
type CapacitySource struct {
	// Step is the step's index in the run's steps; Number is the step's
	// number as every output shows it (Step + 1).
	Step      int    `json:"step"`
	Number    int    `json:"number"`
	StepName  string `json:"step_name"`
	BatchSize int    `json:"batch_size"`
	// BatchFrom says how the batch was chosen: "flag" (--batch), "sweep"
	// (the sweep's best batch under the same SLO) or "steps" (the batch
	// whose best SLO-meeting step has the most inferences/s).
	BatchFrom string  `json:"batch_from"`
	P95MS     float64 `json:"p95_ms"`
	P99MS     float64 `json:"p99_ms"`
	// Concurrency is the step's requests in flight (concurrency mode: an
	// LLM server's load knob); 0 in rate mode.
	Concurrency int `json:"concurrency"`
}

// TokenPrices are an LLM run's per-token figures (all null otherwise).
// Every dollar of GPU time is charged to the tokens: the per-output-token
// figure carries the whole bill, the per-token one spreads the same bill
// over input and output tokens; they are two views of one bill.
type TokenPrices struct {
	USDPerMillionOutputTokens *float64 `json:"usd_per_million_output_tokens"`
	USDPerMillionTokens       *float64 `json:"usd_per_million_tokens"`
	USDPer1kRequests          *float64 `json:"usd_per_1k_requests"`
}

// InstanceCost is the capacity priced on one instance type.
type InstanceCost struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	Region   string `json:"region"`
	Kind     string `json:"kind"`
	GPU      string `json:"gpu"`
	GPUCount int    `json:"gpu_count"`
	VCPU     int    `json:"vcpu"`
	// ReplicasPerInstance is the GPU count on a GPU instance (each GPU one
	// replica), 1 on a CPU instance.
	ReplicasPerInstance int `json:"replicas_per_instance"`
	// CapacityInferencesPerS is one replica's capacity on this instance;
	// CapacityEstimated marks a CPU capacity scaled by vCPUs.
	CapacityInferencesPerS float64 `json:"capacity_inferences_per_s"`
	CapacityEstimated      bool    `json:"capacity_estimated"`
	// USDPerHour is the instance's price under the estimate's pricing
	// (null: the catalog has none, see Note).
	USDPerHour              *float64 `json:"usd_per_hour"`
	UnitCostPerInferenceUSD *float64 `json:"unit_cost_per_inference_usd"`
	UnitCostPerMillionUSD   *float64 `json:"unit_cost_per_million_usd"`
	Replicas                int      `json:"replicas"`
	Instances               int      `json:"instances"`
	// SpreadForAvailability: the minimum replicas sit one to an instance
	// (for availability), which took more instances than packing them.
	SpreadForAvailability bool     `json:"spread_for_availability"`
	MonthlyComputeUSD     *float64 `json:"monthly_compute_usd"`
	// Fits is false when the instance's GPU memory (or, for a CPU
	// instance, its memory) is below what the run measured; FitChecked is
	// false when nothing was measured to check against.
	Fits       bool   `json:"fits"`
	FitChecked bool   `json:"fit_checked"`
	Note       string `json:"note"`
	// TokenPrices are at full utilisation, as UnitCostPerMillionUSD.
	TokenPrices
}

// Deployment option kinds.
const (
	OptionDedicated  = "dedicated"
	OptionKubernetes = "kubernetes"
	OptionManaged    = "managed"
	OptionServerless = "serverless"
)

// Option statuses.
const (
	StatusPriced        = "priced"
	StatusNotApplicable = "not_applicable"
	StatusNoPriceData   = "no_price_data"
)

// Option is one deployment option at its cheapest instance, endpoint or
// platform. When it does not apply (or no price exists) Applicable is
// false, the totals are null and Reason says why.
type Option struct {
	Kind                string   `json:"kind"`
	Instance            string   `json:"instance"`
	Provider            string   `json:"provider"`
	MonthlyTotalUSD     *float64 `json:"monthly_total_usd"`
	CostPerInferenceUSD *float64 `json:"cost_per_inference_usd"`
	Applicable          bool     `json:"applicable"`
	Status              string   `json:"status"`
	Reason              string   `json:"reason"`
	Replicas            int      `json:"replicas"`
	Instances           int      `json:"instances"`
	// PaidCapacityPerS is the capacity the month pays for: instances
	// (their mean over the month, with autoscaling) x replicas each x a
	// replica's capacity; UtilizationPercent is the average rate over it.
	// Both null for serverless, which bills use, not capacity.
	PaidCapacityPerS   *float64 `json:"paid_capacity_per_s"`
	UtilizationPercent *float64 `json:"utilization_percent"`
	// Detail says how the total was made, in words.
	Detail string `json:"detail"`
	// TokenPrices are the month's total over its requests and tokens.
	TokenPrices
}

// TCOReport is the TCO of the cheapest option, with each line's share.
type TCOReport struct {
	TCO
	Shares   map[string]float64 `json:"shares"`
	Kind     string             `json:"kind"`
	Instance string             `json:"instance"`
	Provider string             `json:"provider"`
	// Missing lists price lines the catalog lacks for the provider; their
	// part of the TCO is left out, not guessed.
	Missing []string `json:"missing"`
}

// Cheapest is the cheapest applicable option and how far ahead it is.
type Cheapest struct {
	Kind            string  `json:"kind"`
	Instance        string  `json:"instance"`
	MonthlyTotalUSD float64 `json:"monthly_total_usd"`
	// MarginPercent is how much more the runner-up costs, in %; null when
	// no other option applies.
	MarginPercent *float64 `json:"margin_percent"`
	RunnerUpKind  string   `json:"runner_up_kind"`
	TokenPrices
}

func ptr[T any](v T) *T { return &v }
