package render

import (
	"strconv"

	"github.com/infercost/infercost/result"
)

// column is one CSV column: its header, which names the unit (p95_ms,
// throughput_inferences_per_s), and how a step's figure is written ("" for
// a figure the step does not have).
type column struct {
	name  string
	value func(it Item, i int, st *result.Step) string
}

func num(v float64) string   { return strconv.FormatFloat(v, 'f', -1, 64) }
func integer(v int64) string { return strconv.FormatInt(v, 10) }

func optNum(v *float64) string {
	if v == nil {
		return ""
	}
	return num(*v)
}

func optInt(v *int64) string {
	if v == nil {
		return ""
	}
	return integer(*v)
}

// csvColumns lists every figure of a step, in the order of the CSV: what
// was offered, what came back, latency, the token figures of LLM steps,
// the generator's own figures, the flags and SLO verdict, the trials'
// spread, the machine, and where the quantiles came from.
func csvColumns() []column {
	cols := []column{
		{"run", func(it Item, _ int, _ *result.Step) string { return it.Dir.Path }},
		{"step", func(_ Item, _ int, st *result.Step) string { return strconv.Itoa(st.Number()) }},
		{"name", func(_ Item, _ int, st *result.Step) string { return st.Name }},
		{"mode", func(_ Item, _ int, st *result.Step) string { return st.Mode }},
		{"arrival", func(_ Item, _ int, st *result.Step) string { return st.Arrival }},
		{"batch_size", func(_ Item, _ int, st *result.Step) string { return strconv.Itoa(st.BatchSize) }},
		{"offered_rps", func(_ Item, _ int, st *result.Step) string { return num(st.OfferedRPS) }},
		{"concurrency", func(_ Item, _ int, st *result.Step) string { return strconv.Itoa(st.Concurrency) }},
		{"server_max_batch_size", func(_ Item, _ int, st *result.Step) string {
			if st.Server == nil {
				return ""
			}
			return strconv.Itoa(st.Server.MaxBatchSize)
		}},
		{"server_max_queue_delay_ms", func(_ Item, _ int, st *result.Step) string {
			if st.Server == nil {
				return ""
			}
			return num(st.Server.MaxQueueDelayMS)
		}},
		{"unit", func(_ Item, _ int, st *result.Step) string { return st.Unit }},
		{"duration_s", func(_ Item, _ int, st *result.Step) string { return num(st.DurationS) }},
		{"requests", func(_ Item, _ int, st *result.Step) string { return integer(st.Requests) }},
		{"successes", func(_ Item, _ int, st *result.Step) string { return integer(st.Successes) }},
		{"sent", func(_ Item, _ int, st *result.Step) string { return integer(st.Sent) }},
		{"offered", func(_ Item, _ int, st *result.Step) string { return integer(st.Offered) }},
	}
	for _, k := range result.ErrorKinds {
		cols = append(cols, column{"errors_" + k, func(_ Item, _ int, st *result.Step) string { return integer(st.Errors[k]) }})
	}
	cols = append(cols, []column{
		{"achieved_rps", func(_ Item, _ int, st *result.Step) string { return num(st.AchievedRPS) }},
		{"successful_rps", func(_ Item, _ int, st *result.Step) string { return num(st.SuccessfulRPS) }},
		{"goodput_rps", func(_ Item, _ int, st *result.Step) string { return optNum(st.GoodputRPS) }},
		{"throughput_inferences_per_s", func(_ Item, _ int, st *result.Step) string { return num(st.InferencesPerS) }},
		{"throughput_units_per_s", func(_ Item, _ int, st *result.Step) string { return num(st.Throughput()) }},
		{"success_ratio", func(_ Item, _ int, st *result.Step) string { return num(st.SuccessRatio) }},
		{"error_ratio", func(_ Item, _ int, st *result.Step) string { return num(st.ErrorRatio) }},
	}...)
	cols = append(cols, quantileColumns("", func(st *result.Step) *result.Quantiles { return &st.LatencyMS.Corrected })...)
	cols = append(cols, quantileColumns("uncorrected_", func(st *result.Step) *result.Quantiles { return &st.LatencyMS.Uncorrected })...)
	cols = append(cols, []column{
		{"output_tokens_per_s", func(_ Item, _ int, st *result.Step) string { return optNum(st.OutputTokensPerS) }},
		{"input_tokens_per_s", func(_ Item, _ int, st *result.Step) string { return optNum(st.InputTokensPerS) }},
		{"stream_requests_per_s", func(_ Item, _ int, st *result.Step) string { return optNum(st.RequestsPerS) }},
		{"output_tokens_per_s_per_user", func(_ Item, _ int, st *result.Step) string { return optNum(st.OutputTokensPerSPerUser) }},
		{"input_tokens", func(_ Item, _ int, st *result.Step) string { return optInt(st.InputTokens) }},
		{"output_tokens", func(_ Item, _ int, st *result.Step) string { return optInt(st.OutputTokens) }},
		{"input_tokens_per_request", func(_ Item, _ int, st *result.Step) string { return optNum(st.InputTokensPerRequest) }},
		{"output_tokens_per_request", func(_ Item, _ int, st *result.Step) string { return optNum(st.OutputTokensPerRequest) }},
		{"token_count_source", func(_ Item, _ int, st *result.Step) string {
			if st.TokenCountSource == nil {
				return ""
			}
			return *st.TokenCountSource
		}},
	}...)
	cols = append(cols, quantileColumns("ttft_", func(st *result.Step) *result.Quantiles { return st.TTFTMS })...)
	cols = append(cols, quantileColumns("ttft_uncorrected_", func(st *result.Step) *result.Quantiles { return st.TTFTUncorrectedMS })...)
	cols = append(cols, quantileColumns("itl_", func(st *result.Step) *result.Quantiles { return st.ITLMS })...)
	cols = append(cols, quantileColumns("tpot_", func(st *result.Step) *result.Quantiles { return st.TPOTMS })...)
	return append(cols, runColumns()...)
}

// quantileColumns are one latency's count and quantiles: PREFIXcount,
// PREFIXmin_ms, PREFIXmean_ms, PREFIXp50_ms ... PREFIXmax_ms; empty for a
// step without that latency (TTFT of a KServe step).
func quantileColumns(prefix string, of func(*result.Step) *result.Quantiles) []column {
	fields := []struct {
		name string
		get  func(q *result.Quantiles) string
	}{
		{"count", func(q *result.Quantiles) string { return integer(q.Count) }},
		{"min_ms", func(q *result.Quantiles) string { return num(q.Min) }},
		{"mean_ms", func(q *result.Quantiles) string { return num(q.Mean) }},
		{"p50_ms", func(q *result.Quantiles) string { return num(q.P50) }},
		{"p90_ms", func(q *result.Quantiles) string { return num(q.P90) }},
		{"p95_ms", func(q *result.Quantiles) string { return num(q.P95) }},
		{"p99_ms", func(q *result.Quantiles) string { return num(q.P99) }},
		{"p999_ms", func(q *result.Quantiles) string { return num(q.P999) }},
		{"max_ms", func(q *result.Quantiles) string { return num(q.Max) }},
	}
	out := make([]column, len(fields))
	for i, f := range fields {
		out[i] = column{prefix + f.name, func(_ Item, _ int, st *result.Step) string {
			q := of(st)
			if q == nil {
				return ""
			}
			return f.get(q)
		}}
	}
	return out
}
