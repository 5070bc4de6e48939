//go:build cgo

package agent

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/gpu/gpumock"
	"github.com/infercost/infercost/scrape"
)

// Two mocked A10Gs (go-nvml's mock through package gpu, as on a real box):
// the agent serves them under dcgm-exporter's names, labels and units, and
// infercost's scraper reads back exactly what NVML reported.
func TestAgentServesNVMLAsDCGMExporter(t *testing.T) {
	const total = 24 << 30
	src, err := gpu.OpenWith(gpumock.New(
		gpumock.Device{Name: "NVIDIA A10G", UUID: "GPU-aaaa", MemoryTotalBytes: total, Steps: []gpumock.Step{
			{UtilizationPercent: 73, MemoryUsedBytes: 5 << 30, PowerMilliwatts: 150250, TemperatureC: 60, SMClockMHz: 1695},
		}},
		gpumock.Device{Name: "NVIDIA A10G", UUID: "GPU-bbbb", MemoryTotalBytes: total, Steps: []gpumock.Step{
			{UtilizationPercent: 7, MemoryUsedBytes: 1 << 30, TemperatureC: 33, SMClockMHz: 210, PowerRet: nvml.ERROR_NOT_SUPPORTED},
		}},
	))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ts := httptest.NewServer(Handler(Config{GPU: src, GPUStatus: gpu.Describe(src.Devices(), nil), Hostname: "gpubox"}))
	defer ts.Close()

	body, _ := get(t, ts.URL+"/metrics")
	for _, want := range []string{
		`DCGM_FI_DEV_GPU_UTIL{Hostname="gpubox",UUID="GPU-aaaa",device="nvidia0",gpu="0",modelName="NVIDIA A10G"} 73`,
		`DCGM_FI_DEV_FB_USED{Hostname="gpubox",UUID="GPU-aaaa",device="nvidia0",gpu="0",modelName="NVIDIA A10G"} 5120`,
		`DCGM_FI_DEV_FB_FREE{Hostname="gpubox",UUID="GPU-aaaa",device="nvidia0",gpu="0",modelName="NVIDIA A10G"} 19456`,
		`DCGM_FI_DEV_POWER_USAGE{Hostname="gpubox",UUID="GPU-aaaa",device="nvidia0",gpu="0",modelName="NVIDIA A10G"} 150.25`,
		`DCGM_FI_DEV_GPU_TEMP{Hostname="gpubox",UUID="GPU-bbbb",device="nvidia1",gpu="1",modelName="NVIDIA A10G"} 33`,
		`DCGM_FI_DEV_SM_CLOCK{Hostname="gpubox",UUID="GPU-bbbb",device="nvidia1",gpu="1",modelName="NVIDIA A10G"} 210`,
		"# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).",
		"# TYPE DCGM_FI_DEV_GPU_UTIL gauge",
		`infercost_agent_info{gpu_status="2 GPUs: NVIDIA A10G"`, "infercost_agent_gpus 2",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `DCGM_FI_DEV_POWER_USAGE{Hostname="gpubox",UUID="GPU-bbbb"`) {
		t.Error("power served for a board that cannot report it")
	}

	s, err := scrape.Start(context.Background(), scrape.Config{Interval: 50 * time.Millisecond,
		Targets: []scrape.Target{{Name: "gpu", URL: ts.URL + "/metrics"}}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	s.Stop()
	sums, gpus := s.Summarize(time.Time{}, time.Now())
	if got := strings.Join(sums["gpu"].Exporters, ","); got != "node_exporter,dcgm,infercost" {
		t.Errorf("exporters %s", got)
	}
	if len(gpus) != 2 {
		t.Fatalf("GPUs %+v", gpus)
	}
	g := gpus[0]
	if g.Source != "scrape:gpu" || g.Name != "NVIDIA A10G" || g.Index != 0 || g.UtilizationPercentMean != 73 ||
		g.MemoryUsedBytesMax != 5<<30 || g.MemoryTotalBytes != total || g.PowerWattsMean != 150.25 || g.TemperatureCMax != 60 || g.SMClockMHzMean != 1695 {
		t.Errorf("GPU 0 %+v", g)
	}
	if gpus[1].Index != 1 || gpus[1].UtilizationPercentMean != 7 || gpus[1].PowerWattsMean != -1 {
		t.Errorf("GPU 1 %+v", gpus[1])
	}
	if model, src := s.Hardware(); model != "NVIDIA A10G" || src != "scrape:gpu" {
		t.Errorf("Hardware() = %q %q", model, src)
	}
	if w, n, _ := s.Power(time.Time{}, time.Now()); w != 150.25 || n != 1 {
		t.Errorf("Power() = %v W over %d GPUs", w, n)
	}
}
