package result

import (
	"fmt"
	"math"
	"strings"
)

// Reading a run checks every figure the answers use (cost, compare, the
// summaries) before any of them is trusted: a damaged run.json is refused,
// naming the file, the JSON path and what is wrong, rather than priced.
// Types are checked by decoding; this file checks ranges and the order of
// quantiles, and validate_presence.go that the required objects are there.

// Problem is one thing wrong with a run: where (a JSON path such as
// steps[3].latency_ms.corrected.p95) and what.
type Problem struct {
	Path string `json:"path"`
	What string `json:"what"`
}

// ValidationError refuses a run that decodes but cannot be trusted.
type ValidationError struct {
	// File is the run.json it was read from ("" when validated in memory).
	File     string    `json:"file"`
	Problems []Problem `json:"problems"`
}

// maxShownProblems bounds how many problems the message lists.
const maxShownProblems = 5

func (e *ValidationError) Error() string {
	file := e.File
	if file == "" {
		file = "run"
	}
	parts := make([]string, 0, maxShownProblems)
	for i, p := range e.Problems {
		if i == maxShownProblems {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Problems)-maxShownProblems))
			break
		}
		parts = append(parts, p.Path+": "+p.What)
	}
	return fmt.Sprintf("%s is damaged and was not read: %s", file, strings.Join(parts, "; "))
}

// Validate checks the ranges of every figure the answers use: latencies 0
// or more with p50 <= p90 <= p95 <= p99 <= p999 where anything was
// counted, batch sizes 1 or more, rates and counts 0 or more, ratios in
// [0, 1], GPU percentages in [0, 100], SLO bounds above 0, known units,
// and the token figures of LLM steps (an output_token step must have
// output_tokens_per_s). It returns a *ValidationError, or nil.
func Validate(r *Run) error {
	v := &validator{}
	v.spec(&r.Spec)
	v.environment(&r.Environment)
	for i := range r.Steps {
		v.step(fmt.Sprintf("steps[%d]", i), &r.Steps[i])
	}
	if r.Sweep != nil {
		v.sweep(r.Sweep)
	}
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

// validate is what Decode calls: required objects in the raw JSON first
// (a missing one decodes as zeros that look like answers), then ranges.
func validate(data []byte, r *Run, name string) error {
	problems := missingObjects(data, r.SchemaVersion)
	if err := Validate(r); err != nil {
		problems = append(problems, err.(*ValidationError).Problems...)
	}
	if len(problems) == 0 {
		return nil
	}
	return &ValidationError{File: name, Problems: problems}
}

type validator struct{ problems []Problem }

func (v *validator) fail(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, What: fmt.Sprintf(format, args...)})
}

func (v *validator) nonNeg(path string, x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		v.fail(path, "%g is negative (0 or more)", x)
	}
}

func (v *validator) nonNegInt(path string, n int64) {
	if n < 0 {
		v.fail(path, "%d is negative (0 or more)", n)
	}
}

func (v *validator) ratio(path string, x float64) {
	if math.IsNaN(x) || x < 0 || x > 1 {
		v.fail(path, "%g is not a ratio in [0, 1]", x)
	}
}

func (v *validator) percent(path string, x float64) {
	if math.IsNaN(x) || x < 0 || x > 100 {
		v.fail(path, "%g is not a percentage in [0, 100]", x)
	}
}

func (v *validator) slo(path string, slo []SLOBound) {
	for i, b := range slo {
		p := fmt.Sprintf("%s[%d]", path, i)
		if _, ok := metricOrder[b.Metric]; !ok && b.Metric != "" {
			v.fail(p+".metric", "%q is not a known metric (latency, ttft, itl or tpot)", b.Metric)
		}
		if _, ok := map[string]bool{"p50": true, "p90": true, "p95": true, "p99": true, "p999": true}[b.Percentile]; !ok {
			v.fail(p+".percentile", "%q is not a known percentile (p50, p90, p95, p99 or p999)", b.Percentile)
		}
		if !(b.BoundMS > 0) || math.IsInf(b.BoundMS, 0) {
			v.fail(p+".bound_ms", "%g is not a bound above 0 ms", b.BoundMS)
		}
	}
}

func (v *validator) spec(s *Spec) {
	v.slo("spec.slo", s.SLO)
	v.ratio("spec.max_error_rate", s.MaxErrorRate)
	v.nonNegInt("spec.gpus", int64(s.GPUs))
	if s.Protocol != ProtocolKServe && s.Protocol != ProtocolOpenAI {
		v.fail("spec.protocol", "%q is not a known protocol (kserve or openai)", s.Protocol)
	}
}

func (v *validator) environment(e *Environment) {
	v.nonNegInt("environment.cpu_cores", int64(e.CPUCores))
}

// quantiles checks one set of latency quantiles: every figure 0 or more,
// and, where anything was counted, the percentiles in order.
func (v *validator) quantiles(path string, q *Quantiles) {
	if q == nil {
		return
	}
	v.nonNegInt(path+".count", q.Count)
	fields := []struct {
		name string
		x    float64
	}{{"min", q.Min}, {"mean", q.Mean}, {"p50", q.P50}, {"p90", q.P90}, {"p95", q.P95}, {"p99", q.P99}, {"p999", q.P999}, {"max", q.Max}}
	bad := false
	for _, f := range fields {
		if math.IsNaN(f.x) || f.x < 0 {
			v.fail(path+"."+f.name, "%g is negative (a latency is 0 ms or more)", f.x)
			bad = true
		}
	}
	if bad || q.Count == 0 {
		return
	}
	order := fields[2:7] // p50 <= p90 <= p95 <= p99 <= p999
	for i := 1; i < len(order); i++ {
		if order[i].x < order[i-1].x {
			v.fail(path+"."+order[i].name, "%g ms is below %s (%g ms): percentiles must not fall", order[i].x, order[i-1].name, order[i-1].x)
		}
	}
}

