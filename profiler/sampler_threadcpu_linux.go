//go:build linux

package profiler

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPUTime is the calling OS thread's user+system CPU time. The
// caller must be locked to its thread (runtime.LockOSThread) for the figure
// to mean anything.
func threadCPUTime() (time.Duration, bool) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
