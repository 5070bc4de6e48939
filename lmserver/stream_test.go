package lmserver

import (
	"strings"
	"testing"
)

func TestStreamChatShapes(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	body := map[string]any{
		"messages":   []map[string]string{{"role": "user", "content": "Of the Refraction of Light"}},
		"max_tokens": 25, "seed": 3, "ignore_eos": true,
	}
	whole := generate(t, base, "/v1/chat/completions", body)

	body["stream"] = true
	body["stream_options"] = map[string]any{"include_usage": true}
	s := openStream(t, base+"/v1/chat/completions", body)
	defer s.close()
	chunks := s.readAll(t)
	if len(chunks) < 4 {
		t.Fatalf("%d chunks", len(chunks))
	}
	var text strings.Builder
	for i, c := range chunks {
		if c.Object != "chat.completion.chunk" || c.ID != chunks[0].ID || !strings.HasPrefix(c.ID, "chatcmpl-") || c.Model != DefaultModelName {
			t.Fatalf("chunk %d: %+v", i, c)
		}
		last := i == len(chunks)-1
		switch {
		case last: // the usage chunk: no choices
			if len(c.Choices) != 0 || c.Usage == nil {
				t.Fatalf("last chunk %+v, want usage and no choices", c)
			}
			if *c.Usage != whole.Usage {
				t.Errorf("streamed usage %+v, non-streamed %+v", *c.Usage, whole.Usage)
			}
			continue
		case len(c.Choices) != 1 || c.Choices[0].Delta == nil || c.Usage != nil:
			t.Fatalf("chunk %d: %+v", i, c)
		}
		d := c.Choices[0].Delta
		switch {
		case i == 0:
			if d.Role == nil || *d.Role != "assistant" || d.Content == nil || *d.Content != "" || c.Choices[0].FinishReason != nil {
				t.Errorf("first chunk %+v: want the role and empty content", c)
			}
		case i == len(chunks)-2:
			if fr := c.Choices[0].FinishReason; fr == nil || *fr != FinishLength || d.Content != nil {
				t.Errorf("finish chunk %+v", c)
			}
		default:
			if d.Content == nil || *d.Content == "" || c.Choices[0].FinishReason != nil {
				t.Errorf("content chunk %d: %+v", i, c)
			}
			text.WriteString(*d.Content)
		}
	}
	if text.String() != whole.text() {
		t.Errorf("streamed %q, non-streamed (same seed) %q", text.String(), whole.text())
	}
}

func TestStreamCompletionShapes(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	s := openStream(t, base+"/v1/completions", map[string]any{"prompt": "Prop. I", "max_tokens": 12, "temperature": 0, "ignore_eos": true, "stream": true})
	defer s.close()
	chunks := s.readAll(t)
	var text strings.Builder
	for i, c := range chunks {
		if c.Object != "text_completion" || !strings.HasPrefix(c.ID, "cmpl-") || len(c.Choices) != 1 || c.Choices[0].Text == nil || c.Usage != nil {
			t.Fatalf("chunk %d: %+v", i, c)
		}
		if fr := c.Choices[0].FinishReason; (fr != nil) != (i == len(chunks)-1) {
			t.Errorf("chunk %d of %d: finish_reason %v", i, len(chunks), fr)
		}
		text.WriteString(*c.Choices[0].Text)
	}
	want := generate(t, base, "/v1/completions", map[string]any{"prompt": "Prop. I", "max_tokens": 12, "temperature": 0, "ignore_eos": true}).text()
	if text.String() != want {
		t.Errorf("streamed %q, non-streamed %q", text.String(), want)
	}
	// One chunk per token here (the test reads as fast as tokens come, and
	// every byte of this corpus-like text is a character).
	if len(chunks) < 2 {
		t.Errorf("%d chunks for 12 tokens", len(chunks))
	}
}
