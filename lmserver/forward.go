package lmserver

// stepSeq is one sequence's share of a forward pass: tokens at positions
// pos0, pos0+1, ... of the sequence in KV-cache slot slot. A decode step
// brings one token; a prefill chunk several.
type stepSeq struct {
	slot   int
	tokens []int32
	pos0   int
	// logits asks for the next-token logits after the last token.
	logits bool
}

// stepScratch is the activation memory of forward passes, reused from one
// step to the next (it grows to the largest step seen).
type stepScratch struct {
	x, h, qkv, att, proj, hid []float32
	yT                        []float32 // linear's transposed output
	probs                     []float32
	final, logits             []float32
	rowStart, probsOff        []int
}

func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// forwardStep runs one forward pass over every token of seqs together,
// writing each token's keys and values into its slot of cache, and
// returns the logits (VocabSize wide) of the sequences that asked for
// them, in order, as a view into sc.
//
// Every weight matrix multiplies all the step's rows at once (one matrix
// product per weight for the whole batch, spread over both cores): that is
// why a step of sixteen sequences costs far less than sixteen steps of
// one. Attention is per sequence and head (each has its own cache), the
// (sequence, head) pairs spread over the cores.
func (p *params) forwardStep(cache *kvCache, seqs []stepSeq, sc *stepScratch) []float32 {
	s := p.shape
	d, hd, nh, hidden := s.Dim, s.headDim(), s.Heads, s.hidden()
	rows, nLogits, probsLen := 0, 0, 0
	sc.rowStart = sc.rowStart[:0]
	sc.probsOff = sc.probsOff[:0]
	for _, q := range seqs {
		sc.rowStart = append(sc.rowStart, rows)
		sc.probsOff = append(sc.probsOff, probsLen)
		rows += len(q.tokens)
		probsLen += nh * len(q.tokens) * (q.pos0 + len(q.tokens))
		if q.logits {
			nLogits++
		}
	}
	sc.x, sc.h = grow(sc.x, rows*d), grow(sc.h, rows*d)
	sc.qkv, sc.att, sc.proj = grow(sc.qkv, rows*3*d), grow(sc.att, rows*d), grow(sc.proj, rows*d)
	sc.hid, sc.probs = grow(sc.hid, rows*hidden), grow(sc.probs, probsLen)
	sc.yT = grow(sc.yT, rows*max(hidden, VocabSize))
	x := sc.x
	for g, q := range seqs {
		for i, t := range q.tokens {
			r, pos := sc.rowStart[g]+i, q.pos0+i
			row := x[r*d : (r+1)*d]
			copy(row, p.tokEmb[int(t)*d:(int(t)+1)*d])
			addTo(row, p.posEmb[pos*d:(pos+1)*d])
		}
	}
	for l, lp := range p.layers {
		layerNorm(sc.h, x, lp.ln1g, lp.ln1b, rows, d, nil, nil)
		linear(sc.qkv, sc.yT, sc.h, lp.wqkv, lp.bqkv, rows, d, 3*d)
		ctx := s.Context
		for g, q := range seqs {
			keys, values := cache.layer(q.slot, l)
			for i := range q.tokens {
				r, pos := sc.rowStart[g]+i, q.pos0+i
				k, v := sc.qkv[r*3*d+d:r*3*d+2*d], sc.qkv[r*3*d+2*d:(r+1)*3*d]
				for c := range d {
					keys[c*ctx+pos], values[c*ctx+pos] = k[c], v[c]
				}
			}
		}
		parallelFor(len(seqs)*nh, func(task int) {
			g, head := task/nh, task%nh
			q := seqs[g]
			n, r0 := len(q.tokens), sc.rowStart[g]
			keys, values := cache.layer(q.slot, l)
			probs := sc.probs[sc.probsOff[g]+head*n*(q.pos0+n):]
			attendHead(sc.qkv[r0*3*d+head*hd:], 3*d, keys[head*hd*ctx:], values[head*hd*ctx:], ctx,
				n, q.pos0, hd, headSlope(head, nh), probs, sc.att[r0*d+head*hd:], d)
		})
		linear(sc.proj, sc.yT, sc.att, lp.wo, lp.bo, rows, d, d)
		addTo(x, sc.proj)
		layerNorm(sc.h, x, lp.ln2g, lp.ln2b, rows, d, nil, nil)
		linear(sc.hid, sc.yT, sc.h, lp.w1, lp.b1, rows, d, hidden)
		parallelGELU(sc.hid, rows, hidden)
		linear(sc.proj, sc.yT, sc.hid, lp.w2, lp.b2, rows, hidden, d)
		addTo(x, sc.proj)
	}
	// Only the rows that sample need the output layer.
	sc.final, sc.logits = grow(sc.final, nLogits*d), grow(sc.logits, nLogits*VocabSize)
	k := 0
	for g, q := range seqs {
		if q.logits {
			r := sc.rowStart[g] + len(q.tokens) - 1
			layerNorm(sc.final[k*d:(k+1)*d], x[r*d:(r+1)*d], p.lnfg, p.lnfb, 1, d, nil, nil)
			k++
		}
	}
	linear(sc.logits, sc.yT, sc.final, p.head, p.headb, nLogits, d, VocabSize)
	return sc.logits
}

// parallelGELU applies the GELU to rows x width values, rows spread over
// the cores.
func parallelGELU(v []float32, rows, width int) {
	const chunkRows = 8
	parallelFor((rows+chunkRows-1)/chunkRows, func(c int) {
		r0, r1 := c*chunkRows, min(rows, (c+1)*chunkRows)
		gelu(v[r0*width : r1*width])
	})
}
