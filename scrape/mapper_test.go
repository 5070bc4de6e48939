package scrape

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// readAll maps bodies read one second apart and returns the readings.
func readAll(t *testing.T, keep bool, bodies ...string) []reading {
	t.Helper()
	m := mapper{keep: keep, maxKept: 3}
	var out []reading
	for i, b := range bodies {
		p, err := Parse([]byte(b), "")
		if err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		out = append(out, m.read(t0.Add(time.Duration(i)*time.Second), p))
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

// nodeText is node_exporter's CPU and memory text for two CPUs.
func nodeText(busy0, idle0, iowait0, steal0, busy1, idle1 float64, memAvail float64) string {
	var b strings.Builder
	b.WriteString("# TYPE node_cpu_seconds_total counter\n")
	for cpu, v := range []map[string]float64{
		{"user": busy0, "idle": idle0, "iowait": iowait0, "steal": steal0, "system": 0, "nice": 0, "irq": 0, "softirq": 0},
		{"user": busy1, "idle": idle1, "iowait": 0, "steal": 0, "system": 0, "nice": 0, "irq": 0, "softirq": 0},
	} {
		for _, mode := range []string{"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"} {
			fmt.Fprintf(&b, "node_cpu_seconds_total{cpu=\"%d\",mode=\"%s\"} %g\n", cpu, mode, v[mode])
		}
	}
	fmt.Fprintf(&b, "# TYPE node_memory_MemTotal_bytes gauge\nnode_memory_MemTotal_bytes 1e10\n")
	fmt.Fprintf(&b, "# TYPE node_memory_MemAvailable_bytes gauge\nnode_memory_MemAvailable_bytes %g\n", memAvail)
	// node_exporter's own process: not the target's.
	b.WriteString("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 3\n")
	return b.String()
}

func TestNodeCPUIsTheBusyShareOfAllCPUs(t *testing.T) {
	rs := readAll(t, false,
		nodeText(100, 1000, 10, 5, 50, 1000, 6e9),
		// CPU 0: +0.6 user, +0.2 idle, +0.1 iowait, +0.1 steal; CPU 1: +0.3 user, +0.7 idle.
		nodeText(100.6, 1000.2, 10.1, 5.1, 50.3, 1000.7, 5e9),
	)
	if !math.IsNaN(rs[0].cpuPercent()) {
		t.Errorf("first reading has CPU %v, want none (nothing to compare with)", rs[0].cpuPercent())
	}
	// busy = user + steal = 0.6+0.1+0.3 = 1.0 of 2.0: iowait counts as idle,
	// steal as busy, as the local samplers count them.
	if got := rs[1].cpuPercent(); !near(got, 50) {
		t.Errorf("CPU %v, want 50", got)
	}
	if rs[1].memUsed != 5e9 || rs[1].memTotal != 1e10 {
		t.Errorf("memory used %v of %v", rs[1].memUsed, rs[1].memTotal)
	}
	if !math.IsNaN(rs[1].procCPU) {
		t.Error("node_exporter's own process_cpu_seconds_total was taken for the target's")
	}
	sum, _ := summarizeTarget(Target{Name: "node"}, rs, nil, 0, Config{}.withDefaults())
	if sum.CPUPercentMean == nil || !near(*sum.CPUPercentMean, 50) || sum.ProcessCPUPercentMean != nil {
		t.Errorf("summary CPU %v, process %v", sum.CPUPercentMean, sum.ProcessCPUPercentMean)
	}
	if strings.Join(sum.Exporters, ",") != "node_exporter" {
		t.Errorf("exporters %v", sum.Exporters)
	}
}

// A counter that goes down was reset: the interval is left out of the CPU
// figure and noted; the next one counts again.
func TestNodeCounterResetLeavesTheIntervalOut(t *testing.T) {
	rs := readAll(t, false,
		nodeText(100, 100, 0, 0, 100, 100, 5e9),
		nodeText(1, 1, 0, 0, 1, 1, 5e9), // a reboot
		nodeText(1.5, 1.5, 0, 0, 1.5, 1.5, 5e9),
	)
	if !math.IsNaN(rs[1].cpuPercent()) || !rs[1].cpuReset {
		t.Errorf("reset reading: CPU %v, reset %v", rs[1].cpuPercent(), rs[1].cpuReset)
	}
	if got := rs[2].cpuPercent(); !near(got, 50) {
		t.Errorf("after the reset: CPU %v, want 50", got)
	}
	sum, _ := summarizeTarget(Target{Name: "node"}, rs, nil, 0, Config{}.withDefaults())
	if !near(*sum.CPUPercentMean, 50) || !strings.Contains(strings.Join(sum.Notes, ";"), "counter reset") {
		t.Errorf("CPU %v, notes %v", *sum.CPUPercentMean, sum.Notes)
	}
}

func TestDCGMGPUs(t *testing.T) {
	rs := readAll(t, false, string(readTestdata(t, "dcgm-exporter.txt")))
	r := rs[0]
	if r.exporters != hasDCGM || len(r.gpus) != 2 {
		t.Fatalf("exporters %v, %d GPUs", r.exporters.names(), len(r.gpus))
	}
	g := r.gpus[0]
	want := gpuReading{id: "0", index: 0, name: "NVIDIA A10G", uuid: "GPU-5fd4d1c2-8a6e-4a1e-9a3b-0c1d2e3f4a5b",
		util: 73, memUsed: 4886 << 20, memTotal: (4886 + 17602) << 20, power: 143.271, temp: 61, clock: 1710}
	if g != want {
		t.Errorf("GPU 0 = %+v\nwant    %+v", g, want)
	}
	if r.gpus[1].index != 1 || r.gpus[1].util != 0 || r.gpus[1].power != 17.839 {
		t.Errorf("GPU 1 = %+v", r.gpus[1])
	}
	_, gpus := summarizeTarget(Target{Name: "gpu"}, rs, nil, 0, Config{}.withDefaults())
	if len(gpus) != 2 || gpus[0].Source != "scrape:gpu" || gpus[0].Name != "NVIDIA A10G" || gpus[0].UtilizationPercentMean != 73 ||
		gpus[0].MemoryTotalBytes != (4886+17602)<<20 {
		t.Errorf("summaries %+v", gpus)
	}
}

// DCGM serves "no data" as huge numbers (its blank values): never a figure.
func TestDCGMBlankValues(t *testing.T) {
	body := `DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="X"} 2147483632
DCGM_FI_DEV_POWER_USAGE{gpu="0",modelName="X"} 140737488355328
DCGM_FI_DEV_GPU_TEMP{gpu="0",modelName="X"} 9223372036854775794
DCGM_FI_DEV_SM_CLOCK{gpu="0",modelName="X"} 1500
`
	g := readAll(t, false, body)[0].gpus[0]
	if !math.IsNaN(g.util) || !math.IsNaN(g.power) || !math.IsNaN(g.temp) || g.clock != 1500 {
		t.Errorf("GPU %+v", g)
	}
	_, gpus := summarizeTarget(Target{Name: "gpu"}, []reading{readAll(t, false, body)[0]}, nil, 0, Config{}.withDefaults())
	if gpus[0].UtilizationPercentMean != -1 || gpus[0].PowerWattsMean != -1 || gpus[0].SMClockMHzMean != 1500 {
		t.Errorf("summary %+v", gpus[0])
	}
}

// One GPU served twice for a field (dcgm-exporter in Kubernetes with pod
// labels) keeps the first; MIG instance series are left out; both noted.
func TestDCGMDuplicateGPUAndMIG(t *testing.T) {
	body := `DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",modelName="NVIDIA A100-SXM4-40GB",pod="a"} 40
DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",modelName="NVIDIA A100-SXM4-40GB",pod="b"} 41
DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a",modelName="NVIDIA A100-SXM4-40GB",GPU_I_ID="1",GPU_I_PROFILE="3g.20gb"} 100
`
	rs := readAll(t, false, body)
	if len(rs[0].gpus) != 1 || rs[0].gpus[0].util != 40 || rs[0].gpuDups != 1 || rs[0].migSkipped != 1 {
		t.Fatalf("reading %+v", rs[0])
	}
	sum, _ := summarizeTarget(Target{Name: "gpu"}, rs, nil, 0, Config{}.withDefaults())
	notes := strings.Join(sum.Notes, ";")
	if !strings.Contains(notes, "served twice") || !strings.Contains(notes, "MIG") {
		t.Errorf("notes %v", sum.Notes)
	}
}

func tritonText(t testing.TB, success, queueUS, count, pending float64) string {
	s := string(readTestdata(t, "triton.txt"))
	s = setLine(s, `nv_inference_request_success{model="resnet50",version="1"}`, success)
	s = setLine(s, `nv_inference_queue_duration_us{model="resnet50",version="1"}`, queueUS)
	s = setLine(s, `nv_inference_count{model="resnet50",version="1"}`, count)
	return setLine(s, `nv_inference_pending_request_count{model="resnet50",version="1"}`, pending)
}

// setLine sets the value of the line starting with series.
func setLine(text, series string, v float64) string {
	lines := strings.Split(text, "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(l, series+" ") {
			lines[i] = fmt.Sprintf("%s %v", series, v)
			found = true
		}
	}
	if !found {
		panic("no line " + series)
	}
	return strings.Join(lines, "\n")
}

func TestTriton(t *testing.T) {
	rs := readAll(t, false, tritonText(t, 161, 11110, 1288, 3), tritonText(t, 261, 21110, 2088, 5))
	r := rs[1]
	if r.exporters != hasTriton {
		t.Errorf("exporters %v", r.exporters.names())
	}
	// 100 requests in 1 s, 10000 us of queue among them: 0.1 ms each.
	if r.perSecond(r.requests) != 100 || !near(r.queueMS(), 0.1) || r.perSecond(r.inferences) != 800 || r.waiting != 5 {
		t.Errorf("requests/s %v, queue %v ms, inferences/s %v, waiting %v", r.perSecond(r.requests), r.queueMS(), r.perSecond(r.inferences), r.waiting)
	}
	if len(r.gpus) != 1 || !near(r.gpus[0].util, 73) || r.gpus[0].power != 143.271 || r.gpus[0].memUsed != 5123342336 || r.gpus[0].index != 0 {
		t.Errorf("GPU %+v", r.gpus)
	}
	if !near(r.cpuPercent(), 41.5) || r.memUsed != 14362050560 {
		t.Errorf("host CPU %v, memory %v", r.cpuPercent(), r.memUsed)
	}
	sum, _ := summarizeTarget(Target{Name: "triton"}, rs, nil, 0, Config{}.withDefaults())
	if *sum.ServerRequestsPerS != 100 || !near(*sum.QueueTimeMSMean, 0.1) || *sum.RequestsWaitingMean != 4 || sum.RequestsRunningMean != nil {
		t.Errorf("summary %+v", sum)
	}
}

func TestVLLM(t *testing.T) {
	a := string(readTestdata(t, "vllm.txt"))
	b := setLine(a, `vllm:request_success_total{engine="0",finished_reason="stop",model_name="meta-llama/Llama-3.1-8B-Instruct"}`, 230)
	b = setLine(b, `vllm:request_queue_time_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"}`, 286)
	b = setLine(b, `vllm:request_queue_time_seconds_sum{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"}`, 14.3)
	b = setLine(b, `vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"}`, 0.5)
	b = setLine(b, `process_cpu_seconds_total`, 1844.02)
	rs := readAll(t, false, a, b)
	r := rs[1]
	if r.exporters != hasVLLM || r.running != 12 || r.waiting != 4 {
		t.Errorf("exporters %v running %v waiting %v", r.exporters.names(), r.running, r.waiting)
	}
	// kv_cache_usage_perc wins over the deprecated gpu_cache_usage_perc.
	if r.kv != 50 {
		t.Errorf("KV cache %v, want 50", r.kv)
	}
	if r.perSecond(r.requests) != 30 || !near(r.queueMS(), 50) {
		t.Errorf("requests/s %v queue %v ms", r.perSecond(r.requests), r.queueMS())
	}
	// vLLM's own process is the target's: 0.5 s of CPU in 1 s.
	if !near(r.perSecond(r.procCPU)*100, 50) || r.procRSS != 9.36146944e9 {
		t.Errorf("process CPU %v%%, RSS %v", r.perSecond(r.procCPU)*100, r.procRSS)
	}
}

func TestInfercostServer(t *testing.T) {
	text := func(reqs, infs, qsum, qcount, depth float64) string {
		return fmt.Sprintf(`# TYPE infercost_server_requests_total counter
infercost_server_requests_total{code="200",handler="infer"} %v
infercost_server_requests_total{code="503",handler="infer"} 1
infercost_server_requests_total{code="200",handler="metrics"} 9
# TYPE infercost_server_inferences_total counter
infercost_server_inferences_total %v
# TYPE infercost_server_queue_seconds histogram
infercost_server_queue_seconds_bucket{le="+Inf"} %v
infercost_server_queue_seconds_sum %v
infercost_server_queue_seconds_count %v
# TYPE infercost_server_queue_depth gauge
infercost_server_queue_depth %v
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 10
`, reqs, infs, qcount, qsum, qcount, depth)
	}
	rs := readAll(t, false, text(100, 800, 0.1, 100, 0), text(300, 2400, 0.3, 300, 2))
	r := rs[1]
	if r.exporters != hasInfercost || r.perSecond(r.requests) != 200 || r.perSecond(r.inferences) != 1600 || !near(r.queueMS(), 1) || r.waiting != 2 {
		t.Errorf("reading %v req/s %v inf/s %v queue %v waiting %v", r.exporters.names(), r.perSecond(r.requests), r.perSecond(r.inferences), r.queueMS(), r.waiting)
	}
	if r.procCPU != 0 {
		t.Errorf("the server's own process CPU increase %v, want 0", r.procCPU)
	}
}

// --scrape-keep keeps what no mapping took, as served, up to the limit.
func TestKeepRaw(t *testing.T) {
	body := `a_total 1
b{x="1"} 2
h_bucket{le="1"} 3
s{quantile="0.5"} 4
c 5
d 6
DCGM_FI_DEV_GPU_UTIL{gpu="0"} 50
`
	m := mapper{keep: true, maxKept: 3}
	p, _ := Parse([]byte(body), "")
	r := m.read(t0, p)
	if strings.Join(m.rawCols, " ") != `a_total b{x="1"} c` {
		t.Errorf("kept %q", m.rawCols)
	}
	if r.raw[0] != 1 || r.raw[1] != 2 || r.raw[2] != 5 || len(m.dropped) != 1 {
		t.Errorf("raw %v dropped %v", r.raw, m.dropped)
	}
	sum, _ := summarizeTarget(Target{Name: "x"}, []reading{r}, nil, len(m.dropped), Config{MaxKept: 3}.withDefaults())
	if !strings.Contains(strings.Join(sum.Notes, ";"), "1 series beyond the first 3") {
		t.Errorf("notes %v", sum.Notes)
	}
}

// Every figure of a summary that nothing served is null.
func TestSummaryOfNothingIsNull(t *testing.T) {
	fails := []failure{{t0, "connection refused"}, {t0, "connection refused"}, {t0, "timed out after 1s"}}
	sum, gpus := summarizeTarget(Target{Name: "x", URL: "http://h/metrics"}, nil, fails, 0, Config{}.withDefaults())
	if sum.CPUPercentMean != nil || sum.MemoryUsedBytesMean != nil || sum.KVCacheUsagePercentMean != nil || sum.ServerRequestsPerS != nil ||
		len(gpus) != 0 || sum.Failures != 3 || sum.Scrapes != 0 {
		t.Errorf("summary %+v", sum)
	}
	if len(sum.Notes) != 1 || !strings.Contains(sum.Notes[0], "every read failed (3: connection refused x2; timed out after 1s x1)") {
		t.Errorf("notes %q", sum.Notes)
	}
}

// A value served unchanged comes back exactly, whatever the number of reads.
func TestConstantMeanIsExact(t *testing.T) {
	for n := 1; n < 200; n++ {
		v := make([]float64, n)
		for i := range v {
			v[i] = 143.271
		}
		if m := statOf(v).mean; m != 143.271 {
			t.Fatalf("mean of %d x 143.271 = %v", n, m)
		}
	}
}
