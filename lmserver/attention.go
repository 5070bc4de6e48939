package lmserver

import "math"

// attendHead computes one head's causal self-attention for n query rows at
// positions pos0 .. pos0+n-1 over the keys and values at positions
// [0, pos0+n). Row i of q starts at q[i*ldq]; keys and values are stored
// transposed, one row per feature of the head: feature c of position p is
// kT[c*ldkv+p] (and vT likewise), so that the scores are axpys along
// positions and the weighted sum of values is a dot product along
// positions: long vectors per BLAS call even for a single decoded token.
// Row i of the output goes to out[i*ldo]. probs (n x (pos0+n)) receives
// the attention weights, which training keeps for the backward pass; a
// query's weights on later positions are zero. The same code serves a
// decode step (n = 1), a prefill chunk and training (pos0 = 0), and both
// products go through Sgemm. Rows are taken 64 at a time, each block
// computing only the positions its last row can see.
//
// On a CPU with the dot kernels (and ldkv a multiple of 8) attendHeadDot
// does the work instead.
func attendHead(q []float32, ldq int, kT, vT []float32, ldkv int, n, pos0, dh int, slope float32, probs, out []float32, ldo int) {
	if hasDotKernels && ldkv%8 == 0 && dh%2 == 0 {
		attendHeadDot(q, ldq, kT, vT, ldkv, n, pos0, dh, slope, probs, out, ldo)
		return
	}
	attendHeadGonum(q, ldq, kT, vT, ldkv, n, pos0, dh, slope, probs, out, ldo)
}

// attendHeadGonum is attendHead through gonum's Sgemm.
func attendHeadGonum(q []float32, ldq int, kT, vT []float32, ldkv int, n, pos0, dh int, slope float32, probs, out []float32, ldo int) {
	end := pos0 + n
	scale := float32(1 / math.Sqrt(float64(dh)))
	for i0 := 0; i0 < n; i0 += tileSmall {
		i1 := min(n, i0+tileSmall)
		seen := pos0 + i1
		block := probs[i0*end:]
		gemm{m: i1 - i0, n: seen, k: dh, alpha: scale, a: q[i0*ldq:], lda: ldq, b: kT, ldb: ldkv, c: block, ldc: end, wide: true}.run()
		for i := i0; i < i1; i++ {
			row := probs[i*end : (i+1)*end]
			visible := pos0 + i + 1
			for j := range visible {
				row[j] -= slope * float32(visible-1-j)
			}
			softmax(row[:visible])
			clear(row[visible:])
		}
		gemm{transB: true, m: i1 - i0, n: dh, k: seen, alpha: 1, a: block, lda: end, b: vT, ldb: ldkv, c: out[i0*ldo:], ldc: ldo}.run()
	}
}

// padOnStack is the longest context whose attention scratch
// attendHeadDot keeps on the stack (4 KiB).
const padOnStack = 1024

// attendHeadDot is attendHead through the dot kernels, one query row at a
// time, so that a row's scores and output are the same instructions
// whatever n and pos0 are (a prompt prefilled in one chunk or several
// attends alike). The kernels take positions 8 at a time: the scores of
// the positions past a row's last visible one are computed and dropped,
// and their values are weighted by zero (the cache beyond a sequence's
// end holds finite values of earlier sequences, or zeros).
func attendHeadDot(q []float32, ldq int, kT, vT []float32, ldkv int, n, pos0, dh int, slope float32, probs, out []float32, ldo int) {
	end := pos0 + n
	scale := float32(1 / math.Sqrt(float64(dh)))
	// pad holds a row's scores, then its weights padded with zeros; on the
	// stack for any context up to padOnStack (every preset's), so a decode
	// step allocates nothing per head.
	var stack [padOnStack]float32
	pad := stack[:]
	if need := (end + 7) &^ 7; need > len(stack) {
		pad = make([]float32, need)
	}
	for i := range n {
		visible := pos0 + i + 1
		npos := (visible + 7) &^ 7
		// The kernels take raw pointers: check every bound they touch.
		_, _ = kT[(dh-1)*ldkv+npos-1], vT[(dh-1)*ldkv+npos-1]
		qi, o := q[i*ldq:i*ldq+dh], out[i*ldo:i*ldo+dh]
		scoreRow(&qi[0], &kT[0], ldkv, dh, npos, &pad[0])
		row := probs[i*end : (i+1)*end]
		for j := range visible {
			row[j] = pad[j]*scale - slope*float32(visible-1-j)
		}
		softmax(row[:visible])
		clear(row[visible:])
		copy(pad, row[:visible])
		clear(pad[visible:npos])
		for c := 0; c < dh; c += 2 {
			dot2x1(&vT[c*ldkv], ldkv, &pad[0], 0, npos, &o[c], 1, 0)
		}
	}
}

