package result

// Sweep holds a sweep's answers (run.json "sweep").
type Sweep struct {
	SLO          []SLOBound `json:"slo"`
	MaxErrorRate float64    `json:"max_error_rate"`
	// Unit is the unit the sweep ranks by ("inference" or
	// "output_token"): the *_units_* figures below are in it.
	Unit string `json:"unit"`
	// Provisional: some batch size's search did not finish (the sweep was
	// interrupted); the answers stand only for what was measured, until
	// the sweep is resumed (--resume).
	Provisional bool `json:"provisional"`
	// Search is "rate" or "concurrency" for a peak search, "list" when the
	// loads were given (--rates or --concurrency lists).
	Search string       `json:"search"`
	Curve  []CurvePoint `json:"curve"`
	// BestBatchSize has the most inferences/s within the SLO (a tie goes to
	// the smaller batch); 0 when no batch size meets it.
	BestBatchSize int `json:"best_batch_size"`
	// KneeBatchSize is the smallest batch reaching 90% of the best.
	KneeBatchSize int `json:"knee_batch_size"`
	// Realtime is the SLO answer; Offline the highest inferences/s measured
	// with no latency bound.
	Realtime OperatingPoint `json:"realtime"`
	Offline  OperatingPoint `json:"offline"`
	Probes   int            `json:"probes"`
	// ServerConfigs ranks the built-in server's batcher configurations when
	// the sweep tried several; [] otherwise.
	ServerConfigs []ServerConfigResult `json:"server_configs"`
}

// CurvePoint is one batch size's answer.
type CurvePoint struct {
	BatchSize int `json:"batch_size"`
	// Server is the built-in server configuration this point was measured
	// with; null for an external target.
	Server *ServerConfig `json:"server"`
	// MaxInferencesPerSAtSLO is 0 when no load met the SLO.
	MaxInferencesPerSAtSLO float64 `json:"max_inferences_per_s_at_slo"`
	MaxRPSAtSLO            float64 `json:"max_rps_at_slo"`
	// MaxConcurrencyAtSLO is set in concurrency mode.
	MaxConcurrencyAtSLO int           `json:"max_concurrency_at_slo"`
	LatencyMSAtPeak     LatencyAtPeak `json:"latency_ms_at_peak"`
	// PeakStep is the index in steps of the step behind the answer; -1
	// when no step met the SLO.
	PeakStep int `json:"peak_step"`
	Probes   int `json:"probes"`
	// MaxInferencesPerS is the highest measured with no latency bound.
	MaxInferencesPerS float64 `json:"max_inferences_per_s"`
	// MaxUnitsPerSAtSLO and MaxUnitsPerS are the two figures above in the
	// sweep's unit (equal to them for inferences; output tokens/s for an
	// LLM endpoint).
	MaxUnitsPerSAtSLO float64 `json:"max_units_per_s_at_slo"`
	MaxUnitsPerS      float64 `json:"max_units_per_s"`
	// Incomplete: this batch size's search did not finish (interrupted), so
	// "nothing met the SLO" is not an answer for it.
	Incomplete bool `json:"incomplete"`
}

// LatencyAtPeak is the corrected latency at a curve point's peak, ms.
type LatencyAtPeak struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// OperatingPoint names one step as an answer.
type OperatingPoint struct {
	BatchSize      int     `json:"batch_size"`
	InferencesPerS float64 `json:"inferences_per_s"`
	// UnitsPerS is the throughput in the sweep's unit.
	UnitsPerS   float64       `json:"units_per_s"`
	RPS         float64       `json:"rps"`
	Concurrency int           `json:"concurrency"`
	LatencyMS   LatencyAtPeak `json:"latency_ms"`
	Step        int           `json:"step"`
	Server      *ServerConfig `json:"server"`
}

// ServerConfigResult is the best the sweep found with one built-in server
// configuration.
type ServerConfigResult struct {
	Server                 ServerConfig `json:"server"`
	BestBatchSize          int          `json:"best_batch_size"`
	MaxInferencesPerSAtSLO float64      `json:"max_inferences_per_s_at_slo"`
	Winner                 bool         `json:"winner"`
}
