package lmserver

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// endless is a streamed completion that only ends when its client leaves.
func endless(prompt string) map[string]any {
	return map[string]any{"prompt": prompt, "max_tokens": 1 << 30, "ignore_eos": true, "stream": true}
}

// TestContinuousBatching: eight streams running at once are decoded in the
// same forward passes (one pass for all of them), and a client that
// disconnects frees its sequence at once.
func TestContinuousBatching(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Engine.MaxNumSeqs = 8
	srv, base := startTestServer(t, cfg)
	const n = 8
	streams := make([]*sseStream, n)
	for i := range streams {
		streams[i] = openStream(t, base+"/v1/completions", endless("The Light of the Sun "+strings.Repeat("x", i)))
		defer streams[i].close()
	}
	// Each stream has sent text: all eight are running, and the pass that
	// prefilled the last of them decoded the seven others with it.
	for _, s := range streams {
		if s.next(t) == "" {
			t.Fatal("stream ended")
		}
	}
	f := scrape(t, base)
	if got := metricValue(t, f, "vllm:num_requests_running", nil); got != n {
		t.Errorf("vllm:num_requests_running = %v, want %d", got, n)
	}
	if got := metricValue(t, f, "vllm:num_requests_waiting", nil); got != 0 {
		t.Errorf("vllm:num_requests_waiting = %v, want 0", got)
	}
	if kv := metricValue(t, f, "vllm:kv_cache_usage_perc", nil); !(kv > 0 && kv <= 1) {
		t.Errorf("vllm:kv_cache_usage_perc = %v, want in (0, 1]", kv)
	}
	for _, s := range streams { // a few more tokens from each: more steps
		for range 5 {
			s.next(t)
		}
	}
	if got := stepsWith(t, base); got < 1 {
		t.Errorf("no forward pass carried all %d sequences", n)
	}

	// One client leaves: its sequence is gone before the next steps.
	streams[3].close()
	waitFor(t, "the running count to drop", func() bool { return srv.Engine().Running() == n-1 })
	f = scrape(t, base)
	if got := metricValue(t, f, "vllm:request_success_total", map[string]string{"finished_reason": FinishAbort}); got != 1 {
		t.Errorf("aborted requests %v, want 1", got)
	}
	for i, s := range streams {
		if i != 3 {
			s.close()
		}
	}
	waitFor(t, "every sequence to be freed", func() bool { return srv.Engine().Running() == 0 })
	if kv := srv.Engine().KVCacheUsage(); kv != 0 {
		t.Errorf("KV cache usage %v with nothing running", kv)
	}
}

// stepsWith counts the forward passes that carried more than 6 sequences
// (the histogram bucket above 6 holds 8).
func stepsWith(t *testing.T, base string) float64 {
	t.Helper()
	f := scrape(t, base)["infercost_lm_step_sequences"]
	if f == nil {
		t.Fatal("no infercost_lm_step_sequences")
	}
	h := f.Metric[0].GetHistogram()
	var upTo6 uint64
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == 6 {
			upTo6 = b.GetCumulativeCount()
		}
	}
	return float64(h.GetSampleCount() - upTo6)
}

// TestQueueFullAnswers503: with every slot taken and the queue full, a new
// request is refused at once with 503; a queued request whose client
// leaves is dropped from the queue.
func TestQueueFullAnswers503(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Engine.MaxNumSeqs, cfg.Engine.MaxWaiting = 1, 1
	srv, base := startTestServer(t, cfg)
	running := openStream(t, base+"/v1/completions", endless("Light"))
	defer running.close()
	running.next(t)

	queued := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/completions", strings.NewReader(`{"prompt": "queued", "max_tokens": 2}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			queued <- 0
			return
		}
		resp.Body.Close()
		queued <- resp.StatusCode
	}()
	waitFor(t, "the second request to queue", func() bool { return srv.Engine().Waiting() == 1 })

	code, raw := post(t, base+"/v1/chat/completions", `{"messages": [{"role": "user", "content": "third"}]}`)
	var e apiError
	json.Unmarshal(raw, &e) //nolint:errcheck // checked below
	if code != http.StatusServiceUnavailable || e.Error.Code == nil || *e.Error.Code != "queue_full" || !strings.Contains(e.Error.Message, "--max-waiting 1") {
		t.Errorf("third request: %d %s, want 503 queue_full", code, raw)
	}
	cancel() // the queued client leaves
	waitFor(t, "the queue to empty", func() bool { return srv.Engine().Waiting() == 0 })
	<-queued
	running.close()
	waitFor(t, "the slot to free", func() bool { return srv.Engine().Running() == 0 })
	if code, raw := post(t, base+"/v1/completions", `{"prompt": "again", "max_tokens": 2}`); code != 200 {
		t.Errorf("after the queue emptied: %d %s", code, raw)
	}
}

// TestDrainFinishesStreams: Shutdown lets the streams in flight run to
// their end while /health and new requests get 503.
func TestDrainFinishesStreams(t *testing.T) {
	srv, err := New(DefaultConfig(), testModel(t))
	if err != nil {
		t.Fatal(err)
	}
	ts := newLoopbackServer(t, srv)
	base := ts
	const n = 4
	streams := make([]*sseStream, n)
	for i := range streams {
		streams[i] = openStream(t, base+"/v1/chat/completions", map[string]any{
			"messages":   []map[string]string{{"role": "user", "content": "Query " + strings.Repeat("I", i+1)}},
			"max_tokens": 200, "ignore_eos": true, "stream": true,
		})
		defer streams[i].close()
		streams[i].next(t) // the role chunk: the stream is accepted
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()
	waitFor(t, "the drain to start", func() bool { return srv.draining.Load() })
	var wg sync.WaitGroup
	for i, s := range streams {
		wg.Go(func() {
			chunks := s.readAll(t)
			last := chunks[len(chunks)-1]
			if fr := last.Choices[0].FinishReason; fr == nil || *fr != FinishLength {
				t.Errorf("stream %d ended with %+v, want finish_reason length", i, last)
			}
		})
	}
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if st := srv.Stats(); st.Accepted != n || st.Answered != n {
		t.Errorf("stats %+v, want %d accepted and answered", st, n)
	}
}
