//go:build cgo

package gpu

import (
	"errors"
	"math"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"

	"github.com/infercost/infercost/gpu/gpumock"
)

func TestGPUOpenWithMockReadsEveryFigure(t *testing.T) {
	const total = 24 << 30
	lib := gpumock.New(
		gpumock.Device{Name: "NVIDIA A10G", UUID: "GPU-aaaa", MemoryTotalBytes: total, Steps: []gpumock.Step{
			{UtilizationPercent: 40, MemoryUsedBytes: 3 << 30, PowerMilliwatts: 61500, TemperatureC: 45, SMClockMHz: 1710},
			{UtilizationPercent: 90, MemoryUsedBytes: 5 << 30, PowerMilliwatts: 150250, TemperatureC: 60, SMClockMHz: 1695},
		}},
		// A board that cannot report power: that figure is NaN, the rest stays.
		gpumock.Device{Name: "NVIDIA A10G", UUID: "GPU-bbbb", MemoryTotalBytes: total, Steps: []gpumock.Step{
			{UtilizationPercent: 7, MemoryUsedBytes: 1 << 30, TemperatureC: 33, SMClockMHz: 210, PowerRet: nvml.ERROR_NOT_SUPPORTED},
		}},
	)
	src, err := OpenWith(lib)
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	wantDevs := []Device{
		{Index: 0, Name: "NVIDIA A10G", UUID: "GPU-aaaa", MemoryBytes: total, Driver: "550.54.15"},
		{Index: 1, Name: "NVIDIA A10G", UUID: "GPU-bbbb", MemoryBytes: total, Driver: "550.54.15"},
	}
	devs := src.Devices()
	if len(devs) != len(wantDevs) {
		t.Fatalf("Devices() = %+v, want %+v", devs, wantDevs)
	}
	for i := range devs {
		if devs[i] != wantDevs[i] {
			t.Errorf("device %d = %+v, want %+v", i, devs[i], wantDevs[i])
		}
	}
	if got, want := Describe(devs, nil), "2 GPUs: NVIDIA A10G"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}

	want := [][]Reading{
		{
			{Index: 0, UtilizationPercent: 40, MemoryUsedBytes: 3 << 30, MemoryTotalBytes: total, PowerWatts: 61.5, TemperatureC: 45, SMClockMHz: 1710},
			{Index: 1, UtilizationPercent: 7, MemoryUsedBytes: 1 << 30, MemoryTotalBytes: total, PowerWatts: math.NaN(), TemperatureC: 33, SMClockMHz: 210},
		},
		{
			{Index: 0, UtilizationPercent: 90, MemoryUsedBytes: 5 << 30, MemoryTotalBytes: total, PowerWatts: 150.25, TemperatureC: 60, SMClockMHz: 1695},
			{Index: 1, UtilizationPercent: 7, MemoryUsedBytes: 1 << 30, MemoryTotalBytes: total, PowerWatts: math.NaN(), TemperatureC: 33, SMClockMHz: 210},
		},
	}
	for call, w := range want {
		got, err := src.Read()
		if err != nil {
			t.Fatalf("Read %d: %v", call, err)
		}
		if len(got) != len(w) {
			t.Fatalf("Read %d: %d readings, want %d", call, len(got), len(w))
		}
		for i := range w {
			if !sameReading(got[i], w[i]) {
				t.Errorf("Read %d device %d = %+v, want %+v", call, i, got[i], w[i])
			}
		}
	}

	if err := src.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := src.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if n := len(lib.ShutdownCalls()); n != 1 {
		t.Errorf("Shutdown called %d times, want 1", n)
	}
	if _, err := src.Read(); err == nil {
		t.Error("Read after Close succeeded, want an error")
	}
}

// sameReading compares readings with NaN equal to NaN.
func sameReading(a, b Reading) bool {
	eq := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	return a.Index == b.Index && eq(a.UtilizationPercent, b.UtilizationPercent) &&
		eq(a.MemoryUsedBytes, b.MemoryUsedBytes) && eq(a.MemoryTotalBytes, b.MemoryTotalBytes) &&
		eq(a.PowerWatts, b.PowerWatts) && eq(a.TemperatureC, b.TemperatureC) && eq(a.SMClockMHz, b.SMClockMHz)
}

