package gpu

import (
	"errors"
	"testing"
)

func TestGPUDescribe(t *testing.T) {
	a10 := Device{Name: "NVIDIA A10G"}
	cases := []struct {
		name string
		devs []Device
		err  error
		want string
	}{
		{"one", []Device{a10}, nil, "1 GPU: NVIDIA A10G"},
		{"same model", []Device{a10, a10, a10}, nil, "3 GPUs: NVIDIA A10G"},
		{"mixed", []Device{a10, {Name: "Tesla T4"}, a10}, nil, "3 GPUs: NVIDIA A10G, Tesla T4"},
		{"unnamed", []Device{{}}, nil, "1 GPU: unnamed GPU"},
		{"none with reason", nil, noGPU("NVML: libnvidia-ml.so.1 not found"), "no GPU detected (NVML: libnvidia-ml.so.1 not found)"},
		{"none without reason", nil, nil, "no GPU detected (no devices)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Describe(c.devs, c.err); got != c.want {
				t.Errorf("Describe = %q, want %q", got, c.want)
			}
		})
	}
	if err := noGPU("x"); !errors.Is(err, ErrNoGPU) {
		t.Errorf("noGPU does not wrap ErrNoGPU: %v", err)
	}
}
