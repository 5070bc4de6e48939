package lmserver

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// workers is a pool of helper goroutines that the model's loops share. A
// forward or backward pass is a burst of a few dozen parallel loops, each
// too short (tens of microseconds in a decode step) to pay for waking a
// parked goroutine, which on a VM costs as much as the loop itself. So a
// pass opens a session: the helpers are woken once, then poll for the
// session's loops (yielding the processor between polls, so request
// handlers still run at once), and park again when the session ends.
type workers struct {
	helpers int
	wake    chan *session
	mu      sync.Mutex // one session at a time
}

// session is one burst of parallel loops by one goroutine.
type session struct {
	job     atomic.Pointer[parJob]
	ended   atomic.Bool
	helpers sync.WaitGroup
}

// parJob is one parallel loop: tasks [0, tasks), claimed one at a time,
// the session's owner from the front and the helpers from the back, so
// that each core tends to get the same tiles (and keeps their weights in
// its cache) from one loop to the next.
type parJob struct {
	fn        func(task int)
	claimed   []atomic.Bool
	remaining atomic.Int64
}

var pool = sync.OnceValue(func() *workers {
	w := &workers{helpers: runtime.GOMAXPROCS(0) - 1, wake: make(chan *session)}
	for range w.helpers {
		go w.helper()
	}
	return w
})

func (w *workers) helper() {
	for s := range w.wake {
		var last *parJob
		for !s.ended.Load() {
			if j := s.job.Load(); j != nil && j != last {
				last = j
				j.work(true)
				continue
			}
			runtime.Gosched()
		}
		s.helpers.Done()
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
				return // met the owner coming from the front
			}
			continue
		}
		j.fn(i)
		j.remaining.Add(-1)
	}
}

// parallel runs body with a session open: parallelFor calls made by body
// (on this goroutine) share the work with the helpers. Sessions do not
// nest; a second goroutine's session waits for the first to end.
func parallel(body func()) {
	w := pool()
	if w.helpers == 0 {
		body()
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s := &session{}
	s.helpers.Add(w.helpers)
	for range w.helpers {
		w.wake <- s
	}
	defer func() {
		s.ended.Store(true)
		s.helpers.Wait()
	}()
	current.Store(s)
	defer current.Store(nil)
	body()
}

// current is the open session, if any.
var current atomic.Pointer[session]

// parallelFor calls fn(i) for i in [0, n) and returns when every call has
// returned; inside a session (see parallel) the calls are spread over the
// cores. Which goroutine runs a task never changes what it computes, so
// results do not depend on the number of cores.
func parallelFor(n int, fn func(i int)) {
	s := current.Load()
	if n <= 1 || s == nil {
		for i := range n {
			fn(i)
		}
		return
	}
	j := &parJob{fn: fn, claimed: make([]atomic.Bool, n)}
	j.remaining.Store(int64(n))
	s.job.Store(j)
	j.work(false)
	for j.remaining.Load() > 0 {
		runtime.Gosched() // a helper is finishing its last task
	}
}
