package lmserver

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed" // the corpus travels inside the binary
	"fmt"
	"io"
	"math"
	"sync"
)

// opticksTxtGz is Isaac Newton's Opticks (4th edition, 1730) from Project
// Gutenberg, as Go's source tree ships it in src/testdata; public domain in
// the USA (see testdata/README.md for the credit).
//
//go:embed testdata/opticks.txt.gz
var opticksTxtGz []byte

// Corpus is the training text as tokens, split into a training part and a
// held-out part that training never sees.
type Corpus struct {
	// Train and HeldOut are token streams: paragraphs as bytes, each
	// followed by EOS.
	Train, HeldOut []int32
	// SHA256 identifies the embedded text, so a cached model trained on
	// other data is never reused.
	SHA256 [32]byte
}

// heldOutFraction of the token stream (its end) is kept out of training.
const heldOutFraction = 0.05

var corpus = sync.OnceValues(func() (*Corpus, error) { return parseCorpus(opticksTxtGz) })

// LoadCorpus returns the embedded corpus, split.
func LoadCorpus() (*Corpus, error) { return corpus() }

// parseCorpus turns the gzipped book into tokens. The book's lines are hard
// wrapped at about 70 columns, which a model would learn to imitate; a
// paragraph (text between blank lines) is unwrapped into one line, and the
// paragraphs are separated by EOS rather than by blank lines, so that the
// model learns to end a paragraph: the natural end of a reply (see
// RenderChat). The held-out part is the last heldOutFraction of the
// stream, cut at a paragraph boundary.
func parseCorpus(gz []byte) (*Corpus, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var stream []int32
	var starts []int // where each paragraph starts in stream
	for _, para := range paragraphs(text) {
		starts = append(starts, len(stream))
		for _, b := range para {
			stream = append(stream, int32(b))
		}
		stream = append(stream, EOS)
	}
	if len(starts) < 20 {
		return nil, fmt.Errorf("corpus: only %d paragraphs", len(starts))
	}
	cut := int(float64(len(stream)) * (1 - heldOutFraction))
	for _, s := range starts {
		if s >= cut {
			cut = s
			break
		}
	}
	return &Corpus{Train: stream[:cut], HeldOut: stream[cut:], SHA256: sha256.Sum256(text)}, nil
}

// paragraphs splits text at blank lines and joins each paragraph's lines
// with single spaces.
func paragraphs(text []byte) [][]byte {
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	var out [][]byte
	for _, block := range bytes.Split(text, []byte("\n\n")) {
		words := bytes.Fields(block) // also drops the line breaks
		if len(words) > 0 {
			out = append(out, bytes.Join(words, []byte(" ")))
		}
	}
	return out
}

// UnigramLoss is the cross-entropy, in nats per token, of the best model
// that ignores context on the given tokens: their own empirical entropy.
// No unigram model (not even one fitted to these very tokens) does better,
// so it is the baseline a language model must beat.
func UnigramLoss(tokens []int32) float64 {
	var counts [VocabSize]int
	for _, t := range tokens {
		counts[t]++
	}
	n := float64(len(tokens))
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log(p)
		}
	}
	return h
}
