package lmserver

import (
	"math"
)

// layerActs are one block's activations in a training forward pass, kept
// for the backward pass (rows = sequences x tokens).
type layerActs struct {
	h1, mean1, rstd1 []float32 // first layer norm: output, each row's mean and 1/std
	qkv              []float32 // rows x 3Dim
	kT, vT           []float32 // per (sequence, head): keys and values transposed, headDim x t
	probs            []float32 // sequences x heads x T x T attention weights
	att              []float32 // attention output, before the projection
	x1               []float32 // residual stream after attention
	h2, mean2, rstd2 []float32 // second layer norm
	hpre, hact       []float32 // MLP hidden units before and after the GELU
}

// trainPass holds the activations and gradients of training forward and
// backward passes over batches of seqs sequences of t tokens each.
type trainPass struct {
	p       *params
	seqs, t int
	xs      [][]float32 // residual stream into each block, and out of the last
	acts    []layerActs
	lnf     []float32
	meanf   []float32
	rstdf   []float32
	logits  []float32 // rows x VocabSize; after loss, the gradient by the logits
	yT      []float32 // linear's transposed output
	// backward pass: the gradient (same layout as p) and scratch
	grad                 *params
	dx, dtmp, dqkv, dhid []float32
	dprobs               []float32 // per (sequence, head) attention scratch
	tA, tB, wT           []float32 // transposes for the weight and input gradients
}

func newTrainPass(p *params, seqs, t int) *trainPass {
	s := p.shape
	rows, d := seqs*t, s.Dim
	f := func(n int) []float32 { return make([]float32, n) }
	tp := &trainPass{p: p, seqs: seqs, t: t}
	for range s.Layers + 1 {
		tp.xs = append(tp.xs, f(rows*d))
	}
	for range s.Layers {
		tp.acts = append(tp.acts, layerActs{
			h1: f(rows * d), mean1: f(rows), rstd1: f(rows), qkv: f(rows * 3 * d),
			kT: f(rows * d), vT: f(rows * d),
			probs: f(seqs * s.Heads * t * t), att: f(rows * d), x1: f(rows * d),
			h2: f(rows * d), mean2: f(rows), rstd2: f(rows),
			hpre: f(rows * s.hidden()), hact: f(rows * s.hidden()),
		})
	}
	tp.lnf, tp.meanf, tp.rstdf = f(rows*d), f(rows), f(rows)
	tp.logits = f(rows * VocabSize)
	tp.yT = f(rows * max(s.hidden(), VocabSize))
	tp.grad = newParams(s, nil)
	tp.dx, tp.dtmp, tp.dqkv, tp.dhid = f(rows*d), f(rows*d), f(rows*3*d), f(rows*s.hidden())
	tp.dprobs = f(seqs * s.Heads * (3*t*t + s.headDim()*t))
	return tp
}

// forward runs the model over tokens (seqs x t, each sequence from position
// 0) and returns the summed cross-entropy of predicting targets (same
// layout). It leaves the gradient of the mean loss by the logits in
// tp.logits, ready for backward.
func (tp *trainPass) forward(tokens, targets []int32) float64 {
	p, s := tp.p, tp.p.shape
	d, hd, nh, hidden := s.Dim, s.headDim(), s.Heads, s.hidden()
	t, rows := tp.t, tp.seqs*tp.t
	x := tp.xs[0]
	for r, tok := range tokens[:rows] {
		pos := r % t
		row := x[r*d : (r+1)*d]
		copy(row, p.tokEmb[int(tok)*d:(int(tok)+1)*d])
		addTo(row, p.posEmb[pos*d:(pos+1)*d])
	}
	for l, lp := range p.layers {
		a := &tp.acts[l]
		layerNorm(a.h1, tp.xs[l], lp.ln1g, lp.ln1b, rows, d, a.mean1, a.rstd1)
		linear(a.qkv, tp.yT, a.h1, lp.wqkv, lp.bqkv, rows, d, 3*d)
		parallelFor(tp.seqs*nh, func(task int) {
			b, head := task/nh, task%nh
			base := b*t*3*d + head*hd
			kT, vT := a.kT[task*hd*t:(task+1)*hd*t], a.vT[task*hd*t:(task+1)*hd*t]
			transposeStrided(kT, a.qkv[base+d:], t, hd, 3*d)
			transposeStrided(vT, a.qkv[base+2*d:], t, hd, 3*d)
			attendHead(a.qkv[base:], 3*d, kT, vT, t, t, 0, hd, headSlope(head, nh), a.probs[task*t*t:], a.att[b*t*d+head*hd:], d)
		})
		linear(a.x1, tp.yT, a.att, lp.wo, lp.bo, rows, d, d)
		addTo(a.x1, tp.xs[l])
		layerNorm(a.h2, a.x1, lp.ln2g, lp.ln2b, rows, d, a.mean2, a.rstd2)
		linear(a.hpre, tp.yT, a.h2, lp.w1, lp.b1, rows, d, hidden)
		copy(a.hact, a.hpre)
		parallelGELU(a.hact, rows, hidden)
		next := tp.xs[l+1]
		linear(next, tp.yT, a.hact, lp.w2, lp.b2, rows, hidden, d)
		addTo(next, a.x1)
	}
	layerNorm(tp.lnf, tp.xs[s.Layers], p.lnfg, p.lnfb, rows, d, tp.meanf, tp.rstdf)
	linear(tp.logits, tp.yT, tp.lnf, p.head, p.headb, rows, d, VocabSize)
	return crossEntropy(tp.logits, targets[:rows], rows)
}

// crossEntropy returns the summed loss of the logits (rows x VocabSize)
// against targets and replaces the logits by the gradient of the mean
// loss: (softmax - onehot) / rows.
func crossEntropy(logits []float32, targets []int32, rows int) float64 {
	losses := make([]float64, rows)
	inv := 1 / float32(rows)
	parallelFor((rows+63)/64, func(c int) {
		for r := c * 64; r < min(rows, (c+1)*64); r++ {
			row := logits[r*VocabSize : (r+1)*VocabSize]
			softmax(row)
			losses[r] = -math.Log(max(float64(row[targets[r]]), 1e-30))
			row[targets[r]] -= 1
			for i := range row {
				row[i] *= inv
			}
		}
	})
	var sum float64
	for _, l := range losses {
		sum += l
	}
	return sum
}
