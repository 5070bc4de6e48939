// Package result defines run.json: the record of one infercost run, written
// by the profiler and read by the cost engine and the renderers. It is the
// one definition both sides share (DESIGN "Layout"), so it imports nothing
// of the project.
//
// Every key of the contract is always present: lists are [] rather than
// null, maps are {}, and no contract field carries omitempty (DESIGN "Units
// and words"). Normalize enforces that before every write.
package result

import (
	"encoding/json"
	"slices"
	"time"
)

// SchemaVersion is the version of the run.json layout. Readers refuse a
// file whose schema_version is newer than the one they know and read every
// older one: version 1 (KServe-only runs) is read as version 2 with the
// fields it lacks at their neutral values (protocol "kserve", unit
// "inference", SLO metric "latency", no LLM figures, no scrapes).
//
// Version 2 added: spec.protocol, spec.llm, spec.gpus, spec.scrape,
// spec.scrape_interval_ms, spec.labels; environment.hardware_source
// "scrape:NAME"; per step unit, goodput_requests_per_s, the LLM figures
// (ttft_ms, itl_ms, tpot_ms, tokens), scrape, energy, and each GPU's name
// and source; slo[].metric; sweep.unit, sweep.provisional and per curve
// point the figures in the run's unit and incomplete.
const SchemaVersion = 2

// Protocols a run can speak (spec.protocol).
const (
	ProtocolKServe = "kserve"
	ProtocolOpenAI = "openai"
)

// Run status values.
const (
	StatusRunning     = "running"
	StatusComplete    = "complete"
	StatusInterrupted = "interrupted"
	StatusFailed      = "failed"
)

// Step modes.
const (
	ModeRate        = "rate"
	ModeConcurrency = "concurrency"
)

// Run is the whole of run.json.
type Run struct {
	SchemaVersion int    `json:"schema_version"`
	Name          string `json:"name"`
	// Command is the infercost command that made the run: profile, sweep or demo.
	Command     string      `json:"command"`
	Status      string      `json:"status"`
	StartedAt   time.Time   `json:"started_at"`
	FinishedAt  *time.Time  `json:"finished_at"`
	Spec        Spec        `json:"spec"`
	Environment Environment `json:"environment"`
	Steps       []Step      `json:"steps"`
	// Sweep holds the sweep's answers; null for a plain profile.
	Sweep *Sweep `json:"sweep"`
	// Samplers reports what watching the machine cost.
	Samplers SamplerCost `json:"samplers"`
	// Warnings are run-level caveats a reader must see (target on the same
	// host, no GPU detected, steps that were generator-limited, ...).
	Warnings []string `json:"warnings"`
}

// Spec is what was asked for, flags and defaults resolved. Header values are
// never recorded, only their names.
type Spec struct {
	Target             string     `json:"target"`
	Model              string     `json:"model"`
	Mode               string     `json:"mode"`
	Arrival            string     `json:"arrival"`
	RatesRPS           []float64  `json:"rates_rps"`
	RampToRPS          float64    `json:"ramp_to_rps"`
	Stages             string     `json:"stages"`
	Concurrency        []int      `json:"concurrency"`
	BatchSizes         []int      `json:"batch_sizes"`
	DurationS          float64    `json:"duration_s"`
	WarmupS            float64    `json:"warmup_s"`
	Windows            int        `json:"windows"`
	MaxWindows         int        `json:"max_windows"`
	StabilityTolerance float64    `json:"stability_tolerance"`
	MinRequests        int        `json:"min_requests"`
	Trials             int        `json:"trials"`
	MaxInflight        int        `json:"max_inflight"`
	LateThresholdMS    float64    `json:"late_threshold_ms"`
	TimeoutS           float64    `json:"timeout_s"`
	SampleIntervalMS   float64    `json:"sample_interval_ms"`
	Seed               int64      `json:"seed"`
	DataFile           string     `json:"data_file"`
	HeaderNames        []string   `json:"header_names"`
	HTTP2              bool       `json:"http2"`
	Search             string     `json:"search"`
	SLO                []SLOBound `json:"slo"`
	MaxErrorRate       float64    `json:"max_error_rate"`
	HardwareLabel      string     `json:"hardware_label"`
	// HardwareUnpriced: the --hardware label was given with
	// --hardware-unpriced, deliberately naming hardware the pricing
	// catalog does not know; the cost engine answers "no price data" for
	// it rather than matching it to other hardware. false in runs written
	// before the flag existed.
	HardwareUnpriced bool          `json:"hardware_unpriced"`
	Server           *ServerConfig `json:"server"`
	// ServerConfigs lists the built-in server configurations a sweep tries
	// (its --server-max-batch-size x --server-max-queue-delay grid).
	ServerConfigs []ServerConfig `json:"server_configs"`
	// Protocol is how requests were made: "kserve" (KServe v2 / Open
	// Inference Protocol) or "openai" (OpenAI-compatible streaming).
	Protocol string `json:"protocol"`
	// LLM is the prompt plan of an openai run; null for KServe.
	LLM *LLMSpec `json:"llm"`
	// GPUs is how many GPUs served the target, as --gpus said (default 1);
	// the cost engine prices capacity per that many GPUs unless the
	// samples show how many were busy. 0 in runs older than version 2.
	GPUs int `json:"gpus"`
	// Scrape lists the Prometheus endpoints read during the run
	// (--scrape NAME=URL, the URL with credentials redacted).
	Scrape           []ScrapeTarget `json:"scrape"`
	ScrapeIntervalMS float64        `json:"scrape_interval_ms"`
	// Labels are the user's --label key=value pairs (model_version=v7, ...),
	// for run history and reports.
	Labels map[string]string `json:"labels"`
}

