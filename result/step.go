package result

import "time"

// Error kinds, the keys of Step.Errors.
const (
	ErrConnect = "connect"
	ErrTimeout = "timeout"
	ErrHTTP4xx = "http_4xx"
	ErrHTTP5xx = "http_5xx"
	ErrBadBody = "bad_body"
	// ErrStreamCut: a streamed response ended or broke before its end
	// marker ([DONE]); ErrStreamError: the stream carried an error object.
	ErrStreamCut   = "stream_cut"
	ErrStreamError = "stream_error"
	ErrOther       = "other"
)

// ErrorKinds lists every error kind, in the order reports print them.
var ErrorKinds = []string{ErrConnect, ErrTimeout, ErrHTTP4xx, ErrHTTP5xx, ErrBadBody, ErrStreamCut, ErrStreamError, ErrOther}

// Step is one measured load level: one batch size at one offered rate (or
// one concurrency), after warm-up, over the windows that were kept.
type Step struct {
	// Index is the step's position in steps (0-based), what other parts of
	// run.json refer to; people read Number().
	Index     int    `json:"index"`
	Name      string `json:"name"`
	Mode      string `json:"mode"`
	Arrival   string `json:"arrival"`
	BatchSize int    `json:"batch_size"`
	// OfferedRPS is the offered rate in requests/s (rate mode; 0 in
	// concurrency mode).
	OfferedRPS float64 `json:"offered_rps"`
	// Concurrency is the number of requests kept in flight (concurrency
	// mode; 0 in rate mode).
	Concurrency int `json:"concurrency"`
	// Server is the built-in server's configuration for this step; null
	// for an external target.
	Server    *ServerConfig `json:"server"`
	StartedAt time.Time     `json:"started_at"`
	EndedAt   time.Time     `json:"ended_at"`
	// DurationS is the measured time, warm-up excluded.
	DurationS float64 `json:"duration_s"`
	// Requests counts responses and failures received in the measured time.
	Requests  int64 `json:"requests"`
	Successes int64 `json:"successes"`
	// Sent counts requests sent in the measured time; Offered counts those
	// the schedule asked for (equal to Sent in concurrency mode).
	Sent    int64 `json:"sent"`
	Offered int64 `json:"offered"`
	// AchievedRPS is Requests per second of measured time, errors included;
	// SuccessfulRPS counts successes only. InferencesPerS = SuccessfulRPS x
	// BatchSize.
	AchievedRPS    float64          `json:"achieved_rps"`
	SuccessfulRPS  float64          `json:"successful_rps"`
	InferencesPerS float64          `json:"inferences_per_s"`
	SuccessRatio   float64          `json:"success_ratio"`
	ErrorRatio     float64          `json:"error_ratio"`
	Errors         map[string]int64 `json:"errors"`
	LatencyMS      Latency          `json:"latency_ms"`
	SendLagMS      SendLag          `json:"send_lag_ms"`
	// LateSendRatio is the share of sends later than --late-threshold.
	LateSendRatio float64 `json:"late_send_ratio"`
	// InflightCappedRatio is the share of sends that found every
	// --max-inflight slot busy: their lateness is the target's doing.
	InflightCappedRatio float64 `json:"inflight_capped_ratio"`
	BytesInPerRequest   float64 `json:"bytes_in_per_request"`
	BytesOutPerRequest  float64 `json:"bytes_out_per_request"`
	Flags               Flags   `json:"flags"`
	// Notes explain the flags in words ("generator CPU 97% of 2 cores").
	Notes     []string         `json:"notes"`
	Stability Stability        `json:"stability"`
	Host      HostSummary      `json:"host"`
	Process   ProcessSummary   `json:"process"`
	Generator GeneratorSummary `json:"generator"`
	GPUs      []GPUSummary     `json:"gpus"`
	// Trials holds each trial's headline when --trials > 1; the step's own
	// figures are those of the median trial (by inferences/s).
	Trials []Trial      `json:"trials"`
	Spread TrialsSpread `json:"spread"`
	Files  StepFiles    `json:"files"`

	// Unit is what the step's work is counted in, the unit its cost is
	// quoted per: "inference" (KServe: successful requests x batch) or
	// "output_token" (an LLM endpoint). Throughput() reads the figure.
	Unit string `json:"unit"`
	// GoodputRPS counts the successful requests per second that met every
	// per-request bound of the SLO the step was measured under (a p95 bound
	// on e2e latency becomes e2e <= bound for each request, ttft_p95 becomes
	// ttft <= bound, ...); with no SLO it equals SuccessfulRPS. Null in runs
	// older than version 2, which did not judge requests one by one.
	GoodputRPS *float64 `json:"goodput_requests_per_s"`
	LLMFigures
	// Scrape holds what each --scrape endpoint reported over the step, by
	// the scrape's name; {} when nothing was scraped.
	Scrape map[string]ScrapeSummary `json:"scrape"`
	// Energy is the energy the step's work took, from GPU power readings
	// (local NVML or scraped); null when no power was read.
	Energy *Energy `json:"energy"`
}

