package lmserver

import (
	"errors"
	"testing"
)

// checkDecoded holds for every request a decoder accepts or refuses: a
// refusal is a *RequestError with a message; an accepted request holds
// only what the engine can run (the server still checks the prompt against
// the context and applies the max_tokens default).
func checkDecoded(t *testing.T, req *Request, err error) {
	if err != nil {
		var re *RequestError
		if !errors.As(err, &re) || re.Msg == "" {
			t.Fatalf("refusal %v (%T) is not a *RequestError with a message", err, err)
		}
		return
	}
	if len(req.Prompt) == 0 {
		t.Fatal("accepted an empty prompt")
	}
	for i, tok := range req.Prompt {
		if tok < 0 || tok >= VocabSize {
			t.Fatalf("prompt token %d = %d", i, tok)
		}
	}
	p := req.Params
	switch {
	case req.MaxTokens < 0:
		t.Fatalf("max_tokens %d", req.MaxTokens)
	case p.MinTokens < 0 || (req.MaxTokens > 0 && p.MinTokens > req.MaxTokens):
		t.Fatalf("min_tokens %d with max_tokens %d", p.MinTokens, req.MaxTokens)
	case !(p.Temperature >= 0 && p.Temperature <= 2):
		t.Fatalf("temperature %v", p.Temperature)
	case !(p.TopP > 0 && p.TopP <= 1):
		t.Fatalf("top_p %v", p.TopP)
	case len(p.Stop) > maxStopStrings:
		t.Fatalf("%d stop strings", len(p.Stop))
	case req.IncludeUsage && !req.Stream:
		t.Fatal("include_usage without stream")
	}
	for _, s := range p.Stop {
		if s == "" || len(s) > maxStopLength {
			t.Fatalf("stop string of %d bytes", len(s))
		}
	}
}

// FuzzDecodeCompletionRequest: no body makes the decoder panic or accept
// what the engine cannot run. Seeds: testdata/fuzz/FuzzDecodeCompletionRequest.
func FuzzDecodeCompletionRequest(f *testing.F) {
	f.Add([]byte(`{"model":"infercost-lm","prompt":"Light","max_tokens":8,"temperature":0.7,"top_p":0.9,"seed":1,"stop":["."],"stream":true,"stream_options":{"include_usage":true}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeCompletionRequest(body)
		checkDecoded(t, req, err)
		if err == nil && req.Chat {
			t.Fatal("a completion request decoded as chat")
		}
	})
}

// FuzzDecodeChatRequest: the same for chat requests; an accepted chat
// prompt is the rendered messages, so it ends with EOS.
// Seeds: testdata/fuzz/FuzzDecodeChatRequest.
func FuzzDecodeChatRequest(f *testing.F) {
	f.Add([]byte(`{"model":"infercost-lm","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"Light"}]}],"max_completion_tokens":8,"min_tokens":2,"ignore_eos":true}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeChatRequest(body)
		checkDecoded(t, req, err)
		if err == nil && (!req.Chat || req.Prompt[len(req.Prompt)-1] != EOS) {
			t.Fatalf("chat prompt %v does not end with EOS", req.Prompt)
		}
	})
}