// attendHeadBackward is attendHead's backward pass for a whole sequence
// (pos0 = 0, n = t): given dOut, the gradient of the output (row i at
// dOut[i*ldo]), and the forward pass's q, kT, vT and probs, it writes the
// gradients of the queries, keys and values, one row per position (row i
// at dq[i*ldg], dk[i*ldg], dv[i*ldg]). scratch holds 3·t·t + dh·t floats.
//
//	dP = dOut·Vᵀ, dV = Pᵀ·dOut, dS = P ⊙ (dP - rowsum(dP ⊙ P)) · scale,
//	dQ = dS·K, dK = dSᵀ·Q.
func attendHeadBackward(q []float32, ldq int, kT, vT []float32, ldkv int, t, dh int, probs, dOut []float32, ldo int,
	dq, dk, dv []float32, ldg int, scratch []float32) {
	scale := float32(1 / math.Sqrt(float64(dh)))
	dp, pT, dsT, qT := scratch[:t*t], scratch[t*t:2*t*t], scratch[2*t*t:3*t*t], scratch[3*t*t:3*t*t+dh*t]
	// dP = dOut·Vᵀ: axpys of value rows along positions.
	gemm{m: t, n: t, k: dh, alpha: 1, a: dOut, lda: ldo, b: vT, ldb: ldkv, c: dp, ldc: t, wide: true}.run()
	// dV = Pᵀ·dOut: one dot product along positions per element, with Pᵀ
	// and dOutᵀ (in qT's space for now) laid out row by row.
	transpose(pT, probs[:t*t], t, t)
	transposeStrided(qT, dOut, t, dh, ldo)
	gemm{transB: true, m: t, n: dh, k: t, alpha: 1, a: pT, lda: t, b: qT, ldb: t, c: dv, ldc: ldg}.run()
	for i := range t {
		p, g := probs[i*t:(i+1)*t], dp[i*t:(i+1)*t]
		var dot float32
		for j := 0; j <= i; j++ {
			dot += p[j] * g[j]
		}
		for j := 0; j <= i; j++ {
			g[j] = p[j] * (g[j] - dot) * scale
		}
		clear(g[i+1:])
	}
	ds := dp
	// dQ = dS·K = dS·(Kᵀ)ᵀ: dot products along positions.
	gemm{transB: true, m: t, n: dh, k: t, alpha: 1, a: ds, lda: t, b: kT, ldb: ldkv, c: dq, ldc: ldg}.run()
	// dK = dSᵀ·Q = dSᵀ·(Qᵀ)ᵀ.
	transpose(dsT, ds, t, t)
	transposeStrided(qT, q, t, dh, ldq)
	gemm{transB: true, m: t, n: dh, k: t, alpha: 1, a: dsT, lda: t, b: qT, ldb: t, c: dk, ldc: ldg}.run()
}

// transposeStrided writes the transpose of a rows x cols block of a
// matrix whose rows start ld apart to dst (cols x rows).
func transposeStrided(dst, src []float32, rows, cols, ld int) {
	for r := range rows {
		row := src[r*ld : r*ld+cols]
		for c, v := range row {
			dst[c*rows+r] = v
		}
	}
}

// headSlope is head h's recency bias (ALiBi, Press et al. 2022): a query's
// score for the key k positions back is lowered by slope·k, the slopes a
// geometric series from 2^(-8/heads) down to 2^-8 (with four heads: 1/4,
// 1/16, 1/64, 1/256). It costs nothing to learn and gives the model, from
// its first step, heads that look at the last few characters and heads
// that look far back; with learned positions alone, finding the previous
// character among 256 positions takes far more training than the minute
// the lm preset gets (on a copy task with a 256-token context, none in 400
// steps). The bias depends on the distance only, so it is the same in
// training, prefill, decode and after the window slides.
func headSlope(h, heads int) float32 {
	return float32(math.Pow(2, -8*float64(h+1)/float64(heads)))
}