// Number is the step's number as every output shows it to people: in
// progress lines, tables, notes, plots, file names and cost messages
// ("step 5" is the fifth step, steps[4]).
func (st *Step) Number() int { return st.Index + 1 }

// Latency holds both views of request latency. Corrected is measured from
// the intended send time (DESIGN invariant 1); Uncorrected from the actual
// send, reported beside it, never instead of it.
type Latency struct {
	Corrected   Quantiles `json:"corrected"`
	Uncorrected Quantiles `json:"uncorrected"`
}

// Quantiles of successful requests' latency in milliseconds, from an HDR
// histogram. Count is the number of latencies behind them; with Count 0
// every figure is 0 and means "no data".
type Quantiles struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// SendLag is how late requests left against their intended send time, ms.
type SendLag struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Flags mark steps whose figures need a caveat; a flagged step never meets
// an SLO (DESIGN invariant 5).
type Flags struct {
	// GeneratorLimited: more than 1% of sends were late for reasons of the
	// generator's own, or its CPU was saturated (DESIGN invariant 3).
	GeneratorLimited bool `json:"generator_limited"`
	// Interrupted: the step was cut short by a signal.
	Interrupted bool `json:"interrupted"`
	// Unstable: the windows never agreed within the tolerance.
	Unstable bool `json:"unstable"`
	// StoppedEarly: a sweep probe that broke the SLO by 2x in its first
	// window and was stopped there.
	StoppedEarly bool `json:"stopped_early"`
}

// Stability reports how the kept windows agreed (DESIGN invariant 4).
type Stability struct {
	Windows   int     `json:"windows"`
	Tolerance float64 `json:"tolerance"`
	// ThroughputSpread, P95Spread and P50Spread are (max-min)/mean over the
	// last --windows windows, as fractions.
	ThroughputSpread float64 `json:"throughput_spread"`
	P95Spread        float64 `json:"p95_spread"`
	P50Spread        float64 `json:"p50_spread"`
	// LatencyJudged names the percentile the rule compared: "p95", or "p50"
	// when a window held too few requests for its p95 to mean anything.
	LatencyJudged string `json:"latency_judged"`
}

// HostSummary summarizes the whole machine over the step. CPU % is of the
// whole machine (0-100).
type HostSummary struct {
	Samples             int     `json:"samples"`
	CPUPercentMean      float64 `json:"cpu_percent_mean"`
	CPUPercentP95       float64 `json:"cpu_percent_p95"`
	CPUPercentMax       float64 `json:"cpu_percent_max"`
	MemoryUsedBytesMean float64 `json:"memory_used_bytes_mean"`
	MemoryUsedBytesP95  float64 `json:"memory_used_bytes_p95"`
	MemoryUsedBytesMax  float64 `json:"memory_used_bytes_max"`
	MemoryTotalBytes    uint64  `json:"memory_total_bytes"`
}

// ProcessSummary summarizes the target process. CPU % is of one core (it
// can pass 100, as top shows). Available is false when its PID is unknown
// (a remote target without --target-pid).
type ProcessSummary struct {
	Available      bool    `json:"available"`
	PID            int32   `json:"pid"`
	Samples        int     `json:"samples"`
	CPUPercentMean float64 `json:"cpu_percent_mean"`
	CPUPercentP95  float64 `json:"cpu_percent_p95"`
	CPUPercentMax  float64 `json:"cpu_percent_max"`
	RSSBytesMean   float64 `json:"rss_bytes_mean"`
	RSSBytesP95    float64 `json:"rss_bytes_p95"`
	RSSBytesMax    float64 `json:"rss_bytes_max"`
}

