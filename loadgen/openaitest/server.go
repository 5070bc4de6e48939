// Package openaitest is an OpenAI-compatible streaming server for tests:
// its time to first token and inter-token latency are dialled, so what a
// client measures can be checked against what the server was built to do,
// and its faults (a stream cut short, garbage, error events, refusals) are
// switched on per request. It does no inference.
package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"
)

// Fault is what the server does wrong with one request.
type Fault int

// Faults.
const (
	FaultNone Fault = iota
	// FaultCut closes the connection after half the tokens, without [DONE].
	FaultCut
	// FaultGarbage sends an event whose data is not JSON.
	FaultGarbage
	// FaultErrorEvent sends an error object in the stream after one token.
	FaultErrorEvent
	// FaultTooMany answers 429; FaultUnavailable answers 503.
	FaultTooMany
	FaultUnavailable
	// FaultEndEarly stops generating after half the tokens but ends the
	// stream properly (usage and [DONE]): a server that ignored min_tokens.
	FaultEndEarly
)

// Config dials the server.
type Config struct {
	// Models are the ids GET /v1/models lists (default "test-llm").
	Models []string
	// TTFT is the time from a request's arrival to its first token; ITL
	// the time between tokens. Token k (from 0) is sent at arrival + TTFT
	// + k x ITL, so the gaps do not drift.
	TTFT, ITL time.Duration
	// TokensPerWord and TemplateTokens define the prompt's token count in
	// usage: TemplateTokens + TokensPerWord x words (defaults 1 and 0).
	TokensPerWord  float64
	TemplateTokens int
	// NoUsage leaves the usage object out, even when asked for.
	NoUsage bool
	// RefuseExtraParams answers 400 to ignore_eos and min_tokens, as
	// OpenAI's own API does.
	RefuseExtraParams bool
	// Fault, when set, says what to do wrong with request n (1-based,
	// counting generation requests only).
	Fault func(n int64) Fault
}

// Server is a running test server.
type Server struct {
	*httptest.Server
	cfg Config
	n   atomic.Int64
	// Active counts streams being sent.
	Active atomic.Int64
	// MaxActive is the most streams sent at once.
	MaxActive atomic.Int64
}

// NewServer starts a server on a loopback port; Close it when done.
func NewServer(cfg Config) *Server {
	if len(cfg.Models) == 0 {
		cfg.Models = []string{"test-llm"}
	}
	if cfg.TokensPerWord == 0 {
		cfg.TokensPerWord = 1
	}
	s := &Server{cfg: cfg}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Requests counts the generation requests received.
func (s *Server) Requests() int64 { return s.n.Load() }

type request struct {
	Model     string `json:"model"`
	MaxTokens *int   `json:"max_tokens"`
	Stream    bool   `json:"stream"`
	Prompt    string `json:"prompt"`
	Messages  []struct {
		Content string `json:"content"`
	} `json:"messages"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	IgnoreEOS *bool `json:"ignore_eos"`
	MinTokens *int  `json:"min_tokens"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
		var data []map[string]any
		for _, m := range s.cfg.Models {
			data = append(data, map[string]any{"id": m, "object": "model", "owned_by": "openaitest", "max_model_len": 4096})
		}
		writeJSON(w, 200, map[string]any{"object": "list", "data": data})
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		w.WriteHeader(200)
	case r.Method == http.MethodPost && (r.URL.Path == "/v1/chat/completions" || r.URL.Path == "/v1/completions"):
		s.generate(w, r, r.URL.Path == "/v1/chat/completions")
	default:
		writeError(w, 404, "no route "+r.URL.Path)
	}
}

