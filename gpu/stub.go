//go:build !cgo

package gpu

// Open reports that this binary cannot read GPUs: NVML is reached through
// cgo, and this build has none. The error wraps ErrNoGPU.
func Open() (Source, error) {
	return nil, noGPU("built without cgo: NVML unavailable")
}
