package modelserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// concurrentInfers runs clients goroutines, each sending perClient batch-1
// requests of known rows, and checks every answer's label against the
// model's own Forward. It returns the number of 200 answers.
func concurrentInfers(t *testing.T, base string, clients, perClient int) int {
	t.Helper()
	rows, _ := digitRows(t, 0, clients*perClient)
	m := testModel(t)
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	for c := range clients {
		wg.Go(func() {
			for k := range perClient {
				row := rows[c*perClient+k]
				code, body, err := postNoFatal(base+"/v2/models/digits/infer", inferBody(row))
				if err != nil || code != 200 {
					t.Errorf("client %d request %d: %d %s %v", c, k, code, body, err)
					continue
				}
				var r struct {
					Outputs []struct {
						Name string  `json:"name"`
						Data []int64 `json:"data"`
					} `json:"outputs"`
				}
				json.Unmarshal(body, &r)
				_, want, _ := m.Forward(row, 1)
				if len(r.Outputs) != 2 || len(r.Outputs[1].Data) != 1 || r.Outputs[1].Data[0] != want[0] {
					t.Errorf("client %d request %d: answer %s, want label %d", c, k, body, want[0])
					continue
				}
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return ok
}

func TestBatcherMergesConcurrentRequests(t *testing.T) {
	cfg := DefaultConfig()
	// A long delay and a batch as large as the number of clients: a batch
	// leaves when all clients' requests are in, so merging does not hinge on
	// the scheduler's timing.
	cfg.MaxBatchSize, cfg.MaxQueueDelay = 8, time.Second
	_, base := startTestServer(t, cfg)
	const clients, perClient = 8, 6
	if ok := concurrentInfers(t, base, clients, perClient); ok != clients*perClient {
		t.Fatalf("%d of %d requests answered", ok, clients*perClient)
	}
	passes, rows, single := batchHistogram(t, base)
	t.Logf("%d requests ran in %d forward passes, %d of one row", rows, passes, single)
	if rows != clients*perClient {
		t.Errorf("batch-size histogram counts %d rows, want %d", rows, clients*perClient)
	}
	if passes-single == 0 || passes >= rows {
		t.Errorf("no merged batch: %d passes for %d requests, %d of one row", passes, rows, single)
	}
	m := scrape(t, base)
	if got := m["infercost_server_queue_seconds"].Metric[0].GetHistogram().GetSampleCount(); got != rows {
		t.Errorf("queue-time samples %d, want one per request (%d)", got, rows)
	}
	if got := m["infercost_server_compute_seconds"].Metric[0].GetHistogram().GetSampleCount(); got != passes {
		t.Errorf("compute-time samples %d, want one per pass (%d)", got, passes)
	}
	if got := m["infercost_server_inferences_total"].Metric[0].GetCounter().GetValue(); got != float64(rows) {
		t.Errorf("inferences_total %v, want %d", got, rows)
	}
	if m["infercost_server_queue_depth"] == nil {
		t.Error("no queue-depth gauge")
	}
	if got := requestsByCode(t, base, "infer"); got["200"] != float64(rows) {
		t.Errorf("requests_total{handler=infer} = %v, want %d with code 200", got, rows)
	}
}

func TestMaxBatchSizeOneTurnsMergingOff(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBatchSize, cfg.MaxQueueDelay, cfg.Instances = 1, 50*time.Millisecond, 2
	_, base := startTestServer(t, cfg)
	ok := concurrentInfers(t, base, 6, 4)
	passes, rows, single := batchHistogram(t, base)
	if ok != 24 || rows != 24 || passes != 24 || single != 24 {
		t.Errorf("%d answered; %d rows in %d passes, %d of one row; want 24 passes of one row", ok, rows, passes, single)
	}
}

func TestRequestLargerThanMaxBatchRunsAlone(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBatchSize = 4
	_, base := startTestServer(t, cfg)
	rows, labels := digitRows(t, 20, 30)
	got := infer(t, base, rows...).labels(t)
	for i := range labels {
		if got[i] != int64(labels[i]) && got[i] != mustForwardLabel(t, rows[i]) {
			t.Errorf("row %d: label %d", i, got[i])
		}
	}
	passes, n, _ := batchHistogram(t, base)
	if passes != 1 || n != 10 {
		t.Errorf("%d passes over %d rows, want one pass of 10", passes, n)
	}
}

func mustForwardLabel(t *testing.T, row []float32) int64 {
	_, l, err := testModel(t).Forward(row, 1)
	if err != nil {
		t.Fatal(err)
	}
	return l[0]
}

// serveOnLoopback runs srv.Serve on a fresh loopback listener; what Serve
// returns arrives on served.
func serveOnLoopback(t *testing.T, cfg Config) (srv *Server, base string, served <-chan error) {
	t.Helper()
	srv, err := New(cfg, testModel(t))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	return srv, "http://" + l.Addr().String(), done
}

// sendAsync posts body in the background; the answer arrives on the channel.
type answer struct {
	code int
	body []byte
	err  error
}

func sendAsync(url string, body []byte) <-chan answer {
	ch := make(chan answer, 1)
	go func() {
		code, b, err := postNoFatal(url, body)
		ch <- answer{code, b, err}
	}()
	return ch
}

func TestFullQueueAnswers503AtOnce(t *testing.T) {
	cfg := DefaultConfig()
	// Requests wait for a batch of 64 rows or an hour: the queue stays full
	// until the drain flushes it.
	cfg.MaxQueue, cfg.MaxBatchSize, cfg.MaxQueueDelay = 2, 64, time.Hour
	srv, base := startTestServer(t, cfg)
	url := base + "/v2/models/digits/infer"
	rows, _ := digitRows(t, 0, 3)
	first, second := sendAsync(url, inferBody(rows[0])), sendAsync(url, inferBody(rows[1]))
	waitFor(t, "two queued requests", func() bool { return srv.batcher.depth.Load() == 2 })

	start := time.Now()
	code, body := post(t, url, inferBody(rows[2]))
	if code != 503 || !strings.Contains(string(body), `"error":"queue full: 2 requests already waiting (--max-queue)`) {
		t.Errorf("third request: %d %s; want 503 queue full", code, body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the refusal took %v; it must not wait", took)
	}
	if got := requestsByCode(t, base, "infer"); got["503"] != 1 {
		t.Errorf("requests_total{handler=infer} = %v, want one 503", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for i, ch := range []<-chan answer{first, second} {
		if a := <-ch; a.err != nil || a.code != 200 {
			t.Errorf("queued request %d: %d %s %v; want 200 after the drain", i, a.code, a.body, a.err)
		}
	}
	// After the drain the handler refuses new work.
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v2/models/digits/infer", strings.NewReader(string(inferBody(rows[0])))))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "shutting down") {
		t.Errorf("after the drain: %d %s; want 503 shutting down", rec.Code, rec.Body)
	}
}

// TestShutdownAnswersEveryAcceptedRequest serves on a real listener, lets
// requests queue, drains, and checks that each one got its answer and that
// the listener is closed.
func TestShutdownAnswersEveryAcceptedRequest(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBatchSize, cfg.MaxQueueDelay, cfg.MaxQueue = 1000, time.Hour, 100
	srv, base, served := serveOnLoopback(t, cfg)
	url := base + "/v2/models/digits/infer"

	const n = 20
	rows, _ := digitRows(t, 40, 40+n)
	var answers []<-chan answer
	for _, row := range rows {
		answers = append(answers, sendAsync(url, inferBody(row)))
	}
	waitFor(t, fmt.Sprintf("%d queued requests", n), func() bool { return srv.batcher.depth.Load() == n })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for i, ch := range answers {
		a := <-ch
		var r inferResponse
		if a.err != nil || a.code != 200 || json.Unmarshal(a.body, &r) != nil {
			t.Errorf("request %d: %d %s %v; want 200", i, a.code, a.body, a.err)
			continue
		}
		if got, want := r.labels(t)[0], mustForwardLabel(t, rows[i]); got != want {
			t.Errorf("request %d: label %d, want %d", i, got, want)
		}
	}
	if st := srv.Stats(); st.Accepted != n || st.Answered != n {
		t.Errorf("stats %+v, want %d accepted and answered", st, n)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v, want nil after Shutdown", err)
	}
	if _, err := http.Get(base + "/v2/health/live"); err == nil {
		t.Error("the server still accepts connections after Shutdown")
	}
}

// A drain that cannot finish in time returns the context's error: here a
// 20,000-row request is accepted and the drain allows 1 ms.
func TestShutdownReportsTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 64 << 20
	srv, base, _ := serveOnLoopback(t, cfg)
	const rows = 20000
	big := sendAsync(base+"/v2/models/digits/infer",
		[]byte(request("input", "FP32", fmt.Sprintf("[%d,64]", rows), "["+values(rows*InputWidth, "7")+"]")))
	waitFor(t, "the request accepted", func() bool { return srv.Stats().Accepted == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want the deadline exceeded", err)
	}
	<-big // answered or cut off; either way the test waits for it
}
