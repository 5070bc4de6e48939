package lmserver

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// workers are helper goroutines that the model's parallel loops share. A
// forward pass is a burst of a few dozen loops, each too short (tens of
// microseconds in a decode step) to pay for waking a parked goroutine,
// which on a VM costs as much as the loop itself. So a helper that has
// just worked polls for the next loop for a while (spinWindow) before it
// parks again: within a pass it is there at once, and between requests it
// costs nothing.
type workers struct {
	helpers int
	latest  atomic.Pointer[parJob] // the newest loop
	parked  atomic.Int32           // helpers blocked on wake
	wake    chan struct{}
}

// spinWindow is how long an idle helper polls before parking: longer than
// the serial stretches between the loops of one forward pass.
const spinWindow = 50 * time.Microsecond

// yieldEvery is how often a polling helper yields its processor: the
// engine's goroutine holds the other one through back-to-back steps, so
// without it the request handlers, which send each token as it comes,
// would run only when the runtime preempts (every 10 ms), and tokens
// would reach clients in bursts.
const yieldEvery = 5 * time.Microsecond

// parJob is one parallel loop: tasks [0, n), claimed one at a time, the
// caller from the front and the helpers from the back, so that each core
// tends to get the same tiles (and keep their weights in its cache) from
// one step to the next.
type parJob struct {
	fn        func(task int)
	claimed   []atomic.Bool
	remaining atomic.Int64
}

var pool = sync.OnceValue(func() *workers {
	w := &workers{helpers: runtime.GOMAXPROCS(0) - 1, wake: make(chan struct{}, 64)}
	for range w.helpers {
		go w.helper()
	}
	return w
})

func (w *workers) helper() {
	var last *parJob
	for {
		deadline := time.Now().Add(spinWindow)
		nextYield := time.Now().Add(yieldEvery)
		for spins := 0; ; spins++ {
			if j := w.latest.Load(); j != last && j != nil {
				last = j
				j.work(true)
				deadline = time.Now().Add(spinWindow)
				continue
			}
			if spins%64 != 63 {
				continue
			}
			now := time.Now()
			if now.After(deadline) {
				break
			}
			if now.After(nextYield) {
				// Let waiting goroutines (a handler with a token to
				// send) have this processor for a moment.
				runtime.Gosched()
				nextYield = now.Add(yieldEvery)
			}
		}
		// Park; a loop posted after parked was raised sends a wake-up,
		// one posted before is found by the check below.
		w.parked.Add(1)
		if j := w.latest.Load(); j != last && j != nil {
			w.parked.Add(-1)
			continue
		}
		<-w.wake
	}
}

// work claims and runs tasks until every task is claimed; fromBack says
// which end to start at.
func (j *parJob) work(fromBack bool) {
	n := len(j.claimed)
	for k := range n {
		i := k
		if fromBack {
			i = n - 1 - k
		}
		if !j.claimed[i].CompareAndSwap(false, true) {
			if fromBack {
				return // met the caller coming from the front
			}
			continue
		}
		j.fn(i)
		j.remaining.Add(-1)
	}
}

// parallelFor calls fn(i) for i in [0, n), spread over the calling
// goroutine and the helpers, and returns when every call has returned.
// Which goroutine runs a task never changes what it computes, so results
// do not depend on the number of cores.
func parallelFor(n int, fn func(i int)) {
	w := pool()
	if n <= 1 || w.helpers == 0 {
		for i := range n {
			fn(i)
		}
		return
	}
	j := &parJob{fn: fn, claimed: make([]atomic.Bool, n)}
	j.remaining.Store(int64(n))
	w.latest.Store(j)
	for p := w.parked.Load(); p > 0; p = w.parked.Load() {
		if w.parked.CompareAndSwap(p, p-1) {
			w.wake <- struct{}{}
		}
	}
	j.work(false)
	for j.remaining.Load() > 0 {
		// A helper is finishing the task it claimed.
	}
}
