package modelserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Model is a trained digits classifier. It is safe for concurrent use: the
// weights are read-only once loaded and each call takes its own scratch
// space.
type Model struct {
	net     *network
	info    ModelInfo
	scratch sync.Pool // *activations
}

// ModelInfo describes a loaded model, as served in its metadata.
type ModelInfo struct {
	Preset string
	// Layers holds the layer widths, input first.
	Layers         []int
	ParameterCount int
	// WeightBytes is the size of the parameters in memory (float32).
	WeightBytes int64
	// Accuracy is the fraction of the held-out rows classified right.
	Accuracy    float64
	HeldOutRows int
	// LoadTime is what Load took: training, or reading and checking the cache.
	LoadTime time.Duration
	// FromCache says whether the weights came from the cache file.
	FromCache bool
	// CachePath is the weights file ("" for a preset that is not cached).
	CachePath string
}

// LoadOptions tunes Load.
type LoadOptions struct {
	// CacheDir holds the weights of cached presets; "" means
	// os.UserCacheDir()/infercost/models.
	CacheDir string
	// Log receives progress lines (cache use, training epochs); nil is silent.
	Log io.Writer
}

// DefaultCacheDir is where cached presets are kept unless LoadOptions says
// otherwise: os.UserCacheDir()/infercost/models.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache directory: %w", err)
	}
	return filepath.Join(dir, "infercost", "models"), nil
}

// Load returns the model of preset p: read from the cache when p is cached
// and a valid weights file exists, else trained from the embedded data (and
// then cached). A weights file is used only when its checksum, its key and
// its re-measured held-out accuracy all match; otherwise it is retrained
// and replaced. Load fails if the held-out accuracy is below MinAccuracy.
func Load(ctx context.Context, p Preset, opts LoadOptions) (*Model, error) {
	start := time.Now()
	if err := p.validate(); err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	all, err := Digits()
	if err != nil {
		return nil, err
	}
	trainRows, heldOut := all.split(p.Seed, p.HeldOutFraction)

	var (
		net       *network
		correct   = -1 // held-out rows right, once measured
		fromCache bool
		path      string
	)
	if p.Cached {
		dir := opts.CacheDir
		if dir == "" {
			if dir, err = DefaultCacheDir(); err != nil {
				logf("model %s: %v; training without a cache", p.Name, err)
			}
		}
		if dir != "" {
			path = cacheFile(dir, p)
			cached, recorded, err := readWeights(path, p.Key(), p.Layers())
			switch {
			case err == nil:
				if got := countCorrect(cached, heldOut); got == recorded {
					net, correct, fromCache = cached, got, true
					logf("model %s: weights from %s", p.Name, path)
				} else {
					logf("model %s: %s scores %d, not the %d it recorded; retraining", p.Name, path, got, recorded)
				}
			case !errors.Is(err, errCacheMiss):
				logf("model %s: ignoring %s: %v; retraining", p.Name, path, err)
			}
		}
	}
	if net == nil {
		logf("model %s: training layers %v on %d rows, %d epochs", p.Name, p.Layers(), trainRows.Rows(), p.Epochs)
		net = newNetwork(p.Layers(), rand.New(rand.NewPCG(p.Seed, p.Seed+2)))
		if err := train(ctx, net, trainRows, p, opts.Log); err != nil {
			return nil, fmt.Errorf("model %s: %w", p.Name, err)
		}
		correct = countCorrect(net, heldOut)
	}
	m := &Model{net: net, info: ModelInfo{
		Preset:         p.Name,
		Layers:         p.Layers(),
		ParameterCount: net.parameterCount(),
		WeightBytes:    int64(4 * net.parameterCount()),
		Accuracy:       float64(correct) / float64(heldOut.Rows()),
		HeldOutRows:    heldOut.Rows(),
		FromCache:      fromCache,
		CachePath:      path,
	}}
	if m.info.Accuracy < MinAccuracy {
		return nil, fmt.Errorf("model %s: held-out accuracy %.4f is below %.2f; the preset does not train well enough", p.Name, m.info.Accuracy, MinAccuracy)
	}
	if path != "" && !fromCache {
		if err := writeWeights(path, net, p.Key(), correct); err != nil {
			logf("model %s: could not cache the weights (%v); the next start trains again", p.Name, err)
		} else {
			logf("model %s: weights cached in %s", p.Name, path)
			for _, f := range removeStaleWeights(path, p) {
				logf("model %s: removed %s, left by an earlier configuration", p.Name, f)
			}
		}
	}
	m.info.LoadTime = time.Since(start)
	return m, nil
}

// Info describes the model.
func (m *Model) Info() ModelInfo {
	info := m.info
	info.Layers = append([]int(nil), info.Layers...)
	return info
}

// Forward classifies n rows of raw pixels: batch holds n*InputWidth values
// in row-major order, each in [0, PixelMax]. It returns the probabilities
// (n*OutputWidth, row-major) and each row's most likely digit. One call is
// one forward pass through the network, whatever n is.
func (m *Model) Forward(batch []float32, n int) (probs []float32, labels []int64, err error) {
	if n < 1 || len(batch) != n*InputWidth {
		return nil, nil, fmt.Errorf("forward: %d values for %d rows, want %d per row", len(batch), n, InputWidth)
	}
	a, _ := m.scratch.Get().(*activations)
	if a == nil {
		a = &activations{}
	}
	defer m.scratch.Put(a)
	logits := m.net.forward(batch, n, a)
	probs = append([]float32(nil), logits...)
	labels = make([]int64, n)
	softmaxRows(probs, OutputWidth, labels)
	return probs, labels, nil
}

// countCorrect is the number of rows of d that net labels right.
func countCorrect(net *network, d Dataset) int {
	const chunk = 128
	var a activations
	labels := make([]int64, chunk)
	correct := 0
	for s := 0; s < d.Rows(); s += chunk {
		n := min(chunk, d.Rows()-s)
		logits := net.forward(d.Pixels[s*InputWidth:(s+n)*InputWidth], n, &a)
		softmaxRows(logits, OutputWidth, labels[:n])
		for i := range n {
			if int(labels[i]) == d.Labels[s+i] {
				correct++
			}
		}
	}
	return correct
}
