package modelserver

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Reasons the batcher refuses a request (both answered with HTTP 503).
var (
	errQueueFull = errors.New("queue full")
	errClosed    = errors.New("server is shutting down")
)

// job is one infer request waiting for, or going through, a forward pass.
type job struct {
	rows     int
	pixels   []float32
	enqueued time.Time
	done     chan jobResult // buffered: the instance never waits on the handler
}

type jobResult struct {
	probs  []float32 // rows*OutputWidth
	labels []int64   // rows
	err    error
}

// batcher is the dynamic batcher. Requests wait in a bounded queue; one
// dispatcher goroutine merges them, oldest first, into a batch of up to
// maxBatch rows, and hands the batch to the first free model instance once
// it is full or maxDelay has passed since its oldest request. While every
// instance is busy a ready batch keeps taking requests until it is full,
// so batches grow with the load. A request larger than maxBatch is a batch
// of its own.
type batcher struct {
	model     *Model
	metrics   *metrics
	maxBatch  int
	maxDelay  time.Duration
	maxQueue  int
	incoming  chan *job    // capacity maxQueue; a send never blocks (see submit)
	batches   chan []*job  // dispatcher -> instances, unbuffered
	depth     atomic.Int64 // requests accepted and not yet handed to an instance
	flush     chan struct{}
	flushOnce sync.Once
	mu        sync.RWMutex // guards closed against sends on a closed incoming
	closed    bool
	done      chan struct{} // closed when the dispatcher and every instance have stopped
}

func newBatcher(model *Model, m *metrics, cfg Config) *batcher {
	b := &batcher{
		model:    model,
		metrics:  m,
		maxBatch: cfg.MaxBatchSize,
		maxDelay: cfg.MaxQueueDelay,
		maxQueue: cfg.MaxQueue,
		incoming: make(chan *job, cfg.MaxQueue),
		batches:  make(chan []*job),
		flush:    make(chan struct{}),
		done:     make(chan struct{}),
	}
	var wg sync.WaitGroup
	wg.Go(b.dispatch)
	for range cfg.Instances {
		wg.Go(b.instance)
	}
	go func() { wg.Wait(); close(b.done) }()
	return b
}

// submit queues j, or refuses it at once when the queue holds maxQueue
// requests (errQueueFull) or the batcher is closed (errClosed).
func (b *batcher) submit(j *job) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed
	}
	// depth counts the requests in incoming and those the dispatcher holds,
	// so keeping it <= maxQueue keeps the channel from ever filling.
	if b.depth.Add(1) > int64(b.maxQueue) {
		b.depth.Add(-1)
		return errQueueFull
	}
	j.enqueued = time.Now()
	b.incoming <- j
	return nil
}

// startFlush makes the dispatcher stop waiting for batches to fill: the
// first step of a drain, so accepted requests finish without the delay.
func (b *batcher) startFlush() { b.flushOnce.Do(func() { close(b.flush) }) }

// close refuses new requests; the dispatcher still runs every accepted one,
// then the instances stop and done is closed.
func (b *batcher) close() {
	b.startFlush()
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.incoming)
	}
}

// dispatch forms batches until incoming is closed and drained.
func (b *batcher) dispatch() {
	defer close(b.batches)
	var (
		pending     []*job
		pendingRows int
		carry       *job // the request that did not fit in pending: first of the next batch
		timer       = time.NewTimer(time.Hour)
		timerFired  bool
		incoming    = b.incoming
		flushing    bool
	)
	timer.Stop()
	for {
		if len(pending) == 0 {
			j := carry
			carry = nil
			if j == nil {
				var ok bool
				if incoming == nil {
					return // closed, and every accepted request has gone out
				}
				if j, ok = <-incoming; !ok {
					return
				}
			}
			pending, pendingRows = append(pending, j), j.rows
			timer.Reset(time.Until(j.enqueued.Add(b.maxDelay)))
			timerFired = false
		}
		full := pendingRows >= b.maxBatch || carry != nil
		ready := full || timerFired || flushing
		var (
			in     <-chan *job
			out    chan<- []*job
			timerC <-chan time.Time
			flushC <-chan struct{}
		)
		if !full {
			in = incoming // nil once closed
		}
		if ready {
			out = b.batches
		} else {
			timerC = timer.C
		}
		if !flushing {
			flushC = b.flush
		}
		select {
		case j, ok := <-in:
			switch {
			case !ok:
				incoming, flushing = nil, true
			case pendingRows+j.rows <= b.maxBatch:
				pending, pendingRows = append(pending, j), pendingRows+j.rows
			default:
				carry = j
			}
		case out <- pending:
			b.depth.Add(-int64(len(pending)))
			pending, pendingRows = nil, 0
		case <-timerC:
			timerFired = true
		case <-flushC:
			flushing = true
		}
	}
}

// instance is one model instance: it runs batches one at a time, each as a
// single forward pass, and hands every request its rows of the result.
func (b *batcher) instance() {
	var merged []float32
	for batch := range b.batches {
		start := time.Now()
		rows := 0
		for _, j := range batch {
			rows += j.rows
			b.metrics.queueSeconds.Observe(start.Sub(j.enqueued).Seconds())
		}
		input := batch[0].pixels
		if len(batch) > 1 {
			merged = merged[:0]
			for _, j := range batch {
				merged = append(merged, j.pixels...)
			}
			input = merged
		}
		probs, labels, err := b.model.Forward(input, rows)
		b.metrics.computeSeconds.Observe(time.Since(start).Seconds())
		b.metrics.batchSize.Observe(float64(rows))
		b.metrics.inferences.Add(float64(rows))
		row := 0
		for _, j := range batch {
			res := jobResult{err: err}
			if err == nil {
				res.probs = probs[row*OutputWidth : (row+j.rows)*OutputWidth : (row+j.rows)*OutputWidth]
				res.labels = labels[row : row+j.rows : row+j.rows]
			}
			row += j.rows
			j.done <- res
		}
	}
}
