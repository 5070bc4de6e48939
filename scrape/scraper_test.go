package scrape

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// changing serves a text whose values change with every request, and
// remembers every value it served.
type changing struct {
	mu     sync.Mutex
	n      int
	served []map[string]float64
	render func(n int) (body string, values map[string]float64)
	ct     string
}

func (c *changing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	body, vals := c.render(c.n)
	c.n++
	c.served = append(c.served, vals)
	c.mu.Unlock()
	if c.ct != "" {
		w.Header().Set("Content-Type", c.ct)
	} else {
		w.Header()["Content-Type"] = nil // none at all
	}
	fmt.Fprint(w, body)
}

func (c *changing) values(key string) []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []float64
	for _, v := range c.served {
		out = append(out, v[key])
	}
	return out
}

func startScraper(t *testing.T, cfg Config) *Scraper {
	t.Helper()
	if cfg.Interval == 0 {
		cfg.Interval = 50 * time.Millisecond
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func waitScrapes(t *testing.T, s *Scraper, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		done := true
		for _, tg := range s.targets {
			tg.mu.Lock()
			if tg.scrapes < n {
				done = false
			}
			tg.mu.Unlock()
		}
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("fewer than %d scrapes in 10s", n)
}

var all = [2]time.Time{time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}

// A dcgm-exporter text whose GPU utilization, power and memory change over
// time, served over loopback HTTP with a wrong Content-Type: the summary
// holds exactly the values served (mean and max of what each scrape got).
func TestScrapeReportsExactlyTheValuesServed(t *testing.T) {
	base := string(readTestdata(t, "dcgm-exporter.txt"))
	const g0 = `{gpu="0",UUID="GPU-5fd4d1c2-8a6e-4a1e-9a3b-0c1d2e3f4a5b",pci_bus_id="00000000:00:1E.0",device="nvidia0",modelName="NVIDIA A10G",Hostname="gpu-a10g-1",DCGM_FI_DRIVER_VERSION="550.54.15"}`
	srv := &changing{ct: "application/json", render: func(n int) (string, map[string]float64) {
		util := []float64{70, 73, 76, 73}[n%4]
		power := 100 + float64(n%7)*10.5
		used := float64(4000 + 10*n)
		s := setLine(base, "DCGM_FI_DEV_GPU_UTIL"+g0, util)
		s = setLine(s, "DCGM_FI_DEV_POWER_USAGE"+g0, power)
		s = setLine(s, "DCGM_FI_DEV_FB_USED"+g0, used)
		return s, map[string]float64{"util": util, "power": power, "used": used}
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	s := startScraper(t, Config{Targets: []Target{{"gpu", ts.URL + "/metrics"}}})
	waitScrapes(t, s, 12)
	cost := s.Stop()

	sums, gpus := s.Summarize(all[0], all[1])
	sum := sums["gpu"]
	if sum.Failures != 0 || int64(sum.Scrapes) != cost.Scrapes || sum.GPUs != 2 || strings.Join(sum.Exporters, ",") != "dcgm" {
		t.Fatalf("summary %+v, cost %+v", sum, cost)
	}
	util, power, used := srv.values("util"), srv.values("power"), srv.values("used")
	if len(util) != sum.Scrapes {
		t.Fatalf("served %d texts, scraped %d", len(util), sum.Scrapes)
	}
	g := gpus[0]
	check := func(what string, got float64, vals []float64, f func(stat) float64, scale float64) {
		if want := f(statOf(vals)) * scale; math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%s = %v, served %v", what, got, want)
		}
	}
	mean := func(s stat) float64 { return s.mean }
	maxOf := func(s stat) float64 { return s.max }
	check("utilization mean", g.UtilizationPercentMean, util, mean, 1)
	check("utilization max", g.UtilizationPercentMax, util, maxOf, 1)
	check("power mean", g.PowerWattsMean, power, mean, 1)
	check("power max", g.PowerWattsMax, power, maxOf, 1)
	check("memory used mean", g.MemoryUsedBytesMean, used, mean, 1<<20)
	if g.Source != "scrape:gpu" || g.Name != "NVIDIA A10G" || g.Index != 0 || g.Samples != sum.Scrapes {
		t.Errorf("GPU 0 %+v", g)
	}
	if gpus[1].Index != 1 || gpus[1].UtilizationPercentMean != 0 || gpus[1].PowerWattsMean != 17.839 {
		t.Errorf("GPU 1 %+v", gpus[1])
	}
	if model, src := s.Hardware(); model != "NVIDIA A10G" || src != "scrape:gpu" {
		t.Errorf("Hardware() = %q, %q", model, src)
	}
	watts, n, src := s.Power(all[0], all[1])
	if want := statOf(power).mean + 17.839; n != 2 || src != "scrape:gpu" || math.Abs(watts-want) > 1e-9 {
		t.Errorf("Power = %v W over %d GPUs from %q, want %v", watts, n, src, want)
	}
	if cost.Targets != 1 || cost.Failures != 0 || cost.BytesRead <= 0 || cost.IntervalMS != 50 {
		t.Errorf("cost %+v", cost)
	}
}

// A node_exporter text whose CPU counters advance by a known share each
// request: the CPU figure is exactly the busy share served.
func TestScrapeNodeCPUFromCounters(t *testing.T) {
	var busy, idle [2]float64
	srv := &changing{ct: "text/plain; version=0.0.4", render: func(n int) (string, map[string]float64) {
		share := []float64{0.2, 0.5, 0.9}[n%3]
		for c := range busy {
			busy[c] += share
			idle[c] += 1 - share
		}
		return nodeText(busy[0], idle[0], 0, 0, busy[1], idle[1], 4e9), map[string]float64{"share": share}
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	s := startScraper(t, Config{Targets: []Target{{"node", ts.URL}}})
	waitScrapes(t, s, 8)
	s.Stop()
	sums, _ := s.Summarize(all[0], all[1])
	shares := srv.values("share")
	want := statOf(shares[1:]).mean * 100 // every interval has the same length in CPU seconds
	if got := *sums["node"].CPUPercentMean; math.Abs(got-want) > 1e-6 {
		t.Errorf("CPU %v, served %v", got, want)
	}
	if got := *sums["node"].CPUPercentMax; math.Abs(got-90) > 1e-6 {
		t.Errorf("CPU max %v", got)
	}
	if *sums["node"].MemoryUsedBytesMean != 6e9 || *sums["node"].MemoryTotalBytes != 1e10 {
		t.Errorf("memory %v of %v", *sums["node"].MemoryUsedBytesMean, *sums["node"].MemoryTotalBytes)
	}
}

// Faults: an endpoint that is down, one slower than the timeout, one that
// serves garbage, one that serves too much and one with duplicate series.
// Each is a gap with a note; none stalls Start or Stop, none is a crash.
func TestScrapeFaults(t *testing.T) {
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String() + "/metrics"
	l.Close()

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><h1>It works!</h1></body></html>\n")
	}))
	defer garbage.Close()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := strings.Repeat("x", 1000) + " 1\n"
		for i := 0; i < 4096; i++ { // 4 MiB, chunked (no Content-Length)
			if _, err := fmt.Fprint(w, line); err != nil {
				return
			}
		}
	}))
	defer huge.Close()
	dup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",modelName=\"NVIDIA L4\"} 50\nDCGM_FI_DEV_GPU_UTIL{gpu=\"0\",modelName=\"NVIDIA L4\"} 99\n")
	}))
	defer dup.Close()
	status := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusServiceUnavailable)
	}))
	defer status.Close()

	start := time.Now()
	s := startScraper(t, Config{Interval: 100 * time.Millisecond, Timeout: 200 * time.Millisecond, MaxBytes: 1 << 20, Targets: []Target{
		{"down", down}, {"slow", slow.URL}, {"garbage", garbage.URL}, {"huge", huge.URL}, {"dup", dup.URL}, {"status", status.URL},
	}})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Start took %v with a slow endpoint (timeout 200ms)", d)
	}
	waitScrapes(t, s, 3)
	stopAt := time.Now()
	cost := s.Stop()
	if d := time.Since(stopAt); d > time.Second {
		t.Errorf("Stop took %v", d)
	}
	sums, gpus := s.Summarize(all[0], all[1])
	for name, want := range map[string]string{
		"down":    "connection refused",
		"slow":    "timed out after 200ms",
		"garbage": "not Prometheus text",
		"huge":    "response too large: over 1048576 bytes",
		"status":  "HTTP 503",
	} {
		sum := sums[name]
		if sum.Scrapes != 0 || sum.Failures < 3 || len(sum.Notes) != 1 || !strings.Contains(sum.Notes[0], want) ||
			!strings.Contains(sum.Notes[0], "every read failed") || sum.CPUPercentMean != nil || sum.GPUs != 0 {
			t.Errorf("%s: %+v, want a note with %q", name, sum, want)
		}
		if strings.Contains(strings.Join(sum.Notes, " "), "127.0.0.1") {
			t.Errorf("%s: a note names the URL: %q", name, sum.Notes)
		}
	}
	d := sums["dup"]
	if d.Scrapes < 3 || d.Failures != 0 || !strings.Contains(strings.Join(d.Notes, ";"), "duplicate series") {
		t.Errorf("dup: %+v", d)
	}
	if len(gpus) != 1 || gpus[0].UtilizationPercentMax != 50 || gpus[0].Name != "NVIDIA L4" {
		t.Errorf("dup GPUs %+v", gpus)
	}
	if cost.Failures < 15 || cost.Scrapes <= cost.Failures {
		t.Errorf("cost %+v", cost)
	}
	for _, st := range s.Statuses() {
		if (st.Name == "dup") != st.OK {
			t.Errorf("status %+v", st)
		}
	}
}

