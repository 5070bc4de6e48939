package lmserver

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

var impl = blas32.Implementation()

// Tiles. gonum runs an Sgemm call serially when C has fewer than four of
// its 64x64 blocks; then every element is one pass over the inner
// dimension (a dot product, or axpys in order), so an element's value
// depends on its row and column only, not on the rows batched beside it:
// a sequence decodes to the same tokens alone or in a batch of sixteen.
// In its parallel mode gonum would also cut the inner dimension into
// blocks of 64 (changing the rounding with the batch) and start goroutines
// on every call; our workers take that role. So every call we make covers
// at most a tile of 64x192 (or 192x64), and an inner dimension over
// innerBlock is cut into fixed blocks (which depend on k alone).
const (
	tileSmall  = 64
	tileLarge  = 192
	innerBlock = 512
)

// gemm describes C = alpha·op(A)·op(B) + beta·C, as blas32's Sgemm does:
// op(A) is m x k, op(B) is k x n, C is m x n, all row-major.
type gemm struct {
	transA, transB bool
	m, n, k        int
	alpha          float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	beta           float32
	c              []float32
	ldc            int
	// wide tiles C 64 rows by 192 columns instead of 64 by 64: longer
	// vectors per call when C has few rows (attention scores).
	wide bool
}

func (g *gemm) tileN() int {
	if g.wide {
		return tileLarge
	}
	return tileSmall
}

func (g *gemm) tiles() (rows, cols int) {
	return (g.m + tileSmall - 1) / tileSmall, (g.n + g.tileN() - 1) / g.tileN()
}

// tile computes tile t (row-major over the tiles of C).
func (g *gemm) tile(t int) {
	_, cols := g.tiles()
	i0, j0 := (t/cols)*tileSmall, (t%cols)*g.tileN()
	mi, nj := min(tileSmall, g.m-i0), min(g.tileN(), g.n-j0)
	ta, tb := blas.NoTrans, blas.NoTrans
	if g.transA {
		ta = blas.Trans
	}
	if g.transB {
		tb = blas.Trans
	}
	c := g.c[i0*g.ldc+j0:]
	beta := g.beta
	for l0 := 0; l0 < g.k || l0 == 0; l0 += innerBlock {
		kl := min(innerBlock, g.k-l0)
		var a, b []float32
		if g.transA { // A is k x m
			a = g.a[l0*g.lda+i0:]
		} else {
			a = g.a[i0*g.lda+l0:]
		}
		if g.transB { // B is n x k
			b = g.b[j0*g.ldb+l0:]
		} else {
			b = g.b[l0*g.ldb+j0:]
		}
		impl.Sgemm(ta, tb, mi, nj, kl, g.alpha, a, g.lda, b, g.ldb, beta, c, g.ldc)
		beta = 1
	}
}

// run computes C tile by tile on the calling goroutine.
func (g gemm) run() {
	if g.m == 0 || g.n == 0 {
		return
	}
	rows, cols := g.tiles()
	for t := range rows * cols {
		g.tile(t)
	}
}

// parallel computes C with its tiles spread over the cores.
func (g gemm) parallel() {
	if g.m == 0 || g.n == 0 {
		return
	}
	rows, cols := g.tiles()
	parallelFor(rows*cols, g.tile)
}

// linear computes y = x·Wᵀ + b for rows rows of x (rows x in), W out x in,
// y rows x out, in parallel: every output is one dot product over in. On a
// CPU with AVX2 and FMA (and in a multiple of 8) the dot kernels of
// dot_amd64.s do the work (see linearDot), elsewhere gonum (linearGonum);
// yT is linearGonum's scratch (out x rows).
func linear(y, yT, x, w, b []float32, rows, in, out int) {
	if hasDotKernels && in > 0 && in%8 == 0 {
		linearDot(y, x, w, b, rows, in, out)
		return
	}
	linearGonum(y, yT, x, w, b, rows, in, out)
}

// linearGonum is linear through gonum's Sgemm. It computes yᵀ = W·xᵀ (into yT, out x rows) and transposes: gonum's
// serial kernel takes the rows of its first operand in the outer loop, so
// with W first each weight row is loaded once per tile and then dotted
// with every row of the batch while it sits in the L1 cache. With x first
// a batch of 8 rows would stream the weights through the cache 8 times,
// and batching would save nothing.
func linearGonum(y, yT, x, w, b []float32, rows, in, out int) {
	gemm{transB: true, m: out, n: rows, k: in, alpha: 1, a: w, lda: in, b: x, ldb: in, c: yT, ldc: rows}.parallel()
	parallelFor((rows+15)/16, func(c int) {
		for r := c * 16; r < min(rows, (c+1)*16); r++ {
			yr := y[r*out : (r+1)*out]
			for j := range yr {
				yr[j] = yT[j*rows+r] + b[j]
			}
		}
	})
}

// Blocks of linearDot: a task covers dotBlockOut weight rows, and takes
// the batch dotBlockRows rows at a time, so that the block's weights
// (32 x 512 floats at most, 64 KiB) and the rows' inputs stay in the
// core's L2 cache while every pair is dotted.
const (
	dotBlockOut  = 32
	dotBlockRows = 64
)

// linearDot is linear through the dot kernels. They take two weight rows
// and four input rows at a time: each weight vector loaded serves four
// rows of the batch, and each input vector two weights, so a batch of 8
// streams the weights through the core once where 8 single rows would
// stream them 8 times. That register blocking is what gonum's Sgemm lacks
// (its elements are separate dot products), and what makes a batched
// decode step cheaper per token than a lone one.
func linearDot(y, x, w, b []float32, rows, in, out int) {
	if rows == 0 || out == 0 {
		return
	}
	// The kernels take raw pointers: check every bound they will touch.
	_, _, _, _ = y[rows*out-1], x[rows*in-1], w[out*in-1], b[out-1]
	parallelFor((out+dotBlockOut-1)/dotBlockOut, func(t int) {
		j0, j1 := t*dotBlockOut, min(out, (t+1)*dotBlockOut)
		for r0 := 0; r0 < rows; r0 += dotBlockRows {
			r1 := min(rows, r0+dotBlockRows)
			for j := j0; j < j1; j += 2 {
				ldw, ldyj := in, 1
				if j+1 == j1 { // a lone last row: the kernel computes it twice
					ldw, ldyj = 0, 0
				}
				for r := r0; r < r1; {
					wp, xp, yp := &w[j*in], &x[r*in], &y[r*out+j]
					switch n := r1 - r; {
					case n >= 4:
						dot2x4(wp, ldw, xp, in, in, yp, ldyj, out)
						r += 4
					case n >= 2:
						dot2x2(wp, ldw, xp, in, in, yp, ldyj, out)
						r += 2
					default:
						dot2x1(wp, ldw, xp, in, in, yp, ldyj, out)
						r++
					}
				}
			}
		}
		for r := range rows {
			yr := y[r*out+j0 : r*out+j1]
			for j := range yr {
				yr[j] += b[j0+j]
			}
		}
	})
}

// transpose writes the transpose of src (rows x cols) to dst (cols x
// rows), in blocks that stay in the L1 cache.
func transpose(dst, src []float32, rows, cols int) {
	const block = 32
	for r0 := 0; r0 < rows; r0 += block {
		for c0 := 0; c0 < cols; c0 += block {
			for r := r0; r < min(rows, r0+block); r++ {
				row := src[r*cols : (r+1)*cols]
				for c := c0; c < min(cols, c0+block); c++ {
					dst[c*rows+r] = row[c]
				}
			}
		}
	}
}

// addTo adds src to dst element-wise.
func addTo(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}
