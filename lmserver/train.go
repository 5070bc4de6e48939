package lmserver

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"
)

// Adam's constants. β2 = 0.99 rather than 0.999, as is usual for small
// character models trained for few steps: the second moment adapts faster.
const (
	adamBeta1   = 0.9
	adamBeta2   = 0.99
	adamEpsilon = 1e-8
	// gradClip bounds the gradient's global norm; larger gradients are
	// scaled down to it (the early steps of a transformer spike).
	gradClip = 1.0
)

// adam is the optimiser state: first and second moments of every parameter.
type adam struct {
	m, v []float32
	step int
}

// update applies one bias-corrected Adam step of size lr to flat, given its
// gradient grad (already clipped). Chunks of the parameter vector are
// updated on both cores; each parameter's update depends on itself only.
func (o *adam) update(flat, grad []float32, lr float64) {
	o.step++
	c1 := float32(1 - math.Pow(adamBeta1, float64(o.step)))
	c2 := float32(1 - math.Pow(adamBeta2, float64(o.step)))
	const chunk = 1 << 14
	parallelFor((len(flat)+chunk-1)/chunk, func(c int) {
		for i := c * chunk; i < min(len(flat), (c+1)*chunk); i++ {
			g := grad[i]
			m := adamBeta1*o.m[i] + (1-adamBeta1)*g
			v := adamBeta2*o.v[i] + (1-adamBeta2)*g*g
			o.m[i], o.v[i] = m, v
			flat[i] -= float32(lr) * (m / c1) / (float32(math.Sqrt(float64(v/c2))) + adamEpsilon)
		}
	})
}

// learningRate is the schedule: linear warm-up, then a cosine from the
// peak down to a tenth of it at the last step.
func (p Preset) learningRate(step int) float64 {
	if step < p.WarmupSteps {
		return p.LearningRate * float64(step+1) / float64(p.WarmupSteps)
	}
	frac := float64(step-p.WarmupSteps) / float64(max(1, p.Steps-p.WarmupSteps))
	return p.LearningRate * (0.1 + 0.9*0.5*(1+math.Cos(math.Pi*frac)))
}

// train fits a new model of preset pr to the training tokens: every step
// draws pr.BatchSeqs windows of pr.SeqLen+1 tokens at random places (the
// inputs, and the same shifted by one as the targets), runs a forward and
// backward pass over all of them, clips the gradient and takes one Adam
// step. It is deterministic: the windows and the initial weights come from
// pr.Seed, and every sum runs in a fixed order. progress gets a line every
// few seconds. It stops early only when ctx ends.
func train(ctx context.Context, pr Preset, data []int32, progress io.Writer) (*params, error) {
	if len(data) < pr.SeqLen+2 {
		return nil, fmt.Errorf("training text of %d tokens is shorter than a window", len(data))
	}
	rng := rand.New(rand.NewPCG(pr.Seed, pr.Seed^0x9e3779b97f4a7c15))
	p := initParams(pr.Shape, rng)
	tp := newTrainPass(p, pr.BatchSeqs, pr.SeqLen)
	opt := &adam{m: make([]float32, len(p.flat)), v: make([]float32, len(p.flat))}
	rows := pr.BatchSeqs * pr.SeqLen
	inputs, targets := make([]int32, rows), make([]int32, rows)
	start, lastReport := time.Now(), time.Now()
	var lossSum float64
	var lossRows int
	for step := range pr.Steps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("training interrupted at step %d: %w", step, err)
		}
		for b := range pr.BatchSeqs {
			at := rng.IntN(len(data) - pr.SeqLen - 1)
			copy(inputs[b*pr.SeqLen:], data[at:at+pr.SeqLen])
			copy(targets[b*pr.SeqLen:], data[at+1:at+1+pr.SeqLen])
		}
		lossSum += tp.forward(inputs, targets)
		tp.backward(inputs)
		clipNorm(tp.grad.flat, gradClip)
		opt.update(p.flat, tp.grad.flat, pr.learningRate(step))
		lossRows += rows
		if progress != nil && (step == pr.Steps-1 || time.Since(lastReport) >= 5*time.Second) {
			lastReport = time.Now()
			fmt.Fprintf(progress, "  step %d/%d: training loss %.3f nats/token (%.0f s)\n",
				step+1, pr.Steps, lossSum/float64(lossRows), time.Since(start).Seconds())
			lossSum, lossRows = 0, 0
		}
	}
	return p, nil
}

// clipNorm scales g down so that its Euclidean norm is at most limit.
func clipNorm(g []float32, limit float64) {
	var sq float64
	for _, v := range g {
		sq += float64(v) * float64(v)
	}
	if norm := math.Sqrt(sq); norm > limit {
		scale := float32(limit / norm)
		for i := range g {
			g[i] *= scale
		}
	}
}

// evalLoss is the mean cross-entropy, in nats per token, of p predicting
// every token of text from the tokens before it, over consecutive windows
// of the model's context (the first token of each window has no context;
// a tail shorter than a window is dropped). It returns the loss and the
// number of tokens predicted.
func evalLoss(p *params, text []int32) (float64, int) {
	t := p.shape.Context
	windows := (len(text) - 1) / t
	if windows < 1 {
		return math.NaN(), 0
	}
	const perPass = 4
	tp := newTrainPass(p, min(perPass, windows), t)
	var sum float64
	for w := 0; w < windows; w += perPass {
		n := min(perPass, windows-w)
		if n != tp.seqs {
			tp = newTrainPass(p, n, t)
		}
		sum += tp.forward(text[w*t:(w+n)*t], text[w*t+1:(w+n)*t+1])
	}
	return sum / float64(windows*t), windows * t
}
