package lmserver

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
// of `infercost serve --preset lm`.
type Config struct {
	// ModelName is the name the model is served under ("model" in requests
	// and in /v1/models).
	ModelName string
	Engine    EngineConfig
	// MaxBodyBytes is the largest request body accepted.
	MaxBodyBytes int64
}

// DefaultModelName is the LM's name unless --model-name says otherwise.
const DefaultModelName = "infercost-lm"

// DefaultCompletionMaxTokens is max_tokens for /v1/completions when the
// request does not say (OpenAI's and vLLM's default). Chat completions
// default to the rest of the context window, as vLLM's do.
const DefaultCompletionMaxTokens = 16

// DefaultConfig returns the defaults of `infercost serve --preset lm`.
func DefaultConfig() Config {
	return Config{
		ModelName:    DefaultModelName,
		Engine:       EngineConfig{MaxNumSeqs: 16, MaxNumBatchedTokens: 256, MaxWaiting: 256},
		MaxBodyBytes: 1 << 20,
	}
}

// Validate reports the first setting that is out of range, naming its flag.
func (c Config) Validate() error {
	switch {
	case c.ModelName == "" || strings.ContainsAny(c.ModelName, "?#% \t\n"):
		return fmt.Errorf("--model-name %q: want a non-empty name without '?', '#', '%%' or spaces", c.ModelName)
	case c.MaxBodyBytes < 1:
		return fmt.Errorf("--max-body %d: want >= 1 byte", c.MaxBodyBytes)
	}
	return c.Engine.validate()
}

// Server serves one language model over an OpenAI-compatible HTTP API
// (the endpoints and shapes vLLM serves), with the continuous-batching
// Engine behind it.
type Server struct {
	cfg          Config
	model        *Model
	engine       *Engine
	metrics      *metrics
	http         *http.Server
	handler      http.Handler
	created      int64
	draining     atomic.Bool
	answered     atomic.Uint64 // generation requests answered in full
	shutdownOnce sync.Once
}

// New builds a server for model; its engine starts at once.
func New(cfg Config, model *Model) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if model == nil {
		return nil, errors.New("lmserver: no model")
	}
	s := &Server{cfg: cfg, model: model, metrics: newMetrics(cfg.ModelName), created: time.Now().Unix()}
	engine, err := NewEngine(model, cfg.Engine, s.metrics)
	if err != nil {
		return nil, err
	}
	s.engine = engine
	s.metrics.watch(cfg.ModelName, engine)
	s.handler = s.routes()
	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// Handler returns the HTTP handler of every endpoint.
func (s *Server) Handler() http.Handler { return s.handler }

// Engine returns the scheduler (its gauges are what /metrics reports).
func (s *Server) Engine() *Engine { return s.engine }

// Serve answers requests on l until Shutdown; it returns nil after a
// Shutdown and the listener's error otherwise.
func (s *Server) Serve(l net.Listener) error {
	if err := s.http.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown drains the server: /health turns 503 and new requests are
// refused (503), Serve stops accepting connections, and every request
// accepted, streams included, runs to its end. If ctx ends first, the
// sequences still going are aborted, open connections are closed and
// ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.draining.Store(true)
		s.engine.Close()
	})
	err := s.http.Shutdown(ctx)
	if err == nil {
		select {
		case <-s.engine.Done():
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		s.engine.Abort()
		s.http.Close()
		<-s.engine.Done()
		return fmt.Errorf("drain: %w", err)
	}
	return nil
}

// Stats counts generation requests since start: Accepted got a sequence,
// Answered were answered in full (a client that left is neither).
type Stats struct {
	Accepted, Completed, Answered uint64
}

