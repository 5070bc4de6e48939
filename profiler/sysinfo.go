package profiler

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strings"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/result"
	"github.com/infercost/infercost/version"
)

// HardwareDetected is Environment.HardwareSource when the hardware was
// read from this machine (the other value, "flag", is --hardware's).
const HardwareDetected = "detected"

// DetectEnvironment fills the machine part of result.Environment: host,
// CPU, memory, versions and GPUs. src and gpuErr are what gpu.Open
// returned. Hardware is the first GPU's name, else the CPU model. Figures
// that cannot be read stay empty (or "unknown CPU"); detection never fails.
// The target fields (URL, locality, model metadata: {} here) are the
// caller's.
func DetectEnvironment(src gpu.Source, gpuErr error) result.Environment {
	ctx := context.Background()
	env := result.Environment{
		OS:               runtime.GOOS,
		Arch:             runtime.GOARCH,
		CPUCores:         runtime.NumCPU(),
		GoVersion:        runtime.Version(),
		InfercostVersion: version.String(),
		CPUModel:         cpuModel(ctx),
		GPUs:             []result.GPU{},
		Model:            json.RawMessage("{}"),
		HardwareSource:   HardwareDetected,
	}
	if name, err := os.Hostname(); err == nil {
		env.Hostname = name
	}
	if n, err := cpu.CountsWithContext(ctx, true); err == nil && n > 0 {
		env.CPUCores = n
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		env.MemoryBytes = vm.Total
	}
	var devs []gpu.Device
	if src != nil {
		devs = src.Devices()
	}
	for _, d := range devs {
		env.GPUs = append(env.GPUs, result.GPU{Index: d.Index, Name: d.Name, UUID: d.UUID,
			MemoryBytes: d.MemoryBytes, Driver: d.Driver})
	}
	if src == nil && gpuErr == nil {
		gpuErr = gpu.ErrNoGPU
	}
	env.GPUStatus = gpu.Describe(devs, gpuErr)
	env.Hardware = env.CPUModel
	if len(devs) > 0 && devs[0].Name != "" {
		env.Hardware = devs[0].Name
	}
	return env
}

// cpuModel is the CPU's model name as /proc/cpuinfo (or the platform's
// equivalent) gives it, spaces collapsed.
func cpuModel(ctx context.Context) string {
	infos, err := cpu.InfoWithContext(ctx)
	if err == nil {
		for _, in := range infos {
			if name := strings.Join(strings.Fields(in.ModelName), " "); name != "" {
				return name
			}
		}
	}
	return "unknown CPU"
}
