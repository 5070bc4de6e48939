package lmserver

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/infercost/infercost/result"
)

// randomParams draws a model of shape s with every parameter random (layer
// norms and biases too), so that widening has to preserve all of them.
func randomParams(s Shape, seed uint64) *params {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	p := newParams(s, nil)
	for i := range p.flat {
		p.flat[i] = float32(rng.NormFloat64() * 0.2)
	}
	return p
}

// Widening keeps the function: the same next-token logits after a prompt
// (prefill, then decode steps through the KV cache) and the same loss over
// whole windows (the training-shaped pass that measures held-out loss).
func TestWidenKeepsTheFunction(t *testing.T) {
	s := Shape{Dim: 16, Layers: 2, Heads: 2, Context: 32}
	base := randomParams(s, 7)
	for _, k := range []int{2, 4} {
		wide := widen(base, k)
		if wide.shape.Dim != k*s.Dim || wide.shape.parameterCount() <= base.shape.parameterCount() {
			t.Fatalf("widen %d: shape %+v", k, wide.shape)
		}
		text := []int32(nil)
		for i := range 3*s.Context + 1 {
			text = append(text, int32("It is a light of the spectrum "[i%30]))
		}
		lb, _ := evalLoss(base, text)
		lw, _ := evalLoss(wide, text)
		if math.IsNaN(lb) || math.Abs(lb-lw) > 1e-4 {
			t.Fatalf("widen %d: loss %.6f, base %.6f", k, lw, lb)
		}

		prompt := text[:10]
		logits := func(p *params) [][]float32 {
			cache := newKVCache(p.shape, 1)
			var sc stepScratch
			var out [][]float32
			l := p.forwardStep(cache, []stepSeq{{slot: 0, tokens: prompt, logits: true}}, &sc)
			out = append(out, append([]float32(nil), l...))
			for i, tok := range text[10:14] {
				l = p.forwardStep(cache, []stepSeq{{slot: 0, tokens: []int32{tok}, pos0: 10 + i, logits: true}}, &sc)
				out = append(out, append([]float32(nil), l...))
			}
			return out
		}
		lbs, lws := logits(base), logits(wide)
		for step := range lbs {
			for v := range lbs[step] {
				if d := math.Abs(float64(lbs[step][v] - lws[step][v])); d > 1e-3 {
					t.Fatalf("widen %d, step %d, token %d: logit %g, base %g", k, step, v, lws[step][v], lbs[step][v])
				}
			}
		}
	}
}

// Every preset is valid, and the widened ones name a trained base with
// the right shape.
func TestPresetsValid(t *testing.T) {
	for _, name := range PresetNames() {
		p, err := LookupPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
	bad := Preset{Name: "x", Shape: Shape{Dim: 100, Layers: 4, Heads: 4, Context: 256}, WidenFrom: "lm", Widen: 4}
	if err := bad.validate(); err == nil {
		t.Error("a widened preset whose shape is not its base's widened was accepted")
	}
}

// result (which run.json and the CLI use to tell the language model's
// presets from the digits ones) knows the same presets as lmserver.
func TestResultKnowsThePresets(t *testing.T) {
	if got := PresetNames(); !slices.Equal(got, result.LMPresets) {
		t.Fatalf("lmserver presets %v, result.LMPresets %v", got, result.LMPresets)
	}
}
