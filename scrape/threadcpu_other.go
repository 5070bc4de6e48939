//go:build !linux

package scrape

import "time"

// threadCPUTime is not available here: the cost is reported as -1.
func threadCPUTime() (time.Duration, bool) { return 0, false }
