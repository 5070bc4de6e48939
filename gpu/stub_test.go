//go:build !cgo

package gpu

import (
	"errors"
	"testing"
)

func TestGPUStubReportsNoGPU(t *testing.T) {
	src, err := Open()
	if src != nil {
		t.Errorf("source = %v, want nil", src)
	}
	if !errors.Is(err, ErrNoGPU) {
		t.Fatalf("err = %v, want one wrapping ErrNoGPU", err)
	}
	if want := "no GPU detected (built without cgo: NVML unavailable)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}
