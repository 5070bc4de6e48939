//go:build !linux

// Package threadcpu reads the CPU time of the calling OS thread; see
// threadcpu_linux.go.
package threadcpu

import "time"

// Now is not available on this OS: callers report the cost as unknown.
func Now() (time.Duration, bool) { return 0, false }
