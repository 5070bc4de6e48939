package lmserver

import "golang.org/x/sys/cpu"

// cpuHasDotKernels says whether this CPU can run the AVX2+FMA dot kernels
// of dot_amd64.s, and hasDotKernels whether they are used (benchmarks
// switch them off); without them the products go through gonum's Sgemm.
var (
	cpuHasDotKernels = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasDotKernels    = cpuHasDotKernels
)

// dot2x4 writes the dot products of two weight rows (w, and w+ldw) with
// four input rows (x, x+ldx, ...) over n floats (n a positive multiple of
// 8): weight row jj with input row rr goes to y[jj*ldyj + rr*ldyr].
//
//go:noescape
func dot2x4(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int)

// dot2x2 is dot2x4 for two input rows.
//
//go:noescape
func dot2x2(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int)

// dot2x1 is dot2x4 for one input row.
//
//go:noescape
func dot2x1(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int)

// setDotKernels turns the kernels off (or back on, where the CPU has
// them), for benchmarks that compare them with gonum.
func setDotKernels(on bool) { hasDotKernels = on && cpuHasDotKernels }

// scoreRow writes out[p] = Σ_c q[c]·kT[c*ldk+p] for p < npos (a positive
// multiple of 8), over dh features c: one query's scores against keys
// stored transposed.
//
//go:noescape
func scoreRow(q *float32, kT *float32, ldk int, dh int, npos int, out *float32)
