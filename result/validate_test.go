package result

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// validRun is a complete version 2 run with one KServe step and one LLM
// step, every figure in range.
func validRun() *Run {
	q := Quantiles{Count: 100, Min: 1, Mean: 5, P50: 4, P90: 8, P95: 9, P99: 12, P999: 14, Max: 15}
	tok, src := 40.0, TokensFromUsage
	in, out := int64(4000), int64(1600)
	tps, rps, per := 53.3, 1.33, 30.0
	llm := Step{Index: 1, Name: "c4", Mode: ModeConcurrency, BatchSize: 1, Concurrency: 4, DurationS: 30, Requests: 40, Successes: 40,
		Sent: 40, Offered: 40, AchievedRPS: 1.33, SuccessfulRPS: 1.33, InferencesPerS: 1.33, SuccessRatio: 1,
		LatencyMS: Latency{Corrected: Quantiles{Count: 40, Min: 900, Mean: 1000, P50: 1000, P90: 1100, P95: 1150, P99: 1200, P999: 1200, Max: 1200}},
		Unit:      UnitOutputToken,
		LLMFigures: LLMFigures{TTFTMS: &q, ITLMS: &q, TPOTMS: &q, TokenCountSource: &src, InputTokens: &in, OutputTokens: &out,
			OutputTokensPerS: &tps, RequestsPerS: &rps, OutputTokensPerRequest: &tok, InputTokensPerRequest: &per}}
	return &Run{Name: "valid", Command: "profile", Status: StatusComplete,
		Spec:        Spec{Model: "m", SLO: []SLOBound{{Metric: MetricLatency, Percentile: "p95", BoundMS: 50}}, MaxErrorRate: 0.001, GPUs: 1},
		Environment: Environment{CPUCores: 4, Hardware: "NVIDIA A10G", HardwareSource: "detected", GPUs: []GPU{{Name: "NVIDIA A10G"}}},
		Steps: []Step{{Name: "b8-r100", BatchSize: 8, Unit: UnitInference, OfferedRPS: 100, DurationS: 30, Requests: 3000, Successes: 3000, Sent: 3000, Offered: 3000,
			AchievedRPS: 100, SuccessfulRPS: 100, InferencesPerS: 800, SuccessRatio: 1, LatencyMS: Latency{Corrected: q, Uncorrected: q},
			GPUs: []GPUSummary{{UtilizationPercentMean: 80, UtilizationPercentMax: 95, MemoryUsedBytesMax: 6e9}}}, llm},
		Sweep: &Sweep{SLO: []SLOBound{{Metric: MetricLatency, Percentile: "p95", BoundMS: 50}}, MaxErrorRate: 0.001, BestBatchSize: 8}}
}

