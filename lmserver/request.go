package lmserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
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

// fields is a request body split into its top-level members. Members this
// server does not know are ignored, as OpenAI's API allows; a JSON null is
// the same as an absent member.
type fields map[string]json.RawMessage

func parseObject(body []byte) (fields, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &RequestError{Msg: "empty request body: want a JSON object"}
	}
	var f fields
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, &RequestError{Msg: "request body is not a JSON object: " + jsonProblem(err)}
	}
	if f == nil {
		return nil, &RequestError{Msg: "request body is null: want a JSON object"}
	}
	for k, v := range f {
		if string(v) == "null" {
			delete(f, k)
		}
	}
	return f, nil
}

// jsonProblem words a JSON error without Go type names.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("got a JSON %s where an object was expected", typ.Value)
	}
	return err.Error()
}

func (f fields) has(name string) bool { _, ok := f[name]; return ok }

func (f fields) str(name string) (string, bool, error) {
	raw, ok := f[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, badField(name, "want a string, got %s", quote(raw))
	}
	return s, true, nil
}

func (f fields) boolean(name string) (bool, error) {
	raw, ok := f[name]
	if !ok {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, badField(name, "want true or false, got %s", quote(raw))
	}
	return b, nil
}

// integer reads a whole number (1e3 and 10.0 are accepted, 1.5 is not).
func (f fields) integer(name string) (int64, bool, error) {
	raw, ok := f[name]
	if !ok {
		return 0, false, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return 0, true, badField(name, "want an integer, got %s", quote(raw))
	}
	return int64(v), true, nil
}

func (f fields) number(name string) (float64, bool, error) {
	raw, ok := f[name]
	if !ok {
		return 0, false, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, true, badField(name, "want a number, got %s", quote(raw))
	}
	return v, true, nil
}

// quote shows a piece of the request in an error, clipped.
func quote(raw []byte) string {
	s := string(raw)
	if len(s) > quoteLimit {
		cut := quoteLimit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

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

// Message is one chat message.
type Message struct {
	Role    string
	Content string
}

var knownRoles = []string{"system", "developer", "user", "assistant", "tool"}

// decodeMessages reads the chat messages: content is a string or an array
// of {"type": "text", "text": ...} parts.
func decodeMessages(raw json.RawMessage) ([]Message, error) {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badField("messages", "want an array of {role, content} objects, got %s", quote(raw))
	}
	if len(list) == 0 {
		return nil, badField("messages", "empty: want at least one message")
	}
	if len(list) > maxMessages {
		return nil, badField("messages", "%d messages: want at most %d", len(list), maxMessages)
	}
	out := make([]Message, len(list))
	for i, m := range list {
		name := fmt.Sprintf("messages[%d]", i)
		var role string
		if err := json.Unmarshal(m["role"], &role); err != nil {
			return nil, badField(name+".role", "want one of %s, got %s", strings.Join(knownRoles, ", "), quote(m["role"]))
		}
		if !isKnownRole(role) {
			return nil, badField(name+".role", "%q: want one of %s", role, strings.Join(knownRoles, ", "))
		}
		content, err := decodeContent(name+".content", m["content"])
		if err != nil {
			return nil, err
		}
		out[i] = Message{Role: role, Content: content}
	}
	return out, nil
}

func isKnownRole(r string) bool {
	for _, k := range knownRoles {
		if r == k {
			return true
		}
	}
	return false
}

func decodeContent(name string, raw json.RawMessage) (string, error) {
	if raw == nil || string(raw) == "null" {
		return "", nil // an assistant message with tool calls has none
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", badField(name, "want a string or an array of text parts, got %s", quote(raw))
	}
	var b strings.Builder
	for j, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return "", badField(fmt.Sprintf("%s[%d]", name, j), "part of type %q: only text parts are supported", p.Type)
		}
		b.WriteString(*p.Text)
	}
	return b.String(), nil
}

// RenderChat is the chat template. The model is a continuation model of
// Newton's Opticks, which has paragraphs but no speakers, so each message's
// content becomes a paragraph (its bytes followed by EOS, the end of a
// paragraph) whatever its role, and the reply is the next paragraph: it
// ends when the model writes EOS (finish_reason "stop").
//
//	[system, user, ...]  ->  content₁ EOS content₂ EOS ... contentₙ EOS
func RenderChat(msgs []Message) []int32 {
	var out []int32
	for _, m := range msgs {
		out = append(out, Encode(m.Content)...)
		out = append(out, EOS)
	}
	return out
}
