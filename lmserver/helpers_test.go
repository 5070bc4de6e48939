package lmserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// testPreset trains in a few seconds (under the race detector too) and
// still learns enough to pass MinGainOverUnigram; the tests use it rather
// than the lm preset, which trains for about a minute.
func testPreset() Preset {
	return Preset{
		Name:  "lm-test",
		Shape: Shape{Dim: 32, Layers: 2, Heads: 4, Context: 64},
		Steps: 100, BatchSeqs: 8, SeqLen: 64, LearningRate: 1e-2, WarmupSteps: 10, Seed: 1,
	}
}

// testModel trains the test preset once per test binary.
var testModelOnce = sync.OnceValues(func() (*Model, error) {
	return Load(context.Background(), testPreset(), LoadOptions{})
})

func testModel(t testing.TB) *Model {
	t.Helper()
	m, err := testModelOnce()
	if err != nil {
		t.Fatalf("load test model: %v", err)
	}
	return m
}

// startTestServer serves the test model with cfg on an httptest server;
// cleanup drains it.
func startTestServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	srv, err := New(cfg, testModel(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv, ts.URL
}

// post sends body as JSON and returns the status and the body read.
func post(t testing.TB, url string, body any) (int, []byte) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, got
}

// completionResponse is the non-streamed answer of both endpoints.
type completionResponse struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Index   int     `json:"index"`
		Text    *string `json:"text"`
		Message *struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"message"`
		FinishReason string  `json:"finish_reason"`
		StopReason   *string `json:"stop_reason"`
	} `json:"choices"`
	Usage usage `json:"usage"`
}

// text is the choice's text or message content.
func (r completionResponse) text() string {
	if len(r.Choices) != 1 {
		return ""
	}
	if c := r.Choices[0]; c.Text != nil {
		return *c.Text
	} else if c.Message != nil {
		return c.Message.Content
	}
	return ""
}

// generate posts a request to path and decodes a 200 answer.
func generate(t testing.TB, base, path string, body any) completionResponse {
	t.Helper()
	code, raw := post(t, base+path, body)
	if code != http.StatusOK {
		t.Fatalf("POST %s: status %d: %s", path, code, raw)
	}
	var r completionResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decode %q: %v", raw, err)
	}
	return r
}

// sseStream reads a streamed response event by event.
type sseStream struct {
	resp *http.Response
	sc   *bufio.Scanner
}

// openStream posts a streaming request and checks the answer is an event
// stream.
func openStream(t testing.TB, url string, body any) *sseStream {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("stream: status %d, Content-Type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	return &sseStream{resp: resp, sc: sc}
}

// next returns the next event's data ("" at the end of the stream). Every
// event must be one "data: ..." line followed by an empty line.
func (s *sseStream) next(t testing.TB) string {
	t.Helper()
	if !s.sc.Scan() {
		return ""
	}
	line := s.sc.Text()
	if !strings.HasPrefix(line, "data: ") {
		t.Fatalf("event line %q does not start with \"data: \"", line)
	}
	if !s.sc.Scan() || s.sc.Text() != "" {
		t.Fatalf("event %q is not followed by an empty line", line)
	}
	return strings.TrimPrefix(line, "data: ")
}

func (s *sseStream) close() { s.resp.Body.Close() }

// streamChunk is one streamed chunk of either endpoint.
type streamChunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Index int     `json:"index"`
		Text  *string `json:"text"`
		Delta *struct {
			Role    *string `json:"role"`
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

// readAll reads a stream to [DONE] and returns its chunks.
func (s *sseStream) readAll(t testing.TB) []streamChunk {
	t.Helper()
	var chunks []streamChunk
	for {
		data := s.next(t)
		switch data {
		case "":
			t.Fatalf("stream ended without [DONE] after %d chunks", len(chunks))
		case "[DONE]":
			if s.sc.Scan() {
				t.Fatalf("data after [DONE]: %q", s.sc.Text())
			}
			return chunks
		}
		var c streamChunk
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		chunks = append(chunks, c)
	}
}

// scrape reads /metrics into metric families.
func scrape(t testing.TB, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// metricValue is the value of a gauge or counter (summed over labels
// matching want) in families.
func metricValue(t testing.TB, families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f := families[name]
	if f == nil {
		t.Fatalf("no %s in /metrics", name)
	}
	var sum float64
	for _, m := range f.Metric {
		match := true
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; ok && v != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// waitFor polls cond every 5 ms until it holds or 20 s pass (a deadline
// against a hang, not a timing threshold).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newLoopbackServer serves srv on a real listener on 127.0.0.1 (through
// srv.Serve, so that Shutdown drains it) and returns its base URL.
func newLoopbackServer(t *testing.T, srv *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l) //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		srv.Shutdown(ctx) //nolint:errcheck // the test checked its own drain
	})
	return "http://" + l.Addr().String()
}