// encodeValid writes validRun as run.json bytes, as Write does.
func encodeValid(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := Write(dir, validRun()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// edit changes the JSON at a dotted path (list indexes as numbers); a nil
// value with del removes the key.
func edit(t *testing.T, data []byte, path string, value any, del bool) []byte {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := strings.Split(path, ".")
	cur := doc
	for i, k := range keys {
		last := i == len(keys)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if del {
					delete(c, k)
				} else {
					c[k] = value
				}
			}
			cur = c[k]
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil || n >= len(c) {
				t.Fatalf("bad path %s", path)
			}
			if last {
				c[n] = value
			}
			cur = c[n]
		default:
			t.Fatalf("bad path %s at %s", path, k)
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeValidatesWhatTheAnswersUse(t *testing.T) {
	good := encodeValid(t)
	if _, err := Decode(good, "run.json"); err != nil {
		t.Fatalf("a valid run refused: %v", err)
	}
	for _, tc := range []struct {
		name, path string
		value      any
		del        bool
		wantPath   string
		wantWhat   string
	}{
		{"environment removed", "environment", nil, true, "environment", "missing"},
		{"environment null", "environment", nil, false, "environment", "is null, not an object"},
		{"steps removed", "steps", nil, true, "steps", "missing"},
		{"hardware removed", "environment.hardware", nil, true, "environment.hardware", "missing"},
		{"a negative p95 cannot meet an SLO", "steps.0.latency_ms.corrected.p95", -1, false, "steps[0].latency_ms.corrected.p95", "negative"},
		{"p95 below p50", "steps.0.latency_ms.corrected.p95", 3, false, "steps[0].latency_ms.corrected.p95", "below p90"},
		{"p99 below p95", "steps.0.latency_ms.corrected.p99", 8.5, false, "steps[0].latency_ms.corrected.p99", "below p95"},
		{"latency removed", "steps.0.latency_ms", nil, true, "steps[0].latency_ms", "missing"},
		{"p95 removed", "steps.0.latency_ms.corrected.p95", nil, true, "steps[0].latency_ms.corrected.p95", "missing"},
		{"batch 0 is no batch", "steps.0.batch_size", 0, false, "steps[0].batch_size", "1 input or more"},
		{"negative rate", "steps.0.inferences_per_s", -800, false, "steps[0].inferences_per_s", "negative"},
		{"error ratio over 1", "steps.0.error_ratio", 1.5, false, "steps[0].error_ratio", "not a ratio"},
		{"error ratio removed", "steps.0.error_ratio", nil, true, "steps[0].error_ratio", "missing"},
		{"flags removed", "steps.0.flags.unstable", nil, true, "steps[0].flags.unstable", "missing"},
		{"more successes than requests", "steps.0.successes", 4000, false, "steps[0].successes", "4000 successes out of 3000"},
		{"GPU utilisation over 100", "steps.0.gpus.0.utilization_percent_mean", 180, false, "steps[0].gpus[0].utilization_percent_mean", "percentage"},
		{"unknown unit", "steps.0.unit", "furlong", false, "steps[0].unit", "not a known unit"},
		{"unit removed (version 2)", "steps.0.unit", nil, true, "steps[0].unit", "missing"},
		{"SLO bound 0", "spec.slo.0.bound_ms", 0, false, "spec.slo[0].bound_ms", "above 0"},
		{"sweep error rate", "sweep.max_error_rate", -0.1, false, "sweep.max_error_rate", "not a ratio"},
		{"negative best batch", "sweep.best_batch_size", -1, false, "sweep.best_batch_size", "negative"},
		{"ttft quantiles out of order", "steps.1.ttft_ms.p99", 2, false, "steps[1].ttft_ms.p99", "below p95"},
		{"negative itl", "steps.1.itl_ms.p50", -3, false, "steps[1].itl_ms.p50", "negative"},
		{"tpot out of order", "steps.1.tpot_ms.p999", 1, false, "steps[1].tpot_ms.p999", "below p99"},
		{"negative tokens", "steps.1.output_tokens", -5, false, "steps[1].output_tokens", "negative"},
		{"negative tokens per request", "steps.1.input_tokens_per_request", -1, false, "steps[1].input_tokens_per_request", "negative"},
		{"LLM step without its throughput", "steps.1.output_tokens_per_s", nil, false, "steps[1].output_tokens_per_s", "throughput is unknown"},
		{"unknown token source", "steps.1.token_count_source", "guess", false, "steps[1].token_count_source", "not known"},
		{"negative energy", "steps.0.energy", map[string]any{"source": "nvml", "gpus": 1, "power_watts_mean": 100, "joules": -1,
			"joules_per_inference": nil, "joules_per_output_token": nil}, false, "steps[0].energy.joules", "negative"},
		{"spec gpus negative", "spec.gpus", -2, false, "spec.gpus", "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := edit(t, good, tc.path, tc.value, tc.del)
			_, err := Decode(bad, "lab/a10g/run.json")
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("damaged run accepted (or refused otherwise): %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "lab/a10g/run.json") || !strings.Contains(msg, tc.wantPath+": ") || !strings.Contains(msg, tc.wantWhat) {
				t.Errorf("message %q lacks the file, %q or %q", msg, tc.wantPath, tc.wantWhat)
			}
		})
	}
}

// Every committed run passes unchanged.
func TestCommittedRunsPassValidation(t *testing.T) {
	runs, _ := filepath.Glob(filepath.Join("..", "testdata", "runs", "*", FileName))
	if len(runs) < 4 {
		t.Fatalf("found %d committed runs", len(runs))
	}
	for _, path := range runs {
		if _, err := Read(path); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestValidationMessageListsAFewProblems(t *testing.T) {
	e := &ValidationError{File: "x/run.json"}
	for i := 0; i < 8; i++ {
		e.Problems = append(e.Problems, Problem{Path: "steps[" + strconv.Itoa(i) + "].batch_size", What: "0"})
	}
	if msg := e.Error(); !strings.Contains(msg, "steps[4].batch_size") || strings.Contains(msg, "steps[5]") || !strings.Contains(msg, "and 3 more") {
		t.Errorf("message %q", msg)
	}
	r := validRun()
	r.Normalize()
	if err := Validate(r); err != nil {
		t.Errorf("Validate on a valid run: %v", err)
	}
}
