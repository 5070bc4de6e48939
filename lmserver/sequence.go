package lmserver

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Finish reasons, as OpenAI and vLLM name them.
const (
	FinishStop   = "stop"   // EOS, or a stop string
	FinishLength = "length" // max_tokens reached
	FinishAbort  = "abort"  // the client left, or the drain timed out
)

// maxUnread is the most generated text a sequence holds for a client that
// is not reading it; past it the scheduler pauses the sequence (a stalled
// client costs its slot, never unbounded memory).
const maxUnread = 64 << 10

// Sequence is one request going through the engine: its prompt, its
// sampling settings and the text generated so far. The engine's scheduler
// goroutine owns the fields below the line; the request's handler reads
// the output with Wait and Take.
type Sequence struct {
	Prompt  []int32
	Params  SamplingParams
	arrived time.Time

	notify    chan struct{} // capacity 1: something to take, or finished
	cancelled atomic.Bool
	engine    *Engine

	mu       sync.Mutex
	unread   []byte // text released and not yet taken
	tokens   int    // completion tokens generated
	finished bool
	reason   string
	stopStr  string // the stop string that ended the completion, if one did

	// Scheduler-owned.
	slot         int
	cached       []int32 // tokens whose keys and values are in the slot, in order
	pending      []int32 // tokens to feed next (the prompt, then the last sampled token)
	next         [1]int32
	prefilled    bool // the prompt went through: later tokens are generated ones
	generated    int
	text         []byte // completion text so far
	released     int    // bytes of text handed to unread
	dec          textDecoder
	sampler      *sampler
	firstTokenAt time.Time
	lastTokenAt  time.Time
}

// Output is what Take returns: the text generated since the last call and,
// once the sequence is finished, why.
type Output struct {
	Text string
	// CompletionTokens counts every token generated so far.
	CompletionTokens int
	Finished         bool
	FinishReason     string
	// StopString is the stop string that ended the completion, if any.
	StopString string
}

// Ready is signalled whenever Take has something new.
func (s *Sequence) Ready() <-chan struct{} { return s.notify }

// Take returns the text released since the last call.
func (s *Sequence) Take() Output {
	s.mu.Lock()
	out := Output{Text: string(s.unread), CompletionTokens: s.tokens, Finished: s.finished, FinishReason: s.reason, StopString: s.stopStr}
	wasFull := len(s.unread) > maxUnread
	s.unread = s.unread[:0]
	s.mu.Unlock()
	if wasFull {
		s.engine.poke() // the scheduler paused this sequence; it may go on
	}
	return out
}

// Cancel ends the sequence (the client left): a waiting sequence leaves
// the queue at once, a running one frees its slot before the next step.
func (s *Sequence) Cancel() {
	if s.cancelled.CompareAndSwap(false, true) {
		s.engine.cancelWaiting(s)
		s.engine.poke()
	}
}

func (s *Sequence) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// paused says whether the client has left too much text unread.
func (s *Sequence) paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.unread) > maxUnread
}

// accept records the sampled token t: it ends the sequence on EOS (unless
// ignored), on a stop string or at max_tokens, and otherwise becomes the
// next token to feed. It releases the text that can no longer turn out to
// be the start of a stop string. It returns whether the sequence finished.
func (s *Sequence) accept(t int32) bool {
	s.generated++
	reason, stopStr := "", ""
	mayStop := s.generated > s.Params.MinTokens
	if t == EOS && !s.Params.IgnoreEOS {
		reason = FinishStop
	} else {
		before := len(s.text)
		s.text = s.dec.add(s.text, t)
		if mayStop {
			if at, stop := findStop(s.text, before, s.Params.Stop); at >= 0 {
				s.text, reason, stopStr = s.text[:at], FinishStop, stop
			}
		}
		if reason == "" && s.generated >= s.Params.MaxTokens {
			reason = FinishLength
		}
	}
	if reason != "" {
		s.text = s.dec.flush(s.text)
	}
	release := len(s.text)
	if reason == "" {
		s.next[0] = t
		s.pending = s.next[:]
		release -= holdBack(s.text, s.Params.Stop)
	}
	s.mu.Lock()
	if release > s.released {
		s.unread = append(s.unread, s.text[s.released:release]...)
		s.released = release
	}
	s.tokens = s.generated
	if reason != "" {
		s.finished, s.reason, s.stopStr = true, reason, stopStr
	}
	s.mu.Unlock()
	s.signal()
	return reason != ""
}

// finish ends the sequence for reason without a new token (an abort).
func (s *Sequence) finish(reason string) {
	s.mu.Lock()
	if !s.finished {
		s.finished, s.reason = true, reason
	}
	s.mu.Unlock()
	s.signal()
}

// findStop looks for the first stop string that ends after byte from of
// text (earlier text was checked before) and returns where it starts.
func findStop(text []byte, from int, stops []string) (int, string) {
	best, which := -1, ""
	for _, stop := range stops {
		start := max(0, from-len(stop)+1)
		if i := strings.Index(string(text[start:]), stop); i >= 0 && (best < 0 || start+i < best) {
			best, which = start+i, stop
		}
	}
	return best, which
}

// holdBack is the length of the longest end of text that is the start of
// a stop string: text that cannot be released yet, because the next tokens
// may complete the stop string (which is never returned).
func holdBack(text []byte, stops []string) int {
	n := 0
	for _, stop := range stops {
		for k := min(len(stop)-1, len(text)); k > n; k-- {
			if string(text[len(text)-k:]) == stop[:k] {
				n = k
				break
			}
		}
	}
	return n
}
