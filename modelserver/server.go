package modelserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infercost/infercost/version"
)

// Config is the server's configuration; DefaultConfig gives the defaults
// of `infercost serve`.
type Config struct {
	// ModelName is the name the model is served under (/v2/models/{name}).
	ModelName string
	// MaxBatchSize is the most rows the batcher merges into one forward
	// pass; 1 turns merging off. A larger request runs as a batch of its own.
	MaxBatchSize int
	// MaxQueueDelay is how long the batcher waits, from the oldest waiting
	// request, for a batch to fill before running it; 0 never waits.
	MaxQueueDelay time.Duration
	// Instances is the number of model instances running batches in parallel.
	Instances int
	// MaxQueue is the most requests waiting at once; beyond it the server
	// answers 503 at once.
	MaxQueue int
	// MaxBodyBytes is the largest infer request body accepted.
	MaxBodyBytes int64
}

// DefaultConfig returns the defaults of `infercost serve`.
func DefaultConfig() Config {
	return Config{
		ModelName:     "digits",
		MaxBatchSize:  32,
		MaxQueueDelay: 2 * time.Millisecond,
		Instances:     1,
		MaxQueue:      1024,
		MaxBodyBytes:  8 << 20,
	}
}

// Validate reports the first setting that is out of range, naming its flag.
func (c Config) Validate() error {
	switch {
	case c.ModelName == "" || strings.ContainsAny(c.ModelName, "/?#% \t\n"):
		return fmt.Errorf("--model-name %q: want a non-empty name without '/', '?', '#', '%%' or spaces", c.ModelName)
	case c.MaxBatchSize < 1:
		return fmt.Errorf("--max-batch-size %d: want >= 1 (1 turns batching off)", c.MaxBatchSize)
	case c.MaxQueueDelay < 0:
		return fmt.Errorf("--max-queue-delay %v: want >= 0", c.MaxQueueDelay)
	case c.Instances < 1:
		return fmt.Errorf("--instances %d: want >= 1", c.Instances)
	case c.MaxQueue < 1:
		return fmt.Errorf("--max-queue %d: want >= 1", c.MaxQueue)
	case c.MaxBodyBytes < 1:
		return fmt.Errorf("--max-body %d: want >= 1 byte", c.MaxBodyBytes)
	}
	return nil
}

// Server serves one model over the KServe v2 HTTP/JSON protocol with a
// dynamic batcher in front of it.
type Server struct {
	cfg          Config
	model        *Model
	metrics      *metrics
	batcher      *batcher
	metadata     []byte
	http         *http.Server
	handler      http.Handler
	draining     atomic.Bool
	accepted     atomic.Uint64 // infer requests queued
	answered     atomic.Uint64 // infer requests answered with their result
	shutdownOnce sync.Once
}

// New builds a server for model; its model instances start at once.
func New(cfg Config, model *Model) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if model == nil {
		return nil, errors.New("modelserver: no model")
	}
	s := &Server{cfg: cfg, model: model}
	s.metrics = newMetrics(func() float64 { return float64(s.batcher.depth.Load()) })
	s.batcher = newBatcher(model, s.metrics, cfg)
	md, err := json.Marshal(modelMetadata(cfg, model.Info()))
	if err != nil {
		return nil, fmt.Errorf("encode model metadata: %w", err)
	}
	s.metadata = md
	s.handler = s.routes()
	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// Handler returns the HTTP handler of every endpoint, for use in an
// http.Server or httptest.Server of the caller's.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests on l until Shutdown; it returns nil after a
// Shutdown and the listener's error otherwise.
func (s *Server) Serve(l net.Listener) error {
	if err := s.http.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown drains the server: readiness turns 503, the batcher stops
// waiting for batches to fill, Serve stops accepting connections, every
// request already accepted is answered, and the model instances stop. If
// ctx ends first, open connections are closed and ctx's error is returned.
// Requests reaching Handler after the drain are refused with 503.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.draining.Store(true)
		s.batcher.startFlush()
	})
	err := s.http.Shutdown(ctx)
	if err != nil {
		s.http.Close()
	}
	s.batcher.close()
	select {
	case <-s.batcher.done:
	default:
		select {
		case <-s.batcher.done:
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
		}
	}
	if err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	return nil
}

// Stats counts infer requests since start: Accepted were queued, Answered
// got their result back. After a complete drain the two are equal.
type Stats struct {
	Accepted uint64
	Answered uint64
}

// Stats returns the request counts.
func (s *Server) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), Answered: s.answered.Load()}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, name, method string, h http.HandlerFunc) {
		mux.Handle(pattern, s.metrics.instrument(name, onlyMethod(method, h)))
	}
	route("/v2", "server_metadata", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"name": "infercost", "version": version.String(), "extensions": []string{}})
	})
	route("/v2/health/live", "live", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"live": true})
	})
	route("/v2/health/ready", "ready", http.MethodGet, s.serveReady)
	route("/v2/models/{name}", "model_metadata", http.MethodGet, s.withModel(func(w http.ResponseWriter, r *http.Request) {
		writeJSONBytes(w, http.StatusOK, s.metadata)
	}))
	route("/v2/models/{name}/ready", "model_ready", http.MethodGet, s.withModel(s.serveReady))
	route("/v2/models/{name}/infer", "infer", http.MethodPost, s.withModel(s.serveInfer))
	mux.Handle("/metrics", s.metrics.instrument("metrics", s.metrics.handler()))
	mux.Handle("/", s.metrics.instrument("not_found", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s %s; see /v2/models/%s", r.Method, clip(r.URL.Path), s.cfg.ModelName))
	})))
	return mux
}

// onlyMethod answers 405 with a JSON error to any other method.
func onlyMethod(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", r.Method, clip(r.URL.Path), method))
			return
		}
		h(w, r)
	}
}

// withModel answers 404 unless the path names the served model.
func (s *Server) withModel(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if name := r.PathValue("name"); name != s.cfg.ModelName {
			writeError(w, http.StatusNotFound, fmt.Sprintf("unknown model %q; this server serves %q", clip(name), s.cfg.ModelName))
			return
		}
		h(w, r)
	}
}

func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeError(w, http.StatusServiceUnavailable, "server is shutting down")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ready": true})
}

func (s *Server) serveInfer(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	req, err := DecodeInferRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	j := &job{rows: req.Rows, pixels: req.Pixels, done: make(chan jobResult, 1)}
	switch err := s.batcher.submit(j); {
	case errors.Is(err, errQueueFull):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("queue full: %d requests already waiting (--max-queue); retry later", s.cfg.MaxQueue))
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	s.accepted.Add(1)
	var res jobResult
	select {
	case res = <-j.done:
	case <-r.Context().Done():
		return // the client left; the batch still runs and its row is dropped
	}
	if res.err == nil && !allFinite(res.probs) {
		res.err = errors.New("the model produced a non-finite probability")
	}
	if res.err != nil {
		writeError(w, http.StatusInternalServerError, "inference failed: "+res.err.Error())
		return
	}
	writeJSONBytes(w, http.StatusOK, appendInferResponse(nil, s.cfg.ModelName, req.ID, req.Outputs, res.probs, res.labels))
	s.answered.Add(1)
}

// readBody reads the request body, refusing one over maxBytes.
func readBody(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	if r.ContentLength > maxBytes {
		return nil, fmt.Errorf("request body of %d bytes is over the limit of %d bytes (--max-body)", r.ContentLength, maxBytes)
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, fmt.Errorf("request body is over the limit of %d bytes (--max-body)", maxBytes)
	case err != nil && !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return buf.Bytes(), nil
}
