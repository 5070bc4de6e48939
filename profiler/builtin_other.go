//go:build !linux

package profiler

import "syscall"

// childProcAttr puts the child in its own process group, so a terminal's
// Ctrl-C reaches only infercost, which then stops the child itself.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