func (v *validator) step(p string, st *Step) {
	if st.BatchSize < 1 {
		v.fail(p+".batch_size", "%d: a batch holds 1 input or more", st.BatchSize)
	}
	if st.Unit != UnitInference && st.Unit != UnitOutputToken {
		v.fail(p+".unit", "%q is not a known unit (inference or output_token)", st.Unit)
	}
	for _, f := range []struct {
		name string
		x    float64
	}{{"offered_rps", st.OfferedRPS}, {"duration_s", st.DurationS}, {"achieved_rps", st.AchievedRPS},
		{"successful_rps", st.SuccessfulRPS}, {"inferences_per_s", st.InferencesPerS},
		{"bytes_in_per_request", st.BytesInPerRequest}, {"bytes_out_per_request", st.BytesOutPerRequest}} {
		v.nonNeg(p+"."+f.name, f.x)
	}
	if st.GoodputRPS != nil {
		v.nonNeg(p+".goodput_requests_per_s", *st.GoodputRPS)
	}
	for _, f := range []struct {
		name string
		n    int64
	}{{"concurrency", int64(st.Concurrency)}, {"requests", st.Requests}, {"successes", st.Successes}, {"sent", st.Sent}, {"offered", st.Offered}} {
		v.nonNegInt(p+"."+f.name, f.n)
	}
	if st.Successes > st.Requests {
		v.fail(p+".successes", "%d successes out of %d requests", st.Successes, st.Requests)
	}
	for k, n := range st.Errors {
		v.nonNegInt(p+".errors."+k, n)
	}
	for _, f := range []struct {
		name string
		x    float64
	}{{"success_ratio", st.SuccessRatio}, {"error_ratio", st.ErrorRatio}, {"late_send_ratio", st.LateSendRatio}, {"inflight_capped_ratio", st.InflightCappedRatio}} {
		v.ratio(p+"."+f.name, f.x)
	}
	v.quantiles(p+".latency_ms.corrected", &st.LatencyMS.Corrected)
	v.quantiles(p+".latency_ms.uncorrected", &st.LatencyMS.Uncorrected)
	v.nonNeg(p+".process.rss_bytes_max", st.Process.RSSBytesMax)
	v.nonNeg(p+".process.cpu_percent_mean", st.Process.CPUPercentMean)
	for i := range st.GPUs {
		g, gp := &st.GPUs[i], fmt.Sprintf("%s.gpus[%d]", p, i)
		v.percent(gp+".utilization_percent_mean", g.UtilizationPercentMean)
		v.percent(gp+".utilization_percent_max", g.UtilizationPercentMax)
		v.nonNeg(gp+".memory_used_bytes_max", g.MemoryUsedBytesMax)
		v.nonNeg(gp+".power_watts_mean", g.PowerWattsMean)
	}
	v.llm(p, st)
	if e := st.Energy; e != nil {
		for _, f := range []struct {
			name string
			x    *float64
		}{{"power_watts_mean", &e.PowerWattsMean}, {"joules", &e.Joules}, {"joules_per_inference", e.JoulesPerInference}, {"joules_per_output_token", e.JoulesPerOutputToken}} {
			if f.x != nil {
				v.nonNeg(p+".energy."+f.name, *f.x)
			}
		}
		v.nonNegInt(p+".energy.gpus", int64(e.GPUs))
	}
}

// llm checks the token figures: quantiles in order, counts and rates 0 or
// more, a known token count source; an output_token step must have its
// throughput.
func (v *validator) llm(p string, st *Step) {
	v.quantiles(p+".ttft_ms", st.TTFTMS)
	v.quantiles(p+".ttft_uncorrected_ms", st.TTFTUncorrectedMS)
	v.quantiles(p+".itl_ms", st.ITLMS)
	v.quantiles(p+".tpot_ms", st.TPOTMS)
	for _, f := range []struct {
		name string
		n    *int64
	}{{"input_tokens", st.InputTokens}, {"output_tokens", st.OutputTokens}} {
		if f.n != nil {
			v.nonNegInt(p+"."+f.name, *f.n)
		}
	}
	for _, f := range []struct {
		name string
		x    *float64
	}{{"input_tokens_per_s", st.InputTokensPerS}, {"output_tokens_per_s", st.OutputTokensPerS}, {"requests_per_s", st.RequestsPerS},
		{"output_tokens_per_s_per_user", st.OutputTokensPerSPerUser}, {"input_tokens_per_request", st.InputTokensPerRequest},
		{"output_tokens_per_request", st.OutputTokensPerRequest}} {
		if f.x != nil {
			v.nonNeg(p+"."+f.name, *f.x)
		}
	}
	if s := st.TokenCountSource; s != nil && *s != TokensFromUsage && *s != TokensFromStream && *s != TokensMixed {
		v.fail(p+".token_count_source", "%q is not known (usage, stream or mixed)", *s)
	}
	if st.Unit == UnitOutputToken && st.OutputTokensPerS == nil {
		v.fail(p+".output_tokens_per_s", "null on a step counted in output tokens: its throughput is unknown")
	}
}

func (v *validator) sweep(s *Sweep) {
	v.slo("sweep.slo", s.SLO)
	v.ratio("sweep.max_error_rate", s.MaxErrorRate)
	v.nonNegInt("sweep.best_batch_size", int64(s.BestBatchSize))
	v.nonNegInt("sweep.knee_batch_size", int64(s.KneeBatchSize))
}