// ScrapeTarget is one --scrape NAME=URL.
type ScrapeTarget struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// ServerConfig is the configuration of the built-in server when infercost
// started it (--target builtin); null for any other target. The digits
// presets use the dynamic batcher's fields; the language model (preset
// PresetLM) its scheduler's, the others 0.
type ServerConfig struct {
	Preset          string  `json:"preset"`
	MaxBatchSize    int     `json:"max_batch_size"`
	MaxQueueDelayMS float64 `json:"max_queue_delay_ms"`
	Instances       int     `json:"instances"`
	MaxQueue        int     `json:"max_queue"`
	// MaxNumSeqs is the most sequences the LM decodes together,
	// MaxNumBatchedTokens the most tokens of one forward pass, MaxWaiting
	// the most requests queued before it answers 503.
	MaxNumSeqs          int `json:"max_num_seqs"`
	MaxNumBatchedTokens int `json:"max_num_batched_tokens"`
	MaxWaiting          int `json:"max_waiting"`
}

// PresetLM names the built-in language model (`infercost serve --preset
// lm`), which speaks the OpenAI API, and PresetLMLarge the same model
// widened 4-fold (16 times the arithmetic per token, weights larger than a
// CPU's caches); every other preset is a digits model behind the KServe v2
// API. lmserver's tests check that these are its presets.
const (
	PresetLM      = "lm"
	PresetLMLarge = "lm-large"
)

// LMPresets are the built-in language model's presets.
var LMPresets = []string{PresetLM, PresetLMLarge}

// IsLMPreset reports whether preset names a built-in language model.
func IsLMPreset(preset string) bool { return slices.Contains(LMPresets, preset) }

// IsLM reports whether the configuration is the built-in language model's.
func (c *ServerConfig) IsLM() bool { return c != nil && IsLMPreset(c.Preset) }

// Environment describes where the run was measured.
type Environment struct {
	Hostname         string `json:"hostname"`
	OS               string `json:"os"`
	Arch             string `json:"arch"`
	CPUModel         string `json:"cpu_model"`
	CPUCores         int    `json:"cpu_cores"` // logical CPUs
	MemoryBytes      uint64 `json:"memory_bytes"`
	InfercostVersion string `json:"infercost_version"`
	GoVersion        string `json:"go_version"`
	// TargetURL has any credentials redacted.
	TargetURL     string `json:"target_url"`
	TargetIsLocal bool   `json:"target_is_local"`
	// Model is the model metadata exactly as the target reported it
	// (KServe v2 GET /v2/models/{name}); {} when none was read.
	Model json.RawMessage `json:"model"`
	GPUs  []GPU           `json:"gpus"`
	// GPUStatus says what GPU detection found, in words: "no GPU detected
	// (...)" is a normal state, not an error.
	GPUStatus string `json:"gpu_status"`
	// Hardware names what was measured: the GPU model for a GPU run, the CPU
	// model for a CPU run, or the --hardware label for a target measured
	// elsewhere.
	Hardware string `json:"hardware"`
	// HardwareSource is "detected" (this host's GPU or CPU), "flag"
	// (--hardware) or "scrape:NAME" (the GPU model a scraped exporter
	// reported; it wins over the others).
	HardwareSource string `json:"hardware_source"`
}

// GPU is one device seen at the start of the run.
type GPU struct {
	Index       int    `json:"index"`
	Name        string `json:"name"`
	UUID        string `json:"uuid"`
	MemoryBytes uint64 `json:"memory_bytes"`
	Driver      string `json:"driver"`
}

// SamplerCost is the samplers' own CPU cost, so a reader can see that
// watching did not disturb what was watched.
type SamplerCost struct {
	IntervalMS float64 `json:"interval_ms"`
	Samples    int64   `json:"samples"`
	// CPUPercentOfCore is the samplers' CPU time over the run's wall time,
	// as a percentage of one core.
	CPUPercentOfCore float64 `json:"cpu_percent_of_core"`
	// Scrape is what reading the --scrape endpoints cost; null without
	// --scrape (and in runs older than version 2).
	Scrape *ScrapeCost `json:"scrape"`
}
