package modelserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Preset says how to build and train a model. Everything except Name and
// Cached goes into Key, so a cached model is reused only by the exact
// configuration that trained it.
type Preset struct {
	// Name identifies the preset on the command line (--preset).
	Name string
	// Hidden holds the widths of the hidden layers; the input is
	// InputWidth wide and the output OutputWidth.
	Hidden []int
	// Epochs is the number of passes over the training rows.
	Epochs int
	// BatchSize is the number of rows per training step.
	BatchSize int
	// LearningRate is Adam's step size at the start of the cosine schedule.
	LearningRate float64
	// Seed fixes the split, the initial weights and the shuffling.
	Seed uint64
	// HeldOutFraction of the rows is kept out of training to measure accuracy.
	HeldOutFraction float64
	// Cached models are kept on disk after training (see LoadOptions.CacheDir).
	Cached bool
}

// DefaultPreset is the preset `infercost serve` uses without --preset.
const DefaultPreset = "small"

// MinAccuracy is the held-out accuracy every preset must reach; Load fails
// below it rather than serve a model that does not work.
const MinAccuracy = 0.95

var presets = []Preset{
	{
		// Trains in about a second; the default target and the one tests use.
		Name: "small", Hidden: []int{128, 64}, Epochs: 40, BatchSize: 32,
		LearningRate: 2e-3, Seed: 1, HeldOutFraction: 0.2,
	},
	{
		// Wide enough (about 17 M parameters, 68 MB: more than the CPU's
		// caches) that a batch-1 forward pass streams every weight from memory
		// and costs milliseconds, while a batched pass reuses each weight it
		// loads: batching pays here. Three epochs train it in under a minute.
		Name: "large", Hidden: []int{4096, 4096}, Epochs: 3, BatchSize: 64,
		LearningRate: 1e-3, Seed: 1, HeldOutFraction: 0.2, Cached: true,
	},
}

// PresetNames lists the built-in presets, default first.
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.Name
	}
	return names
}

// LookupPreset returns the built-in preset called name.
func LookupPreset(name string) (Preset, error) {
	for _, p := range presets {
		if p.Name == name {
			p.Hidden = slices.Clone(p.Hidden)
			return p, nil
		}
	}
	return Preset{}, fmt.Errorf("unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
}

// Layers returns the layer widths, input first and output last.
func (p Preset) Layers() []int {
	return slices.Concat([]int{InputWidth}, p.Hidden, []int{OutputWidth})
}

// validate refuses a preset that cannot train.
func (p Preset) validate() error {
	for i, h := range p.Hidden {
		if h < 1 {
			return fmt.Errorf("preset %q: hidden layer %d has width %d, want >= 1", p.Name, i, h)
		}
	}
	switch {
	case p.Epochs < 1:
		return fmt.Errorf("preset %q: epochs %d, want >= 1", p.Name, p.Epochs)
	case p.BatchSize < 1:
		return fmt.Errorf("preset %q: batch size %d, want >= 1", p.Name, p.BatchSize)
	case !(p.LearningRate > 0):
		return fmt.Errorf("preset %q: learning rate %g, want > 0", p.Name, p.LearningRate)
	case !(p.HeldOutFraction > 0 && p.HeldOutFraction < 1):
		return fmt.Errorf("preset %q: held-out fraction %g, want between 0 and 1", p.Name, p.HeldOutFraction)
	}
	return nil
}

// cacheFormat changes whenever the training code or the weights file
// layout changes in a way that makes older files wrong.
const cacheFormat = "infercost-mlp-v1"

// Key is a hash of everything that determines the trained weights: the
// configuration, the training code's format version and the data.
func (p Preset) Key() string {
	data := digitsSHA256()
	h := sha256.New()
	fmt.Fprintf(h, "%s|layers=%v|epochs=%d|batch=%d|lr=%g|seed=%d|heldout=%g|data=%x",
		cacheFormat, p.Layers(), p.Epochs, p.BatchSize, p.LearningRate, p.Seed, p.HeldOutFraction, data)
	return hex.EncodeToString(h.Sum(nil))
}
