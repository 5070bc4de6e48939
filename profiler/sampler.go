package profiler

import (
	"context"
	"errors"
	"fmt"
	"github.com/infercost/infercost/internal/threadcpu"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/result"
)

// DefaultSampleInterval is --sample-interval's default.
const DefaultSampleInterval = 250 * time.Millisecond

// MinSampleInterval is the shortest interval accepted: below it the
// samplers' own cost and the kernel's 10 ms CPU accounting tick dominate.
const MinSampleInterval = 10 * time.Millisecond

// DefaultMaxSamples bounds the samples kept in memory (see sampleStore):
// 65,536 samples, the newest half of which (2.3 hours at 250 ms) always at
// full resolution; about 7 MiB, plus 56 bytes per GPU per sample.
const DefaultMaxSamples = 1 << 16

// SamplerConfig says what to watch and how often.
type SamplerConfig struct {
	// Interval between samples; 0 means DefaultSampleInterval.
	Interval time.Duration
	// TargetPID is the target server's process; 0 = unknown (a remote
	// target): process figures are then unavailable (-1 in samples).
	TargetPID int32
	// GPU is read at every sample; nil = no GPU. The sampler does not close
	// it: whoever opened it does, after Stop.
	GPU gpu.Source
	// MaxSamples bounds the samples kept; 0 means DefaultMaxSamples. When it
	// is reached the older half is thinned to every second sample, so memory
	// stays flat however long the run while recent samples stay complete.
	MaxSamples int
}

// Sampler watches the machine beside the load: the host (CPU % of the whole
// machine, memory used), the target process (CPU % of one core, RSS), the
// generator's own process (DESIGN invariant 3) and the GPUs, every
// Interval. Its loop runs on a goroutine locked to one OS thread, so that
// thread's CPU time is exactly what watching cost (SamplerCost).
type Sampler struct {
	interval time.Duration
	gpuDevs  []gpu.Device
	memTotal uint64
	cores    int // the cores the generator may use: min(GOMAXPROCS, logical CPUs)

	pid        atomic.Int32
	pidChanged chan struct{}
	cancel     context.CancelFunc
	done       chan struct{}

	mu        sync.Mutex
	step      int // the tag of samples stamped from now on
	store     sampleStore
	taken     int64
	threadCPU time.Duration // the sampling thread's CPU time so far
	costOK    bool          // false where thread CPU time cannot be read
	started   time.Time
	ended     time.Time // set when the loop ends
}

// StartSampler primes the readers (CPU % needs two readings) and starts
// sampling every cfg.Interval until Stop or until ctx ends. It fails when
// the host cannot be read at all (no /proc, for instance); an unknown or
// missing target PID and a missing GPU are not errors.
func StartSampler(ctx context.Context, cfg SamplerConfig) (*Sampler, error) {
	if cfg.Interval == 0 {
		cfg.Interval = DefaultSampleInterval
	}
	if cfg.Interval < MinSampleInterval {
		return nil, fmt.Errorf("sample interval %v: must be at least %v", cfg.Interval, MinSampleInterval)
	}
	if cfg.TargetPID < 0 {
		return nil, fmt.Errorf("target PID %d: must be positive (0 = unknown)", cfg.TargetPID)
	}
	if cfg.MaxSamples == 0 {
		cfg.MaxSamples = DefaultMaxSamples
	}
	if cfg.MaxSamples < 4 {
		return nil, fmt.Errorf("max samples %d: must be at least 4", cfg.MaxSamples)
	}
	s := &Sampler{
		interval:   cfg.Interval,
		cores:      generatorCores(),
		pidChanged: make(chan struct{}, 1),
		done:       make(chan struct{}),
		store:      sampleStore{max: cfg.MaxSamples},
	}
	if cfg.GPU != nil {
		s.gpuDevs = cfg.GPU.Devices()
	}
	s.step = -1
	s.pid.Store(cfg.TargetPID)
	ctx, s.cancel = context.WithCancel(ctx)
	ready := make(chan error, 1)
	go s.loop(ctx, cfg.GPU, ready)
	if err := <-ready; err != nil {
		s.cancel()
		<-s.done
		return nil, err
	}
	return s, nil
}

// generatorCores is how many cores this process may use at once.
func generatorCores() int {
	return min(runtime.GOMAXPROCS(0), runtime.NumCPU())
}

