package profiler

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/version"
)

func TestEnvironmentWithoutGPU(t *testing.T) {
	gpuErr := fmt.Errorf("%w (NVML: libnvidia-ml.so.1 not found)", gpu.ErrNoGPU)
	env := DetectEnvironment(nil, gpuErr)
	host, _ := os.Hostname()
	if env.Hostname != host || env.OS != runtime.GOOS || env.Arch != runtime.GOARCH ||
		env.GoVersion != runtime.Version() || env.InfercostVersion != version.String() {
		t.Errorf("environment = %+v", env)
	}
	if env.CPUCores != runtime.NumCPU() {
		t.Errorf("cpu_cores = %d, want %d logical CPUs", env.CPUCores, runtime.NumCPU())
	}
	if env.MemoryBytes < 64<<20 {
		t.Errorf("memory_bytes = %d", env.MemoryBytes)
	}
	if env.GPUs == nil || len(env.GPUs) != 0 {
		t.Errorf("gpus = %#v, want []", env.GPUs)
	}
	if env.GPUStatus != "no GPU detected (NVML: libnvidia-ml.so.1 not found)" {
		t.Errorf("gpu_status = %q", env.GPUStatus)
	}
	if env.Hardware != env.CPUModel || env.HardwareSource != "detected" || env.CPUModel == "" {
		t.Errorf("hardware %q (%s), cpu_model %q: want the CPU model, detected", env.Hardware, env.HardwareSource, env.CPUModel)
	}
	if want := procCPUModel(); want != "" && env.CPUModel != want {
		t.Errorf("cpu_model = %q, /proc/cpuinfo says %q", env.CPUModel, want)
	}
	if _, err := json.Marshal(env); err != nil {
		t.Errorf("environment does not encode: %v", err)
	}
	if got := DetectEnvironment(nil, nil).GPUStatus; got != "no GPU detected" {
		t.Errorf("gpu_status with neither source nor error = %q", got)
	}
}

// procCPUModel reads the first "model name" of /proc/cpuinfo, or "" where
// there is none (not Linux, or an architecture that names it otherwise).
func procCPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}
