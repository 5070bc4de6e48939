package lmserver

import "unicode/utf8"

// The vocabulary is the 256 byte values, so that every prompt (any UTF-8,
// any language) is representable, plus one end-of-paragraph token. One
// token is one byte: prompt_tokens and completion_tokens count bytes, and
// the EOS token.
const (
	// EOS ends a paragraph: the corpus separates paragraphs with it, chat
	// messages are separated by it, and a reply ends when the model
	// samples it (finish_reason "stop").
	EOS = 256
	// VocabSize is the number of distinct tokens.
	VocabSize = 257
)

// eosText is what an EOS token reads as when generation goes on past it
// (ignore_eos): a paragraph break.
const eosText = "\n\n"

// Encode turns text into tokens, one per byte.
func Encode(text string) []int32 {
	out := make([]int32, len(text))
	for i := 0; i < len(text); i++ {
		out[i] = int32(text[i])
	}
	return out
}

// textDecoder turns generated tokens into valid UTF-8 text. A multi-byte
// character arrives one byte (token) at a time, so bytes that may still
// complete a character are held back; a byte sequence that can never be
// valid UTF-8 is released as U+FFFD, which is what a JSON string must
// carry anyway.
type textDecoder struct {
	held []byte
}

// add appends the text of token t to dst and returns it.
func (d *textDecoder) add(dst []byte, t int32) []byte {
	if t == EOS {
		dst = d.flush(dst)
		return append(dst, eosText...)
	}
	d.held = append(d.held, byte(t))
	for len(d.held) > 0 {
		r, size := utf8.DecodeRune(d.held)
		if r == utf8.RuneError && size <= 1 {
			if !utf8.FullRune(d.held) {
				return dst // may still complete
			}
			dst = utf8.AppendRune(dst, utf8.RuneError)
			d.held = d.held[1:]
			continue
		}
		dst = append(dst, d.held[:size]...)
		d.held = d.held[size:]
	}
	d.held = d.held[:0]
	return dst
}

// flush releases whatever is held (an incomplete character) as U+FFFD.
func (d *textDecoder) flush(dst []byte) []byte {
	for range d.held {
		dst = utf8.AppendRune(dst, utf8.RuneError)
	}
	d.held = d.held[:0]
	return dst
}
