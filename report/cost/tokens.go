package cost

import (
	"fmt"

	"github.com/infercost/infercost/result"
)

// An LLM run counts its work in output tokens: its capacity is output
// tokens/s at the SLO, and its month is requests times the run's mean
// tokens per request (or output tokens given outright). The engine then
// works in output tokens as it works in inferences, and the per-token
// figures are read off the same bills.

// AttributionRule is how per-token figures share the bill; it is printed
// wherever one is.
const AttributionRule = "all GPU time is charged to the tokens: $/M output tokens carries the whole bill (prompt processing included) on the output tokens, " +
	"$/M tokens spreads the same bill over input and output tokens, and $/1k requests over the requests; they are three views of one bill, never to be added"

// TokenWorkload is an LLM run's month and the rates behind its per-token
// figures.
type TokenWorkload struct {
	MonthlyRequests     float64 `json:"monthly_requests"`
	MonthlyOutputTokens float64 `json:"monthly_output_tokens"`
	MonthlyInputTokens  float64 `json:"monthly_input_tokens"`
	// Mean tokens per successful request at the capacity step.
	InputTokensPerRequest  float64 `json:"input_tokens_per_request"`
	OutputTokensPerRequest float64 `json:"output_tokens_per_request"`
	// From names the setting the month was sized from: "monthly" (read
	// as requests), "monthly_requests" or "monthly_output_tokens".
	From string `json:"from"`
	// One replica's requests/s and input tokens/s at the capacity step,
	// beside its output tokens/s (the capacity).
	CapacityRequestsPerS    float64 `json:"capacity_requests_per_s"`
	CapacityInputTokensPerS float64 `json:"capacity_input_tokens_per_s"`
	Attribution             string  `json:"attribution"`
}

// tokenWorkload sizes an LLM run's month from the capacity step's tokens
// per request and the workload: --monthly-output-tokens, else
// --monthly-requests, else --monthly read as requests.
func tokenWorkload(st *result.Step, w Workload) (*TokenWorkload, error) {
	if st.OutputTokensPerRequest == nil || !(*st.OutputTokensPerRequest > 0) || st.OutputTokensPerS == nil {
		return nil, inputErrorf("step %d %q counts output tokens but records no output tokens per request: its month cannot be sized", st.Number(), st.Name)
	}
	t := &TokenWorkload{OutputTokensPerRequest: *st.OutputTokensPerRequest, Attribution: AttributionRule}
	if st.InputTokensPerRequest != nil {
		t.InputTokensPerRequest = *st.InputTokensPerRequest
	}
	switch {
	case w.MonthlyOutputTokens > 0:
		t.From, t.MonthlyOutputTokens = "monthly_output_tokens", w.MonthlyOutputTokens
		t.MonthlyRequests = w.MonthlyOutputTokens / t.OutputTokensPerRequest
	case w.MonthlyRequests > 0:
		t.From, t.MonthlyRequests = "monthly_requests", w.MonthlyRequests
	default:
		t.From, t.MonthlyRequests = "monthly", w.MonthlyInferences
	}
	if t.MonthlyOutputTokens == 0 {
		t.MonthlyOutputTokens = t.MonthlyRequests * t.OutputTokensPerRequest
	}
	t.MonthlyInputTokens = t.MonthlyRequests * t.InputTokensPerRequest
	out := *st.OutputTokensPerS
	t.CapacityRequestsPerS = out / t.OutputTokensPerRequest
	t.CapacityInputTokensPerS = out * t.InputTokensPerRequest / t.OutputTokensPerRequest
	return t, nil
}

// tokenVolumeError refuses a token volume for a capacity counted in
// inferences.
func tokenVolumeError(w Workload) error {
	for _, f := range []struct {
		flag string
		v    float64
	}{{"--monthly-requests", w.MonthlyRequests}, {"--monthly-output-tokens", w.MonthlyOutputTokens}} {
		if f.v > 0 {
			return inputErrorf("%s sizes an LLM run (counted in output tokens); this capacity counts inferences: give --monthly", f.flag)
		}
	}
	return nil
}

// volume is the month's work in the capacity's unit.
func (in Input) volume() float64 {
	if in.Tokens != nil {
		return in.Tokens.MonthlyOutputTokens
	}
	return in.Workload.MonthlyInferences
}

// requests is the month's requests, what per-request lines (response
// transfer, logs) count: an LLM run's requests, else the inferences
// (the workload's response and log bytes are per inference).
func (in Input) requests() float64 {
	if in.Tokens != nil {
		return in.Tokens.MonthlyRequests
	}
	return in.Workload.MonthlyInferences
}

// tokenPricesPerUnit turns a cost per output token into the three
// per-token figures.
func tokenPricesPerUnit(t *TokenWorkload, usdPerOutputToken float64) TokenPrices {
	return TokenPrices{
		USDPerMillionOutputTokens: ptr(usdPerOutputToken * 1e6),
		USDPerMillionTokens:       ptr(usdPerOutputToken * t.OutputTokensPerRequest / (t.OutputTokensPerRequest + t.InputTokensPerRequest) * 1e6),
		USDPer1kRequests:          ptr(usdPerOutputToken * t.OutputTokensPerRequest * 1e3),
	}
}

// applyTokenPrices fills the per-token figures of an LLM estimate: at
// full utilisation on each instance, and over the month's requests and
// tokens for each priced option and the cheapest.
func applyTokenPrices(e *Estimate, t *TokenWorkload) {
	if t == nil {
		return
	}
	for i := range e.Instances {
		if u := e.Instances[i].UnitCostPerInferenceUSD; u != nil {
			e.Instances[i].TokenPrices = tokenPricesPerUnit(t, *u)
		}
	}
	for i := range e.Options {
		if m := e.Options[i].MonthlyTotalUSD; m != nil {
			e.Options[i].TokenPrices = tokenPricesPerUnit(t, *m/t.MonthlyOutputTokens)
		}
	}
	if c := e.Cheapest; c != nil {
		c.TokenPrices = tokenPricesPerUnit(t, c.MonthlyTotalUSD/t.MonthlyOutputTokens)
	}
	e.Notes = append(e.Notes, "per-token figures: "+AttributionRule)
}

// tokenMonthWords says an LLM month: "10,000,000 requests x 100 output
// tokens (the run's mean at the capacity step) = 1,000,000,000 output
// tokens".
func tokenMonthWords(t *TokenWorkload) string {
	return fmt.Sprintf("%s requests a month x %.4g output tokens each (the capacity step's mean; %.4g input tokens) = %s output tokens",
		count(t.MonthlyRequests), t.OutputTokensPerRequest, t.InputTokensPerRequest, count(t.MonthlyOutputTokens))
}
