package main

import (
	"bufio"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startNodeExporter starts Debian's prometheus-node-exporter on a free
// loopback port with only the CPU and memory collectors, and returns its
// /metrics URL; the test is skipped, saying why, when it is not installed.
func startNodeExporter(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus-node-exporter")
	if err != nil {
		if bin, err = exec.LookPath("node_exporter"); err != nil {
			msg := "prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter; .ci/run installs it): the real node_exporter test is skipped"
			if os.Getenv("INFERCOST_CI") != "" {
				t.Fatal(msg) // .ci/run installed it: a skip there would hide a missing install step
			}
			t.Skip(msg)
		}
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(bin, "--web.listen-address="+addr, "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	url := "http://" + addr + "/metrics"
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("node_exporter did not answer at %s", url)
	return ""
}

// dcgmServer serves the dcgm-exporter text of scrape/testdata (GPU 0 at
// 73%), its temperature changing with every request, with no
// Content-Type; it remembers the temperatures served.
func dcgmServer(t *testing.T) (*httptest.Server, *[]float64) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "scrape", "testdata", "dcgm-exporter.txt"))
	if err != nil {
		t.Fatal(err)
	}
	const line = `DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-5fd4d1c2-8a6e-4a1e-9a3b-0c1d2e3f4a5b",pci_bus_id="00000000:00:1E.0",device="nvidia0",modelName="NVIDIA A10G",Hostname="gpu-a10g-1",DCGM_FI_DRIVER_VERSION="550.54.15"} 61`
	if !strings.Contains(string(text), line) {
		t.Fatal("testdata changed: no GPU 0 temperature line")
	}
	var n atomic.Int64
	var served []float64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		temp := 55 + float64(n.Add(1)%10)
		served = append(served, temp)
		w.Header()["Content-Type"] = nil
		fmt.Fprint(w, strings.Replace(string(text), line, strings.TrimSuffix(line, "61")+fmt.Sprint(temp), 1))
	}))
	t.Cleanup(srv.Close)
	return srv, &served
}

