//go:build cgo

package profiler

import (
	"context"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/gpu/gpumock"
	"github.com/infercost/infercost/result"
)

// The NVML path end to end, through go-nvml's mock: the sampler reads the
// scripted figures at each tick and Summarize turns them into a step's
// gpus[] (utilization, memory, power); a board without power reads -1.
func TestSamplerGPUThroughNVMLMock(t *testing.T) {
	const total = 24 << 30
	script := []gpumock.Step{
		{UtilizationPercent: 10, MemoryUsedBytes: 1 << 30, PowerMilliwatts: 60000, TemperatureC: 40, SMClockMHz: 1500},
		{UtilizationPercent: 50, MemoryUsedBytes: 2 << 30, PowerMilliwatts: 100000, TemperatureC: 50, SMClockMHz: 1600},
		{UtilizationPercent: 90, MemoryUsedBytes: 4 << 30, PowerMilliwatts: 200000, TemperatureC: 70, SMClockMHz: 1700},
		{UtilizationPercent: 30, MemoryUsedBytes: 3 << 30, PowerMilliwatts: 80000, TemperatureC: 60, SMClockMHz: 1650},
		{UtilizationPercent: 70, MemoryUsedBytes: 2 << 30, PowerMilliwatts: 60000, TemperatureC: 55, SMClockMHz: 1600},
	}
	noPower := make([]gpumock.Step, len(script))
	for i, st := range script {
		st.PowerRet = nvml.ERROR_NOT_SUPPORTED
		noPower[i] = st
	}
	lib := gpumock.New(
		gpumock.Device{Name: "NVIDIA A10G", UUID: "GPU-0", MemoryTotalBytes: total, Steps: script},
		gpumock.Device{Name: "NVIDIA A10G", UUID: "GPU-1", MemoryTotalBytes: total, Steps: noPower},
	)
	src, err := gpu.OpenWith(lib)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	s, err := StartSampler(context.Background(), SamplerConfig{Interval: 10 * time.Millisecond, GPU: src})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	waitFor(t, func() bool { return s.Summarize(t0, time.Now()).Host.Samples >= len(script)+2 })
	s.Stop()
	samples := s.Samples()
	if s.GPUCount() != 2 {
		t.Fatalf("GPUCount = %d, want 2", s.GPUCount())
	}
	for i, x := range samples {
		if len(x.GPUs) != 2 || x.GPUs[0].Index != 0 || x.GPUs[1].Index != 1 {
			t.Fatalf("sample %d GPUs = %+v, want devices 0 and 1", i, x.GPUs)
		}
	}
	// Each tick reads once, so the first five samples are the script.
	m := s.Summarize(samples[0].Time, samples[len(script)-1].Time)
	if len(m.GPUs) != 2 {
		t.Fatalf("GPU summaries = %+v", m.GPUs)
	}
	want := result.GPUSummary{Index: 0, Name: "NVIDIA A10G", Source: GPUSourceNVML, Samples: 5,
		UtilizationPercentMean: 50, UtilizationPercentP95: 90, UtilizationPercentMax: 90,
		MemoryUsedBytesMean: float64(12<<30) / 5, MemoryUsedBytesP95: 4 << 30, MemoryUsedBytesMax: 4 << 30, MemoryTotalBytes: total,
		PowerWattsMean: 100, PowerWattsP95: 200, PowerWattsMax: 200,
		TemperatureCMean: 55, TemperatureCMax: 70, SMClockMHzMean: 1610, SMClockMHzMax: 1700}
	if m.GPUs[0] != want {
		t.Errorf("GPU 0 summary =\n %+v\nwant\n %+v", m.GPUs[0], want)
	}
	g1 := m.GPUs[1]
	if g1.Samples != 5 || g1.UtilizationPercentMean != 50 || g1.MemoryUsedBytesMax != 4<<30 ||
		g1.PowerWattsMean != -1 || g1.PowerWattsMax != -1 {
		t.Errorf("GPU 1 summary = %+v, want the script with power -1", g1)
	}
	if samples[0].GPUs[1].PowerWatts != -1 || samples[0].GPUs[0].PowerWatts != 60 {
		t.Errorf("first sample GPUs = %+v, want power 60 W and -1", samples[0].GPUs)
	}
}

func TestEnvironmentWithMockGPU(t *testing.T) {
	src, err := gpu.OpenWith(gpumock.New(gpumock.Device{Name: "NVIDIA A10G", UUID: "GPU-abc", MemoryTotalBytes: 24 << 30}))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	env := DetectEnvironment(src, nil)
	want := []result.GPU{{Index: 0, Name: "NVIDIA A10G", UUID: "GPU-abc", MemoryBytes: 24 << 30, Driver: "550.54.15"}}
	if len(env.GPUs) != 1 || env.GPUs[0] != want[0] {
		t.Errorf("GPUs = %+v, want %+v", env.GPUs, want)
	}
	if env.GPUStatus != "1 GPU: NVIDIA A10G" || env.Hardware != "NVIDIA A10G" || env.HardwareSource != "detected" {
		t.Errorf("status %q, hardware %q (%s)", env.GPUStatus, env.Hardware, env.HardwareSource)
	}
}
