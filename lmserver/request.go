package lmserver

import (
	"encoding/json"
	"fmt"
	"math"
)

// Request is a decoded and checked /v1/completions or /v1/chat/completions
// request.
type Request struct {
	// Chat says which endpoint it came from.
	Chat bool
	// Model is the "model" asked for ("" when absent: the served model).
	Model string
	// Prompt is the prompt as tokens: the text's bytes, or for chat the
	// rendered messages (see RenderChat).
	Prompt []int32
	// MaxTokens is max_tokens (or max_completion_tokens); 0 when absent,
	// and the server applies its default.
	MaxTokens int
	Params    SamplingParams
	Stream    bool
	// IncludeUsage asks for a last chunk with the usage
	// (stream_options.include_usage).
	IncludeUsage bool
}

// RequestError is a request the server refuses with 400; Msg says what is
// wrong and Param names the field, when one is to blame.
type RequestError struct {
	Msg   string
	Param string
}

func (e *RequestError) Error() string { return e.Msg }

func badField(param, format string, args ...any) error {
	return &RequestError{Msg: param + ": " + fmt.Sprintf(format, args...), Param: param}
}

// Limits on what a request may ask.
const (
	maxStopStrings = 8
	maxStopLength  = 256
	maxMessages    = 1024
	quoteLimit     = 40 // longest piece of a request quoted back in an error
)

// DecodeCompletionRequest decodes and checks a /v1/completions body. The
// prompt is a string, a one-string array, an array of token ids (0..256)
// or a one-array array of them.
func DecodeCompletionRequest(body []byte) (*Request, error) {
	f, err := parseObject(body)
	if err != nil {
		return nil, err
	}
	req := &Request{}
	raw, ok := f["prompt"]
	if !ok {
		return nil, badField("prompt", "missing: want a string")
	}
	if req.Prompt, err = decodePrompt(raw); err != nil {
		return nil, err
	}
	if len(req.Prompt) == 0 {
		return nil, badField("prompt", "empty: want at least one token")
	}
	if echo, err := f.boolean("echo"); err != nil || echo {
		return nil, orBad(err, "echo", "echo=true is not supported")
	}
	if f.has("logprobs") {
		return nil, badField("logprobs", "log probabilities are not supported")
	}
	if err := decodeCommon(f, req, "max_tokens"); err != nil {
		return nil, err
	}
	return req, nil
}

// DecodeChatRequest decodes and checks a /v1/chat/completions body and
// renders its messages into the prompt (see RenderChat).
func DecodeChatRequest(body []byte) (*Request, error) {
	f, err := parseObject(body)
	if err != nil {
		return nil, err
	}
	req := &Request{Chat: true}
	raw, ok := f["messages"]
	if !ok {
		return nil, badField("messages", "missing: want an array of {role, content}")
	}
	msgs, err := decodeMessages(raw)
	if err != nil {
		return nil, err
	}
	req.Prompt = RenderChat(msgs)
	if lp, err := f.boolean("logprobs"); err != nil || lp {
		return nil, orBad(err, "logprobs", "log probabilities are not supported")
	}
	if f.has("top_logprobs") {
		return nil, badField("top_logprobs", "log probabilities are not supported")
	}
	field := "max_tokens"
	if f.has("max_completion_tokens") {
		if f.has("max_tokens") {
			return nil, badField("max_completion_tokens", "give max_completion_tokens or max_tokens, not both")
		}
		field = "max_completion_tokens"
	}
	if err := decodeCommon(f, req, field); err != nil {
		return nil, err
	}
	return req, nil
}

func orBad(err error, param, msg string) error {
	if err != nil {
		return err
	}
	return badField(param, "%s", msg)
}

