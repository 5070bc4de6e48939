package loadgen

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/infercost/infercost/result"
)

// promptSpec is one prompt of the pool.
type promptSpec struct {
	text     string
	messages []chatMessage // a data row's own messages (chat API)
	// outputTokens is the length asked (max_tokens).
	outputTokens int
	// estimatedTokens is the prompt's length in the server's tokens, as
	// tokenizerFit estimates it; used only when the server sends no usage.
	estimatedTokens int64
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// tokenizerFit converts words of prompt text into the server's tokens:
// tokens = overhead + perWord x words. infercost has no tokenizer of its
// own (every model has its own), so the preflight fits these two numbers to
// the server's usage counts for two prompts of known length.
type tokenizerFit struct {
	perWord    float64
	overhead   float64
	calibrated bool
}

// assumedTokensPerWord is the estimate used when the server reports no
// usage: common English words are one to two BPE tokens.
const assumedTokensPerWord = 1.3

func (f tokenizerFit) tokens(words int) int64 {
	return int64(math.Round(f.overhead + f.perWord*float64(words)))
}

// words is the number of words whose prompt has about n tokens (at least 1).
func (f tokenizerFit) words(n float64) int {
	return max(1, int(math.Round((n-f.overhead)/f.perWord)))
}

// calibration prompts: two lengths, so slope and template overhead separate.
const (
	calibrationShort = 16
	calibrationLong  = 48
)

// calibrate fits the tokenizer with two short streamed requests (two output
// tokens each). When the server refuses ignore_eos/min_tokens, they are
// dropped for the run. Without usage in the answers the fit stays an
// estimate, and the run says so.
func (t *openaiTarget) calibrate(ctx context.Context, conn ConnOptions) error {
	t.tok = tokenizerFit{perWord: assumedTokensPerWord}
	rng := rand.New(rand.NewPCG(uint64(t.o.Seed), 0xca11b))
	probe := func(words int) (verdict, error) {
		p := promptSpec{text: randomWords(rng, words), outputTokens: 2}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(conn.timeout(), 30*time.Second))
		defer cancel()
		v, err := t.workload([]promptSpec{p}, t.o.ForceOutputLength).testRequest(cctx, conn, 0)
		var pe *PreflightError
		if err != nil && t.o.ForceOutputLength && errors.As(err, &pe) && pe.Kind == PreflightRequestRefused {
			// vLLM and SGLang accept ignore_eos and min_tokens; OpenAI's own
			// API and some servers refuse unknown parameters.
			if v2, err2 := t.workload([]promptSpec{p}, false).testRequest(cctx, conn, 0); err2 == nil {
				t.o.ForceOutputLength = false
				return v2, nil
			}
		}
		return v, err
	}
	short, err := probe(calibrationShort)
	if err != nil {
		return err
	}
	long, err := probe(calibrationLong)
	if err != nil {
		return err
	}
	if short.usage && long.usage && long.inputTokens > short.inputTokens {
		per := float64(long.inputTokens-short.inputTokens) / float64(calibrationLong-calibrationShort)
		t.tok = tokenizerFit{perWord: per, overhead: math.Max(0, float64(short.inputTokens)-per*calibrationShort), calibrated: true}
	}
	return nil
}

// promptPool builds the prompts: from the data file, or synthetic.
func (t *openaiTarget) promptPool() ([]promptSpec, error) {
	rng := rand.New(rand.NewPCG(uint64(t.o.Seed), 0x9e3779b9))
	if t.o.DataFile != "" {
		return t.readPrompts(rng)
	}
	out := make([]promptSpec, t.o.Prompts)
	for i := range out {
		want := draw(rng, t.o.PromptTokens)
		words := t.tok.words(float64(want))
		out[i] = promptSpec{text: randomWords(rng, words), outputTokens: draw(rng, t.o.OutputTokens), estimatedTokens: t.tok.tokens(words)}
	}
	return out, nil
}

// draw is a token count from d, at least 1.
func draw(rng *rand.Rand, d result.TokenDist) int {
	v := d.Mean
	if d.StdDev > 0 {
		v += d.StdDev * rng.NormFloat64()
	}
	return max(1, int(math.Round(v)))
}

// randomWords writes n words drawn from common English words. Every prompt
// differs from its first word, so a server's prefix cache cannot answer
// one prompt with another's work.
func randomWords(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.Grow(n * 6)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(commonWords[rng.IntN(len(commonWords))])
	}
	return b.String()
}

// commonWords are frequent English words, most of them one token in BPE
// vocabularies.
var commonWords = strings.Fields(`the of and to in is was that for it with as on be at by this had not are
but from or have an they which one you were all her she there would their we him been has when who will more
no if out so said what up its about into than them can only other new some could time these two may then do
first any my now such like our over man me even most made after also did many before must through back years
where much your way well down should because each just those people how too little state good very make world
still own see men work long get here between both life being under never day same another know while last
might us great old year off come since against go came right used take three light water colour rays glass
prism red blue green yellow white black sun eye image lens angle edge line point figure side paper hole room
form part order power motion body bodies parts small large less greater space distance length breadth
experiment observed found made several various appear appeared whose upon thus therefore hence same manner
reason cause effect nature kind sort number degree time place case end side way use means`)