// Summarize counts only what falls within the window.
func TestSummarizeWindow(t *testing.T) {
	srv := &changing{render: func(n int) (string, map[string]float64) {
		return fmt.Sprintf("vllm:num_requests_running{engine=\"0\"} %d\n", n), map[string]float64{"n": float64(n)}
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	s := startScraper(t, Config{Targets: []Target{{"llm", ts.URL}}})
	waitScrapes(t, s, 3)
	from := time.Now()
	waitScrapes(t, s, 8)
	to := time.Now()
	waitScrapes(t, s, 11)
	s.Stop()
	sums, _ := s.Summarize(from, to)
	sum := sums["llm"]
	if sum.Scrapes < 3 || sum.Scrapes > 7 {
		t.Fatalf("%d scrapes in the window", sum.Scrapes)
	}
	// Readings are numbered 0, 1, 2, ...: the window's mean is that of the
	// consecutive numbers it holds, all after the first three.
	if m := *sum.RequestsRunningMean; m < 3 || m > 9 {
		t.Errorf("running mean %v", m)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Targets: []Target{{"a.b", "http://x/metrics"}}}, "letters, digits"},
		{Config{Targets: []Target{{"a", "ftp://x/metrics"}}}, "http://"},
		{Config{Targets: []Target{{"a", "http:///metrics"}}}, "name a host"},
		{Config{Targets: []Target{{"a", "http://x"}, {"a", "http://y"}}}, "twice"},
		{Config{Interval: time.Millisecond}, "at least"},
	} {
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if _, err := ParseTarget("http://user:secret@host/metrics"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("ParseTarget without a name: %v", err)
	}
	tg, err := ParseTarget("gpu=http://gpubox:9400/metrics")
	if err != nil || tg.Name != "gpu" || tg.URL != "http://gpubox:9400/metrics" {
		t.Errorf("ParseTarget = %+v, %v", tg, err)
	}
}

// Triton and vLLM texts served over loopback HTTP, their gauges changing
// with every request: the summary holds exactly the mean of what was
// served (pending requests, GPU utilization; running, waiting, KV cache).
func TestScrapeTritonAndVLLMServedValues(t *testing.T) {
	triton := &changing{ct: "text/plain; charset=utf-8", render: func(n int) (string, map[string]float64) {
		pending := float64(n % 5)
		util := []float64{0.5, 0.73, 0.9}[n%3]
		s := tritonText(t, 161+float64(10*n), 11110+float64(500*n), 1288+float64(80*n), pending)
		s = setLine(s, `nv_gpu_utilization{gpu_uuid="GPU-5fd4d1c2-8a6e-4a1e-9a3b-0c1d2e3f4a5b"}`, util)
		return s, map[string]float64{"pending": pending, "util": util * 100}
	}}
	const lbl = `{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"}`
	base := string(readTestdata(t, "vllm.txt"))
	vllm := &changing{ct: "text/plain; version=0.0.4; charset=utf-8", render: func(n int) (string, map[string]float64) {
		running, waiting, kv := float64(8+n%4), float64(n%3), 0.25+0.05*float64(n%6)
		s := setLine(base, "vllm:num_requests_running"+lbl, running)
		s = setLine(s, "vllm:num_requests_waiting"+lbl, waiting)
		s = setLine(s, "vllm:kv_cache_usage_perc"+lbl, kv)
		return s, map[string]float64{"running": running, "waiting": waiting, "kv": kv * 100}
	}}
	ts1, ts2 := httptest.NewServer(triton), httptest.NewServer(vllm)
	defer ts1.Close()
	defer ts2.Close()
	s := startScraper(t, Config{Targets: []Target{{"triton", ts1.URL}, {"vllm", ts2.URL}}})
	waitScrapes(t, s, 10)
	s.Stop()
	sums, gpus := s.Summarize(all[0], all[1])
	mean := func(v []float64) float64 { return statOf(v).mean }
	near := func(what string, got *float64, want float64) {
		if got == nil || math.Abs(*got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%s = %v, served mean %v", what, got, want)
		}
	}
	tr, vl := sums["triton"], sums["vllm"]
	near("triton pending", tr.RequestsWaitingMean, mean(triton.values("pending")))
	// 500 us of queue per 10 requests, every interval: 0.05 ms each.
	near("triton queue ms", tr.QueueTimeMSMean, 0.05)
	if len(gpus) != 1 || gpus[0].Source != "scrape:triton" || math.Abs(gpus[0].UtilizationPercentMean-mean(triton.values("util"))) > 1e-9 {
		t.Errorf("triton GPU %+v, served mean %v", gpus, mean(triton.values("util")))
	}
	near("vllm running", vl.RequestsRunningMean, mean(vllm.values("running")))
	near("vllm waiting", vl.RequestsWaitingMean, mean(vllm.values("waiting")))
	near("vllm KV cache", vl.KVCacheUsagePercentMean, mean(vllm.values("kv")))
	if strings.Join(tr.Exporters, ",") != "triton" || strings.Join(vl.Exporters, ",") != "vllm" {
		t.Errorf("exporters %v %v", tr.Exporters, vl.Exporters)
	}
}
