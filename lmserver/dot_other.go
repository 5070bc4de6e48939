//go:build !amd64

package lmserver

// hasDotKernels is false off amd64: the weight products go through gonum.
const hasDotKernels = false

func dot2x4(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int) {
	panic("lmserver: no dot kernels on this architecture")
}

func dot2x2(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int) {
	panic("lmserver: no dot kernels on this architecture")
}

func dot2x1(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int) {
	panic("lmserver: no dot kernels on this architecture")
}

func setDotKernels(bool) {}

func scoreRow(q *float32, kT *float32, ldk int, dh int, npos int, out *float32) {
	panic("lmserver: no dot kernels on this architecture")
}
