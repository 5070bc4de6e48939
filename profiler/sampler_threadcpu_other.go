//go:build !linux

package profiler

import "time"

// threadCPUTime is not available here: the samplers' cost is then reported
// as -1 (unknown) rather than guessed.
func threadCPUTime() (time.Duration, bool) { return 0, false }
