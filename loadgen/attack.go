package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/infercost/infercost/result"
)

// Defaults of Config.
const (
	DefaultMaxInflight   = 10000
	DefaultLateThreshold = 2 * time.Millisecond
)

// Config is one attack.
type Config struct {
	Workload *Workload
	// Arrival is the open-loop schedule; nil in concurrency mode.
	Arrival Arrival
	// Concurrency > 0 runs a closed loop keeping that many requests in
	// flight (Arrival must be nil).
	Concurrency int
	// MaxInflight caps requests in flight in open loop (default 10000):
	// sends beyond it go out late, never dropped.
	MaxInflight int
	// LateThreshold: a send later than this against its intended time is
	// late (default 2ms: Go's timers can oversleep by about 1 ms).
	LateThreshold time.Duration
	Conn          ConnOptions
	// Goodput are the per-request bounds a success must meet to count as
	// goodput (the SLO the step is judged by); none: every success does.
	Goodput []result.SLOBound
}

// Attack is a running attack.
type Attack struct {
	cfg      Config
	arrival  Arrival // nil in a closed loop
	rec      *recorder
	attacker *vegeta.Attacker
	client   *http.Client
	tracker  *connTracker
	start    time.Time

	stopping chan struct{} // closed: send nothing more
	haltOnce sync.Once
	done     chan struct{} // closed: every result is recorded
	aborted  atomic.Bool   // results from now on are dropped
	sendEnd  atomic.Int64  // ns from start when sending ended; -1 while sending

	finishOnce sync.Once
	finished   atomic.Bool
	final      *Interval

	offeredMu    sync.Mutex
	offeredCur   *scheduleCursor
	offeredRows  []int64 // offered per second, for seconds that are over
	offeredCount uint64  // slots before the end of the last of offeredRows
}

// Start begins sending at once and keeps going until Stop, ctx cancellation
// or the end of a finite schedule. Cancelling ctx aborts the requests in
// flight (they are not counted) and closes Done.
func Start(ctx context.Context, cfg Config) (*Attack, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := cfg.Workload
	switch {
	case w == nil || len(w.bodies) == 0:
		return nil, fmt.Errorf("no workload (build one with NewKServeWorkload or NewRawWorkload)")
	case cfg.Arrival == nil && cfg.Concurrency <= 0:
		return nil, fmt.Errorf("give an arrival schedule (a rate) or a concurrency above 0")
	case cfg.Arrival != nil && cfg.Concurrency > 0:
		return nil, fmt.Errorf("give an arrival schedule (a rate) or a concurrency, not both")
	case cfg.MaxInflight < 0:
		return nil, fmt.Errorf("max in-flight %d must not be negative", cfg.MaxInflight)
	}
	if cfg.MaxInflight == 0 {
		cfg.MaxInflight = DefaultMaxInflight
	}
	if cfg.LateThreshold <= 0 {
		cfg.LateThreshold = DefaultLateThreshold
	}
	u, err := url.Parse(w.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("workload URL is not an http(s) URL with a host")
	}
	slots := cfg.MaxInflight
	if cfg.Concurrency > 0 {
		slots = cfg.Concurrency
	}
	a := &Attack{
		cfg:      cfg,
		arrival:  cfg.Arrival,
		tracker:  newConnTracker(),
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
	}
	a.sendEnd.Store(-1)
	client, err := newHTTPClient(cfg.Conn, u.Scheme, min(slots, DefaultMaxInflight), a.tracker)
	if err != nil {
		return nil, err
	}
	var stream *streamTransport
	if w.stream {
		stream = &streamTransport{base: client.Transport}
		client.Transport = stream
	}
	a.client = client
	a.attacker = vegeta.NewAttacker(
		vegeta.Client(client),
		vegeta.Workers(uint64(min(slots, 64))),
		vegeta.MaxWorkers(uint64(slots)),
		vegeta.MaxBody(w.readLimit()),
	)
	p := &pacer{a: a, timer: time.NewTimer(time.Hour)}
	p.timer.Stop()
	if a.arrival != nil {
		p.cur = newScheduleCursor(a.arrival)
		a.offeredCur = newScheduleCursor(a.arrival)
	}
	tr := newTargeter(w, cfg.Conn)

	// Our own start, just before vegeta's: intended times count from here
	// (DESIGN "Notes on vegeta"); the two differ by microseconds.
	a.start = time.Now()
	if stream != nil {
		stream.start = a.start
	}
	a.rec = newRecorder(a.start, a.arrival == nil, slots, cfg.LateThreshold)
	results := a.attacker.Attack(tr, p, 0, "")
	go a.consume(results)
	go a.watch(ctx)
	return a, nil
}

// judged is a 2xx response waiting for its body to be validated.
type judged struct {
	o    outcome
	body []byte
}

