package profiler

import "syscall"

// childProcAttr puts the child in its own process group (a terminal's
// Ctrl-C reaches only infercost) and has the kernel kill it if infercost
// dies, so no server is ever left behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
