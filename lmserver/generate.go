package lmserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// serveGenerate answers /v1/completions and /v1/chat/completions: decode
// and check the request, queue it, then stream its tokens as they come
// (stream=true) or answer once it has finished.
func (s *Server) serveGenerate(w http.ResponseWriter, r *http.Request, decode func([]byte) (*Request, error)) {
	if s.draining.Load() {
		writeError(w, http.StatusServiceUnavailable, "server_error", "", "server is shutting down")
		return
	}
	body, err := readBody(w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	req, err := decode(body)
	if err != nil {
		var re *RequestError
		errors.As(err, &re)
		writeError(w, http.StatusBadRequest, "invalid_request_error", re.Param, err.Error())
		return
	}
	if req.Model != "" && req.Model != s.cfg.ModelName {
		s.unknownModel(w, req.Model)
		return
	}
	ctx := s.model.Info().Shape.Context
	promptField := "prompt"
	if req.Chat {
		promptField = "messages"
	}
	if len(req.Prompt) > ctx {
		writeError(w, http.StatusBadRequest, "invalid_request_error", promptField, fmt.Sprintf(
			"%s: the prompt is %d tokens (bytes, plus one end-of-paragraph token per chat message), longer than the model's context window of %d tokens; shorten it (max_tokens may be anything: generation slides its window along)",
			promptField, len(req.Prompt), ctx))
		return
	}
	p := req.Params
	switch p.MaxTokens = req.MaxTokens; {
	case p.MaxTokens > 0:
	case req.Chat:
		p.MaxTokens = max(1, ctx-len(req.Prompt))
	default:
		p.MaxTokens = DefaultCompletionMaxTokens
	}
	if p.MinTokens > p.MaxTokens {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "min_tokens",
			fmt.Sprintf("min_tokens: %d is more than max_tokens (%d, the default)", p.MinTokens, p.MaxTokens))
		return
	}
	seq, err := s.engine.Submit(req.Prompt, p)
	switch {
	case errors.Is(err, ErrQueueFull):
		w.Header().Set("Retry-After", "1")
		writeErrorCode(w, http.StatusServiceUnavailable, "server_error", "", "queue_full", fmt.Sprintf(
			"queue full: %d sequences running and %d waiting (--max-num-seqs %d, --max-waiting %d); retry later",
			s.engine.Running(), s.engine.Waiting(), s.cfg.Engine.MaxNumSeqs, s.cfg.Engine.MaxWaiting))
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "server_error", "", err.Error())
		return
	}
	c := completion{req: req, seq: seq, model: s.cfg.ModelName, created: time.Now().Unix(), id: newID(req.Chat)}
	var answered bool
	if req.Stream {
		answered = c.stream(w, r)
	} else {
		answered = c.wait(w, r)
	}
	if answered {
		s.answered.Add(1)
	}
}

// completion is one generation request being answered.
type completion struct {
	req     *Request
	seq     *Sequence
	model   string
	created int64
	id      string
}

func newID(chat bool) string {
	var b [12]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	if chat {
		return "chatcmpl-" + hex.EncodeToString(b[:])
	}
	return "cmpl-" + hex.EncodeToString(b[:])
}

// usage is OpenAI's token count.
type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	TotalTokens      int `json:"total_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

func (c *completion) usage(out Output) usage {
	return usage{PromptTokens: len(c.req.Prompt), CompletionTokens: out.CompletionTokens, TotalTokens: len(c.req.Prompt) + out.CompletionTokens}
}

// stopReason is vLLM's stop_reason: the stop string that ended the
// completion, or null.
func stopReason(out Output) any {
	if out.StopString != "" {
		return out.StopString
	}
	return nil
}

// wait answers once the completion has finished. It returns whether the
// answer was the completion (not an abort).
func (c *completion) wait(w http.ResponseWriter, r *http.Request) bool {
	var text strings.Builder
	var out Output
	for !out.Finished {
		select {
		case <-c.seq.Ready():
		case <-r.Context().Done():
			c.seq.Cancel()
			return false
		}
		out = c.seq.Take()
		text.WriteString(out.Text)
	}
	if out.FinishReason == FinishAbort {
		writeError(w, http.StatusServiceUnavailable, "server_error", "", "the server shut down before the completion finished")
		return false
	}
	choice := map[string]any{"index": 0, "logprobs": nil, "finish_reason": out.FinishReason, "stop_reason": stopReason(out)}
	object := "text_completion"
	if c.req.Chat {
		object = "chat.completion"
		choice["message"] = map[string]any{"role": "assistant", "content": text.String()}
	} else {
		choice["text"] = text.String()
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": c.id, "object": object, "created": c.created, "model": c.model,
		"choices": []any{choice}, "usage": c.usage(out),
	})
	return true
}

// stream sends the completion as server-sent events, one chunk per batch
// of text taken (a token, unless the client reads slower than the model
// writes), in the shapes OpenAI and vLLM send: chat.completion.chunk with
// choices[0].delta (the first chunk carries the role) or text_completion
// with choices[0].text; then a chunk with the finish_reason, a usage chunk
// with no choices if stream_options.include_usage, and "data: [DONE]". A
// client that disconnects cancels the sequence at once. It returns whether
// the stream ran to its end.
func (c *completion) stream(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	object := "text_completion"
	if c.req.Chat {
		object = "chat.completion.chunk"
	}
	send := func(choices []any, extra map[string]any) bool {
		chunk := map[string]any{"id": c.id, "object": object, "created": c.created, "model": c.model, "choices": choices}
		for k, v := range extra {
			chunk[k] = v
		}
		b, _ := json.Marshal(chunk)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	choice := func(content any, finish any, out Output) map[string]any {
		ch := map[string]any{"index": 0, "logprobs": nil, "finish_reason": finish}
		if finish != nil {
			ch["stop_reason"] = stopReason(out)
		}
		if c.req.Chat {
			ch["delta"] = content
		} else {
			ch["text"] = content
		}
		return ch
	}
	ok := true
	if c.req.Chat {
		ok = send([]any{choice(map[string]any{"role": "assistant", "content": ""}, nil, Output{})}, nil)
	}
	var out Output
	for ok && !out.Finished {
		select {
		case <-c.seq.Ready():
		case <-r.Context().Done():
			ok = false
			continue
		}
		out = c.seq.Take()
		if out.Text == "" {
			continue
		}
		var delta any = out.Text
		if c.req.Chat {
			delta = map[string]any{"content": out.Text}
		}
		ok = send([]any{choice(delta, nil, out)}, nil)
	}
	if !ok {
		c.seq.Cancel()
		return false
	}
	var empty any = ""
	if c.req.Chat {
		empty = map[string]any{}
	}
	ok = send([]any{choice(empty, out.FinishReason, out)}, nil)
	if ok && c.req.IncludeUsage {
		ok = send([]any{}, map[string]any{"usage": c.usage(out)})
	}
	if ok {
		_, err := fmt.Fprint(w, "data: [DONE]\n\n")
		ok = err == nil && rc.Flush() == nil
	}
	return ok && out.FinishReason != FinishAbort
}
