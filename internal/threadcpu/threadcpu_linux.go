//go:build linux

// Package threadcpu reads the CPU time of the calling OS thread, so the
// samplers and the scrapers can report what watching cost them (their own
// thread, locked with runtime.LockOSThread) apart from the rest of the
// process.
package threadcpu

import (
	"time"

	"golang.org/x/sys/unix"
)

// Now is the calling OS thread's user+system CPU time; ok is false where
// it cannot be read. The caller must be locked to its thread for the
// figure to mean anything.
func Now() (time.Duration, bool) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
