package lmserver

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// EngineConfig bounds the scheduler and the memory it holds.
type EngineConfig struct {
	// MaxNumSeqs is the most sequences running (holding a KV-cache slot)
	// at once, and so the most decoded together in one forward pass.
	MaxNumSeqs int
	// MaxNumBatchedTokens is the most tokens one forward pass takes: a
	// token for each decoding sequence, then prompt chunks.
	MaxNumBatchedTokens int
	// MaxWaiting is the most requests waiting for a slot; beyond it Submit
	// refuses at once (HTTP 503).
	MaxWaiting int
}

func (c EngineConfig) validate() error {
	switch {
	case c.MaxNumSeqs < 1:
		return fmt.Errorf("--max-num-seqs %d: want >= 1", c.MaxNumSeqs)
	case c.MaxNumBatchedTokens < c.MaxNumSeqs:
		return fmt.Errorf("--max-num-batched-tokens %d: want >= --max-num-seqs (%d), so that every running sequence decodes in each step", c.MaxNumBatchedTokens, c.MaxNumSeqs)
	case c.MaxWaiting < 0:
		return fmt.Errorf("--max-waiting %d: want >= 0", c.MaxWaiting)
	}
	return nil
}

// Reasons Submit refuses a request (both answered with HTTP 503).
var (
	ErrQueueFull = errors.New("queue full")
	ErrDraining  = errors.New("server is shutting down")
)

// Engine is the continuous-batching scheduler. One goroutine runs it:
// between two forward passes it drops the sequences that finished or whose
// client left, admits waiting requests into the free KV-cache slots
// (first come, first served), and plans the next pass: one token for
// every decoding sequence first, then chunks of the prompts still to
// prefill, up to MaxNumBatchedTokens in all. Then it runs that ONE forward
// pass for all of them (chunked prefill, mixed with decodes, as vLLM's V1
// scheduler does) and samples a token for each sequence whose input is
// used up. When nothing is left to do it blocks until a request or a
// cancellation arrives; it never sleeps to shape timing, so every token's
// time is compute and batching.
//
// Sliding window: a sequence whose KV cache is full (Context tokens) keeps
// its last Context/2 tokens, which are prefilled again at positions from 0
// (the positions are learned, so the cache cannot just be shifted), and
// generation goes on: max_tokens never runs into the context.
type Engine struct {
	model *Model
	cfg   EngineConfig
	cache *kvCache
	met   *metrics

	mu      sync.Mutex
	waiting []*Sequence
	closed  bool // no new requests
	aborted bool // end every sequence now

	wake chan struct{} // capacity 1
	done chan struct{}

	// Scheduler-owned.
	running []*Sequence
	free    []int

	nRunning, nWaiting, kvTokens atomic.Int64
	accepted, completed          atomic.Uint64
}

// NewEngine preallocates the KV cache and starts the scheduler.
func NewEngine(model *Model, cfg EngineConfig, met *metrics) (*Engine, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Engine{
		model: model, cfg: cfg, met: met,
		cache: newKVCache(model.params.shape, cfg.MaxNumSeqs),
		wake:  make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	for i := cfg.MaxNumSeqs - 1; i >= 0; i-- {
		e.free = append(e.free, i)
	}
	go e.loop()
	return e, nil
}

// Submit queues a request. The prompt must be 1..Context tokens and p
// checked (see the request decoders). It fails at once with ErrQueueFull
// when MaxWaiting requests are already waiting, or ErrDraining.
func (e *Engine) Submit(prompt []int32, p SamplingParams) (*Sequence, error) {
	if ctx := e.model.params.shape.Context; len(prompt) < 1 || len(prompt) > ctx {
		return nil, fmt.Errorf("prompt of %d tokens: want 1..%d", len(prompt), ctx)
	}
	s := &Sequence{
		Prompt: prompt, Params: p, arrived: time.Now(),
		notify: make(chan struct{}, 1), engine: e, slot: -1,
		pending: slices.Clone(prompt), sampler: newSampler(p),
		cached: make([]int32, 0, e.model.params.shape.Context),
	}
	e.mu.Lock()
	switch {
	case e.closed:
		e.mu.Unlock()
		return nil, ErrDraining
	case len(e.waiting) >= e.cfg.MaxWaiting+e.cfg.MaxNumSeqs-int(e.nRunning.Load()):
		// The queue also holds the requests that will take the free slots
		// at the scheduler's next turn; MaxWaiting bounds those beyond.
		e.mu.Unlock()
		return nil, ErrQueueFull
	}
	e.waiting = append(e.waiting, s)
	e.nWaiting.Store(int64(len(e.waiting)))
	e.mu.Unlock()
	e.accepted.Add(1)
	e.poke()
	return s, nil
}

// Close refuses new requests; the sequences running and waiting are still
// served, and Done is closed once they all finished.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.poke()
}

// Abort ends every sequence now (finish reason "abort") and closes.
func (e *Engine) Abort() {
	e.mu.Lock()
	e.closed, e.aborted = true, true
	e.mu.Unlock()
	e.poke()
}

// Done is closed when the engine has stopped (after Close or Abort).
func (e *Engine) Done() <-chan struct{} { return e.done }

// Running and Waiting count the sequences holding a slot and queued.
func (e *Engine) Running() int { return int(e.nRunning.Load()) }
func (e *Engine) Waiting() int { return int(e.nWaiting.Load()) }

// KVCacheUsage is the fraction of the KV cache's token positions in use.
func (e *Engine) KVCacheUsage() float64 {
	return float64(e.kvTokens.Load()) / float64(e.cfg.MaxNumSeqs*e.model.params.shape.Context)
}