// Stats returns the request counts.
func (s *Server) Stats() Stats {
	return Stats{Accepted: s.engine.accepted.Load(), Completed: s.engine.completed.Load(), Answered: s.answered.Load()}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, name, method string, h http.HandlerFunc) {
		mux.Handle(pattern, s.metrics.instrument(name, onlyMethod(method, h)))
	}
	route("/health", "health", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			writeError(w, http.StatusServiceUnavailable, "server_error", "", "server is shutting down")
			return
		}
		w.WriteHeader(http.StatusOK) // vLLM answers an empty 200
	})
	route("/version", "version", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"version": version.String()})
	})
	route("/v1/models", "models", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{s.modelCard()}})
	})
	route("/v1/models/{model...}", "model", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		if name := r.PathValue("model"); name != s.cfg.ModelName {
			s.unknownModel(w, name)
			return
		}
		writeJSON(w, http.StatusOK, s.modelCard())
	})
	route("/v1/completions", "completions", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
		s.serveGenerate(w, r, DecodeCompletionRequest)
	})
	route("/v1/chat/completions", "chat_completions", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
		s.serveGenerate(w, r, DecodeChatRequest)
	})
	mux.Handle("/metrics", s.metrics.instrument("metrics", s.metrics.handler()))
	mux.Handle("/", s.metrics.instrument("not_found", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "", fmt.Sprintf("no endpoint %s %s; see /v1/models, /v1/completions, /v1/chat/completions", r.Method, clip(r.URL.Path)))
	})))
	return mux
}

// modelCard is the model's /v1/models entry: OpenAI's fields, vLLM's
// max_model_len, and what infercost knows about the model under
// "infercost".
func (s *Server) modelCard() map[string]any {
	info := s.model.Info()
	return map[string]any{
		"id": s.cfg.ModelName, "object": "model", "created": s.created, "owned_by": "infercost",
		"root": s.cfg.ModelName, "parent": nil, "max_model_len": info.Shape.Context,
		"infercost": map[string]any{
			"preset":                 info.Preset,
			"widened_from":           info.WidenedFrom,
			"architecture":           "decoder-only transformer (pre-LN, learned positions), byte vocabulary + EOS",
			"dim":                    info.Shape.Dim,
			"layers":                 info.Shape.Layers,
			"heads":                  info.Shape.Heads,
			"context":                info.Shape.Context,
			"vocab_size":             VocabSize,
			"parameter_count":        info.ParameterCount,
			"weight_bytes":           info.WeightBytes,
			"training_corpus":        "Isaac Newton, Opticks (Project Gutenberg, public domain)",
			"held_out_loss_nats":     round(info.HeldOutLoss, 4),
			"held_out_perplexity":    round(info.Perplexity, 3),
			"unigram_loss_nats":      round(info.UnigramLoss, 4),
			"held_out_tokens":        info.HeldOutTokens,
			"max_num_seqs":           s.cfg.Engine.MaxNumSeqs,
			"max_num_batched_tokens": s.cfg.Engine.MaxNumBatchedTokens,
			"max_waiting":            s.cfg.Engine.MaxWaiting,
			"kv_cache_bytes":         s.engine.KVCacheBytes(),
			"chat_template":          "each message's content followed by EOS (end of paragraph); the reply is the next paragraph",
			"default_max_tokens":     DefaultCompletionMaxTokens,
			"context_policy": fmt.Sprintf("a prompt over %d tokens is refused (400); generation past the context slides the window, keeping the last %d tokens",
				info.Shape.Context, info.Shape.Context/2),
		},
	}
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

func (s *Server) unknownModel(w http.ResponseWriter, name string) {
	writeErrorCode(w, http.StatusNotFound, "invalid_request_error", "model", "model_not_found",
		fmt.Sprintf("The model `%s` does not exist; this server serves %q.", clip(name), s.cfg.ModelName))
}

// onlyMethod answers 405 with a JSON error to any other method.
func onlyMethod(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", fmt.Sprintf("%s %s: use %s", r.Method, clip(r.URL.Path), method))
			return
		}
		h(w, r)
	}
}

// readBody reads the request body, refusing one over maxBytes.
func readBody(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	if r.ContentLength > maxBytes {
		return nil, fmt.Errorf("request body of %d bytes is over the limit of %d bytes (--max-body)", r.ContentLength, maxBytes)
	}
	var buf bytes.Buffer
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

// clip shortens a string quoted back in an error.
func clip(s string) string {
	if len(s) > quoteLimit {
		return s[:quoteLimit] + "..."
	}
	return s
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":{"message":"encode response","type":"server_error","param":null,"code":null}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n')) //nolint:errcheck // the client may have left
}

// apiError is OpenAI's error shape.
type apiError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, typ, param, msg string) {
	writeErrorCode(w, status, typ, param, "", msg)
}

func writeErrorCode(w http.ResponseWriter, status int, typ, param, code, msg string) {
	var e apiError
	e.Error.Message, e.Error.Type = msg, typ
	if param != "" {
		e.Error.Param = &param
	}
	if code != "" {
		e.Error.Code = &code
	}
	writeJSON(w, status, e)
}
