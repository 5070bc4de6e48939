package modelserver

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyCachedPreset trains in well under a second yet passes MinAccuracy,
// so the cache paths can be tested without the large preset.
func tinyCachedPreset() Preset {
	return Preset{Name: "tiny", Hidden: []int{32}, Epochs: 20, BatchSize: 32, LearningRate: 3e-3,
		Seed: 1, HeldOutFraction: 0.2, Cached: true}
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

func sameWeights(a, b *Model) bool {
	for i := range a.net.layers {
		if !slices.Equal(a.net.layers[i].w, b.net.layers[i].w) || !slices.Equal(a.net.layers[i].b, b.net.layers[i].b) {
			return false
		}
	}
	return true
}

// TestCacheReuseAndRetrain trains once, reuses the file, and retrains
// whenever the file is damaged or belongs to something else.
func TestCacheReuseAndRetrain(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "tiny-0123456789abcdef.weights")
	if err := os.WriteFile(stale, []byte("weights of an older configuration"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, log := loadTiny(t, dir)
	path := cacheFile(dir, tinyCachedPreset())
	if first.Info().FromCache || first.Info().CachePath != path || !strings.Contains(log, "weights cached in") {
		t.Fatalf("first load: info %+v, log %q; want a trained model cached at %s", first.Info(), log, path)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) || !strings.Contains(log, "removed "+stale) {
		t.Errorf("the stale weights file is still there (%v); log %q", err, log)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	again, log := loadTiny(t, dir)
	if !again.Info().FromCache || !sameWeights(first, again) || again.Info().Accuracy != first.Info().Accuracy {
		t.Fatalf("second load: info %+v, log %q; want the cached weights", again.Info(), log)
	}

	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	other, _ := encodeWeights(first.net, largePresetKey(), 0)
	for _, tc := range []struct {
		name, wantLog string
		file          []byte
	}{
		{"flipped byte", "checksum mismatch", flipped},
		{"truncated", "checksum mismatch", good[:len(good)-100]},
		{"empty", "too short", nil},
		{"other key", "key mismatch", other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			m, log := loadTiny(t, dir)
			if m.Info().FromCache || !strings.Contains(log, tc.wantLog) || !strings.Contains(log, "retraining") {
				t.Fatalf("info %+v, log %q; want a retrain because of %q", m.Info(), log, tc.wantLog)
			}
			if !sameWeights(first, m) {
				t.Error("retraining gave other weights: training is not deterministic")
			}
			if rewritten, _ := os.ReadFile(path); !slices.Equal(rewritten, good) {
				t.Error("the damaged file was not replaced by a good one")
			}
		})
	}
}

// A well-formed file whose weights do not score what it records is not
// trusted either.
func TestCacheRetrainsWhenScoreDiffers(t *testing.T) {
	dir := t.TempDir()
	first, _ := loadTiny(t, dir)
	p := tinyCachedPreset()
	correct := int(first.Info().Accuracy*float64(first.Info().HeldOutRows) + 0.5)
	lying, err := encodeWeights(first.net, p.Key(), correct-3)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cacheFile(dir, p), lying, 0o644); err != nil {
		t.Fatal(err)
	}
	m, log := loadTiny(t, dir)
	if m.Info().FromCache || !strings.Contains(log, "not the") {
		t.Fatalf("info %+v, log %q; want a retrain", m.Info(), log)
	}
}

func TestDecodeWeightsChecksLayout(t *testing.T) {
	net := newNetwork([]int{InputWidth, 8, OutputWidth}, rand.New(rand.NewPCG(1, 2)))
	key := tinyCachedPreset().Key()
	file, err := encodeWeights(net, key, 300)
	if err != nil {
		t.Fatal(err)
	}
	got, correct, err := decodeWeights(file, key, []int{InputWidth, 8, OutputWidth})
	if err != nil || correct != 300 || !slices.Equal(got.layers[0].w, net.layers[0].w) || !slices.Equal(got.layers[1].b, net.layers[1].b) {
		t.Fatalf("round trip: correct %d, err %v", correct, err)
	}
	if _, _, err := decodeWeights(file, key, []int{InputWidth, 9, OutputWidth}); err == nil || !strings.Contains(err.Error(), "layer widths") {
		t.Errorf("other widths: %v", err)
	}
	if _, _, err := decodeWeights(file, key, []int{InputWidth, 8, 8, OutputWidth}); err == nil || !strings.Contains(err.Error(), "layer count") {
		t.Errorf("other depth: %v", err)
	}
	badMagic := slices.Clone(file)
	copy(badMagic, "XXXXXXXX")
	if _, _, err := decodeWeights(badMagic, key, []int{InputWidth, 8, OutputWidth}); err == nil {
		t.Error("a file with a bad magic and checksum was accepted")
	}
}

// largePresetKey is the key of another preset, for a well-formed file of
// the wrong configuration.
func largePresetKey() string {
	p, _ := LookupPreset("large")
	return p.Key()
}
