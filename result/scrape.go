package result

// ScrapeSummary is what one --scrape endpoint (Prometheus text or
// OpenMetrics) reported over a step, by the figures infercost recognises.
// A figure the endpoint did not serve is null, never 0. The scraped GPUs
// themselves join the step's gpus list with source "scrape:NAME".
type ScrapeSummary struct {
	// URL is the endpoint, credentials redacted.
	URL string `json:"url"`
	// Exporters names what was recognised in the text: "node_exporter",
	// "dcgm", "triton", "vllm", "infercost" (the built-in servers and
	// `infercost agent`).
	Exporters []string `json:"exporters"`
	// Scrapes counts the successful reads within the step; Failures the
	// reads that failed or timed out (gaps, never a stalled run).
	Scrapes  int `json:"scrapes"`
	Failures int `json:"failures"`

	// The remote host: CPU % of the whole machine (0-100), from counter
	// rates (node_cpu_seconds_total); memory used = total - available.
	CPUPercentMean      *float64 `json:"cpu_percent_mean"`
	CPUPercentMax       *float64 `json:"cpu_percent_max"`
	MemoryUsedBytesMean *float64 `json:"memory_used_bytes_mean"`
	MemoryUsedBytesMax  *float64 `json:"memory_used_bytes_max"`
	MemoryTotalBytes    *float64 `json:"memory_total_bytes"`

	// The model server: requests being served and waiting (vLLM's
	// num_requests_running/waiting, Triton's pending requests), KV-cache
	// use (0-100), mean queue time per request (Triton's queue duration
	// counter over its request counter) and the server's own count of
	// requests per second.
	RequestsRunningMean     *float64 `json:"requests_running_mean"`
	RequestsWaitingMean     *float64 `json:"requests_waiting_mean"`
	KVCacheUsagePercentMean *float64 `json:"kv_cache_usage_percent_mean"`
	QueueTimeMSMean         *float64 `json:"queue_time_ms_mean"`
	ServerRequestsPerS      *float64 `json:"server_requests_per_s"`
	// ServerInferencesPerS is the server's own count of inferences (rows
	// of a batch) per second: Triton's nv_inference_count, the built-in
	// server's infercost_server_inferences_total.
	ServerInferencesPerS *float64 `json:"server_inferences_per_s"`

	// The target process as the endpoint describes it: a model server's
	// own process_cpu_seconds_total and process_resident_memory_bytes
	// (vLLM, the built-in server), or the process `infercost agent
	// --pid/--process-name` watches. CPU % is of one core (can pass 100).
	// An exporter's figures about itself (node_exporter's own process_*)
	// are not taken for the target's.
	ProcessCPUPercentMean *float64 `json:"process_cpu_percent_mean"`
	ProcessRSSBytesMax    *float64 `json:"process_rss_bytes_max"`

	// GPUs is the number of GPUs this endpoint reported. They join the
	// step's gpus list with source "scrape:NAME", numbered as the exporter
	// numbers them (dcgm-exporter's gpu label, which is nvidia-smi's
	// index on that machine; Triton's GPUs, which carry only a UUID, in
	// UUID order), so a scraped GPU is known by its source and index
	// together: index 0 of "nvml" and of "scrape:gpu" are different GPUs.
	GPUs int `json:"gpus"`
	// Notes explain gaps, duplicate series and anything else a reader must
	// know about these figures.
	Notes []string `json:"notes"`
}

func (s *ScrapeSummary) normalize() {
	if s.Exporters == nil {
		s.Exporters = []string{}
	}
	if s.Notes == nil {
		s.Notes = []string{}
	}
}

// Energy is what a step's work cost in energy, from GPU power readings
// over the measured time. Only the GPUs' board power is counted (not the
// host's CPUs, memory or cooling: the cost engine applies PUE).
type Energy struct {
	// Source is "nvml" or "scrape:NAME".
	Source string `json:"source"`
	// GPUs is the number of GPUs whose power was summed.
	GPUs int `json:"gpus"`
	// PowerWattsMean is the sum over those GPUs of their mean power.
	PowerWattsMean float64 `json:"power_watts_mean"`
	// Joules is PowerWattsMean x the measured time.
	Joules float64 `json:"joules"`
	// JoulesPerInference is Joules / inferences (KServe steps) and
	// JoulesPerOutputToken Joules / output tokens (LLM steps; every joule
	// is charged to the output tokens); the other is null.
	JoulesPerInference   *float64 `json:"joules_per_inference"`
	JoulesPerOutputToken *float64 `json:"joules_per_output_token"`
}

// ScrapeCost is what reading the --scrape endpoints cost infercost, beside
// the samplers' cost (run.json samplers.scrape; null without --scrape).
type ScrapeCost struct {
	IntervalMS float64 `json:"interval_ms"`
	TimeoutMS  float64 `json:"timeout_ms"`
	Targets    int     `json:"targets"`
	// Scrapes counts every read over the run; Failures those that failed
	// (unreachable, timed out, not Prometheus text, too large).
	Scrapes   int64 `json:"scrapes"`
	Failures  int64 `json:"failures"`
	BytesRead int64 `json:"bytes_read"`
	// CPUPercentOfCore is the CPU time of the scraping threads (HTTP read,
	// parsing, mapping) over the run's wall time, as a percentage of one
	// core; -1 where a thread's CPU time cannot be read. As for the
	// samplers, the garbage collector's share is not in it, nor the HTTP
	// transport's own goroutines (request write, response headers).
	CPUPercentOfCore float64 `json:"cpu_percent_of_core"`
}
