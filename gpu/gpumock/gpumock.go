//go:build cgo

// Package gpumock builds go-nvml mocks (pkg/nvml/mock) of NVIDIA GPUs with
// scripted readings, for tests of the NVML path on machines without a GPU:
// gpu.OpenWith(gpumock.New(...)) behaves as gpu.Open does on a real box.
package gpumock

import (
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
)

// Step is what one device reports on one read. A figure whose Return is
// not SUCCESS (zero value = SUCCESS) is reported as that error, so tests
// can make e.g. power ERROR_NOT_SUPPORTED.
type Step struct {
	UtilizationPercent uint32
	MemoryUsedBytes    uint64
	PowerMilliwatts    uint32
	TemperatureC       uint32
	SMClockMHz         uint32
	PowerRet           nvml.Return
}

// Device describes one mocked GPU. Steps are returned one per read, the
// last repeated once they run out.
type Device struct {
	Name             string
	UUID             string
	MemoryTotalBytes uint64
	Steps            []Step
}

// New returns a mock NVML library whose Init succeeds and whose devices
// follow the given scripts. Driver version "550.54.15".
func New(devices ...Device) *mock.Interface {
	handles := make([]nvml.Device, len(devices))
	for i, d := range devices {
		handles[i] = newDevice(d)
	}
	return &mock.Interface{
		InitFunc:                   func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:               func() nvml.Return { return nvml.SUCCESS },
		SystemGetDriverVersionFunc: func() (string, nvml.Return) { return "550.54.15", nvml.SUCCESS },
		DeviceGetCountFunc:         func() (int, nvml.Return) { return len(handles), nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			if i < 0 || i >= len(handles) {
				return nil, nvml.ERROR_INVALID_ARGUMENT
			}
			return handles[i], nvml.SUCCESS
		},
	}
}

// newDevice scripts one device. A read is one GetUtilizationRates call:
// it advances the script, and the other figures of the same read follow it.
func newDevice(d Device) *mock.Device {
	var mu sync.Mutex
	n := -1
	cur := func() Step {
		mu.Lock()
		defer mu.Unlock()
		if len(d.Steps) == 0 {
			return Step{}
		}
		i := n
		if i < 0 {
			i = 0
		}
		if i >= len(d.Steps) {
			i = len(d.Steps) - 1
		}
		return d.Steps[i]
	}
	return &mock.Device{
		GetNameFunc: func() (string, nvml.Return) { return d.Name, nvml.SUCCESS },
		GetUUIDFunc: func() (string, nvml.Return) { return d.UUID, nvml.SUCCESS },
		GetUtilizationRatesFunc: func() (nvml.Utilization, nvml.Return) {
			mu.Lock()
			n++
			mu.Unlock()
			return nvml.Utilization{Gpu: cur().UtilizationPercent}, nvml.SUCCESS
		},
		GetMemoryInfoFunc: func() (nvml.Memory, nvml.Return) {
			used := cur().MemoryUsedBytes
			return nvml.Memory{Total: d.MemoryTotalBytes, Used: used, Free: d.MemoryTotalBytes - used}, nvml.SUCCESS
		},
		GetPowerUsageFunc: func() (uint32, nvml.Return) {
			s := cur()
			if s.PowerRet != nvml.SUCCESS {
				return 0, s.PowerRet
			}
			return s.PowerMilliwatts, nvml.SUCCESS
		},
		GetTemperatureFunc: func(nvml.TemperatureSensors) (uint32, nvml.Return) { return cur().TemperatureC, nvml.SUCCESS },
		GetClockInfoFunc:   func(nvml.ClockType) (uint32, nvml.Return) { return cur().SMClockMHz, nvml.SUCCESS },
	}
}
