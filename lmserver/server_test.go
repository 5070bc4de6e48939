package lmserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestModelsHealthAndVersion(t *testing.T) {
	srv, base := startTestServer(t, DefaultConfig())
	info := testModel(t).Info()

	resp, err := http.Get(base + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/health: %v %v", resp, err)
	}
	resp.Body.Close()

	var list struct {
		Object string           `json:"object"`
		Data   []map[string]any `json:"data"`
	}
	resp, err = http.Get(base + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if list.Object != "list" || len(list.Data) != 1 {
		t.Fatalf("/v1/models: %+v", list)
	}
	card := list.Data[0]
	if card["id"] != DefaultModelName || card["object"] != "model" || card["max_model_len"] != float64(info.Shape.Context) {
		t.Errorf("model card %v", card)
	}
	ic, _ := card["infercost"].(map[string]any)
	for key, want := range map[string]any{
		"preset":          info.Preset,
		"parameter_count": float64(info.ParameterCount),
		"max_num_seqs":    float64(16),
		"kv_cache_bytes":  float64(srv.Engine().KVCacheBytes()),
	} {
		if ic[key] != want {
			t.Errorf("infercost[%q] = %v, want %v", key, ic[key], want)
		}
	}
	if loss, _ := ic["held_out_loss_nats"].(float64); loss <= 0 || loss > ic["unigram_loss_nats"].(float64)-MinGainOverUnigram {
		t.Errorf("held-out loss %v, unigram %v", ic["held_out_loss_nats"], ic["unigram_loss_nats"])
	}
	if code, _ := post(t, base+"/v1/models", "{}"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /v1/models: %d, want 405", code)
	}
	resp, _ = http.Get(base + "/v1/models/" + DefaultModelName)
	if resp.StatusCode != 200 {
		t.Errorf("GET /v1/models/%s: %d", DefaultModelName, resp.StatusCode)
	}
	resp.Body.Close()
	resp, _ = http.Get(base + "/v1/models/gpt-4")
	if resp.StatusCode != 404 {
		t.Errorf("GET /v1/models/gpt-4: %d, want 404", resp.StatusCode)
	}
	resp.Body.Close()
}

func TestCompletionAndChat(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())

	r := generate(t, base, "/v1/completions", map[string]any{
		"model": DefaultModelName, "prompt": "Light is", "max_tokens": 20, "temperature": 0, "ignore_eos": true,
	})
	if r.Object != "text_completion" || !strings.HasPrefix(r.ID, "cmpl-") || r.Model != DefaultModelName || len(r.Choices) != 1 {
		t.Fatalf("completion %+v", r)
	}
	if r.Choices[0].FinishReason != FinishLength || r.Usage != (usage{PromptTokens: 8, CompletionTokens: 20, TotalTokens: 28}) {
		t.Errorf("finish %q, usage %+v; want length, 8+20 tokens", r.Choices[0].FinishReason, r.Usage)
	}
	if got := r.text(); len(got) == 0 || !utf8Valid(got) {
		t.Errorf("text %q", got)
	}
	t.Logf("greedy continuation of %q: %q", "Light is", r.text())

	// Greedy decoding is deterministic: the same answer again.
	again := generate(t, base, "/v1/completions", map[string]any{"prompt": "Light is", "max_tokens": 20, "temperature": 0, "ignore_eos": true})
	if again.text() != r.text() {
		t.Errorf("greedy answers differ: %q then %q", r.text(), again.text())
	}

	// The default max_tokens of a completion is 16.
	d := generate(t, base, "/v1/completions", map[string]any{"prompt": "The Rays", "ignore_eos": true})
	if d.Usage.CompletionTokens != DefaultCompletionMaxTokens {
		t.Errorf("default completion: %d tokens, want %d", d.Usage.CompletionTokens, DefaultCompletionMaxTokens)
	}

	c := generate(t, base, "/v1/chat/completions", map[string]any{
		"model": DefaultModelName, "max_completion_tokens": 30, "seed": 7,
		"messages": []map[string]any{
			{"role": "system", "content": "You are Newton."},
			{"role": "user", "content": []map[string]string{{"type": "text", "text": "Of "}, {"type": "text", "text": "Colours"}}},
		},
	})
	if c.Object != "chat.completion" || !strings.HasPrefix(c.ID, "chatcmpl-") || c.Choices[0].Message == nil || c.Choices[0].Message.Role != "assistant" {
		t.Fatalf("chat %+v", c)
	}
	// Prompt: "You are Newton." EOS "Of Colours" EOS.
	if c.Usage.PromptTokens != 15+1+10+1 || c.Usage.CompletionTokens < 1 || c.Usage.CompletionTokens > 30 {
		t.Errorf("chat usage %+v", c.Usage)
	}
	if fr := c.Choices[0].FinishReason; fr != FinishStop && fr != FinishLength {
		t.Errorf("chat finish_reason %q", fr)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestSeedReproducible: the same seed gives the same sampled text, whether
// the request runs alone or batched with others.
func TestSeedReproducible(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	body := map[string]any{"prompt": "of the Colours", "max_tokens": 40, "temperature": 1, "top_p": 0.9, "seed": 42, "ignore_eos": true}
	alone := generate(t, base, "/v1/completions", body).text()

	results := make(chan string, 6)
	for i := range 6 {
		go func() {
			b := map[string]any{"prompt": "of the Colours", "max_tokens": 40, "temperature": 1, "top_p": 0.9, "seed": 42, "ignore_eos": true}
			if i%2 == 1 { // others, different, in the same batches
				b = map[string]any{"prompt": fmt.Sprintf("Prop. %d", i), "max_tokens": 60, "temperature": 0.8, "ignore_eos": true}
			}
			code, raw := post(t, base+"/v1/completions", b)
			var r completionResponse
			if code != 200 || json.Unmarshal(raw, &r) != nil {
				results <- fmt.Sprintf("status %d: %s", code, raw)
				return
			}
			if i%2 == 1 {
				results <- alone
				return
			}
			results <- r.text()
		}()
	}
	for range 6 {
		if got := <-results; got != alone {
			t.Errorf("seed 42 batched: %q, alone: %q", got, alone)
		}
	}
}

func TestStopStrings(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	// Find what greedy decoding writes, then stop on a piece of it.
	full := generate(t, base, "/v1/completions", map[string]any{"prompt": "the Light", "max_tokens": 40, "temperature": 0, "ignore_eos": true}).text()
	if len(full) < 12 {
		t.Fatalf("greedy text %q too short to cut", full)
	}
	stop := full[8:11]
	want := full[:strings.Index(full, stop)]
	r := generate(t, base, "/v1/completions", map[string]any{"prompt": "the Light", "max_tokens": 40, "temperature": 0, "ignore_eos": true, "stop": []string{"\x00never", stop}})
	if r.text() != want || r.Choices[0].FinishReason != FinishStop || r.Choices[0].StopReason == nil || *r.Choices[0].StopReason != stop {
		t.Errorf("stop %q: text %q, finish %q, stop_reason %v; want %q, stop", stop, r.text(), r.Choices[0].FinishReason, r.Choices[0].StopReason, want)
	}
	// Streamed, the text that arrives is the same: nothing of the stop
	// string leaks out before the match is known.
	s := openStream(t, base+"/v1/completions", map[string]any{"prompt": "the Light", "max_tokens": 40, "temperature": 0, "ignore_eos": true, "stop": stop, "stream": true})
	defer s.close()
	var got strings.Builder
	for _, c := range s.readAll(t) {
		if len(c.Choices) == 1 && c.Choices[0].Text != nil {
			got.WriteString(*c.Choices[0].Text)
		}
	}
	if got.String() != want {
		t.Errorf("streamed with stop %q: %q, want %q", stop, got.String(), want)
	}
	// min_tokens holds the stop string off until enough tokens were written.
	m := generate(t, base, "/v1/completions", map[string]any{"prompt": "the Light", "max_tokens": 40, "min_tokens": 40, "temperature": 0, "ignore_eos": true, "stop": stop})
	if m.Usage.CompletionTokens != 40 || m.text() != full {
		t.Errorf("min_tokens 40 with stop %q: %d tokens %q, want all of %q", stop, m.Usage.CompletionTokens, m.text(), full)
	}
}

// TestModelNameWithSlash: vLLM serves models by names like "org/model";
// such a name works in requests and in /v1/models/{model}.
func TestModelNameWithSlash(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ModelName = "infercost/opticks-lm"
	_, base := startTestServer(t, cfg)
	resp, err := http.Get(base + "/v1/models/infercost/opticks-lm")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/models/infercost/opticks-lm: %v %v", resp, err)
	}
	resp.Body.Close()
	r := generate(t, base, "/v1/completions", map[string]any{"model": "infercost/opticks-lm", "prompt": "Light", "max_tokens": 3})
	if r.Model != "infercost/opticks-lm" || r.Usage.CompletionTokens < 1 {
		t.Errorf("completion %+v", r)
	}
	if code, _ := post(t, base+"/v1/completions", `{"model": "infercost-lm", "prompt": "a"}`); code != 404 {
		t.Errorf("the default name on a renamed model: %d, want 404", code)
	}
}