// SetStep tags later samples with step i; -1 = not in a step. A sample's
// tag and its time stamp are taken together, so every sample stamped after
// SetStep returns carries i, and none stamped before it does.
func (s *Sampler) SetStep(i int) {
	s.mu.Lock()
	s.step = i
	s.mu.Unlock()
}

// SetTargetPID switches the target process (the built-in server may be
// restarted between steps); 0 = unknown. The new process is primed at once,
// so the next sample has its CPU % (a sample already being read when the
// PID changed has its RSS only).
func (s *Sampler) SetTargetPID(pid int32) {
	if pid < 0 {
		pid = 0
	}
	s.pid.Store(pid)
	select {
	case s.pidChanged <- struct{}{}:
	default: // a change is already pending; the loop reads the latest PID
	}
}

// loop is the sampling goroutine. It stays locked to its OS thread for its
// whole life (the thread exits with it), so RUSAGE_THREAD counts exactly
// the samplers' own work: /proc reads, parsing and NVML calls.
func (s *Sampler) loop(ctx context.Context, src gpu.Source, ready chan<- error) {
	runtime.LockOSThread()
	defer close(s.done)
	cpu0, costOK := threadcpu.Now()
	started := time.Now()
	r := &machineReader{gpu: src, gpuDevs: s.gpuDevs, self: procReader{pid: int32(selfPID())}}
	total, err := r.prime(started, s.pid.Load())
	s.mu.Lock()
	s.started, s.memTotal, s.costOK = started, total, costOK
	s.mu.Unlock()
	ready <- err
	if err != nil {
		return
	}
	account := func() {
		if !costOK {
			return
		}
		if now, ok := threadcpu.Now(); ok {
			s.mu.Lock()
			s.threadCPU = now - cpu0
			s.mu.Unlock()
		}
	}
	account()
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			account()
			s.mu.Lock()
			s.ended = time.Now()
			s.mu.Unlock()
			return
		case <-s.pidChanged:
			r.target.reset(s.pid.Load(), time.Now())
		case <-ticker.C:
			s.mu.Lock()
			now, step := time.Now(), s.step
			s.mu.Unlock()
			rec := r.read(now, s.pid.Load())
			rec.Step = step
			s.mu.Lock()
			s.store.add(rec)
			s.taken++
			s.mu.Unlock()
		}
		account()
	}
}

// Stop ends sampling (idempotent) and reports what it cost: the sampling
// thread's CPU time over the wall time since StartSampler, as a percentage
// of one core (-1 where the platform cannot measure a thread's CPU time).
// The figure is the thread's own work (reading /proc, parsing, NVML calls,
// waking up); the garbage collector's share of the samplers' allocations
// (about 27 KB a tick) runs on other threads and is not in it. Measured on
// the 2-core dev VM at 250 ms, no GPU: about 0.3% of a core (medians of 5
// in two runs: 0.28% and 0.33%), 0.5-0.6% for the whole otherwise idle
// process (BenchmarkSamplerCost).
func (s *Sampler) Stop() result.SamplerCost {
	s.cancel()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	cost := result.SamplerCost{
		IntervalMS:       float64(s.interval) / float64(time.Millisecond),
		Samples:          s.taken,
		CPUPercentOfCore: -1,
	}
	if wall := s.ended.Sub(s.started); s.costOK && wall > 0 {
		cost.CPUPercentOfCore = float64(s.threadCPU) / float64(wall) * 100
	}
	return cost
}

// Samples returns a copy of the samples kept, oldest first, for samples.csv
// (result.WriteSamplesCSV) and plots. Each has one GPUSample per device, in
// device order; figures that could not be read are -1.
func (s *Sampler) Samples() []result.Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]result.Sample, len(s.store.recs))
	for i, r := range s.store.recs {
		out[i] = r.Sample
		out[i].GPUs = append([]result.GPUSample(nil), r.GPUs...)
	}
	return out
}

// Latest returns the newest sample, for live displays; false before the
// first one.
func (s *Sampler) Latest() (result.Sample, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.store.recs)
	if n == 0 {
		return result.Sample{}, false
	}
	r := s.store.recs[n-1].Sample
	r.GPUs = append([]result.GPUSample(nil), r.GPUs...)
	return r, true
}

// GPUCount is the number of GPU column groups samples carry (for
// result.WriteSamplesCSV).
func (s *Sampler) GPUCount() int { return len(s.gpuDevs) }

// errNoHost is returned when the host cannot be read at start.
var errNoHost = errors.New("cannot read host CPU and memory")
