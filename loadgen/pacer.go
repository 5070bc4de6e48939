package loadgen

import (
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// newTargeter picks the next pre-encoded body, round robin. It runs inside
// vegeta's hit, after the timestamp, so it does nothing else, and it never
// fails (a targeter error would stop the attack).
func newTargeter(w *Workload, conn ConnOptions) vegeta.Targeter {
	headers := w.bodyHeaders(conn)
	var n atomic.Uint64
	return func(t *vegeta.Target) error {
		i := (n.Add(1) - 1) % uint64(len(w.bodies))
		t.Method, t.URL, t.Header = w.method, w.url, headers[i%uint64(len(headers))]
		t.Body = w.bodies[i]
		return nil
	}
}

// pacer is the vegeta.Pacer of an attack. vegeta calls Pace from its single
// tick loop right after a worker took the previous tick, so Pace records
// that send, then waits (interruptibly) until the next intended time and
// returns a zero wait.
type pacer struct {
	a      *Attack
	cur    *scheduleCursor
	lastAt time.Duration
	timer  *time.Timer
}

func (p *pacer) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	a := p.a
	now := a.rec.since()
	if hits > 0 {
		if a.arrival == nil {
			p.lastAt = now
		}
		a.rec.sent(now, p.lastAt)
	}
	select {
	case <-a.stopping:
		return 0, true
	default:
	}
	if a.arrival == nil {
		return 0, false // closed loop: vegeta blocks until a worker is free
	}
	at, ok := p.cur.at(hits)
	if !ok {
		a.markSendEnd(max(now, a.arrival.Duration()))
		return 0, true
	}
	p.lastAt = at
	if wait := at - now; wait > 0 {
		p.timer.Reset(wait)
		select {
		case <-p.timer.C:
		case <-a.stopping:
			p.timer.Stop()
			return 0, true
		}
	}
	return 0, false
}

func (p *pacer) Rate(elapsed time.Duration) float64 {
	if p.a.arrival == nil {
		return 0
	}
	return p.a.arrival.Rate(elapsed)
}

func (a *Attack) markSendEnd(at time.Duration) { a.sendEnd.CompareAndSwap(-1, int64(at)) }
