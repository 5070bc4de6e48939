package lmserver

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are one server's Prometheus series, in a registry of its own
// (several servers live in one process in tests). The series a vLLM
// dashboard or autoscaler reads carry vLLM's names and its model_name
// label; the KV-cache gauge is the fraction of the preallocated cache's
// token positions in use (this server has no GPU: the cache is in main
// memory), exported under both of vLLM's names for it.
type metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	ttft          prometheus.Observer
	itl           prometheus.Observer
	e2e           prometheus.Observer
	promptTok     prometheus.Counter
	generationTok prometheus.Counter
	success       *prometheus.CounterVec
	stepTokens    prometheus.Observer
	stepSeqs      prometheus.Observer
	stepSeconds   prometheus.Observer
}

// newMetrics registers the series of a server of model name over e.
func newMetrics(model string) *metrics {
	label := prometheus.Labels{"model_name": model}
	// From 100 µs (a decode step of this model) to 20 s.
	latency := []float64{0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075,
		0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20}
	hist := func(name, help string) prometheus.Histogram {
		return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latency, ConstLabels: label})
	}
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: label})
	}
	m := &metrics{registry: prometheus.NewRegistry()}
	ttft := hist("vllm:time_to_first_token_seconds", "Time from a request's arrival to its first generated token.")
	itl := hist("vllm:inter_token_latency_seconds", "Time between two consecutive generated tokens of a request.")
	tpot := hist("vllm:time_per_output_token_seconds", "Time between two consecutive generated tokens of a request (vLLM's older name).")
	e2e := hist("vllm:e2e_request_latency_seconds", "Time from a request's arrival to its end.")
	m.ttft, m.e2e = ttft, e2e
	m.itl = multiObserver{itl, tpot}
	m.promptTok = counter("vllm:prompt_tokens_total", "Prompt tokens prefilled.")
	m.generationTok = counter("vllm:generation_tokens_total", "Tokens generated.")
	m.success = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vllm:request_success_total", Help: "Requests finished, by finish reason (stop, length, abort).", ConstLabels: label,
	}, []string{"finished_reason"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "infercost_server_requests_total", Help: "HTTP requests answered, by endpoint and status code.",
	}, []string{"handler", "code"})
	stepTokens := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "infercost_lm_step_tokens", Help: "Tokens per forward pass (one per decoding sequence plus prefill chunks).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048}, ConstLabels: label,
	})
	stepSeqs := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "infercost_lm_step_sequences", Help: "Sequences per forward pass: how many were batched together.",
		Buckets: []float64{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256}, ConstLabels: label,
	})
	stepSeconds := hist("infercost_lm_step_seconds", "Time of one forward pass and its sampling.")
	m.stepTokens, m.stepSeqs, m.stepSeconds = stepTokens, stepSeqs, stepSeconds
	m.registry.MustRegister(ttft, itl, tpot, e2e, m.promptTok, m.generationTok, m.success, m.requests,
		stepTokens, stepSeqs, stepSeconds,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for _, r := range []string{FinishStop, FinishLength, FinishAbort} {
		m.success.WithLabelValues(r) // present at zero from the start
	}
	return m
}

// watch registers the gauges read from the engine at scrape time.
func (m *metrics) watch(model string, e *Engine) {
	label := prometheus.Labels{"model_name": model}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: label}, f)
	}
	kv := func() float64 { return e.KVCacheUsage() }
	m.registry.MustRegister(
		gauge("vllm:num_requests_running", "Requests holding a KV-cache slot (prefilling or decoding).", func() float64 { return float64(e.Running()) }),
		gauge("vllm:num_requests_waiting", "Requests waiting for a KV-cache slot.", func() float64 { return float64(e.Waiting()) }),
		gauge("vllm:kv_cache_usage_perc", "Fraction (0-1) of the KV cache's token positions in use (the cache is in main memory).", kv),
		gauge("vllm:gpu_cache_usage_perc", "Same as vllm:kv_cache_usage_perc (vLLM's older name; no GPU is involved).", kv),
		gauge("infercost_lm_kv_cache_bytes", "Memory preallocated for the KV cache.", func() float64 { return float64(e.KVCacheBytes()) }),
	)
}

// multiObserver feeds one observation to several series.
type multiObserver []prometheus.Observer

func (o multiObserver) Observe(v float64) {
	for _, x := range o {
		x.Observe(v)
	}
}

// The engine's hooks; a nil *metrics (an engine without a server) records
// nothing.
func (m *metrics) timeToFirstToken(d time.Duration) {
	if m != nil {
		m.ttft.Observe(d.Seconds())
	}
}

func (m *metrics) interTokenLatency(d time.Duration) {
	if m != nil {
		m.itl.Observe(d.Seconds())
	}
}

func (m *metrics) promptTokens(n int) {
	if m != nil {
		m.promptTok.Add(float64(n))
	}
}

func (m *metrics) generationTokens(n int) {
	if m != nil {
		m.generationTok.Add(float64(n))
	}
}

func (m *metrics) requestDone(reason string, e2e time.Duration) {
	if m != nil {
		m.success.WithLabelValues(reason).Inc()
		m.e2e.Observe(e2e.Seconds())
	}
}

func (m *metrics) step(tokens, seqs int, d time.Duration) {
	if m != nil {
		m.stepTokens.Observe(float64(tokens))
		m.stepSeqs.Observe(float64(seqs))
		m.stepSeconds.Observe(d.Seconds())
	}
}

// instrument counts the requests h answers under the given handler label.
func (m *metrics) instrument(handler string, h http.Handler) http.Handler {
	return promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(prometheus.Labels{"handler": handler}), h)
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}
