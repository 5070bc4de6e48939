package modelserver

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are one server's Prometheus series, kept in a registry of its
// own (not the global one) so that several servers can live in one
// process, as they do in tests.
type metrics struct {
	registry       *prometheus.Registry
	requests       *prometheus.CounterVec
	batchSize      prometheus.Histogram
	queueSeconds   prometheus.Histogram
	computeSeconds prometheus.Histogram
	inferences     prometheus.Counter
}

// newMetrics registers the server's series; queueDepth is read at scrape time.
func newMetrics(queueDepth func() float64) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "infercost_server_requests_total",
			Help: "HTTP requests answered, by endpoint and status code.",
		}, []string{"handler", "code"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "infercost_server_batch_size",
			Help:    "Inputs (rows) per forward pass, after the dynamic batcher merged requests.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024},
		}),
		queueSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "infercost_server_queue_seconds",
			Help:    "Time a request waited between being queued and its forward pass starting.",
			Buckets: prometheus.ExponentialBuckets(25e-6, 2, 18),
		}),
		computeSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "infercost_server_compute_seconds",
			Help:    "Time of one forward pass over a merged batch.",
			Buckets: prometheus.ExponentialBuckets(25e-6, 2, 18),
		}),
		inferences: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "infercost_server_inferences_total",
			Help: "Inputs (rows) run through the model.",
		}),
	}
	m.registry.MustRegister(m.requests, m.batchSize, m.queueSeconds, m.computeSeconds, m.inferences,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "infercost_server_queue_depth",
			Help: "Requests accepted and waiting for a model instance.",
		}, queueDepth),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// instrument counts the requests h answers under the given handler label.
func (m *metrics) instrument(handler string, h http.Handler) http.Handler {
	return promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(prometheus.Labels{"handler": handler}), h)
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}