// TestGPUFailedInitCallsNothingElse checks DESIGN invariant 6: after a
// failed Init, no other NVML function is called, not even Shutdown. The mock
// panics on any method it was not given, and records the calls it was.
func TestGPUFailedInitCallsNothingElse(t *testing.T) {
	cases := []struct {
		ret  nvml.Return
		want string
	}{
		{nvml.ERROR_LIBRARY_NOT_FOUND, "no GPU detected (NVML: libnvidia-ml.so.1 not found)"},
		{nvml.ERROR_DRIVER_NOT_LOADED, "no GPU detected (NVML: NVIDIA driver not loaded)"},
		{nvml.ERROR_NO_PERMISSION, "no GPU detected (NVML: no permission to open the GPU devices)"},
		{nvml.ERROR_LIB_RM_VERSION_MISMATCH, "no GPU detected (NVML: NVML library and kernel driver versions differ)"},
		{nvml.ERROR_UNKNOWN, "no GPU detected (NVML: Init failed (ERROR_UNKNOWN))"},
		{nvml.Return(9876), "no GPU detected (NVML: Init failed (NVML return code 9876))"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			ret := c.ret
			lib := &mock.Interface{InitFunc: func() nvml.Return { return ret }}
			src, err := OpenWith(lib)
			if src != nil {
				t.Errorf("source = %v, want nil", src)
			}
			if !errors.Is(err, ErrNoGPU) {
				t.Fatalf("err = %v, want one wrapping ErrNoGPU", err)
			}
			if err.Error() != c.want {
				t.Errorf("err = %q, want %q", err, c.want)
			}
			if n := len(lib.InitCalls()); n != 1 {
				t.Errorf("Init called %d times, want 1", n)
			}
			if n := len(lib.ShutdownCalls()); n != 0 {
				t.Errorf("Shutdown called %d times after a failed Init", n)
			}
		})
	}
}

func TestGPUNoDevicesShutsDownOnce(t *testing.T) {
	cases := []struct {
		name  string
		count int
		ret   nvml.Return
		want  string
	}{
		{"zero devices", 0, nvml.SUCCESS, "no GPU detected (NVML: no devices)"},
		{"count fails", 0, nvml.ERROR_UNKNOWN, "no GPU detected (NVML: device count: ERROR_UNKNOWN)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lib := &mock.Interface{
				InitFunc:           func() nvml.Return { return nvml.SUCCESS },
				ShutdownFunc:       func() nvml.Return { return nvml.SUCCESS },
				DeviceGetCountFunc: func() (int, nvml.Return) { return c.count, c.ret },
			}
			_, err := OpenWith(lib)
			if !errors.Is(err, ErrNoGPU) || err.Error() != c.want {
				t.Fatalf("err = %v, want %q wrapping ErrNoGPU", err, c.want)
			}
			if n := len(lib.ShutdownCalls()); n != 1 {
				t.Errorf("Shutdown called %d times after a successful Init, want 1", n)
			}
		})
	}
}

func TestGPUReadFailsOnlyWhenNothingCanBeRead(t *testing.T) {
	lost := func() nvml.Return { return nvml.ERROR_GPU_IS_LOST }
	dev := &mock.Device{
		GetNameFunc:             func() (string, nvml.Return) { return "Tesla T4", nvml.SUCCESS },
		GetUUIDFunc:             func() (string, nvml.Return) { return "GPU-t4", nvml.SUCCESS },
		GetUtilizationRatesFunc: func() (nvml.Utilization, nvml.Return) { return nvml.Utilization{}, lost() },
		GetMemoryInfoFunc:       func() (nvml.Memory, nvml.Return) { return nvml.Memory{}, lost() },
		GetPowerUsageFunc:       func() (uint32, nvml.Return) { return 0, lost() },
		GetTemperatureFunc:      func(nvml.TemperatureSensors) (uint32, nvml.Return) { return 0, lost() },
		GetClockInfoFunc:        func(nvml.ClockType) (uint32, nvml.Return) { return 0, lost() },
	}
	lib := &mock.Interface{
		InitFunc:                   func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:               func() nvml.Return { return nvml.SUCCESS },
		SystemGetDriverVersionFunc: func() (string, nvml.Return) { return "", nvml.ERROR_UNKNOWN },
		DeviceGetCountFunc:         func() (int, nvml.Return) { return 1, nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(int) (nvml.Device, nvml.Return) { return dev, nvml.SUCCESS },
	}
	src, err := OpenWith(lib)
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	defer src.Close()
	if d := src.Devices()[0]; d.MemoryBytes != 0 || d.Driver != "" || d.Name != "Tesla T4" {
		t.Errorf("device = %+v, want name only", d)
	}
	rs, err := src.Read()
	if err == nil {
		t.Fatal("Read with every call failing: no error")
	}
	if want := "gpu: no figure could be read: GPU 0 utilization: ERROR_GPU_IS_LOST"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if len(rs) != 1 || rs[0].Index != 0 || !math.IsNaN(rs[0].UtilizationPercent) || !math.IsNaN(rs[0].PowerWatts) {
		t.Errorf("readings = %+v, want one all-NaN reading", rs)
	}
}

// TestGPUOpenOnThisMachine runs the real NVML path. Without a driver (this
// project's CI box) it must report ErrNoGPU and not crash the process (the
// failed-Init path); with one, it must list devices and read them.
func TestGPUOpenOnThisMachine(t *testing.T) {
	src, err := Open()
	if err != nil {
		if !errors.Is(err, ErrNoGPU) {
			t.Fatalf("Open: %v, want an error wrapping ErrNoGPU", err)
		}
		t.Logf("Open: %v", err)
		return
	}
	defer src.Close()
	devs := src.Devices()
	if len(devs) == 0 {
		t.Fatal("Open succeeded with no devices")
	}
	rs, err := src.Read()
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	t.Logf("%s: %+v", Describe(devs, nil), rs)
}
