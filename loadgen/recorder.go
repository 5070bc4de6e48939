package loadgen

import (
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/infercost/infercost/result"
)

// recorder holds everything an attack measures: the current interval, the
// per-second rows, and the in-flight count behind --max-inflight. One mutex
// guards it; every call does a few additions and histogram records, so the
// pacer and the result consumer never wait long.
type recorder struct {
	start       time.Time
	closedLoop  bool
	maxInflight int64
	lateAfter   time.Duration

	mu sync.Mutex
	iv *Interval
	// closed: the final interval was handed out; nothing more is recorded.
	closed bool

	// inflight counts ticks taken by a worker whose result the consumer has
	// not yet released: vegeta's busy workers (give or take a result in
	// transit). full is true while it is at maxInflight; fullEnd is when the
	// last full period ended.
	inflight   int64
	full       bool
	hadFull    bool
	fullEnd    time.Duration
	rows       []result.SecondRow
	sec        int // the second secHist holds
	secHist    *hdrhistogram.Histogram
	secFlushed bool
}

func newRecorder(start time.Time, closedLoop bool, maxInflight int, lateAfter time.Duration) *recorder {
	return &recorder{
		start:       start,
		closedLoop:  closedLoop,
		maxInflight: int64(maxInflight),
		lateAfter:   lateAfter,
		iv:          newInterval(start),
		secHist:     NewHistogram(),
		secFlushed:  true,
	}
}

func (r *recorder) since() time.Duration { return time.Since(r.start) }

// row returns the per-second row of elapsed time t, growing the series.
func (r *recorder) row(t time.Duration) *result.SecondRow {
	s := int(t / time.Second)
	if s < 0 {
		s = 0
	}
	for len(r.rows) <= s {
		r.rows = append(r.rows, result.SecondRow{Second: len(r.rows)})
	}
	return &r.rows[s]
}

// sent records one send: a tick a worker took at `now`, intended at
// `intended` (both from the attack's start). It is called by the pacer,
// which runs in vegeta's single tick loop, right after the tick was taken.
func (r *recorder) sent(now, intended time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	iv := r.iv
	iv.Sent++
	r.row(now).Sent++
	if !r.closedLoop {
		lag := max(now-intended, 0)
		recordUS(iv.SendLag, lag)
		// A late send found every slot busy if the slots were full at some
		// moment between its intended time and now: a full period is going
		// on, or the last one ended after the intended time. Otherwise it is
		// late for the generator's own reasons.
		if lag > r.lateAfter {
			iv.Late++
			if capped := r.full || (r.hadFull && r.fullEnd >= intended); capped {
				iv.InflightCapped++
			} else {
				iv.LateUncapped++
			}
		}
	}
	r.inflight++
	// inflight can pass maxInflight by the results vegeta has handed over
	// but the consumer has not yet released; vegeta itself never runs more
	// than maxInflight workers.
	iv.PeakInflight = max(iv.PeakInflight, min(r.inflight, r.maxInflight))
	if r.inflight >= r.maxInflight && !r.full {
		r.full, r.hadFull = true, true
	}
}

// released marks one worker free (its result was received). The caller
// holds r.mu.
func (r *recorder) releasedLocked(now time.Duration) {
	r.inflight--
	if r.full && r.inflight < r.maxInflight {
		r.full = false
		r.fullEnd = now
	}
}

// release frees a worker and, when o is not nil, records its outcome in the
// same critical section.
func (r *recorder) release(o *outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.since()
	r.releasedLocked(now)
	if o != nil {
		r.recordLocked(now, o)
	}
}

// record records an outcome judged after its worker was released.
func (r *recorder) record(o *outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recordLocked(r.since(), o)
}

func (r *recorder) recordLocked(now time.Duration, o *outcome) {
	if r.closed {
		return
	}
	iv := r.iv
	row := r.row(now)
	iv.Completed++
	row.Completed++
	iv.BytesIn += o.bytesIn
	iv.BytesOut += o.bytesOut
	if o.kind != "" {
		iv.Errors[o.kind]++
		row.Errors++
		return
	}
	iv.Successes++
	recordUS(iv.Corrected, o.corrected)
	recordUS(iv.Uncorrected, o.uncorrected)
	if o.good {
		iv.Goodput++
	}
	if o.stream {
		iv.recordStream(o)
	}
	if s := int(now / time.Second); s != r.sec {
		r.flushSecondLocked()
		r.sec = s
	}
	recordUS(r.secHist, o.corrected)
	r.secFlushed = false
}

// flushSecondLocked writes the p50 and p95 of the second in secHist into
// its row and empties the histogram.
func (r *recorder) flushSecondLocked() {
	if r.secFlushed {
		return
	}
	row := r.row(time.Duration(r.sec) * time.Second)
	row.P50MS = usToMS(r.secHist.ValueAtQuantile(50))
	row.P95MS = usToMS(r.secHist.ValueAtQuantile(95))
	r.secHist.Reset()
	r.secFlushed = true
}

// cut ends the current interval at `at` and starts the next one.
func (r *recorder) cut(at time.Duration) *Interval {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.iv
	old.End = r.start.Add(at)
	r.iv = newInterval(old.End)
	r.iv.PeakInflight = min(max(r.inflight, 0), r.maxInflight) // still in flight across the cut
	return old
}

// finish ends the last interval at `at` and stops all recording.
func (r *recorder) finish(at time.Duration) *Interval {
	r.mu.Lock()
	defer r.mu.Unlock()
	iv := r.iv
	iv.End = r.start.Add(at)
	r.flushSecondLocked()
	r.closed = true
	r.iv = newInterval(iv.End) // what a Cut after the end gets: empty
	return iv
}

// seriesRows copies the rows of seconds [0, upTo) (at least that many, all
// of them when all is set), flushing the per-second quantiles of a second
// that is over.
func (r *recorder) seriesRows(upTo int, all bool, now time.Duration) []result.SecondRow {
	r.mu.Lock()
	defer r.mu.Unlock()
	if int(now/time.Second) > r.sec || r.closed {
		r.flushSecondLocked()
	}
	if upTo > 0 {
		r.row(time.Duration(upTo-1) * time.Second)
	}
	if all || upTo > len(r.rows) {
		upTo = len(r.rows)
	}
	return append([]result.SecondRow(nil), r.rows[:upTo]...)
}
