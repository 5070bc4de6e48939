package lmserver

// backward computes the gradient of the mean loss of the last forward pass
// by every parameter into tp.grad (overwriting it). Each weight gradient is
// one matrix product over all rows, spread over both cores; every sum runs
// in a fixed order, so the gradient is the same on every run.
func (tp *trainPass) backward(tokens []int32) {
	p, g, s := tp.p, tp.grad, tp.p.shape
	d, hd, nh, hidden := s.Dim, s.headDim(), s.Heads, s.hidden()
	t, rows := tp.t, tp.seqs*tp.t
	clear(g.flat)

	// Output layer and final layer norm.
	dlogits := tp.logits
	tp.weightGrad(g.head, dlogits, tp.lnf, rows, VocabSize, d)
	columnSums(g.headb, dlogits, rows, VocabSize)
	tp.inputGrad(tp.dtmp, dlogits, p.head, rows, VocabSize, d)
	clear(tp.dx)
	layerNormBackward(tp.dx, tp.dtmp, tp.xs[s.Layers], tp.meanf, tp.rstdf, p.lnfg, g.lnfg, g.lnfb, rows, d)

	dx := tp.dx // gradient by the residual stream, carried down the blocks
	for l := s.Layers - 1; l >= 0; l-- {
		lp, lg, a := p.layers[l], g.layers[l], &tp.acts[l]
		// MLP: out = x1 + gelu(LN2(x1)·W1ᵀ + b1)·W2ᵀ + b2.
		tp.weightGrad(lg.w2, dx, a.hact, rows, d, hidden)
		columnSums(lg.b2, dx, rows, d)
		tp.inputGrad(tp.dhid, dx, lp.w2, rows, d, hidden)
		parallelFor((rows+15)/16, func(c int) {
			for i := c * 16 * hidden; i < min(rows, (c+1)*16)*hidden; i++ {
				tp.dhid[i] *= geluGrad(a.hpre[i])
			}
		})
		tp.weightGrad(lg.w1, tp.dhid, a.h2, rows, hidden, d)
		columnSums(lg.b1, tp.dhid, rows, hidden)
		tp.inputGrad(tp.dtmp, tp.dhid, lp.w1, rows, hidden, d)
		layerNormBackward(dx, tp.dtmp, a.x1, a.mean2, a.rstd2, lp.ln2g, lg.ln2g, lg.ln2b, rows, d)

		// Attention: x1 = x + attention(LN1(x))·Woᵀ + bo.
		tp.weightGrad(lg.wo, dx, a.att, rows, d, d)
		columnSums(lg.bo, dx, rows, d)
		datt := tp.dtmp
		tp.inputGrad(datt, dx, lp.wo, rows, d, d)
		parallelFor(tp.seqs*nh, func(task int) {
			b, head := task/nh, task%nh
			base := b*t*3*d + head*hd
			scratch := len(tp.dprobs) / (tp.seqs * nh)
			attendHeadBackward(a.qkv[base:], 3*d, a.kT[task*hd*t:], a.vT[task*hd*t:], t, t, hd,
				a.probs[task*t*t:], datt[b*t*d+head*hd:], d,
				tp.dqkv[base:], tp.dqkv[base+d:], tp.dqkv[base+2*d:], 3*d, tp.dprobs[task*scratch:(task+1)*scratch])
		})
		tp.weightGrad(lg.wqkv, tp.dqkv, a.h1, rows, 3*d, d)
		columnSums(lg.bqkv, tp.dqkv, rows, 3*d)
		tp.inputGrad(tp.dtmp, tp.dqkv, lp.wqkv, rows, 3*d, d)
		layerNormBackward(dx, tp.dtmp, tp.xs[l], a.mean1, a.rstd1, lp.ln1g, lg.ln1g, lg.ln1b, rows, d)
	}

	// Embeddings: each row's gradient goes to its token and its position.
	for r, tok := range tokens[:rows] {
		pos := r % t
		addTo(g.tokEmb[int(tok)*d:(int(tok)+1)*d], dx[r*d:(r+1)*d])
		addTo(g.posEmb[pos*d:(pos+1)*d], dx[r*d:(r+1)*d])
	}
}

// weightGrad sets dW (out x in) = dYᵀ·X for dY (rows x out) and X (rows x
// in). Both are transposed first (into tp's scratch) so that each element
// of dW is one long dot product over the rows rather than rows short axpys.
func (tp *trainPass) weightGrad(dw, dy, x []float32, rows, out, in int) {
	tp.tA, tp.tB = grow(tp.tA, out*rows), grow(tp.tB, in*rows)
	parallelTranspose(tp.tA, dy, rows, out)
	parallelTranspose(tp.tB, x, rows, in)
	gemm{transB: true, m: out, n: in, k: rows, alpha: 1, a: tp.tA, lda: rows, b: tp.tB, ldb: rows, c: dw, ldc: in}.parallel()
}

// inputGrad sets dX (rows x in) = dY·W for dY (rows x out) and W (out x
// in), through Wᵀ: each element one dot product over out.
func (tp *trainPass) inputGrad(dx, dy, w []float32, rows, out, in int) {
	tp.wT = grow(tp.wT, in*out)
	parallelTranspose(tp.wT, w, out, in)
	gemm{transB: true, m: rows, n: in, k: out, alpha: 1, a: dy, lda: out, b: tp.wT, ldb: out, c: dx, ldc: in}.parallel()
}

// parallelTranspose is transpose with the rows cut into blocks spread
// over the cores.
func parallelTranspose(dst, src []float32, rows, cols int) {
	const block = 64
	parallelFor((rows+block-1)/block, func(b int) {
		r0, r1 := b*block, min(rows, (b+1)*block)
		for c0 := 0; c0 < cols; c0 += 32 {
			for r := r0; r < r1; r++ {
				row := src[r*cols : (r+1)*cols]
				for c := c0; c < min(cols, c0+32); c++ {
					dst[c*rows+r] = row[c]
				}
			}
		}
	})
}

// columnSums sets dst[j] = Σ_r m[r, j] over rows x width.
func columnSums(dst, m []float32, rows, width int) {
	clear(dst[:width])
	for r := range rows {
		addTo(dst[:width], m[r*width:(r+1)*width])
	}
}

// layerNormBackward adds to dx the gradient by the input x of a layer norm
// y = (x - mean)·rstd·gain + bias, given dy, and adds the gradients of
// gain and bias to dGain and dBias:
//
//	x̂ = (x - mean)·rstd, dx̂ = dy·gain,
//	dx = rstd·(dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂)).
func layerNormBackward(dx, dy, x, mean, rstd, gain, dGain, dBias []float32, rows, d int) {
	for r := range rows {
		xr, dyr, dxr := x[r*d:(r+1)*d], dy[r*d:(r+1)*d], dx[r*d:(r+1)*d]
		mu, rs := mean[r], rstd[r]
		var sumG, sumGX float32
		for i := range d {
			xhat := (xr[i] - mu) * rs
			dxhat := dyr[i] * gain[i]
			sumG += dxhat
			sumGX += dxhat * xhat
			dGain[i] += dyr[i] * xhat
			dBias[i] += dyr[i]
		}
		meanG, meanGX := sumG/float32(d), sumGX/float32(d)
		for i := range d {
			xhat := (xr[i] - mu) * rs
			dxr[i] += rs * (dyr[i]*gain[i] - meanG - xhat*meanGX)
		}
	}
}
