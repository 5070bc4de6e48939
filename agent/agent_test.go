package agent

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/scrape"
)

func get(t *testing.T, url string) (string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b), resp.Header
}

// With no GPU the agent serves the host under node_exporter's names and
// says why there is no GPU; it is read-only.
func TestAgentWithoutGPU(t *testing.T) {
	ts := httptest.NewServer(Handler(Config{GPUStatus: "no GPU detected (NVML: libnvidia-ml.so.1 not found)", Hostname: "box"}))
	defer ts.Close()
	body, h := get(t, ts.URL+"/metrics")
	if !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
	for _, want := range []string{
		`node_cpu_seconds_total{cpu="0",mode="idle"}`, `node_cpu_seconds_total{cpu="0",mode="iowait"}`,
		"node_memory_MemTotal_bytes ", "node_memory_MemAvailable_bytes ",
		`infercost_agent_info{gpu_status="no GPU detected (NVML: libnvidia-ml.so.1 not found)",hostname="box",version=`,
		"infercost_agent_gpus 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "DCGM_") || strings.Contains(body, "process_cpu_seconds_total") {
		t.Error("GPU or process series without a GPU or a process")
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(m, ts.URL+"/metrics", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /metrics: %d", m, resp.StatusCode)
		}
	}
}

// The agent watching one process (here the test itself) serves its CPU
// and RSS, and infercost's scraper takes them for the target's; the host
// CPU comes back from node_cpu_seconds_total.
func TestAgentScrapedBackHostAndProcess(t *testing.T) {
	ts := httptest.NewServer(Handler(Config{PID: int32(os.Getpid()), GPUStatus: "no GPU detected (test)"}))
	defer ts.Close()
	body, _ := get(t, ts.URL+"/metrics")
	for _, want := range []string{"process_cpu_seconds_total ", "process_resident_memory_bytes ", "infercost_agent_process_info{name=", "infercost_agent_process_up 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	s, err := scrape.Start(context.Background(), scrape.Config{Interval: 100 * time.Millisecond,
		Targets: []scrape.Target{{Name: "agent", URL: ts.URL + "/metrics"}}})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Now()
	// Keep a core busy so the figures are not all zero.
	stop := time.Now().Add(700 * time.Millisecond)
	x := 0
	for time.Now().Before(stop) {
		x++
	}
	to := time.Now()
	s.Stop()
	sums, gpus := s.Summarize(from.Add(-time.Second), to)
	sum := sums["agent"]
	if strings.Join(sum.Exporters, ",") != "node_exporter,infercost" || len(gpus) != 0 {
		t.Fatalf("exporters %v, GPUs %v", sum.Exporters, gpus)
	}
	if sum.CPUPercentMean == nil || *sum.CPUPercentMean <= 0 || sum.MemoryUsedBytesMean == nil || sum.MemoryTotalBytes == nil {
		t.Errorf("host figures: %+v", sum)
	}
	if sum.ProcessCPUPercentMean == nil || *sum.ProcessCPUPercentMean < 20 || sum.ProcessRSSBytesMax == nil || *sum.ProcessRSSBytesMax <= 0 {
		t.Errorf("process figures (a core kept busy): cpu %v rss %v", sum.ProcessCPUPercentMean, sum.ProcessRSSBytesMax)
	}
}

func TestAgentRunListensAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, RunOptions{Addr: "127.0.0.1:0", Out: pw}); pw.Close() }()
	buf := make([]byte, 200)
	n, _ := pr.Read(buf)
	line := strings.TrimSpace(string(buf[:n]))
	url, ok := strings.CutPrefix(line, "listening on ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, pr)
	get(t, url+"/metrics")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if _, err := http.Get(url + "/metrics"); err == nil {
		t.Error("still serving after stop")
	}
}
