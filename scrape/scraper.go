package scrape

import (
	"context"
	"errors"
	"fmt"
	"github.com/infercost/infercost/internal/threadcpu"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/infercost/infercost/result"
)

// Scraper reads every target on its own goroutine, every Interval, until
// Stop. Its readings stay readable after Stop.
type Scraper struct {
	cfg     Config
	targets []*target
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started time.Time

	stopOnce sync.Once
	cost     result.ScrapeCost
}

// target is one endpoint: its goroutine's state and what it read.
type target struct {
	Target
	client    *http.Client
	mapper    mapper // the goroutine's alone
	firstDone chan struct{}

	mu        sync.Mutex
	readings  store[reading]
	failures  store[failure]
	rawCols   []string // a copy of mapper.rawCols, for readers
	dropped   int
	scrapes   int64
	fails     int64
	bytes     int64
	lastErr   string
	lastOK    bool
	threadCPU time.Duration
	costOK    bool
	ended     time.Time
}

// Start validates cfg, starts reading every target, and returns once each
// has been read once (or failed to be, within its Timeout), so the first
// step already has counters to compare with and Hardware can answer. A
// target that cannot be read is not an error: its figures are gaps, with
// notes, until it answers. Stop ends the reading.
func Start(ctx context.Context, cfg Config) (*Scraper, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(cfg.Targets) == 0 {
		return nil, errors.New("scrape: no targets")
	}
	client := newClient(cfg.Timeout) // one transport per Scraper: keep-alive per endpoint
	s := &Scraper{cfg: cfg, started: time.Now()}
	ctx, s.cancel = context.WithCancel(ctx)
	for _, t := range cfg.Targets {
		tg := &target{Target: t, client: client, firstDone: make(chan struct{}),
			mapper:   mapper{keep: cfg.Keep, maxKept: cfg.MaxKept},
			readings: store[reading]{max: cfg.MaxReadings}, failures: store[failure]{max: cfg.MaxReadings}}
		s.targets = append(s.targets, tg)
		s.wg.Add(1)
		go s.loop(ctx, tg)
	}
	for _, tg := range s.targets {
		<-tg.firstDone
	}
	return s, nil
}

// loop reads one target until ctx ends. It stays locked to its OS thread
// for its whole life (the thread exits with it), so RUSAGE_THREAD counts
// its own work: reading the body, parsing and mapping.
func (s *Scraper) loop(ctx context.Context, t *target) {
	runtime.LockOSThread()
	defer s.wg.Done()
	cpu0, costOK := threadcpu.Now()
	account := func() {
		if !costOK {
			return
		}
		if now, ok := threadcpu.Now(); ok {
			t.mu.Lock()
			t.threadCPU = now - cpu0
			t.mu.Unlock()
		}
	}
	t.mu.Lock()
	t.costOK = costOK
	t.mu.Unlock()
	s.scrapeOnce(ctx, t)
	account()
	close(t.firstDone)
	// A read longer than the interval makes the ticker drop ticks: reads
	// never pile up, and a slow endpoint is read as often as it can be.
	ticker := time.NewTicker(s.cfg.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			account()
			t.mu.Lock()
			t.ended = time.Now()
			t.mu.Unlock()
			return
		case <-ticker.C:
			s.scrapeOnce(ctx, t)
			account()
		}
	}
}

// scrapeOnce reads the target once and records a reading or a failure.
func (s *Scraper) scrapeOnce(ctx context.Context, t *target) {
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	t.mu.Lock()
	u := t.URL
	t.mu.Unlock()
	body, ct, err := fetch(cctx, t.client, u, s.cfg.MaxBytes)
	cancel()
	if ctx.Err() != nil {
		return // stopping: a read cut short by Stop is no failure
	}
	var p *Parsed
	if err == nil {
		p, err = Parse(body, ct)
	}
	if err == nil && len(p.Series) == 0 {
		err = errors.New("no metrics in the response")
	}
	var r reading
	if err == nil {
		// Stamped with the read's start, as Prometheus stamps a scrape.
		r = t.mapper.read(start, p)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scrapes++
	t.bytes += int64(len(body))
	if err != nil {
		t.fails++
		why := reason(err, s.cfg.Timeout)
		t.failures.add(failure{t: start, reason: why})
		t.lastErr, t.lastOK = why, false
		return
	}
	t.readings.add(r)
	t.lastErr, t.lastOK = "", true
	if len(t.mapper.rawCols) != len(t.rawCols) {
		t.rawCols = append(t.rawCols[:0:0], t.mapper.rawCols...)
	}
	t.dropped = len(t.mapper.dropped)
}

// Stop ends the reading (idempotent) and reports what it cost: the
// scraping threads' CPU time over the wall time since Start, as a
// percentage of one core (-1 where a thread's CPU time cannot be read).
func (s *Scraper) Stop() result.ScrapeCost {
	s.stopOnce.Do(func() {
		s.cancel()
		s.wg.Wait()
		c := result.ScrapeCost{IntervalMS: ms(s.cfg.Interval), TimeoutMS: ms(s.cfg.Timeout), Targets: len(s.targets),
			CPUPercentOfCore: -1}
		var cpu time.Duration
		costOK := true
		end := s.started
		for _, t := range s.targets {
			t.mu.Lock()
			c.Scrapes += t.scrapes
			c.Failures += t.fails
			c.BytesRead += t.bytes
			cpu += t.threadCPU
			costOK = costOK && t.costOK
			if t.ended.After(end) {
				end = t.ended
			}
			t.mu.Unlock()
		}
		if wall := end.Sub(s.started); costOK && wall > 0 {
			c.CPUPercentOfCore = float64(cpu) / float64(wall) * 100
		}
		s.cost = c
	})
	return s.cost
}

// Status is what the latest read of a target found, for a line at start.
type Status struct {
	Target
	OK bool
	// Err says why the latest read failed.
	Err       string
	Exporters []string
	// GPUs lists the GPUs of the latest reading, "0: NVIDIA A10G".
	GPUs []string
}

// Statuses reports each target's latest read, in --scrape order.
func (s *Scraper) Statuses() []Status {
	out := make([]Status, 0, len(s.targets))
	for _, t := range s.targets {
		t.mu.Lock()
		st := Status{Target: t.Target, OK: t.lastOK, Err: t.lastErr, Exporters: []string{}}
		if n := len(t.readings.items); n > 0 && t.lastOK {
			r := &t.readings.items[n-1]
			st.Exporters = r.exporters.names()
			for _, g := range r.gpus {
				st.GPUs = append(st.GPUs, fmt.Sprintf("%d: %s", g.index, orUnnamed(g.name)))
			}
		}
		t.mu.Unlock()
		out = append(out, st)
	}
	return out
}

func orUnnamed(name string) string {
	if name == "" {
		return "unnamed GPU"
	}
	return name
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Config is the configuration the Scraper runs with, defaults filled in.
func (s *Scraper) Config() Config { return s.cfg }

// SetURL points a target at another URL from its next read on (the
// built-in server restarted on another port). Its counters carry on: the
// new endpoint's lower values read as a reset. False for an unknown name.
func (s *Scraper) SetURL(name, rawURL string) bool {
	for _, t := range s.targets {
		if t.Name == name {
			t.mu.Lock()
			t.URL = rawURL
			t.mu.Unlock()
			return true
		}
	}
	return false
}
