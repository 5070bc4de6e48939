// Package gpu reads NVIDIA GPUs for the samplers: which devices there are
// and, at each tick, their utilization, memory, power, temperature and SM
// clock. The NVML source needs a cgo build (nvml.go); a no-cgo build gets a
// stub that always reports "no GPU detected" (stub.go).
//
// "No GPU" is a normal, reported state, not a failure (DESIGN invariant 6):
// Open returns an error wrapping ErrNoGPU with the reason in words, and the
// run goes on without GPU figures.
package gpu

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoGPU is wrapped by every error Open returns; the message adds the
// reason, e.g. "no GPU detected (NVML: libnvidia-ml.so.1 not found)".
var ErrNoGPU = errors.New("no GPU detected")

// noGPU wraps ErrNoGPU with a reason, giving "no GPU detected (reason)".
func noGPU(format string, args ...any) error {
	return fmt.Errorf("%w (%s)", ErrNoGPU, fmt.Sprintf(format, args...))
}

// Device is one GPU as seen when the source was opened.
type Device struct {
	// Index is NVML's device index (0-based), the same as Reading.Index.
	Index int
	Name  string
	UUID  string
	// MemoryBytes is the device's total memory.
	MemoryBytes uint64
	// Driver is the driver version, the same for every device.
	Driver string
}

// Reading is one device's figures at one instant. A figure the device
// cannot report (power on some boards, for instance) is NaN; the other
// figures of the reading stay valid.
type Reading struct {
	Index              int
	UtilizationPercent float64 // 0-100, the share of time a kernel ran
	MemoryUsedBytes    float64
	MemoryTotalBytes   float64
	PowerWatts         float64
	TemperatureC       float64
	SMClockMHz         float64
}

// Source gives the devices and reads them. Read may be called from one
// goroutine while Devices is called from another; Close ends the source and
// later Reads fail.
type Source interface {
	// Devices lists the devices found when the source was opened, by index.
	Devices() []Device
	// Read returns one Reading per device, in the order of Devices. It fails
	// only when no figure at all could be read (the source is closed, or
	// every call failed); the readings are still returned, all NaN.
	Read() ([]Reading, error)
	// Close releases the library. It is safe to call more than once.
	Close() error
}

// Describe says in words what GPU detection found: "1 GPU: NVIDIA A10G",
// "8 GPUs: NVIDIA A100-SXM4-40GB", "2 GPUs: NVIDIA A10G, Tesla T4", or
// err's own message ("no GPU detected (...)") when there is none.
func Describe(devices []Device, err error) string {
	if len(devices) == 0 {
		if err != nil {
			return err.Error()
		}
		return ErrNoGPU.Error() + " (no devices)"
	}
	var names []string
	seen := map[string]bool{}
	for _, d := range devices {
		name := d.Name
		if name == "" {
			name = "unnamed GPU"
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	noun := "GPUs"
	if len(devices) == 1 {
		noun = "GPU"
	}
	return fmt.Sprintf("%d %s: %s", len(devices), noun, strings.Join(names, ", "))
}