// decodeCommon reads the members both endpoints share.
func decodeCommon(f fields, req *Request, maxTokensField string) error {
	var err error
	if req.Model, _, err = f.str("model"); err != nil {
		return err
	}
	if n, ok, err := f.integer("n"); err != nil || (ok && n != 1) {
		return orBad(err, "n", fmt.Sprintf("n=%d: only one choice per request is supported", n))
	}
	if n, ok, err := f.integer("best_of"); err != nil || (ok && n != 1) {
		return orBad(err, "best_of", fmt.Sprintf("best_of=%d: only 1 is supported", n))
	}
	if n, ok, err := f.integer(maxTokensField); err != nil {
		return err
	} else if ok {
		if n < 1 {
			return badField(maxTokensField, "%d: want at least 1", n)
		}
		req.MaxTokens = int(min(n, math.MaxInt32))
	}
	p := &req.Params
	p.Temperature, p.TopP = 1, 1
	if v, ok, err := f.number("temperature"); err != nil {
		return err
	} else if ok {
		if !(v >= 0 && v <= 2) {
			return badField("temperature", "%g: want a number from 0 to 2", v)
		}
		p.Temperature = v
	}
	if v, ok, err := f.number("top_p"); err != nil {
		return err
	} else if ok {
		if !(v > 0 && v <= 1) {
			return badField("top_p", "%g: want a number above 0, at most 1", v)
		}
		p.TopP = v
	}
	if v, ok, err := f.integer("seed"); err != nil {
		return err
	} else if ok {
		seed := uint64(v)
		p.Seed = &seed
	}
	if v, ok, err := f.integer("min_tokens"); err != nil {
		return err
	} else if ok {
		if v < 0 || (req.MaxTokens > 0 && v > int64(req.MaxTokens)) {
			return badField("min_tokens", "%d: want 0..max_tokens (%d)", v, req.MaxTokens)
		}
		p.MinTokens = int(v)
	}
	if p.IgnoreEOS, err = f.boolean("ignore_eos"); err != nil {
		return err
	}
	if p.Stop, err = decodeStop(f["stop"]); err != nil {
		return err
	}
	if req.Stream, err = f.boolean("stream"); err != nil {
		return err
	}
	if raw, ok := f["stream_options"]; ok {
		if !req.Stream {
			return badField("stream_options", "only allowed with stream=true")
		}
		var opts map[string]json.RawMessage
		if err := json.Unmarshal(raw, &opts); err != nil {
			return badField("stream_options", "want an object, got %s", quote(raw))
		}
		if iu, ok := opts["include_usage"]; ok && string(iu) != "null" {
			if err := json.Unmarshal(iu, &req.IncludeUsage); err != nil {
				return badField("stream_options.include_usage", "want true or false, got %s", quote(iu))
			}
		}
	}
	return nil
}

// decodeStop reads stop: a string or an array of strings.
func decodeStop(raw json.RawMessage) ([]string, error) {
	if raw == nil {
		return nil, nil
	}
	var one string
	var stops []string
	if err := json.Unmarshal(raw, &one); err == nil {
		stops = []string{one}
	} else if err := json.Unmarshal(raw, &stops); err != nil {
		return nil, badField("stop", "want a string or an array of strings, got %s", quote(raw))
	}
	if len(stops) > maxStopStrings {
		return nil, badField("stop", "%d stop strings: want at most %d", len(stops), maxStopStrings)
	}
	for i, s := range stops {
		if s == "" || len(s) > maxStopLength {
			return nil, badField("stop", "stop string %d has %d bytes: want 1..%d", i, len(s), maxStopLength)
		}
	}
	return stops, nil
}

// decodePrompt reads a completions prompt.
func decodePrompt(raw json.RawMessage) ([]int32, error) {
	var text string
	if err := json.Unmarshal(raw, &text); err == nil {
		return Encode(text), nil
	}
	var texts []string
	if err := json.Unmarshal(raw, &texts); err == nil {
		if len(texts) != 1 {
			return nil, badField("prompt", "%d prompts: only one prompt per request is supported", len(texts))
		}
		return Encode(texts[0]), nil
	}
	var ids []int64
	if err := json.Unmarshal(raw, &ids); err != nil {
		var batch [][]int64
		if err := json.Unmarshal(raw, &batch); err != nil {
			return nil, badField("prompt", "want a string, or an array of token ids, got %s", quote(raw))
		}
		if len(batch) != 1 {
			return nil, badField("prompt", "%d prompts: only one prompt per request is supported", len(batch))
		}
		ids = batch[0]
	}
	out := make([]int32, len(ids))
	for i, id := range ids {
		if id < 0 || id >= VocabSize {
			return nil, badField("prompt", "token id %d at %d: want 0..%d (bytes, and %d for the end of a paragraph)", id, i, VocabSize-1, EOS)
		}
		out[i] = int32(id)
	}
	return out, nil
}
