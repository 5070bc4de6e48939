package modelserver

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Adam's usual constants (Kingma & Ba 2015).
const (
	adamBeta1   = 0.9
	adamBeta2   = 0.999
	adamEpsilon = 1e-8
)

// trainer holds the gradients and optimiser state of one training run.
type trainer struct {
	net    *network
	acts   activations
	deltas [][]float32 // gradient of the loss by each layer's output
	gradW  [][]float32
	gradB  [][]float32
	adamM  [][]float32 // first moments, weights then bias of each layer
	adamV  [][]float32 // second moments, same order
	step   int
}

// train fits net to data with mini-batch Adam and softmax cross-entropy.
// The learning rate climbs linearly over the first half epoch (wide layers
// otherwise overshoot on their first steps), then follows a cosine from
// p.LearningRate down to zero, which settles the weights in a fixed number
// of epochs. It is
// deterministic: rows are shuffled with p.Seed and every matrix product
// sums in a fixed order. It stops early only when ctx is cancelled.
func train(ctx context.Context, net *network, data Dataset, p Preset, progress io.Writer) error {
	t := &trainer{net: net}
	for _, l := range net.layers {
		t.gradW = append(t.gradW, make([]float32, len(l.w)))
		t.gradB = append(t.gradB, make([]float32, len(l.b)))
		t.adamM = append(t.adamM, make([]float32, len(l.w)), make([]float32, len(l.b)))
		t.adamV = append(t.adamV, make([]float32, len(l.w)), make([]float32, len(l.b)))
	}
	rng := rand.New(rand.NewPCG(p.Seed, p.Seed+1))
	order := make([]int, data.Rows())
	for i := range order {
		order[i] = i
	}
	batch := make([]float32, p.BatchSize*InputWidth)
	labels := make([]int, p.BatchSize)
	stepsPerEpoch := (data.Rows() + p.BatchSize - 1) / p.BatchSize
	totalSteps := p.Epochs * stepsPerEpoch
	start := time.Now()
	lastReport := start
	for epoch := 1; epoch <= p.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var lossSum float64
		for s := 0; s < data.Rows(); s += p.BatchSize {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("training interrupted in epoch %d: %w", epoch, err)
			}
			n := min(p.BatchSize, data.Rows()-s)
			for i, r := range order[s : s+n] {
				copy(batch[i*InputWidth:], data.Row(r))
				labels[i] = data.Labels[r]
			}
			lr := 0.5 * p.LearningRate * (1 + math.Cos(math.Pi*float64(t.step)/float64(totalSteps)))
			if warm := stepsPerEpoch / 2; t.step < warm {
				lr *= float64(t.step+1) / float64(warm)
			}
			lossSum += t.stepOn(batch[:n*InputWidth], labels[:n], float32(lr)) * float64(n)
		}
		// Report the last epoch, and others only on a slow run (the large
		// preset), at most every two seconds.
		if progress != nil && (epoch == p.Epochs || time.Since(lastReport) >= 2*time.Second) {
			lastReport = time.Now()
			fmt.Fprintf(progress, "  epoch %d/%d: training loss %.4f (%.1f s)\n", epoch, p.Epochs, lossSum/float64(data.Rows()), time.Since(start).Seconds())
		}
	}
	return nil
}

// stepOn runs one forward and backward pass over a mini-batch, applies one
// Adam update and returns the batch's mean cross-entropy loss.
func (t *trainer) stepOn(x []float32, labels []int, lr float32) float64 {
	n := len(labels)
	logits := t.net.forward(x, n, &t.acts)
	last := len(t.net.layers) - 1
	t.resizeDeltas(n)

	// Softmax cross-entropy: the gradient by the logits is (p - onehot)/n.
	var loss float64
	delta := t.deltas[last]
	for r := 0; r < n; r++ {
		row := logits[r*OutputWidth : (r+1)*OutputWidth]
		maxV := row[0]
		for _, v := range row {
			maxV = max(maxV, v)
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v - maxV))
		}
		for i, v := range row {
			p := math.Exp(float64(v-maxV)) / sum
			target := 0.0
			if i == labels[r] {
				target = 1
				loss -= math.Log(max(p, 1e-30))
			}
			delta[r*OutputWidth+i] = float32((p - target) / float64(n))
		}
	}

	impl := blas32.Implementation()
	for li := last; li >= 0; li-- {
		l := t.net.layers[li]
		in, d := t.acts.acts[li], t.deltas[li]
		// dW = inᵀ · d, db = column sums of d.
		impl.Sgemm(blas.Trans, blas.NoTrans, l.in, l.out, n, 1, in, l.in, d, l.out, 0, t.gradW[li], l.out)
		gb := t.gradB[li]
		clear(gb)
		for r := 0; r < n; r++ {
			for j, v := range d[r*l.out : (r+1)*l.out] {
				gb[j] += v
			}
		}
		if li == 0 {
			break
		}
		// The previous layer's delta: d · Wᵀ, through the ReLU.
		prev := t.deltas[li-1]
		impl.Sgemm(blas.NoTrans, blas.Trans, n, l.in, l.out, 1, d, l.out, l.w, l.out, 0, prev, l.in)
		for i, a := range in {
			if a <= 0 {
				prev[i] = 0
			}
		}
	}
	t.adam(lr)
	return loss / float64(n)
}

func (t *trainer) resizeDeltas(n int) {
	if len(t.deltas) != len(t.net.layers) {
		t.deltas = make([][]float32, len(t.net.layers))
	}
	for i, l := range t.net.layers {
		if cap(t.deltas[i]) < n*l.out {
			t.deltas[i] = make([]float32, n*l.out)
		}
		t.deltas[i] = t.deltas[i][:n*l.out]
	}
}

// adam applies one bias-corrected Adam update to every weight and bias.
// Large layers are cut into chunks updated in parallel; each parameter's
// update depends only on itself, so the result is the same either way.
func (t *trainer) adam(lr float32) {
	t.step++
	c1 := float32(1 - math.Pow(adamBeta1, float64(t.step)))
	c2 := float32(1 - math.Pow(adamBeta2, float64(t.step)))
	type chunk struct{ param, grad, m, v []float32 }
	var chunks []chunk
	const chunkLen = 1 << 16
	for li := range t.net.layers {
		l := &t.net.layers[li]
		for pi, pg := range [][2][]float32{{l.w, t.gradW[li]}, {l.b, t.gradB[li]}} {
			m, v := t.adamM[2*li+pi], t.adamV[2*li+pi]
			for s := 0; s < len(pg[0]); s += chunkLen {
				e := min(s+chunkLen, len(pg[0]))
				chunks = append(chunks, chunk{pg[0][s:e], pg[1][s:e], m[s:e], v[s:e]})
			}
		}
	}
	update := func(c chunk) {
		for i, g := range c.grad {
			m := adamBeta1*c.m[i] + (1-adamBeta1)*g
			v := adamBeta2*c.v[i] + (1-adamBeta2)*g*g
			c.m[i], c.v[i] = m, v
			c.param[i] -= lr * (m / c1) / (float32(math.Sqrt(float64(v/c2))) + adamEpsilon)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(chunks))
	if workers <= 1 {
		for _, c := range chunks {
			update(c)
		}
		return
	}
	next := make(chan chunk, len(chunks))
	for _, c := range chunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range next {
				update(c)
			}
		})
	}
	wg.Wait()
}
