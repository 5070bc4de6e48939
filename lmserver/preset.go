package lmserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Preset says how to build and train a model. Everything except Name and
// Cached goes into Key, so a cached model is reused only by the exact
// configuration (and corpus, and training code) that trained it.
type Preset struct {
	// Name identifies the preset on the command line (--preset).
	Name  string
	Shape Shape
	// Steps is the number of optimiser steps; each sees BatchSeqs windows
	// of SeqLen+1 tokens drawn from the training text.
	Steps     int
	BatchSeqs int
	SeqLen    int
	// LearningRate is Adam's peak step size (after a linear warm-up over
	// the first WarmupSteps, then a cosine decay to a tenth of it).
	LearningRate float64
	WarmupSteps  int
	// Seed fixes the initial weights and the windows drawn.
	Seed uint64
	// Cached models are kept on disk after training (see LoadOptions.CacheDir).
	Cached bool
	// WidenFrom and Widen make a preset that is not trained but built from
	// another (trained) preset, widened Widen-fold by copying units so that
	// it computes the same function (see widen). Shape must be the base's
	// with Dim times Widen; the training fields are unused.
	WidenFrom string
	Widen     int
}

// DefaultPreset is the LM preset `infercost serve --preset lm` uses.
const DefaultPreset = "lm"

// MinGainOverUnigram is how far, in nats per token, every preset's
// held-out loss must lie below the unigram baseline; Load fails otherwise
// rather than serve a model that has not learned from context.
const MinGainOverUnigram = 0.5

var presets = []Preset{
	{
		// About 0.9 M parameters: the weight products of a decode step
		// outweigh its attention and bookkeeping (see forwardStep). 400
		// steps of two full-context windows (about a minute on two cores,
		// 2.09 nats held out; four windows a step for half as many steps
		// reached 2.14, a width of 96 for the same time 2.08), then cached.
		Name:  "lm",
		Shape: Shape{Dim: 128, Layers: 4, Heads: 4, Context: 256},
		Steps: 400, BatchSeqs: 2, SeqLen: 256, LearningRate: 4e-3, WarmupSteps: 20,
		Seed: 1, Cached: true,
	},
	{
		// About 12.6 M parameters (50 MB of weights, more than the L3
		// cache): the lm preset widened 4-fold, the same predictions at 16
		// times the arithmetic per token, so that a decode step is bound by
		// reading the weights, as an LLM's is on a GPU, and batching pays.
		Name:      "lm-large",
		Shape:     Shape{Dim: 512, Layers: 4, Heads: 4, Context: 256},
		WidenFrom: "lm", Widen: 4,
	},
}

// PresetNames lists the built-in LM presets, default first.
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.Name
	}
	return names
}

// LookupPreset returns the built-in preset called name.
func LookupPreset(name string) (Preset, error) {
	i := slices.IndexFunc(presets, func(p Preset) bool { return p.Name == name })
	if i < 0 {
		return Preset{}, fmt.Errorf("unknown LM preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return presets[i], nil
}

// validate refuses a preset that cannot train.
func (p Preset) validate() error {
	if err := p.Shape.validate(); err != nil {
		return fmt.Errorf("preset %q: %w", p.Name, err)
	}
	if p.WidenFrom != "" {
		base, err := LookupPreset(p.WidenFrom)
		if err != nil || base.WidenFrom != "" || p.Widen < 2 {
			return fmt.Errorf("preset %q: widens %q %d-fold; want a trained preset, at least 2-fold", p.Name, p.WidenFrom, p.Widen)
		}
		want := base.Shape
		want.Dim *= p.Widen
		if p.Shape != want {
			return fmt.Errorf("preset %q: shape %+v, but %q widened %d-fold is %+v", p.Name, p.Shape, base.Name, p.Widen, want)
		}
		return nil
	}
	switch {
	case p.Steps < 1 || p.BatchSeqs < 1:
		return fmt.Errorf("preset %q: steps %d and batch %d, want >= 1", p.Name, p.Steps, p.BatchSeqs)
	case p.SeqLen < 2 || p.SeqLen > p.Shape.Context:
		return fmt.Errorf("preset %q: sequence length %d, want 2..%d (the context)", p.Name, p.SeqLen, p.Shape.Context)
	case !(p.LearningRate > 0) || p.WarmupSteps < 0:
		return fmt.Errorf("preset %q: learning rate %g, warm-up %d", p.Name, p.LearningRate, p.WarmupSteps)
	}
	return nil
}

// cacheFormat changes whenever the model or training code changes in a way
// that makes older weights files wrong.
// (v3: the AVX2 dot kernels of linear and attention, which round
// differently.)
const cacheFormat = "infercost-lm-v3"

// Key is a hash of everything that determines the trained weights.
func (p Preset) Key(corpusSHA [32]byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|shape=%+v|steps=%d|batch=%d|seqlen=%d|lr=%g|warmup=%d|seed=%d|heldout=%g|corpus=%x",
		cacheFormat, p.Shape, p.Steps, p.BatchSeqs, p.SeqLen, p.LearningRate, p.WarmupSteps, p.Seed, heldOutFraction, corpusSHA)
	return hex.EncodeToString(h.Sum(nil))
}
