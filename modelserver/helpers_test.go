package modelserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// smallModel trains the small preset once per test binary: training under
// the race detector is the slow part of these tests.
var smallModel = sync.OnceValues(func() (*Model, error) {
	p, err := LookupPreset("small")
	if err != nil {
		return nil, err
	}
	return Load(context.Background(), p, LoadOptions{})
})

func testModel(t testing.TB) *Model {
	t.Helper()
	m, err := smallModel()
	if err != nil {
		t.Fatalf("load small model: %v", err)
	}
	return m
}

// startTestServer serves the small model with cfg on an httptest server;
// cleanup drains it.
func startTestServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	srv, err := New(cfg, testModel(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv, ts.URL
}

// inferBody is a v2 request for rows of pixels, data flat.
func inferBody(rows ...[]float32) []byte {
	flat := slices.Concat(rows...)
	b, _ := json.Marshal(map[string]any{"inputs": []any{map[string]any{
		"name": "input", "shape": []int{len(rows), InputWidth}, "datatype": "FP32", "data": flat,
	}}})
	return b
}

// inferResponse is the decoded answer of an infer call.
type inferResponse struct {
	ModelName string  `json:"model_name"`
	ID        *string `json:"id"`
	Outputs   []struct {
		Name     string          `json:"name"`
		Datatype string          `json:"datatype"`
		Shape    []int           `json:"shape"`
		Data     json.RawMessage `json:"data"`
	} `json:"outputs"`
}

// probs and labels pull the two outputs out of a response.
func (r inferResponse) probs(t testing.TB) []float32 {
	t.Helper()
	var v []float32
	r.output(t, OutputProbs, &v)
	return v
}

func (r inferResponse) labels(t testing.TB) []int64 {
	t.Helper()
	var v []int64
	r.output(t, OutputLabel, &v)
	return v
}

func (r inferResponse) output(t testing.TB, name string, into any) {
	t.Helper()
	for _, o := range r.Outputs {
		if o.Name == name {
			if err := json.Unmarshal(o.Data, into); err != nil {
				t.Fatalf("output %s: %v", name, err)
			}
			return
		}
	}
	t.Fatalf("response has no output %q", name)
}

// post sends body to url and returns the status and the body read.
func post(t testing.TB, url string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
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

// infer posts rows to the digits model and decodes a 200 answer.
func infer(t testing.TB, base string, rows ...[]float32) inferResponse {
	t.Helper()
	code, body := post(t, base+"/v2/models/digits/infer", inferBody(rows...))
	if code != http.StatusOK {
		t.Fatalf("infer: status %d: %s", code, body)
	}
	var r inferResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decode infer response %q: %v", body, err)
	}
	return r
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

// batchHistogram returns the batch-size histogram: the number of forward
// passes, the rows they ran, and the passes of exactly one row.
func batchHistogram(t testing.TB, base string) (passes, rows, single uint64) {
	t.Helper()
	f := scrape(t, base)["infercost_server_batch_size"]
	if f == nil || len(f.Metric) != 1 {
		t.Fatalf("no infercost_server_batch_size histogram in /metrics")
	}
	h := f.Metric[0].GetHistogram()
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == 1 {
			single = b.GetCumulativeCount()
		}
	}
	return h.GetSampleCount(), uint64(h.GetSampleSum()), single
}

// requestsByCode reads infercost_server_requests_total for one handler.
func requestsByCode(t testing.TB, base, handler string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	f := scrape(t, base)["infercost_server_requests_total"]
	if f == nil {
		return out
	}
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["handler"] == handler {
			out[labels["code"]] = m.GetCounter().GetValue()
		}
	}
	return out
}

// waitFor polls cond every 5 ms until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// digitRows returns rows [from, to) of the embedded data set with labels.
func digitRows(t testing.TB, from, to int) ([][]float32, []int) {
	t.Helper()
	d, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]float32
	for i := from; i < to; i++ {
		rows = append(rows, d.Row(i))
	}
	return rows, d.Labels[from:to]
}

func relClose(a, b, rel float64) bool {
	diff := a - b
	if diff < 0 {
		diff = -diff
	}
	return diff <= rel*max(abs(a), abs(b))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