// GeneratorSummary summarizes infercost's own process while it drove the
// load (DESIGN invariant 3). CPU % is of one core.
type GeneratorSummary struct {
	Samples        int     `json:"samples"`
	CPUPercentMean float64 `json:"cpu_percent_mean"`
	CPUPercentP95  float64 `json:"cpu_percent_p95"`
	CPUPercentMax  float64 `json:"cpu_percent_max"`
	RSSBytesMax    float64 `json:"rss_bytes_max"`
	// Saturated: its mean CPU reached 90% of the cores it may use.
	Saturated bool `json:"saturated"`
}

// GPUSummary summarizes one GPU over the step.
type GPUSummary struct {
	Index int `json:"index"`
	// Name is the GPU model ("NVIDIA A10G"); Source says where its readings
	// came from: "nvml" (this host) or "scrape:NAME" (a --scrape endpoint).
	// Both are "" in runs older than version 2, which only had NVML.
	Name                   string  `json:"name"`
	Source                 string  `json:"source"`
	Samples                int     `json:"samples"`
	UtilizationPercentMean float64 `json:"utilization_percent_mean"`
	UtilizationPercentP95  float64 `json:"utilization_percent_p95"`
	UtilizationPercentMax  float64 `json:"utilization_percent_max"`
	MemoryUsedBytesMean    float64 `json:"memory_used_bytes_mean"`
	MemoryUsedBytesP95     float64 `json:"memory_used_bytes_p95"`
	MemoryUsedBytesMax     float64 `json:"memory_used_bytes_max"`
	MemoryTotalBytes       uint64  `json:"memory_total_bytes"`
	PowerWattsMean         float64 `json:"power_watts_mean"`
	PowerWattsP95          float64 `json:"power_watts_p95"`
	PowerWattsMax          float64 `json:"power_watts_max"`
	TemperatureCMean       float64 `json:"temperature_c_mean"`
	TemperatureCMax        float64 `json:"temperature_c_max"`
	SMClockMHzMean         float64 `json:"sm_clock_mhz_mean"`
	SMClockMHzMax          float64 `json:"sm_clock_mhz_max"`
}

// Trial is the headline of one repetition of a step (--trials).
type Trial struct {
	Trial          int     `json:"trial"`
	AchievedRPS    float64 `json:"achieved_rps"`
	InferencesPerS float64 `json:"inferences_per_s"`
	// UnitsPerS is the throughput in the step's unit (inferences/s, or
	// output tokens/s for an LLM step).
	UnitsPerS        float64 `json:"units_per_s"`
	SuccessRatio     float64 `json:"success_ratio"`
	P50MS            float64 `json:"p50_ms"`
	P95MS            float64 `json:"p95_ms"`
	P99MS            float64 `json:"p99_ms"`
	Unstable         bool    `json:"unstable"`
	GeneratorLimited bool    `json:"generator_limited"`
}

// TrialsSpread is the min-max range over the trials (equal to the step's
// own figures for a single trial).
type TrialsSpread struct {
	InferencesPerSMin float64 `json:"inferences_per_s_min"`
	InferencesPerSMax float64 `json:"inferences_per_s_max"`
	// UnitsPerSMin and UnitsPerSMax are the range in the step's unit.
	UnitsPerSMin float64 `json:"units_per_s_min"`
	UnitsPerSMax float64 `json:"units_per_s_max"`
	P95MSMin     float64 `json:"p95_ms_min"`
	P95MSMax     float64 `json:"p95_ms_max"`
}

// StepFiles names the step's files, relative to the run directory.
type StepFiles struct {
	// Histograms is an HdrHistogram log with the corrected, uncorrected and
	// send-lag histograms (values in microseconds), tagged by name.
	Histograms string `json:"histograms"`
	// Series is the per-second CSV of the step.
	Series string `json:"series"`
}
