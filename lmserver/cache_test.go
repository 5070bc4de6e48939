package lmserver

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyCachedPreset trains in about a second (a few under the race
// detector) yet passes MinGainOverUnigram, so the cache paths can be
// tested without the lm preset.
func tinyCachedPreset() Preset {
	return Preset{Name: "tiny", Shape: Shape{Dim: 16, Layers: 1, Heads: 2, Context: 16},
		Steps: 200, BatchSeqs: 16, SeqLen: 16, LearningRate: 3e-2, WarmupSteps: 5, Seed: 1, Cached: true}
}

func loadTiny(t *testing.T, dir string) (*Model, string) {
	t.Helper()
	var log strings.Builder
	m, err := Load(context.Background(), tinyCachedPreset(), LoadOptions{CacheDir: dir, Log: &log})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m, log.String()
}

// TestCacheReuseAndRetrain trains once, reuses the file, and retrains when
// the file is damaged or its weights do not score what it recorded.
func TestCacheReuseAndRetrain(t *testing.T) {
	dir := t.TempDir()
	p := tinyCachedPreset()
	corp, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	key := p.Key(corp.SHA256)
	stale := filepath.Join(dir, "tiny-0123456789abcdef.weights")
	if err := os.WriteFile(stale, []byte("weights of an older configuration"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, log := loadTiny(t, dir)
	path := cacheFile(dir, p, key)
	if first.Info().FromCache || first.Info().CachePath != path || !strings.Contains(log, "weights cached in") {
		t.Fatalf("first load: info %+v, log %q; want trained and cached at %s", first.Info(), log, path)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) || !strings.Contains(log, "removed "+stale) {
		t.Errorf("the stale weights file is still there (%v); log %q", err, log)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	again, log := loadTiny(t, dir)
	if !again.Info().FromCache || !slices.Equal(first.params.flat, again.params.flat) ||
		again.Info().HeldOutLoss != first.Info().HeldOutLoss || again.Info().TrainTime != first.Info().TrainTime {
		t.Fatalf("second load: info %+v, log %q; want the cached weights and figures", again.Info(), log)
	}

	// A weights file with a valid checksum whose weights were changed: the
	// probe window scores differently, so it is not trusted.
	tampered := newParams(p.Shape, slices.Clone(first.params.flat))
	tampered.head[0] += 0.5
	rec := savedModel{heldOutLoss: first.Info().HeldOutLoss, probeLoss: mustProbe(t, first), trainSeconds: 1}
	forged, err := encodeWeights(tampered, key, rec)
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	other, _ := encodeWeights(first.params, strings.Repeat("ab", 32), rec)
	// Every damaged file is refused by the decoder...
	for _, tc := range []struct {
		name, want string
		file       []byte
	}{
		{"flipped byte", "checksum mismatch", flipped},
		{"truncated", "checksum mismatch", good[:len(good)-100]},
		{"empty", "too short", nil},
		{"other key", "key mismatch", other},
	} {
		if _, _, err := decodeWeights(tc.file, key, p.Shape); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, _, err := decodeWeights(good, key, Shape{Dim: 16, Layers: 2, Heads: 1, Context: 16}); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("other shape: %v", err)
	}
	// ... and Load retrains past one, and past forged weights.
	for _, tc := range []struct {
		name, wantLog string
		file          []byte
	}{
		{"flipped byte", "checksum mismatch", flipped},
		{"forged weights", "on the probe window", forged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			m, log := loadTiny(t, dir)
			if m.Info().FromCache || !strings.Contains(log, tc.wantLog) || !strings.Contains(log, "retraining") {
				t.Errorf("info %+v, log %q; want a retrain because of %q", m.Info(), log, tc.wantLog)
			}
			if !slices.Equal(m.params.flat, first.params.flat) {
				t.Error("retraining gave other weights: training is not deterministic")
			}
			// Cached again (the file differs from the first only in the
			// training time it records).
			cached, rec, err := readWeights(path, key, p.Shape)
			if err != nil || !slices.Equal(cached.flat, first.params.flat) || rec.heldOutLoss != first.Info().HeldOutLoss {
				t.Errorf("the retrained weights were not cached again (%v)", err)
			}
		})
	}
}

func mustProbe(t *testing.T, m *Model) float64 {
	t.Helper()
	corp, _ := LoadCorpus()
	loss, n := evalLoss(m.params, corp.HeldOut[:m.params.shape.Context+1])
	if n == 0 || math.IsNaN(loss) {
		t.Fatal("no probe window")
	}
	return loss
}

func TestPresetKeyCoversTheConfiguration(t *testing.T) {
	sha := [32]byte{1}
	base := tinyCachedPreset()
	seen := map[string]string{base.Key(sha): "base"}
	for name, change := range map[string]func(*Preset){
		"dim":     func(p *Preset) { p.Shape.Dim = 32 },
		"layers":  func(p *Preset) { p.Shape.Layers = 2 },
		"heads":   func(p *Preset) { p.Shape.Heads = 4 },
		"context": func(p *Preset) { p.Shape.Context = 32 },
		"steps":   func(p *Preset) { p.Steps++ },
		"batch":   func(p *Preset) { p.BatchSeqs++ },
		"seqlen":  func(p *Preset) { p.SeqLen-- },
		"lr":      func(p *Preset) { p.LearningRate *= 2 },
		"warmup":  func(p *Preset) { p.WarmupSteps++ },
		"seed":    func(p *Preset) { p.Seed++ },
	} {
		p := base
		change(&p)
		k := p.Key(sha)
		if prev, dup := seen[k]; dup {
			t.Errorf("changing %s gives the key of %s", name, prev)
		}
		seen[k] = name
	}
	if base.Key([32]byte{2}) == base.Key(sha) {
		t.Error("the corpus does not change the key")
	}
	renamed := base
	renamed.Name, renamed.Cached = "other", false
	if renamed.Key(sha) != base.Key(sha) {
		t.Error("the name changes the key")
	}
}
