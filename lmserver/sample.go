package lmserver

import (
	"math"
	"math/rand/v2"
	"slices"
)

// SamplingParams are a request's generation settings, checked.
type SamplingParams struct {
	// MaxTokens is the most completion tokens to generate (>= 1).
	MaxTokens int
	// MinTokens is the fewest completion tokens before EOS or a stop
	// string may end the completion.
	MinTokens int
	// Temperature 0 is greedy (arg-max); otherwise logits are divided by
	// it before the softmax. In [0, 2].
	Temperature float64
	// TopP keeps the smallest set of most likely tokens whose probability
	// reaches TopP (nucleus sampling). In (0, 1].
	TopP float64
	// Seed, when set, makes the sampling reproducible: the same request
	// with the same seed gets the same completion, alone or batched.
	Seed *uint64
	// Stop strings end the completion where they first appear; the text
	// returned stops before them.
	Stop []string
	// IgnoreEOS keeps generating past the end-of-paragraph token (which
	// then reads as a paragraph break) until MaxTokens.
	IgnoreEOS bool
}

// sampler draws the next token from a sequence's logits.
type sampler struct {
	temperature, topP float64
	rng               *rand.Rand
	probs             []float64
	order             []int
}

func newSampler(p SamplingParams) *sampler {
	seed := rand.Uint64()
	if p.Seed != nil {
		seed = *p.Seed
	}
	return &sampler{temperature: p.Temperature, topP: p.TopP, rng: rand.New(rand.NewPCG(seed, 0x6c6d73616d706c65))}
}

// sample returns the next token; banEOS takes EOS out of the draw (before
// min_tokens, or when the caller ignores EOS it is still allowed).
func (s *sampler) sample(logits []float32, banEOS bool) int32 {
	best := -1
	for i, v := range logits {
		if banEOS && i == EOS {
			continue
		}
		if best < 0 || v > logits[best] {
			best = i
		}
	}
	if s.temperature == 0 {
		return int32(best)
	}
	if cap(s.probs) < len(logits) {
		s.probs = make([]float64, len(logits))
	}
	probs := s.probs[:len(logits)]
	var sum float64
	for i, v := range logits {
		if banEOS && i == EOS {
			probs[i] = 0
			continue
		}
		probs[i] = math.Exp(float64(v-logits[best]) / s.temperature)
		sum += probs[i]
	}
	if s.topP < 1 {
		// Keep the most likely tokens until their mass reaches top_p.
		s.order = s.order[:0]
		for i := range probs {
			s.order = append(s.order, i)
		}
		slices.SortStableFunc(s.order, func(a, b int) int {
			switch {
			case probs[a] > probs[b]:
				return -1
			case probs[a] < probs[b]:
				return 1
			}
			return 0
		})
		var kept float64
		cut := len(s.order)
		for k, i := range s.order {
			kept += probs[i]
			if kept >= s.topP*sum {
				cut = k + 1
				break
			}
		}
		for _, i := range s.order[cut:] {
			probs[i] = 0
		}
		sum = kept
	}
	u := s.rng.Float64() * sum
	for i, p := range probs {
		if u < p {
			return int32(i)
		}
		u -= p
	}
	return int32(best) // rounding left u just above the total
}
