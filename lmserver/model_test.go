package lmserver

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// tinyShape is small enough that a finite-difference check of every kind
// of parameter runs in a moment, even under the race detector.
var tinyShape = Shape{Dim: 8, Layers: 2, Heads: 2, Context: 8}

func randomTokens(rng *rand.Rand, n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(rng.IntN(VocabSize))
	}
	return out
}

// TestGradientMatchesFiniteDifferences checks backward against central
// differences of the loss for a sample of every parameter group.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	p := initParams(tinyShape, rng)
	// Larger weights than the initialisation gives, so every path
	// (attention especially) carries a gradient well above float32 noise.
	for i := range p.flat {
		p.flat[i] += float32(rng.NormFloat64() * 0.3)
	}
	const seqs, seqLen = 2, 8
	tokens := randomTokens(rng, seqs*seqLen)
	targets := randomTokens(rng, seqs*seqLen)
	tp := newTrainPass(p, seqs, seqLen)
	tp.forward(tokens, targets)
	tp.backward(tokens)
	grad := slices.Clone(tp.grad.flat)
	meanLoss := func() float64 {
		return tp.forward(tokens, targets) / float64(seqs*seqLen)
	}
	groups := map[string][]float32{
		"tokEmb": p.tokEmb, "posEmb": p.posEmb, "lnfg": p.lnfg, "head": p.head, "headb": p.headb,
		"ln1g": p.layers[0].ln1g, "ln1b": p.layers[1].ln1b, "wqkv": p.layers[0].wqkv, "bqkv": p.layers[1].bqkv,
		"wo": p.layers[1].wo, "ln2g": p.layers[1].ln2g, "w1": p.layers[0].w1, "b1": p.layers[0].b1, "w2": p.layers[1].w2,
	}
	offset := func(view []float32) int {
		for i := range p.flat {
			if &p.flat[i] == &view[0] {
				return i
			}
		}
		t.Fatal("view outside the parameters")
		return 0
	}
	const eps = 1e-2
	checked := 0
	for name, view := range groups {
		base := offset(view)
		// The gradient's largest entries in the group: clear of rounding.
		idx := make([]int, len(view))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			return -cmpAbs(grad[base+a], grad[base+b])
		})
		for _, i := range idx[:min(3, len(idx))] {
			orig := view[i]
			view[i] = orig + eps
			up := meanLoss()
			view[i] = orig - eps
			down := meanLoss()
			view[i] = orig
			numeric := (up - down) / (2 * eps)
			analytic := float64(grad[base+i])
			if math.Abs(numeric-analytic) > 0.03*math.Abs(numeric)+2e-4 {
				t.Errorf("%s[%d]: backward %.6g, finite differences %.6g", name, i, analytic, numeric)
			}
			checked++
		}
	}
	t.Logf("checked %d gradient entries", checked)
}

func cmpAbs(a, b float32) int {
	switch a, b := math.Abs(float64(a)), math.Abs(float64(b)); {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestKVCacheDecodeMatchesFullPass checks that prefilling a prompt in
// chunks and then decoding token by token through the KV cache gives the
// same next-token logits as the training pass over the whole sequence,
// and that batching a sequence with others changes nothing (bit for bit).
func TestKVCacheDecodeMatchesFullPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	s := Shape{Dim: 16, Layers: 2, Heads: 4, Context: 24}
	p := initParams(s, rng)
	for i := range p.flat {
		p.flat[i] += float32(rng.NormFloat64() * 0.1)
	}
	seq := randomTokens(rng, s.Context)

	// Reference: one training pass over the whole sequence gives the logits
	// at every position (crossEntropy turns them into gradients, so keep a
	// copy taken before).
	tp := newTrainPass(p, 1, s.Context)
	ref := referenceLogits(tp, seq)

	cache := newKVCache(s, 3)
	var sc stepScratch
	// Slot 1: prefill 10 tokens in chunks of 4, 4, 2, then decode the rest;
	// slots 0 and 2 carry other sequences in the same steps.
	other := randomTokens(rng, s.Context)
	pos := 0
	check := func(logits []float32, at int) {
		t.Helper()
		want := ref[at*VocabSize : (at+1)*VocabSize]
		for i := range want {
			if d := math.Abs(float64(logits[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("position %d logit %d: %g, full pass %g", at, i, logits[i], want[i])
			}
		}
	}
	for _, chunk := range []int{4, 4, 2} {
		seqs := []stepSeq{
			{slot: 0, tokens: other[pos : pos+1], pos0: pos, logits: true},
			{slot: 1, tokens: seq[pos : pos+chunk], pos0: pos, logits: true},
		}
		out := p.forwardStep(cache, seqs, &sc)
		check(out[VocabSize:2*VocabSize], pos+chunk-1)
		pos += chunk
	}
	alone := newKVCache(s, 1)
	var scAlone stepScratch
	p.forwardStep(alone, []stepSeq{{slot: 0, tokens: seq[:pos], pos0: 0}}, &scAlone)
	for ; pos < s.Context; pos++ {
		seqs := []stepSeq{
			{slot: 2, tokens: other[pos : pos+1], pos0: pos, logits: true},
			{slot: 1, tokens: seq[pos : pos+1], pos0: pos, logits: true},
			{slot: 0, tokens: other[pos : pos+1], pos0: pos, logits: true},
		}
		batched := slices.Clone(p.forwardStep(cache, seqs, &sc)[VocabSize : 2*VocabSize])
		check(batched, pos)
		single := p.forwardStep(alone, []stepSeq{{slot: 0, tokens: seq[pos : pos+1], pos0: pos, logits: true}}, &scAlone)
		if !slices.Equal(single, batched) {
			t.Fatalf("position %d: logits in a batch of 3 differ from the same sequence alone", pos)
		}
	}
}

// referenceLogits runs tp (one sequence) over seq and returns the logits
// at every position.
func referenceLogits(tp *trainPass, seq []int32) []float32 {
	// Run the pass up to the logits by hand: forward's last step turns them
	// into the loss gradient in place.
	targets := make([]int32, len(seq))
	tp.forward(seq, targets)
	// Recompute the logits from the final layer norm's output.
	rows := len(seq)
	out := make([]float32, rows*VocabSize)
	linear(out, tp.yT, tp.lnf, tp.p.head, tp.p.headb, rows, tp.p.shape.Dim, VocabSize)
	return out
}
