package modelserver

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// layer is one fully connected layer: out = in · W + b, with W row-major
// (in rows of out columns), so a batch of rows is one matrix product.
type layer struct {
	in, out int
	w       []float32 // in*out
	b       []float32 // out
}

// network is a multilayer perceptron: ReLU after every hidden layer, raw
// logits out of the last one (softmax is applied by the caller that needs
// probabilities).
type network struct {
	layers []layer
}

// newNetwork makes a network of the given layer widths (input first, output
// last) with He-initialised weights drawn from rng and zero biases.
func newNetwork(sizes []int, rng *rand.Rand) *network {
	net := &network{}
	for i := 0; i+1 < len(sizes); i++ {
		l := layer{in: sizes[i], out: sizes[i+1], w: make([]float32, sizes[i]*sizes[i+1]), b: make([]float32, sizes[i+1])}
		scale := math.Sqrt(2 / float64(l.in))
		for j := range l.w {
			l.w[j] = float32(rng.NormFloat64() * scale)
		}
		net.layers = append(net.layers, l)
	}
	return net
}

// sizes returns the layer widths, input first.
func (net *network) sizes() []int {
	s := []int{net.layers[0].in}
	for _, l := range net.layers {
		s = append(s, l.out)
	}
	return s
}

// parameterCount is the number of weights and biases.
func (net *network) parameterCount() int {
	n := 0
	for _, l := range net.layers {
		n += len(l.w) + len(l.b)
	}
	return n
}

// activations holds one buffer per layer boundary for a batch of rows:
// acts[0] is the scaled input, acts[i+1] the output of layer i. Buffers
// grow on demand and are reused across calls.
type activations struct {
	acts [][]float32
}

func (a *activations) resize(net *network, n int) {
	sizes := net.sizes()
	if len(a.acts) != len(sizes) {
		a.acts = make([][]float32, len(sizes))
	}
	for i, s := range sizes {
		if cap(a.acts[i]) < n*s {
			a.acts[i] = make([]float32, n*s)
		}
		a.acts[i] = a.acts[i][:n*s]
	}
}

// forward runs n rows of raw pixels (n*InputWidth values, 0..16) through the
// network and returns the logits (n*OutputWidth), a view into a.
//
// Every matrix product goes through gonum's Sgemm, which walks the inner
// dimension in the same order whatever the batch size, so a row's result
// does not depend on the rows batched beside it.
func (net *network) forward(x []float32, n int, a *activations) []float32 {
	a.resize(net, n)
	for i, v := range x[:n*InputWidth] {
		a.acts[0][i] = v * (1.0 / PixelMax)
	}
	last := len(net.layers) - 1
	for li, l := range net.layers {
		in, out := a.acts[li], a.acts[li+1]
		for r := 0; r < n; r++ {
			copy(out[r*l.out:(r+1)*l.out], l.b)
		}
		blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, n, l.out, l.in, 1, in, l.in, l.w, l.out, 1, out, l.out)
		if li != last {
			for i, v := range out {
				if v < 0 {
					out[i] = 0
				}
			}
		}
	}
	return a.acts[len(a.acts)-1]
}

// softmaxRows turns each row of logits into probabilities in place and
// returns each row's arg-max (the lowest index on a tie).
func softmaxRows(logits []float32, width int, labels []int64) {
	for r := range len(logits) / width {
		row := logits[r*width : (r+1)*width]
		best := 0
		for i, v := range row {
			if v > row[best] {
				best = i
			}
		}
		labels[r] = int64(best)
		maxV := float64(row[best])
		var sum float64
		for i, v := range row {
			e := math.Exp(float64(v) - maxV)
			row[i] = float32(e)
			sum += e
		}
		for i := range row {
			row[i] = float32(float64(row[i]) / sum)
		}
	}
}
