//go:build cgo

package gpu

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// Open finds NVIDIA GPUs through NVML (libnvidia-ml.so.1, loaded at run
// time, so the binary runs on machines without a driver). With no library,
// no driver or no device it returns (nil, err) with errors.Is(err, ErrNoGPU)
// and the reason in the message.
func Open() (Source, error) {
	return OpenWith(nvml.New())
}

// OpenWith opens a source through lib: the real library (Open) or a mock
// from go-nvml's pkg/nvml/mock in tests.
//
// DESIGN invariant 6: when lib.Init fails, nothing else is called on lib,
// not even Shutdown or ErrorString (with no driver, a later call can kill
// the process); the reason comes from our own table of return codes.
func OpenWith(lib nvml.Interface) (Source, error) {
	if lib == nil {
		return nil, noGPU("NVML: no library given")
	}
	if ret := lib.Init(); ret != nvml.SUCCESS {
		return nil, noGPU("NVML: %s", initFailure(ret))
	}
	// Init succeeded: from here every failure must Shutdown once.
	src, err := openDevices(lib)
	if err != nil {
		lib.Shutdown()
		return nil, err
	}
	return src, nil
}

// openDevices lists the devices after a successful Init.
func openDevices(lib nvml.Interface) (*nvmlSource, error) {
	count, ret := lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return nil, noGPU("NVML: device count: %s", returnName(ret))
	}
	if count <= 0 {
		return nil, noGPU("NVML: no devices")
	}
	driver, ret := lib.SystemGetDriverVersion()
	if ret != nvml.SUCCESS {
		driver = ""
	}
	src := &nvmlSource{lib: lib}
	var firstErr error
	for i := 0; i < count; i++ {
		h, ret := lib.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			if firstErr == nil {
				firstErr = fmt.Errorf("device %d: %s", i, returnName(ret))
			}
			continue
		}
		d := Device{Index: i, Driver: driver}
		if name, ret := h.GetName(); ret == nvml.SUCCESS {
			d.Name = name
		}
		if uuid, ret := h.GetUUID(); ret == nvml.SUCCESS {
			d.UUID = uuid
		}
		if mem, ret := h.GetMemoryInfo(); ret == nvml.SUCCESS {
			d.MemoryBytes = mem.Total
		}
		src.devices = append(src.devices, d)
		src.handles = append(src.handles, h)
	}
	if len(src.devices) == 0 {
		return nil, noGPU("NVML: %d devices, none could be opened: %v", count, firstErr)
	}
	return src, nil
}

// nvmlSource reads devices opened through NVML. The mutex keeps Read and
// Close apart, so a Read never runs after Shutdown.
type nvmlSource struct {
	mu      sync.Mutex
	lib     nvml.Interface
	devices []Device
	handles []nvml.Device
	closed  bool
}

func (s *nvmlSource) Devices() []Device {
	return append([]Device(nil), s.devices...)
}

var errClosed = errors.New("gpu: source is closed")

func (s *nvmlSource) Read() ([]Reading, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Reading, len(s.devices))
	for i := range out {
		out[i] = nanReading(s.devices[i].Index)
	}
	if s.closed {
		return out, errClosed
	}
	read := 0
	var firstErr error
	fail := func(dev int, what string, ret nvml.Return) {
		if firstErr == nil {
			firstErr = fmt.Errorf("GPU %d %s: %s", dev, what, returnName(ret))
		}
	}
	for i, h := range s.handles {
		r := &out[i]
		if u, ret := h.GetUtilizationRates(); ret == nvml.SUCCESS {
			r.UtilizationPercent = float64(u.Gpu)
			read++
		} else {
			fail(r.Index, "utilization", ret)
		}
		if m, ret := h.GetMemoryInfo(); ret == nvml.SUCCESS {
			r.MemoryUsedBytes, r.MemoryTotalBytes = float64(m.Used), float64(m.Total)
			read++
		} else {
			fail(r.Index, "memory", ret)
		}
		if mw, ret := h.GetPowerUsage(); ret == nvml.SUCCESS {
			r.PowerWatts = float64(mw) / 1000 // NVML reports milliwatts
			read++
		} else {
			fail(r.Index, "power", ret)
		}
		if t, ret := h.GetTemperature(nvml.TEMPERATURE_GPU); ret == nvml.SUCCESS {
			r.TemperatureC = float64(t)
			read++
		} else {
			fail(r.Index, "temperature", ret)
		}
		if c, ret := h.GetClockInfo(nvml.CLOCK_SM); ret == nvml.SUCCESS {
			r.SMClockMHz = float64(c)
			read++
		} else {
			fail(r.Index, "SM clock", ret)
		}
	}
	if read == 0 {
		return out, fmt.Errorf("gpu: no figure could be read: %w", firstErr)
	}
	return out, nil
}

