package lmserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestBadRequests: each refusal is 400 in OpenAI's error shape, naming the
// problem; an unknown model is 404.
func TestBadRequests(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 4096
	_, base := startTestServer(t, cfg)
	ctx := testModel(t).Info().Shape.Context
	long := strings.Repeat("x", ctx+1)
	for _, tc := range []struct {
		name, path, body string
		code             int
		want             string
	}{
		{"not JSON", "/v1/completions", `{"prompt": "a",`, 400, "not a JSON object"},
		{"array body", "/v1/chat/completions", `[1,2]`, 400, "not a JSON object"},
		{"empty body", "/v1/completions", ``, 400, "empty request body"},
		{"no prompt", "/v1/completions", `{"max_tokens": 3}`, 400, "prompt: missing"},
		{"empty prompt", "/v1/completions", `{"prompt": ""}`, 400, "prompt: empty"},
		{"two prompts", "/v1/completions", `{"prompt": ["a", "b"]}`, 400, "2 prompts"},
		{"bad token id", "/v1/completions", `{"prompt": [72, 300]}`, 400, "token id 300"},
		{"zero max_tokens", "/v1/completions", `{"prompt": "a", "max_tokens": 0}`, 400, "max_tokens: 0: want at least 1"},
		{"negative max_tokens", "/v1/completions", `{"prompt": "a", "max_tokens": -5}`, 400, "max_tokens: -5"},
		{"string max_tokens", "/v1/completions", `{"prompt": "a", "max_tokens": "10"}`, 400, `max_tokens: want an integer, got "10"`},
		{"fractional max_tokens", "/v1/completions", `{"prompt": "a", "max_tokens": 1.5}`, 400, "max_tokens: want an integer"},
		{"negative max_completion_tokens", "/v1/chat/completions", `{"messages": [{"role":"user","content":"a"}], "max_completion_tokens": -1}`, 400, "max_completion_tokens: -1"},
		{"both max fields", "/v1/chat/completions", `{"messages": [{"role":"user","content":"a"}], "max_completion_tokens": 3, "max_tokens": 3}`, 400, "not both"},
		{"temperature high", "/v1/completions", `{"prompt": "a", "temperature": 2.5}`, 400, "temperature: 2.5: want a number from 0 to 2"},
		{"temperature negative", "/v1/completions", `{"prompt": "a", "temperature": -0.1}`, 400, "temperature: -0.1"},
		{"top_p zero", "/v1/completions", `{"prompt": "a", "top_p": 0}`, 400, "top_p: 0"},
		{"min over max", "/v1/completions", `{"prompt": "a", "max_tokens": 3, "min_tokens": 5}`, 400, "min_tokens: 5"},
		{"min over default max", "/v1/completions", `{"prompt": "a", "min_tokens": 17}`, 400, "more than max_tokens (16"},
		{"n=2", "/v1/completions", `{"prompt": "a", "n": 2}`, 400, "n=2"},
		{"echo", "/v1/completions", `{"prompt": "a", "echo": true}`, 400, "echo"},
		{"logprobs", "/v1/chat/completions", `{"messages": [{"role":"user","content":"a"}], "logprobs": true}`, 400, "log probabilities"},
		{"stop not string", "/v1/completions", `{"prompt": "a", "stop": 5}`, 400, "stop: want a string or an array"},
		{"empty stop", "/v1/completions", `{"prompt": "a", "stop": [""]}`, 400, "stop string 0 has 0 bytes"},
		{"stream_options without stream", "/v1/completions", `{"prompt": "a", "stream_options": {"include_usage": true}}`, 400, "only allowed with stream=true"},
		{"no messages", "/v1/chat/completions", `{"model": "infercost-lm"}`, 400, "messages: missing"},
		{"empty messages", "/v1/chat/completions", `{"messages": []}`, 400, "messages: empty"},
		{"bad role", "/v1/chat/completions", `{"messages": [{"role": "wizard", "content": "a"}]}`, 400, `messages[0].role: "wizard"`},
		{"image part", "/v1/chat/completions", `{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}`, 400, `part of type "image_url"`},
		{"prompt over context", "/v1/completions", `{"prompt": "` + long + `"}`, 400, "prompt is 65 tokens"},
		{"chat over context", "/v1/chat/completions", `{"messages": [{"role": "user", "content": "` + long[:ctx] + `"}]}`, 400, "context window of 64 tokens"},
		{"body too big", "/v1/completions", `{"prompt": "` + strings.Repeat("y", 5000) + `"}`, 400, "over the limit of 4096 bytes"},
		{"unknown model", "/v1/completions", `{"model": "gpt-4", "prompt": "a"}`, 404, "The model `gpt-4` does not exist"},
		{"unknown model chat", "/v1/chat/completions", `{"model": "llama", "messages": [{"role":"user","content":"a"}]}`, 404, "does not exist"},
		{"no such endpoint", "/v1/embeddings", `{}`, 404, "no endpoint POST /v1/embeddings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, raw := post(t, base+tc.path, tc.body)
			var e apiError
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("status %d, body %q is not an error object: %v", code, raw, err)
			}
			if code != tc.code || !strings.Contains(e.Error.Message, tc.want) || e.Error.Type != "invalid_request_error" {
				t.Errorf("status %d, error %+v; want %d with a message containing %q", code, e.Error, tc.code, tc.want)
			}
		})
	}

	// Unknown fields are ignored, and null is the same as absent.
	code, raw := post(t, base+"/v1/completions", `{"prompt": "a", "max_tokens": 2, "frobnicate": {"x": 1}, "stop": null, "user": "me"}`)
	if code != http.StatusOK {
		t.Errorf("unknown fields: %d %s", code, raw)
	}
	// max_tokens far beyond the context window is served: the window slides.
	r := generate(t, base, "/v1/completions", map[string]any{"prompt": long[:ctx], "max_tokens": 3 * ctx, "ignore_eos": true, "temperature": 0.7})
	if r.Usage.CompletionTokens != 3*ctx || r.Usage.PromptTokens != ctx || r.Choices[0].FinishReason != FinishLength {
		t.Errorf("max_tokens %d over a full context: usage %+v, finish %q", 3*ctx, r.Usage, r.Choices[0].FinishReason)
	}
}
