package lmserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"
)

// Model is a trained language model. Its weights are read-only once
// loaded; the engine runs it.
type Model struct {
	params *params
	info   ModelInfo
}

// ModelInfo describes a loaded model, as start-up prints it and
// /v1/models serves it.
type ModelInfo struct {
	Preset string
	// WidenedFrom names the trained preset this one widens ("" when the
	// preset was trained itself); the training figures are that preset's.
	WidenedFrom    string
	Shape          Shape
	ParameterCount int
	// WeightBytes is the size of the parameters in memory (float32).
	WeightBytes int64
	// HeldOutLoss is the mean cross-entropy in nats per token (one token
	// is one byte, so nats per character for the ASCII text) on the
	// held-out end of the corpus; Perplexity is its exponential.
	HeldOutLoss float64
	Perplexity  float64
	// UnigramLoss is the baseline on the same held-out tokens: their own
	// entropy, the best any context-free model can do.
	UnigramLoss   float64
	HeldOutTokens int
	TrainTokens   int
	// TrainTime is how long training took (when it ran, or as recorded in
	// the cache file).
	TrainTime time.Duration
	// LoadTime is what Load took: training, or reading and checking the cache.
	LoadTime time.Duration
	// WidenTime is how long widening the base preset and measuring the
	// wider model's held-out loss took (0 for a trained preset).
	WidenTime time.Duration
	FromCache bool
	// CachePath is the weights file ("" for a preset that is not cached).
	CachePath string
}

// LoadOptions tunes Load.
type LoadOptions struct {
	// CacheDir holds the weights of cached presets; "" means
	// os.UserCacheDir()/infercost/models (shared with the digits presets).
	CacheDir string
	// Log receives progress lines (cache use, training steps); nil is silent.
	Log io.Writer
}

// DefaultCacheDir is where cached presets are kept unless LoadOptions says
// otherwise.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache directory: %w", err)
	}
	return filepath.Join(dir, "infercost", "models"), nil
}

// Load returns the model of preset p: read from the cache when p is cached
// and a valid weights file exists, else trained on the embedded corpus
// (and then cached). A weights file is used only when its checksum, key
// and shape match and the loss it recorded on the first held-out window
// is what the loaded weights score there now; otherwise it is retrained
// and replaced. Load fails when the held-out loss is not at least
// MinGainOverUnigram below the unigram baseline.
func Load(ctx context.Context, p Preset, opts LoadOptions) (*Model, error) {
	start := time.Now()
	if err := p.validate(); err != nil {
		return nil, err
	}
	if p.WidenFrom != "" {
		return loadWidened(ctx, p, opts)
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	corp, err := LoadCorpus()
	if err != nil {
		return nil, err
	}
	key := p.Key(corp.SHA256)
	probeText := corp.HeldOut[:min(len(corp.HeldOut), p.Shape.Context+1)]

	var (
		par       *params
		saved     savedModel
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
			path = cacheFile(dir, p, key)
			cached, rec, err := readWeights(path, key, p.Shape)
			switch {
			case err == nil:
				probe, _ := evalLoss(cached, probeText)
				if probe == rec.probeLoss {
					par, saved, fromCache = cached, rec, true
					logf("model %s: weights from %s", p.Name, path)
				} else {
					logf("model %s: %s scores %.6f on the probe window, not the %.6f it recorded; retraining", p.Name, path, probe, rec.probeLoss)
				}
			case !errors.Is(err, errCacheMiss):
				logf("model %s: ignoring %s: %v; retraining", p.Name, path, err)
			}
		}
	}
	if par == nil {
		logf("model %s: training a %d-parameter transformer (dim %d, %d layers, %d heads, context %d) on %d tokens of Opticks, %d steps of %dx%d tokens",
			p.Name, p.Shape.parameterCount(), p.Shape.Dim, p.Shape.Layers, p.Shape.Heads, p.Shape.Context,
			len(corp.Train), p.Steps, p.BatchSeqs, p.SeqLen)
		trainStart := time.Now()
		if par, err = train(ctx, p, corp.Train, opts.Log); err != nil {
			return nil, fmt.Errorf("model %s: %w", p.Name, err)
		}
		saved.trainSeconds = time.Since(trainStart).Seconds()
		saved.heldOutLoss, _ = evalLoss(par, corp.HeldOut)
		saved.probeLoss, _ = evalLoss(par, probeText)
	}
	_, heldOutTokens := evalLossTokens(p.Shape, corp.HeldOut)
	m := &Model{params: par, info: ModelInfo{
		Preset:         p.Name,
		Shape:          p.Shape,
		ParameterCount: p.Shape.parameterCount(),
		WeightBytes:    int64(4 * p.Shape.parameterCount()),
		HeldOutLoss:    saved.heldOutLoss,
		Perplexity:     math.Exp(saved.heldOutLoss),
		UnigramLoss:    UnigramLoss(heldOutTargets(p.Shape, corp.HeldOut)),
		HeldOutTokens:  heldOutTokens,
		TrainTokens:    p.Steps * p.BatchSeqs * p.SeqLen,
		TrainTime:      time.Duration(saved.trainSeconds * float64(time.Second)),
		FromCache:      fromCache,
		CachePath:      path,
	}}
	if gain := m.info.UnigramLoss - m.info.HeldOutLoss; !(gain >= MinGainOverUnigram) {
		return nil, fmt.Errorf("model %s: held-out loss %.3f nats/token is only %.3f below the unigram baseline %.3f (want %.1f): the preset does not train well enough",
			p.Name, m.info.HeldOutLoss, gain, m.info.UnigramLoss, MinGainOverUnigram)
	}
	if path != "" && !fromCache {
		if err := writeWeights(path, par, key, saved); err != nil {
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
func (m *Model) Info() ModelInfo { return m.info }

// evalLossTokens says how many held-out tokens evalLoss predicts for a
// model of shape s (whole context windows), and which.
func evalLossTokens(s Shape, text []int32) (windows, tokens int) {
	windows = (len(text) - 1) / s.Context
	return windows, windows * s.Context
}

// heldOutTargets are the tokens evalLoss predicts: the unigram baseline is
// measured on exactly these.
func heldOutTargets(s Shape, text []int32) []int32 {
	_, n := evalLossTokens(s, text)
	return text[1 : n+1]
}