func (s *nvmlSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if ret := s.lib.Shutdown(); ret != nvml.SUCCESS {
		return fmt.Errorf("gpu: NVML shutdown: %s", returnName(ret))
	}
	return nil
}

func nanReading(index int) Reading {
	nan := math.NaN()
	return Reading{Index: index, UtilizationPercent: nan, MemoryUsedBytes: nan, MemoryTotalBytes: nan,
		PowerWatts: nan, TemperatureC: nan, SMClockMHz: nan}
}

// initFailure explains a failed nvmlInit in words. It must not call into
// NVML (invariant 6), so it does not use ErrorString.
func initFailure(ret nvml.Return) string {
	switch ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return "libnvidia-ml.so.1 not found"
	case nvml.ERROR_DRIVER_NOT_LOADED:
		return "NVIDIA driver not loaded"
	case nvml.ERROR_NO_PERMISSION:
		return "no permission to open the GPU devices"
	case nvml.ERROR_LIB_RM_VERSION_MISMATCH:
		return "NVML library and kernel driver versions differ"
	case nvml.ERROR_FUNCTION_NOT_FOUND:
		return "libnvidia-ml.so.1 has no nvmlInit (driver too old)"
	case nvml.ERROR_GPU_IS_LOST:
		return "a GPU has fallen off the bus"
	case nvml.ERROR_IRQ_ISSUE:
		return "the kernel driver reports an interrupt problem"
	case nvml.ERROR_TIMEOUT:
		return "Init timed out"
	default:
		return fmt.Sprintf("Init failed (%s)", returnName(ret))
	}
}

// returnNames maps the codes we may meet to their NVML names, so no message
// needs the library's ErrorString.
var returnNames = map[nvml.Return]string{
	nvml.SUCCESS:                       "SUCCESS",
	nvml.ERROR_UNINITIALIZED:           "ERROR_UNINITIALIZED",
	nvml.ERROR_INVALID_ARGUMENT:        "ERROR_INVALID_ARGUMENT",
	nvml.ERROR_NOT_SUPPORTED:           "ERROR_NOT_SUPPORTED",
	nvml.ERROR_NO_PERMISSION:           "ERROR_NO_PERMISSION",
	nvml.ERROR_ALREADY_INITIALIZED:     "ERROR_ALREADY_INITIALIZED",
	nvml.ERROR_NOT_FOUND:               "ERROR_NOT_FOUND",
	nvml.ERROR_INSUFFICIENT_SIZE:       "ERROR_INSUFFICIENT_SIZE",
	nvml.ERROR_INSUFFICIENT_POWER:      "ERROR_INSUFFICIENT_POWER",
	nvml.ERROR_DRIVER_NOT_LOADED:       "ERROR_DRIVER_NOT_LOADED",
	nvml.ERROR_TIMEOUT:                 "ERROR_TIMEOUT",
	nvml.ERROR_IRQ_ISSUE:               "ERROR_IRQ_ISSUE",
	nvml.ERROR_LIBRARY_NOT_FOUND:       "ERROR_LIBRARY_NOT_FOUND",
	nvml.ERROR_FUNCTION_NOT_FOUND:      "ERROR_FUNCTION_NOT_FOUND",
	nvml.ERROR_CORRUPTED_INFOROM:       "ERROR_CORRUPTED_INFOROM",
	nvml.ERROR_GPU_IS_LOST:             "ERROR_GPU_IS_LOST",
	nvml.ERROR_RESET_REQUIRED:          "ERROR_RESET_REQUIRED",
	nvml.ERROR_OPERATING_SYSTEM:        "ERROR_OPERATING_SYSTEM",
	nvml.ERROR_LIB_RM_VERSION_MISMATCH: "ERROR_LIB_RM_VERSION_MISMATCH",
	nvml.ERROR_IN_USE:                  "ERROR_IN_USE",
	nvml.ERROR_MEMORY:                  "ERROR_MEMORY",
	nvml.ERROR_NO_DATA:                 "ERROR_NO_DATA",
	nvml.ERROR_UNKNOWN:                 "ERROR_UNKNOWN",
}

func returnName(ret nvml.Return) string {
	if name, ok := returnNames[ret]; ok {
		return name
	}
	return fmt.Sprintf("NVML return code %d", int32(ret))
}
