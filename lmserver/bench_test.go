package lmserver

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkDecodeStep times one forward pass of the lm preset's shape
// (random weights: the arithmetic is the same) decoding one token for each
// of batch sequences at position 128, the way the engine runs a step.
// tokens/s is batch / time per pass: what continuous batching buys.
func BenchmarkDecodeStep(b *testing.B) {
	for _, name := range PresetNames() {
		b.Run("preset="+name, func(b *testing.B) { benchmarkDecodeStep(b, name) })
	}
}

func benchmarkDecodeStep(b *testing.B, preset string) {
	p, err := LookupPreset(preset)
	if err != nil {
		b.Fatal(err)
	}
	params := initParams(p.Shape, rand.New(rand.NewPCG(1, 1)))
	for _, batch := range []int{1, 2, 4, 8, 16} {
		cache := newKVCache(p.Shape, batch)
		for i := range cache.data { // as after a prefill: every page touched
			cache.data[i] = float32(i%13) * 0.01
		}
		var sc stepScratch
		seqs := make([]stepSeq, batch)
		for i := range seqs {
			seqs[i] = stepSeq{slot: i, tokens: []int32{'e'}, pos0: 128, logits: true}
		}
		for _, kernel := range kernels() {
			b.Run(fmt.Sprintf("kernel=%s/batch=%d", kernel.name, batch), func(b *testing.B) {
				defer kernel.use()()
				for b.Loop() {
					params.forwardStep(cache, seqs, &sc)
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

// benchKernel is a way to compute the weight products: the AVX2 dot
// kernels, or gonum's Sgemm.
type benchKernel struct {
	name string
	dot  bool
}

// use selects the kernel and returns what restores the previous one.
func (k benchKernel) use() (restore func()) {
	was := hasDotKernels
	setDotKernels(k.dot)
	return func() { setDotKernels(was) }
}

// kernels lists the kernels this CPU can run, the default first.
func kernels() []benchKernel {
	if hasDotKernels {
		return []benchKernel{{"dot", true}, {"gonum", false}}
	}
	return []benchKernel{{"gonum", false}}
}

// BenchmarkPrefill times a forward pass over a whole prompt of n tokens
// (one sequence): the compute of time to first token.
func BenchmarkPrefill(b *testing.B) {
	p, err := LookupPreset(DefaultPreset)
	if err != nil {
		b.Fatal(err)
	}
	params := initParams(p.Shape, rand.New(rand.NewPCG(1, 1)))
	cache := newKVCache(p.Shape, 1)
	for _, n := range []int{16, 64, 128, 256} {
		tokens := make([]int32, n)
		for i := range tokens {
			tokens[i] = int32('a' + i%26)
		}
		var sc stepScratch
		seqs := []stepSeq{{slot: 0, tokens: tokens, logits: true}}
		b.Run(fmt.Sprintf("prompt=%d", n), func(b *testing.B) {
			for b.Loop() {
				params.forwardStep(cache, seqs, &sc)
			}
		})
	}
}

// BenchmarkWeightProducts times the weight matrix products of one decode
// step (the four per block, through linear, on both cores) for batch
// rows, without the rest of the pass, with each kernel: what a batch of
// 8 costs per token against a lone row. µs/token and GFLOP/s are per row.
func BenchmarkWeightProducts(b *testing.B) {
	for _, name := range PresetNames() {
		p, err := LookupPreset(name)
		if err != nil {
			b.Fatal(err)
		}
		params := initParams(p.Shape, rand.New(rand.NewPCG(1, 1)))
		d, h := p.Shape.Dim, p.Shape.hidden()
		macs := 0
		for range params.layers {
			macs += 3*d*d + d*d + h*d + d*h
		}
		for _, batch := range []int{1, 8, 16} {
			x := make([]float32, batch*h)
			y, yT := make([]float32, batch*h), make([]float32, batch*h)
			for i := range x {
				x[i] = float32(i%7) * 0.1
			}
			for _, kernel := range kernels() {
				b.Run(fmt.Sprintf("preset=%s/kernel=%s/batch=%d", name, kernel.name, batch), func(b *testing.B) {
					defer kernel.use()()
					for b.Loop() {
						for _, l := range params.layers {
							linear(y, yT, x, l.wqkv, l.bqkv, batch, d, 3*d)
							linear(y, yT, x, l.wo, l.bo, batch, d, d)
							linear(y, yT, x, l.w1, l.b1, batch, d, h)
							linear(y, yT, x, l.w2, l.b2, batch, h, d)
						}
					}
					perToken := b.Elapsed().Seconds() / float64(b.N*batch)
					b.ReportMetric(perToken*1e6, "µs/token")
					b.ReportMetric(2*float64(macs)/perToken/1e9, "GFLOP/s")
				})
			}
		}
	}
}