// consume takes every result from vegeta's unbuffered channel. Its work per
// result is kept small so it never slows the attack: 2xx bodies are judged
// by the protocol on a pool of validators after the worker has been
// released, so judging neither counts as latency nor throttles sending.
func (a *Attack) consume(results <-chan *vegeta.Result) {
	var (
		queue chan judged
		wg    sync.WaitGroup
		cur   *scheduleCursor
	)
	if a.cfg.Workload.judge != nil {
		queue = make(chan judged, 1024)
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			wg.Add(1)
			go a.validate(queue, &wg)
		}
	}
	if a.arrival != nil {
		cur = newScheduleCursor(a.arrival)
	}
	for res := range results {
		if a.aborted.Load() {
			a.rec.release(nil)
			continue
		}
		sent := res.Timestamp.Sub(a.start)
		o := outcome{
			kind:        classify(res),
			uncorrected: res.Latency,
			corrected:   res.Latency,
			bytesIn:     responseBytes(res),
			bytesOut:    int64(res.BytesOut),
			intended:    sent,
			sent:        sent,
		}
		if cur != nil {
			// Corrected = Timestamp + Latency - (start + At(Seq)). A send never
			// precedes its intended time, so it is never below uncorrected.
			if at, ok := cur.at(res.Seq); ok {
				o.corrected = max(sent+res.Latency-at, res.Latency)
				o.intended = min(at, sent)
			}
		}
		if o.kind == "" && queue != nil {
			a.rec.release(nil)
			queue <- judged{o: o, body: res.Body}
			continue
		}
		o.judgeGoodput(a.cfg.Goodput)
		a.rec.release(&o)
	}
	if queue != nil {
		close(queue)
		wg.Wait()
	}
	a.markSendEnd(a.rec.since())
	close(a.done)
}

func (a *Attack) validate(queue <-chan judged, wg *sync.WaitGroup) {
	defer wg.Done()
	w := a.cfg.Workload
	for j := range queue {
		o := j.o
		o.apply(w.judge.judge(j.body))
		o.judgeGoodput(a.cfg.Goodput)
		if !a.aborted.Load() {
			a.rec.record(&o)
		}
	}
}

// watch aborts the attack when ctx is cancelled.
func (a *Attack) watch(ctx context.Context) {
	select {
	case <-ctx.Done():
		a.abort()
	case <-a.done:
	}
}

// halt stops sending; requests in flight carry on.
func (a *Attack) halt() {
	a.haltOnce.Do(func() {
		a.markSendEnd(a.rec.since())
		close(a.stopping)
		a.attacker.Stop()
	})
}

// abort stops sending and fails the requests in flight at once; their
// results are not counted.
func (a *Attack) abort() {
	a.aborted.Store(true)
	a.halt()
	a.tracker.abort()
}

// Started is when the attack started: intended send times count from here.
func (a *Attack) Started() time.Time { return a.start }

// Done is closed when a finite schedule has ended and its requests
// completed, when ctx was cancelled, or after Stop.
func (a *Attack) Done() <-chan struct{} { return a.done }

// Cut ends the current interval now and starts the next, returning the one
// that ended. After Stop it returns an empty interval.
func (a *Attack) Cut() *Interval {
	iv := a.rec.cut(a.rec.since())
	a.fillOffered(iv)
	return iv
}

// Stop stops sending, waits for the requests in flight (at most the request
// timeout, plus a margin), and returns the last interval, which ends when
// sending ended. Later calls return the same interval.
func (a *Attack) Stop() *Interval {
	a.finishOnce.Do(func() {
		a.halt()
		grace := a.cfg.Conn.timeout() + 5*time.Second
		select {
		case <-a.done:
		case <-time.After(grace):
			a.abort()
			select {
			case <-a.done:
			case <-time.After(5 * time.Second):
			}
		}
		a.client.CloseIdleConnections()
		a.final = a.rec.finish(time.Duration(a.sendEnd.Load()))
		a.fillOffered(a.final)
		a.finished.Store(true)
	})
	return a.final
}

// fillOffered sets an interval's Offered: the schedule's slots whose
// intended time falls within it, up to the end of sending (Sent in a closed
// loop).
func (a *Attack) fillOffered(iv *Interval) {
	if a.arrival == nil {
		iv.Offered = iv.Sent
		return
	}
	lo, hi := iv.Start.Sub(a.start), iv.End.Sub(a.start)
	if se := time.Duration(a.sendEnd.Load()); se >= 0 {
		lo, hi = min(lo, se), min(hi, se)
	}
	a.offeredMu.Lock()
	defer a.offeredMu.Unlock()
	from := a.offeredCur.countBefore(lo, 0)
	to := a.offeredCur.countBefore(hi, from)
	iv.Offered = int64(to - from)
}

// Series returns one row per second since Start (second 0 is the attack's
// first second): while the attack runs, the seconds that are over; after
// Stop, every second up to the last response. Offered counts the schedule's
// slots in that second (up to the end of sending), the rest counts what
// happened in it; p50 and p95 are of the corrected latency of the
// successes completed in it.
func (a *Attack) Series() []result.SecondRow {
	now := a.rec.since()
	upTo, all := int(now/time.Second), a.finished.Load()
	if all {
		end := time.Duration(a.sendEnd.Load())
		upTo = int((end + time.Second - 1) / time.Second)
	}
	rows := a.rec.seriesRows(upTo, all, now)
	if a.arrival == nil {
		for i := range rows {
			rows[i].Offered = rows[i].Sent
		}
		return rows
	}
	limit := now
	if se := a.sendEnd.Load(); se >= 0 {
		limit = time.Duration(se)
	}
	a.offeredMu.Lock()
	defer a.offeredMu.Unlock()
	hint := a.offeredCount
	for i := range rows {
		if i < len(a.offeredRows) {
			rows[i].Offered = a.offeredRows[i]
			continue
		}
		lo := min(time.Duration(i)*time.Second, limit)
		hi := min(time.Duration(i+1)*time.Second, limit)
		from := a.offeredCur.countBefore(lo, hint)
		to := a.offeredCur.countBefore(hi, from)
		hint = to
		rows[i].Offered = int64(to - from)
		if i == len(a.offeredRows) && time.Duration(i+1)*time.Second <= limit {
			a.offeredRows = append(a.offeredRows, rows[i].Offered)
			a.offeredCount = to
		}
	}
	return rows
}