// KVCacheBytes is the memory preallocated for keys and values.
func (e *Engine) KVCacheBytes() int64 { return int64(len(e.cache.data)) * 4 }

// poke wakes the scheduler if it is idle.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// cancelWaiting takes s out of the queue if it is still there.
func (e *Engine) cancelWaiting(s *Sequence) {
	e.mu.Lock()
	i := slices.Index(e.waiting, s)
	if i >= 0 {
		e.waiting = slices.Delete(e.waiting, i, i+1)
		e.nWaiting.Store(int64(len(e.waiting)))
	}
	e.mu.Unlock()
	if i >= 0 {
		e.end(s, FinishAbort)
	}
}

// end finishes s for reason and counts it.
func (e *Engine) end(s *Sequence, reason string) {
	s.finish(reason)
	e.completed.Add(1)
	e.met.requestDone(reason, time.Since(s.arrived))
}

func (e *Engine) loop() {
	defer close(e.done)
	var (
		sc    stepScratch
		step  []stepSeq
		owner []*Sequence
	)
	for {
		if e.housekeep() {
			return
		}
		step, owner = e.plan(step[:0], owner[:0])
		if len(step) == 0 {
			<-e.wake
			continue
		}
		// Steps run back to back; yielding between them lets the request
		// handlers woken by the last step send their tokens now rather
		// than at the runtime's next preemption (it is not a pause: with
		// nothing else to run it returns at once).
		runtime.Gosched()
		start := time.Now()
		logits := e.model.params.forwardStep(e.cache, step, &sc)
		now := time.Now()
		tokens, k := 0, 0
		for i, q := range step {
			s := owner[i]
			tokens += len(q.tokens)
			s.cached = append(s.cached, q.tokens...)
			s.pending = s.pending[len(q.tokens):]
			if !q.logits {
				continue
			}
			row := logits[k*VocabSize : (k+1)*VocabSize]
			k++
			if !s.prefilled {
				s.prefilled = true
				e.met.promptTokens(len(s.Prompt))
			}
			t := s.sampler.sample(row, s.generated < s.Params.MinTokens)
			if s.firstTokenAt.IsZero() {
				s.firstTokenAt = now
				e.met.timeToFirstToken(now.Sub(s.arrived))
			} else {
				e.met.interTokenLatency(now.Sub(s.lastTokenAt))
			}
			s.lastTokenAt = now
			e.met.generationTokens(1)
			if s.accept(t) {
				e.end(s, s.reason)
			}
		}
		e.met.step(tokens, len(step), now.Sub(start))
	}
}

// housekeep drops finished and cancelled sequences, freeing their slots,
// admits waiting requests into free slots and updates the gauges. It
// returns true when the engine is closed and nothing is left.
func (e *Engine) housekeep() bool {
	e.mu.Lock()
	aborted, closed := e.aborted, e.closed
	if aborted {
		for _, s := range e.waiting {
			defer e.end(s, FinishAbort)
		}
		e.waiting = nil
	}
	kept := e.running[:0]
	for _, s := range e.running {
		switch {
		case !s.isFinished() && (aborted || s.cancelled.Load()):
			e.end(s, FinishAbort)
		case !s.isFinished():
			kept = append(kept, s)
			continue
		}
		e.free = append(e.free, s.slot)
	}
	clear(e.running[len(kept):])
	e.running = kept
	for len(e.free) > 0 && len(e.waiting) > 0 {
		s := e.waiting[0]
		e.waiting = e.waiting[1:]
		s.slot = e.free[len(e.free)-1]
		e.free = e.free[:len(e.free)-1]
		e.running = append(e.running, s)
	}
	e.nWaiting.Store(int64(len(e.waiting)))
	e.nRunning.Store(int64(len(e.running)))
	var kv int
	for _, s := range e.running {
		kv += len(s.cached)
	}
	e.kvTokens.Store(int64(kv))
	idle := closed && len(e.running) == 0 && len(e.waiting) == 0
	e.mu.Unlock()
	return idle
}

// plan chooses the next forward pass: decodes first, then prefill chunks,
// within the token budget; sequences whose client has left too much text
// unread sit this step out.
func (e *Engine) plan(step []stepSeq, owner []*Sequence) ([]stepSeq, []*Sequence) {
	ctx := e.model.params.shape.Context
	budget := e.cfg.MaxNumBatchedTokens
	for _, decoding := range []bool{true, false} {
		for _, s := range e.running {
			if len(s.pending) == 0 || (len(s.pending) == 1) != decoding || s.cancelled.Load() || s.paused() {
				continue
			}
			if len(s.cached) == ctx {
				s.slide(ctx / 2)
				if decoding {
					continue // now a prefill: planned in the second round
				}
			}
			n := min(len(s.pending), budget, ctx-len(s.cached))
			if n == 0 {
				continue
			}
			step = append(step, stepSeq{slot: s.slot, tokens: s.pending[:n], pos0: len(s.cached), logits: n == len(s.pending)})
			owner = append(owner, s)
			budget -= n
		}
	}
	return step, owner
}

// slide makes room in a full KV cache: the last keep tokens become the
// input again, from position 0.
func (s *Sequence) slide(keep int) {
	all := append(s.cached, s.pending...)
	s.pending = slices.Clone(all[len(all)-keep:])
	s.cached = s.cached[:0]
}

// isFinished reads the finished flag.
func (s *Sequence) isFinished() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished
}
