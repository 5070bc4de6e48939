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

	// GPUs is the number of GPUs this endpoint reported.
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
