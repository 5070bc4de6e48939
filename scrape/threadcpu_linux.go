//go:build linux

package scrape

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPUTime is the calling OS thread's user+system CPU time (the
// caller is locked to its thread), as the samplers measure theirs.
func threadCPUTime() (time.Duration, bool) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