// The "done when": the built-in server profiled at 200 req/s while
// the real node_exporter and a dcgm-exporter text are scraped. run.json
// has the remote host's CPU (within a few points of the local sampler's
// reading of the same machine) and GPU 0 at exactly the 73% served, the
// hardware named by the scrape; the table prints them; utilization.png is
// drawn; samples.csv has the scraped columns.
func TestProfileScrapesNodeExporterAndDCGM(t *testing.T) {
	node := startNodeExporter(t)
	dcgm, _ := dcgmServer(t)
	out := t.TempDir()
	res := runBinary(t, nil, "profile", "--target", "builtin", "--rate", "200", "--out", out,
		"--duration", "3s", "--warmup", "1s", "--hardware", "NVIDIA T4",
		"--scrape", "node="+node, "--scrape", "gpu="+dcgm.URL+"/metrics")
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	dir := onlyRun(t, out)
	run, err := result.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	st := run.Steps[0]
	n := st.Scrape["node"]
	if n.CPUPercentMean == nil || n.MemoryUsedBytesMean == nil || strings.Join(n.Exporters, ",") != "node_exporter" || n.Failures != 0 {
		t.Fatalf("scrape.node %+v", n)
	}
	remote, local := *n.CPUPercentMean, st.Host.CPUPercentMean
	t.Logf("host CPU over the step: node_exporter (scraped) %.2f%%, local sampler %.2f%% (%d reads, %d samples)", remote, local, n.Scrapes, st.Host.Samples)
	if math.Abs(remote-local) > 5 {
		t.Errorf("remote host CPU %.2f%% vs local %.2f%%: more than 5 points apart", remote, local)
	}
	if mem := *n.MemoryUsedBytesMean; math.Abs(mem-st.Host.MemoryUsedBytesMean) > 0.05*float64(st.Host.MemoryTotalBytes) {
		t.Errorf("remote memory used %.0f vs local %.0f", mem, st.Host.MemoryUsedBytesMean)
	}
	var g0 *result.GPUSummary
	for i := range st.GPUs {
		if st.GPUs[i].Source == "scrape:gpu" && st.GPUs[i].Index == 0 {
			g0 = &st.GPUs[i]
		}
	}
	if g0 == nil || g0.UtilizationPercentMean != 73 || g0.UtilizationPercentMax != 73 || g0.Name != "NVIDIA A10G" ||
		g0.TemperatureCMax < 55 || g0.TemperatureCMax > 64 || g0.PowerWattsMean != 143.271 {
		t.Fatalf("scraped GPU 0 %+v", g0)
	}
	if run.Environment.Hardware != "NVIDIA A10G" || run.Environment.HardwareSource != "scrape:gpu" {
		t.Errorf("hardware %q from %q", run.Environment.Hardware, run.Environment.HardwareSource)
	}
	if e := st.Energy; e == nil || e.Source != "scrape:gpu" || e.GPUs != 2 || math.Abs(e.PowerWattsMean-(143.271+17.839)) > 1e-9 || e.JoulesPerInference == nil {
		t.Errorf("energy %+v", st.Energy)
	}
	for _, want := range []string{"node CPU", "73.00/0", "(J/infer)", "NVIDIA A10G (from scrape:gpu)", "scrape gpu", "dcgm; GPUs 0, 1: NVIDIA A10G", "scrapes: 2 endpoints"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, res.stdout)
		}
	}
	if !strings.Contains(res.stderr, "scrape node: "+node+" (node_exporter)") || !strings.Contains(strings.Join(run.Warnings, " "), `--hardware "NVIDIA T4" differs`) {
		t.Errorf("stderr:\n%s\nwarnings %q", res.stderr, run.Warnings)
	}
	if _, err := os.Stat(filepath.Join(dir, "utilization.png")); err != nil {
		t.Error(err)
	}
	f, err := os.Open(filepath.Join(dir, result.SamplesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head, _ := bufio.NewReader(f).ReadString('\n')
	for _, col := range []string{"scrape.node.cpu_percent", "scrape.gpu.gpu0.utilization_percent", "scrape.gpu.gpu1.power_watts"} {
		if !strings.Contains(head, col) {
			t.Errorf("samples.csv header lacks %s: %s", col, head)
		}
	}
}

// `infercost agent` (no GPU here) serves host metrics that a profile
// scrapes back, beside the built-in server's own /metrics (NAME=builtin);
// SIGTERM stops the agent cleanly.
func TestAgentScrapedBackByProfile(t *testing.T) {
	cmd := exec.Command(infercostBinary(t), "agent", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		t.Fatalf("agent's first line %q, %v; stderr %s", line, err, stderr.String())
	}

	out := t.TempDir()
	args := append([]string{"profile", "--target", "builtin", "--rate", "100", "--out", out,
		"--scrape", "agent=" + url + "/metrics", "--scrape", "server=builtin", "--scrape-interval", "200ms", "--scrape-keep"}, quickFlags...)
	res := runBinary(t, nil, args...)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	run, err := result.Read(onlyRun(t, out))
	if err != nil {
		t.Fatal(err)
	}
	st := run.Steps[0]
	a := st.Scrape["agent"]
	if strings.Join(a.Exporters, ",") != "node_exporter,infercost" || a.CPUPercentMean == nil || a.MemoryTotalBytes == nil || a.Failures != 0 {
		t.Errorf("scrape.agent %+v", a)
	}
	s := st.Scrape["server"]
	if strings.Join(s.Exporters, ",") != "infercost" || !strings.HasSuffix(s.URL, "/metrics") || s.ServerRequestsPerS == nil || s.RequestsWaitingMean == nil ||
		s.QueueTimeMSMean == nil || s.ProcessRSSBytesMax == nil || s.ProcessCPUPercentMean == nil {
		t.Fatalf("scrape.server %+v", s)
	}
	// The server's own count agrees with the client's.
	if r := *s.ServerRequestsPerS / st.AchievedRPS; r < 0.7 || r > 1.3 {
		t.Errorf("server counts %.1f req/s, the client %.1f", *s.ServerRequestsPerS, st.AchievedRPS)
	}
	if run.Spec.ScrapeIntervalMS != 200 || len(run.Spec.Scrape) != 2 || run.Spec.Scrape[1].URL != "builtin" {
		t.Errorf("spec %+v %v", run.Spec.Scrape, run.Spec.ScrapeIntervalMS)
	}
	// --scrape-keep: series no mapping uses are samples.csv columns, raw.
	samples, err := os.ReadFile(filepath.Join(onlyRun(t, out), result.SamplesFile))
	if err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(string(samples), "\n", 2)[0]
	for _, col := range []string{"scrape.agent.raw.infercost_agent_gpus", `"scrape.agent.raw.node_cpu_guest_seconds_total{cpu=""0"",mode=""user""}"`,
		"scrape.server.raw.infercost_server_batch_size_count", "scrape.server.requests_waiting", "scrape.agent.cpu_percent"} {
		if !strings.Contains(head, col) {
			t.Errorf("samples.csv header lacks %s:\n%s", col, head)
		}
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("agent exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("agent did not stop on SIGTERM")
	}
	if !strings.Contains(stderr.String(), "serving host CPU and memory only") {
		t.Errorf("agent stderr: %s", stderr.String())
	}
}

func TestScrapeFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--scrape", "nourl"}, "want NAME=URL"},
		{[]string{"--scrape", "a.b=http://x/metrics"}, "letters, digits"},
		{[]string{"--scrape", "x=ftp://x/metrics"}, "http://"},
		{[]string{"--scrape", "a=http://x/m", "--scrape", "a=http://y/m"}, "twice"},
		{[]string{"--scrape", "a=http://x/m", "--scrape-interval", "1ms"}, "at least"},
	} {
		args := append([]string{"profile", "--target", "builtin", "--rate", "10"}, tc.args...)
		res := runBinary(t, nil, args...)
		if res.code != 2 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, res.code, res.stderr, tc.want)
		}
	}
	res := runBinary(t, nil, "profile", "--target", "http://127.0.0.1:1", "--model", "m", "--rate", "10", "--scrape", "s=builtin")
	if res.code != 2 || !strings.Contains(res.stderr, "needs --target builtin") {
		t.Errorf("builtin scrape of an external target: exit %d, %q", res.code, res.stderr)
	}
}
