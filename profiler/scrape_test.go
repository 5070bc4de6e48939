package profiler

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
	"github.com/infercost/infercost/scrape"
)

// dcgmText is a dcgm-exporter text for one A10G.
func dcgmText(util, powerW float64) string {
	const l = `{gpu="0",UUID="GPU-5fd4d1c2",device="nvidia0",modelName="NVIDIA A10G",Hostname="gpubox"}`
	return fmt.Sprintf("# TYPE DCGM_FI_DEV_GPU_UTIL gauge\nDCGM_FI_DEV_GPU_UTIL%s %g\n# TYPE DCGM_FI_DEV_POWER_USAGE gauge\nDCGM_FI_DEV_POWER_USAGE%s %g\n"+
		"# TYPE DCGM_FI_DEV_FB_USED gauge\nDCGM_FI_DEV_FB_USED%s 4886\n# TYPE DCGM_FI_DEV_FB_FREE gauge\nDCGM_FI_DEV_FB_FREE%s 17602\n", l, util, l, powerW, l, l)
}

// A scraped dcgm-exporter GPU joins the step's gpus with its source and
// name, names the run's hardware over a conflicting --hardware (with a
// warning), gives the step its energy, and lands in spec, samplers and
// samples.csv.
func TestScrapedGPUJoinsTheRun(t *testing.T) {
	_, srv := newFakeKServe(t, 4, func(n int) time.Duration { return time.Millisecond })
	gpuSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, dcgmText(73, 150))
	}))
	defer gpuSrv.Close()
	s := openSession(t, srv.URL, func(c *Config) {
		c.Target.HardwareLabel = "NVIDIA T4"
		c.Target.Scrape = scrape.Config{Targets: []scrape.Target{{Name: "gpu", URL: gpuSrv.URL + "/metrics?token=secret"}}}
	})
	st, err := s.RunStep(context.Background(), Load{Mode: result.ModeRate, Arrival: "constant", RPS: 100, BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(result.StatusComplete); err != nil {
		t.Fatal(err)
	}
	run, err := result.Read(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	st = &run.Steps[0]
	var g *result.GPUSummary
	for i := range st.GPUs {
		if st.GPUs[i].Source == "scrape:gpu" {
			g = &st.GPUs[i]
		}
	}
	if g == nil || g.Name != "NVIDIA A10G" || g.Index != 0 || g.UtilizationPercentMean != 73 || g.MemoryUsedBytesMax != 4886<<20 || g.Samples == 0 {
		t.Fatalf("scraped GPU %+v in %+v", g, st.GPUs)
	}
	sum := st.Scrape["gpu"]
	if sum.Scrapes == 0 || sum.Failures != 0 || strings.Join(sum.Exporters, ",") != "dcgm" || sum.GPUs != 1 || strings.Contains(sum.URL, "secret") {
		t.Errorf("scrape.gpu %+v", sum)
	}
	env := run.Environment
	if env.Hardware != "NVIDIA A10G" || env.HardwareSource != "scrape:gpu" {
		t.Errorf("hardware %q from %q", env.Hardware, env.HardwareSource)
	}
	if !strings.Contains(strings.Join(run.Warnings, "\n"), `--hardware "NVIDIA T4" differs from the GPU scrape:gpu reports (NVIDIA A10G)`) {
		t.Errorf("warnings %q", run.Warnings)
	}
	e := st.Energy
	if e == nil || e.Source != "scrape:gpu" || e.GPUs != 1 || e.PowerWattsMean != 150 || math.Abs(e.Joules-150*st.DurationS) > 1e-9 ||
		e.JoulesPerInference == nil || math.Abs(*e.JoulesPerInference-e.Joules/(st.InferencesPerS*st.DurationS)) > 1e-12 || e.JoulesPerOutputToken != nil {
		t.Errorf("energy %+v (duration %v s, %v infer/s)", e, st.DurationS, st.InferencesPerS)
	}
	if len(run.Spec.Scrape) != 1 || run.Spec.Scrape[0].Name != "gpu" || strings.Contains(run.Spec.Scrape[0].URL, "secret") || run.Spec.ScrapeIntervalMS != 100 {
		t.Errorf("spec %+v, interval %v", run.Spec.Scrape, run.Spec.ScrapeIntervalMS)
	}
	if c := run.Samplers.Scrape; c == nil || c.Scrapes == 0 || c.Targets != 1 || c.CPUPercentOfCore < 0 {
		t.Errorf("scrape cost %+v", c)
	}
	f, err := os.Open(filepath.Join(s.Dir(), result.SamplesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	samples, err := result.ReadSamplesCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range samples {
		if v, ok := x.Scraped["scrape.gpu.gpu0.utilization_percent"]; ok && v == 73 {
			n++
		}
	}
	if n < len(samples)/2 {
		t.Errorf("%d of %d samples carry the scraped utilization", n, len(samples))
	}
}

// An endpoint that never answers is a gap with a note and a run warning:
// the step is measured, the run completes, no figure is invented.
func TestScrapeEndpointDownIsAGap(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := "http://" + l.Addr().String() + "/metrics"
	l.Close()
	_, srv := newFakeKServe(t, 4, func(n int) time.Duration { return time.Millisecond })
	s := openSession(t, srv.URL, func(c *Config) {
		c.Target.Scrape = scrape.Config{Targets: []scrape.Target{{Name: "node", URL: down}}}
	})
	st, err := s.RunStep(context.Background(), Load{Mode: result.ModeRate, Arrival: "constant", RPS: 100, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	sum := st.Scrape["node"]
	if sum.Scrapes != 0 || sum.Failures == 0 || sum.CPUPercentMean != nil || len(sum.Notes) == 0 || !strings.Contains(sum.Notes[0], "connection refused") {
		t.Errorf("scrape.node %+v", sum)
	}
	if st.Energy != nil || st.Requests == 0 {
		t.Errorf("energy %+v, requests %d", st.Energy, st.Requests)
	}
	if !strings.Contains(strings.Join(s.Run().Warnings, "\n"), "scrape node: every read failed") {
		t.Errorf("warnings %q", s.Run().Warnings)
	}
}

// A slow endpoint (every read times out) never slows the steps down.
func TestSlowScrapeDoesNotStallTheRun(t *testing.T) {
	var calls atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	_, srv := newFakeKServe(t, 4, func(n int) time.Duration { return time.Millisecond })
	start := time.Now()
	s := openSession(t, srv.URL, func(c *Config) {
		c.Target.Scrape = scrape.Config{Timeout: 300 * time.Millisecond, Targets: []scrape.Target{{Name: "slow", URL: slow.URL}}}
	})
	if _, err := s.RunStep(context.Background(), Load{Mode: result.ModeRate, Arrival: "constant", RPS: 50, BatchSize: 1}); err != nil {
		t.Fatal(err)
	}
	s.Finish(result.StatusComplete)
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("a step of about 1.1 s took %v with a slow endpoint", d)
	}
	if sum := s.Run().Steps[0].Scrape["slow"]; sum.Failures == 0 || !strings.Contains(strings.Join(sum.Notes, ""), "timed out after 300ms") {
		t.Errorf("scrape.slow %+v", sum)
	}
}

func TestEnergyPerUnit(t *testing.T) {
	st := &result.Step{DurationS: 10, InferencesPerS: 50}
	e := energyOf(result.Energy{Source: "nvml", GPUs: 2, PowerWattsMean: 200}, st)
	if e.Joules != 2000 || *e.JoulesPerInference != 4 || e.JoulesPerOutputToken != nil {
		t.Errorf("KServe step: %+v", e)
	}
	tokens, tps := int64(5000), 500.0
	llm := &result.Step{DurationS: 10, InferencesPerS: 3, Unit: result.UnitOutputToken}
	llm.OutputTokens, llm.OutputTokensPerS = &tokens, &tps
	e = energyOf(result.Energy{Source: "scrape:gpu", GPUs: 1, PowerWattsMean: 300}, llm)
	if e.Joules != 3000 || *e.JoulesPerOutputToken != 0.6 || e.JoulesPerInference != nil {
		t.Errorf("LLM step: %+v", e)
	}
	if energyOf(result.Energy{GPUs: 1, PowerWattsMean: 1}, &result.Step{}) != nil {
		t.Error("energy of a step with no measured time")
	}
	none := &result.Step{DurationS: 10}
	if e := energyOf(result.Energy{GPUs: 1, PowerWattsMean: 100}, none); e.Joules != 1000 || e.JoulesPerInference != nil {
		t.Errorf("a step with no inference: %+v", e)
	}
}

func TestSameHardware(t *testing.T) {
	for _, tc := range []struct {
		label, model string
		same         bool
	}{
		{"NVIDIA A10G", "NVIDIA A10G", true}, {"a10g", "NVIDIA A10G", true}, {"NVIDIA T4", "NVIDIA A10G", false}, {"A100", "NVIDIA A10G", false},
	} {
		if got := sameHardware(tc.label, tc.model); got != tc.same {
			t.Errorf("sameHardware(%q, %q) = %v", tc.label, tc.model, got)
		}
	}
}
