package lmserver

import (
	"testing"
)

// TestHeldOutLossBeatsUnigram trains the test preset and checks that it
// predicts held-out text at least MinGainOverUnigram nats per token better
// than the best context-free model of that same text.
func TestHeldOutLossBeatsUnigram(t *testing.T) {
	info := testModel(t).Info()
	t.Logf("held-out loss %.3f nats/token (perplexity %.2f) on %d tokens, unigram %.3f; trained in %v",
		info.HeldOutLoss, info.Perplexity, info.HeldOutTokens, info.UnigramLoss, info.TrainTime)
	if gain := info.UnigramLoss - info.HeldOutLoss; gain < MinGainOverUnigram {
		t.Errorf("held-out loss %.3f is %.3f below the unigram baseline %.3f, want >= %.1f", info.HeldOutLoss, gain, info.UnigramLoss, MinGainOverUnigram)
	}
	c, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	if u := UnigramLoss(c.HeldOut); u < 2.5 || u > 3.5 {
		t.Errorf("unigram entropy of English text %.3f nats/char, want about 3", u)
	}
}
