package lmserver

import (
	"context"
	"fmt"
	"math"
	"time"
)

// widen returns p's model made k times wider (Dim k·Dim; the same layers,
// heads, context and vocabulary) that computes the same function, after
// Net2WiderNet (Chen, Goodfellow and Shlens, "Net2Net", ICLR 2016): every
// unit of the residual stream, of the attention and of the MLP becomes k
// adjacent copies of itself, and every weight that reads a copied unit is
// divided by k, so the copies' contributions add up to the original one.
//
// The transformer's other parts keep the copies exact: a layer norm sees
// the same mean and variance over k copies of each value; GELU works
// element by element; head h's units are the copies of its units before
// (adjacent copies keep each head's slice together), and its scores, q·k
// over k times the dimensions, come out k times larger against a scale of
// 1/√(k·dh) instead of 1/√dh, which the queries' weights undo by a factor
// of 1/√k. With k a power of 4 every factor (1/k, 1/√k) is exact in
// float32, and the wider model differs only in the order its sums round.
//
// Why: the wider model does k² times the arithmetic per token, with
// weights too large for the CPU's caches, as a real LLM's are for a GPU's.
// That is the regime in which continuous batching pays (a decode step
// reads every weight once for all the sequences it serves), and it costs
// no training: the lm-large preset is the trained lm preset, widened.
func widen(p *params, k int) *params {
	s := p.shape
	d, h := s.Dim, s.hidden()
	ws := s
	ws.Dim = k * d
	q := newParams(ws, nil)
	wd, wh := ws.Dim, ws.hidden()
	kf := float32(k)

	// vec copies a vector of units: new unit i is old unit i/k.
	vec := func(dst, src []float32, scale float32) {
		for i := range dst {
			dst[i] = src[i/k] * scale
		}
	}
	// mat copies a matrix of outs x ins (row-major, out x in) whose inputs
	// are copied units: entry (J, I) is old (rowOf(J), I/k)/k.
	mat := func(dst, src []float32, outs, in, newIn int, rowOf func(int) int, scale func(int) float32) {
		for j := range outs {
			oldRow := src[rowOf(j)*in:]
			row := dst[j*newIn : (j+1)*newIn]
			sc := scale(j) / kf
			for i := range row {
				row[i] = oldRow[i/k] * sc
			}
		}
	}
	copied := func(j int) int { return j / k }
	one := func(int) float32 { return 1 }

	for v := range VocabSize { // embeddings: the rows are tokens, not units
		vec(q.tokEmb[v*wd:(v+1)*wd], p.tokEmb[v*d:], 1)
	}
	for t := range s.Context {
		vec(q.posEmb[t*wd:(t+1)*wd], p.posEmb[t*d:], 1)
	}
	qScale := float32(1 / math.Sqrt(float64(k)))
	for l := range p.layers {
		o, n := p.layers[l], q.layers[l]
		vec(n.ln1g, o.ln1g, 1)
		vec(n.ln1b, o.ln1b, 1)
		// Queries, keys and values are three blocks of Dim rows each.
		qkvRow := func(j int) int { return (j/wd)*d + (j%wd)/k }
		qkvScale := func(j int) float32 {
			if j < wd { // a query
				return qScale
			}
			return 1
		}
		mat(n.wqkv, o.wqkv, 3*wd, d, wd, qkvRow, qkvScale)
		for j := range n.bqkv {
			n.bqkv[j] = o.bqkv[qkvRow(j)] * qkvScale(j)
		}
		mat(n.wo, o.wo, wd, d, wd, copied, one)
		vec(n.bo, o.bo, 1)
		vec(n.ln2g, o.ln2g, 1)
		vec(n.ln2b, o.ln2b, 1)
		mat(n.w1, o.w1, wh, d, wd, copied, one)
		vec(n.b1, o.b1, 1)
		mat(n.w2, o.w2, wd, h, wh, copied, one)
		vec(n.b2, o.b2, 1)
	}
	vec(q.lnfg, p.lnfg, 1)
	vec(q.lnfb, p.lnfb, 1)
	mat(q.head, p.head, VocabSize, d, wd, func(j int) int { return j }, one)
	copy(q.headb, p.headb)
	return q
}

// maxWidenedLossDrift is how far, in nats per token, a widened model's
// held-out loss may lie from its base model's: rounding, not a change of
// function (measured: about 1e-6 for lm-large).
const maxWidenedLossDrift = 1e-3

// loadWidened loads preset p's base preset and widens it (see widen),
// measuring the widened model's own held-out loss.
func loadWidened(ctx context.Context, p Preset, opts LoadOptions) (*Model, error) {
	start := time.Now()
	base, err := LookupPreset(p.WidenFrom)
	if err != nil {
		return nil, fmt.Errorf("preset %q: %w", p.Name, err)
	}
	bm, err := Load(ctx, base, opts)
	if err != nil {
		return nil, err
	}
	widenStart := time.Now()
	par := widen(bm.params, p.Widen)
	corp, err := LoadCorpus()
	if err != nil {
		return nil, err
	}
	loss, _ := evalLoss(par, corp.HeldOut)
	if d := math.Abs(loss - bm.info.HeldOutLoss); !(d <= maxWidenedLossDrift) {
		return nil, fmt.Errorf("model %s: held-out loss %.6f after widening %s %d-fold, %.6f before: widening changed the model", p.Name, loss, base.Name, p.Widen, bm.info.HeldOutLoss)
	}
	info := bm.info
	info.Preset = p.Name
	info.WidenedFrom = base.Name
	info.Shape = par.shape
	info.ParameterCount = par.shape.parameterCount()
	info.WeightBytes = int64(4 * info.ParameterCount)
	info.HeldOutLoss = loss
	info.Perplexity = math.Exp(loss)
	info.LoadTime = time.Since(start)
	info.WidenTime = time.Since(widenStart)
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "model %s: %s widened %d-fold (%d parameters); held-out loss %.4f nats/token (%s: %.4f)\n",
			p.Name, base.Name, p.Widen, info.ParameterCount, loss, base.Name, bm.info.HeldOutLoss)
	}
	return &Model{params: par, info: info}, nil
}
