package lmserver

import (
	"strings"
	"testing"
)

func TestTextDecoderHoldsPartialCharacters(t *testing.T) {
	var d textDecoder
	var out []byte
	steps := []string{}
	for _, tok := range Encode("é€x") {
		out = d.add(out, tok)
		steps = append(steps, string(out))
	}
	// é is 2 bytes, € 3: text appears only when a character is complete.
	want := []string{"", "é", "é", "é", "é€", "é€x"}
	if strings.Join(steps, "|") != strings.Join(want, "|") {
		t.Errorf("steps %q, want %q", steps, want)
	}
	out = d.add(out, EOS)
	if string(out) != "é€x\n\n" {
		t.Errorf("EOS reads %q", out)
	}
	// A lone continuation byte, and a lead byte cut short, become U+FFFD.
	var d2 textDecoder
	var o2 []byte
	for _, tok := range []int32{0x80, 'a', 0xE2, 0x82, 'b'} {
		o2 = d2.add(o2, tok)
	}
	o2 = d2.flush(o2)
	if string(o2) != "\uFFFDa\uFFFD\uFFFDb" && string(o2) != "\uFFFDa\uFFFDb" {
		t.Errorf("invalid bytes read %q", o2)
	}
	if !utf8Valid(string(o2)) {
		t.Errorf("%q is not valid UTF-8", o2)
	}
}

func TestStopHelpers(t *testing.T) {
	if at, s := findStop([]byte("the Light of"), 5, []string{"zz", "ht"}); at != 7 || s != "ht" {
		t.Errorf("findStop = %d %q", at, s)
	}
	if at, _ := findStop([]byte("the Light"), 9, []string{"Li"}); at != -1 {
		t.Errorf("findStop found a match before from: %d", at)
	}
	for _, tc := range []struct {
		text  string
		stops []string
		want  int
	}{
		{"the Li", []string{"Light"}, 2},
		{"the L", []string{"Light", "L."}, 1},
		{"the", []string{"Light"}, 0},
		{"abcab", []string{"abcabd"}, 5},
		{"x", nil, 0},
	} {
		if got := holdBack([]byte(tc.text), tc.stops); got != tc.want {
			t.Errorf("holdBack(%q, %q) = %d, want %d", tc.text, tc.stops, got, tc.want)
		}
	}
}

func TestSampler(t *testing.T) {
	logits := make([]float32, VocabSize)
	logits['a'], logits['b'], logits[EOS] = 5, 4, 6
	greedy := newSampler(SamplingParams{Temperature: 0, TopP: 1})
	if got := greedy.sample(logits, false); got != EOS {
		t.Errorf("greedy %d, want EOS", got)
	}
	if got := greedy.sample(logits, true); got != 'a' {
		t.Errorf("greedy without EOS %d, want 'a'", got)
	}
	// top_p small enough keeps only the most likely token.
	seed := uint64(1)
	narrow := newSampler(SamplingParams{Temperature: 1, TopP: 0.01, Seed: &seed})
	for range 50 {
		if got := narrow.sample(logits, true); got != 'a' {
			t.Fatalf("top_p 0.01 drew %d", got)
		}
	}
	// At temperature 1 the draws follow the softmax: 'a' about e times as
	// often as 'b' (the 254 other tokens share the rest).
	wide := newSampler(SamplingParams{Temperature: 1, TopP: 1, Seed: &seed})
	counts := map[int32]int{}
	for range 4000 {
		counts[wide.sample(logits, true)]++
	}
	if r := float64(counts['a']) / float64(counts['b']); r < 2.2 || r > 3.3 {
		t.Errorf("a/b drawn %d/%d = %.2f, want about e", counts['a'], counts['b'], r)
	}
	if counts[EOS] != 0 {
		t.Errorf("banned EOS drawn %d times", counts[EOS])
	}
}