func (s *Server) generate(w http.ResponseWriter, r *http.Request, chat bool) {
	arrived := time.Now()
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, 400, "bad JSON: "+err.Error())
		return
	}
	if !s.serves(req.Model) {
		writeError(w, 404, fmt.Sprintf("The model `%s` does not exist.", req.Model))
		return
	}
	if s.cfg.RefuseExtraParams && (req.IgnoreEOS != nil || req.MinTokens != nil) {
		writeError(w, 400, "Unrecognized request argument supplied: ignore_eos")
		return
	}
	n := s.n.Add(1)
	fault := FaultNone
	if s.cfg.Fault != nil {
		fault = s.cfg.Fault(n)
	}
	switch fault {
	case FaultTooMany:
		writeError(w, 429, "rate limited")
		return
	case FaultUnavailable:
		writeError(w, 503, "overloaded")
		return
	}
	tokens := 16
	if req.MaxTokens != nil {
		tokens = *req.MaxTokens
	}
	text := req.Prompt
	for _, m := range req.Messages {
		text += " " + m.Content
	}
	promptTokens := s.cfg.TemplateTokens + int(s.cfg.TokensPerWord*float64(len(strings.Fields(text)))+0.5)
	if !req.Stream {
		time.Sleep(time.Until(arrived.Add(s.cfg.TTFT + time.Duration(max(tokens-1, 0))*s.cfg.ITL)))
		writeJSON(w, 200, map[string]any{"object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": strings.Repeat("tok ", tokens)}}},
			"usage":   usage(promptTokens, tokens)})
		return
	}
	s.stream(w, req, chat, arrived, tokens, promptTokens, fault)
}

func (s *Server) stream(w http.ResponseWriter, req request, chat bool, arrived time.Time, tokens, promptTokens int, fault Fault) {
	cur := s.Active.Add(1)
	defer s.Active.Add(-1)
	for m := s.MaxActive.Load(); cur > m && !s.MaxActive.CompareAndSwap(m, cur); m = s.MaxActive.Load() {
	}
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	send := func(v any) bool {
		b, _ := json.Marshal(v)
		_, err := fmt.Fprintf(w, "data: %s\n\n", b)
		flusher.Flush()
		return err == nil
	}
	if chat {
		send(chunk(req.Model, true, map[string]any{"role": "assistant", "content": ""}, nil))
	}
	emitted := 0
	for k := 0; k < tokens; k++ {
		switch {
		case fault == FaultCut && k == tokens/2:
			panic(http.ErrAbortHandler) // the connection closes mid-stream
		case fault == FaultGarbage && k == 1:
			fmt.Fprint(w, "data: {this is not json\n\n")
			flusher.Flush()
			return
		case fault == FaultErrorEvent && k == 1:
			send(map[string]any{"error": map[string]any{"message": "out of KV cache", "type": "server_error", "code": 500}})
			return
		case fault == FaultEndEarly && k == tokens/2:
			k = tokens // stop generating
			continue
		}
		time.Sleep(time.Until(arrived.Add(s.cfg.TTFT + time.Duration(k)*s.cfg.ITL)))
		var ok bool
		if chat {
			ok = send(chunk(req.Model, true, map[string]any{"content": "tok "}, nil))
		} else {
			ok = send(chunk(req.Model, false, "tok ", nil))
		}
		if !ok {
			return // the client went away
		}
		emitted++
	}
	if chat {
		send(chunk(req.Model, true, map[string]any{}, "length"))
	} else {
		send(chunk(req.Model, false, "", "length"))
	}
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage && !s.cfg.NoUsage {
		send(map[string]any{"object": "chat.completion.chunk", "model": req.Model, "choices": []any{}, "usage": usage(promptTokens, emitted)})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	flusher.Flush()
}

func (s *Server) serves(model string) bool {
	for _, m := range s.cfg.Models {
		if m == model {
			return true
		}
	}
	return false
}

func chunk(model string, chat bool, content any, finish any) map[string]any {
	choice := map[string]any{"index": 0, "finish_reason": finish}
	object := "text_completion"
	if chat {
		choice["delta"], object = content, "chat.completion.chunk"
	} else {
		choice["text"] = content
	}
	return map[string]any{"id": "cmpl-test", "object": object, "model": model, "choices": []any{choice}}
}

func usage(prompt, completion int) map[string]int {
	return map[string]int{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client may have gone
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": code}})
}
