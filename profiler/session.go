// Package profiler runs experiments: preflight, warm-up, measurement
// windows until stable, trials, sweeps over batch size x load and the peak
// search under an SLO, with the samplers running beside the load. It writes
// the run directory (DESIGN "Data flow") as it goes, so an interrupted run
// loses at most the step in progress.
package profiler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
	"github.com/infercost/infercost/scrape"
)

// ErrInterrupted is returned when a signal (a cancelled context) cut the
// session short; what was measured has been written.
var ErrInterrupted = errors.New("interrupted")

// Session is one run directory being filled.
type Session struct {
	cfg     Config
	dir     string
	run     *result.Run
	child   *Child
	sampler *Sampler
	scraper *scrape.Scraper // nil without --scrape
	gpuSrc  gpu.Source
	baseURL string
	// target is the endpoint as its protocol's preflight found it; unit
	// what its work is counted in.
	target loadgen.Target
	unit   string
	server *result.ServerConfig // the built-in server's current configuration
	// varyServer: a sweep tries several server configurations, so step
	// names say which one they ran on.
	varyServer bool

	mu        sync.Mutex
	workloads map[int]*loadgen.Workload
	finished  bool
}

// Open prepares a session: creates (or reopens) the run directory, starts
// the built-in server if asked, runs the preflight (health, metadata, one
// test request), detects the environment and starts the samplers. A
// preflight failure returns a *loadgen.PreflightError.
func Open(ctx context.Context, cfg Config) (_ *Session, err error) {
	if err := cfg.Settings.Validate(); err != nil {
		return nil, err
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.OutDir == "" {
		cfg.OutDir = "runs"
	}
	if cfg.TestBatchSize < 1 {
		cfg.TestBatchSize = 1
	}
	s := &Session{cfg: cfg, workloads: map[int]*loadgen.Workload{}}

	if err := s.openDir(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.abandon()
		}
	}()

	if cfg.Target.URL == BuiltinTarget {
		srv := cfg.Target.Builtin.Server
		if err := s.startChild(ctx, srv); err != nil {
			return nil, err
		}
	} else {
		s.baseURL = cfg.Target.URL
	}

	if err := s.preflight(ctx); err != nil {
		return nil, err
	}

	src, gpuErr := gpu.Open()
	s.gpuSrc = src
	s.fillRun(gpuErr)

	pid := cfg.Target.PID
	if s.child != nil {
		pid = s.child.PID
	}
	s.sampler, err = StartSampler(context.WithoutCancel(ctx), SamplerConfig{
		Interval: cfg.Settings.SampleInterval, TargetPID: pid, GPU: src,
	})
	if err != nil {
		return nil, fmt.Errorf("start samplers: %w", err)
	}
	if err := s.startScrape(ctx); err != nil {
		return nil, err
	}
	if err := s.save(); err != nil {
		return nil, err
	}
	return s, nil
}

// openDir creates the run directory, or reopens a run to resume.
func (s *Session) openDir() error {
	if s.cfg.ResumeDir != "" {
		prev, err := result.Read(s.cfg.ResumeDir)
		if err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		s.dir, s.run = s.cfg.ResumeDir, prev
		return nil
	}
	dir, err := result.CreateRunDir(s.cfg.OutDir, s.cfg.Name, time.Now())
	if err != nil {
		return err
	}
	s.dir = dir
	s.run = &result.Run{SchemaVersion: result.SchemaVersion, Name: s.cfg.Name, Command: s.cfg.Command,
		Status: result.StatusRunning, StartedAt: time.Now().UTC()}
	return nil
}

// abandon cleans up after a failed Open: the child is stopped and a new run
// directory with no run.json in it is removed.
func (s *Session) abandon() {
	s.stopScrape()
	if s.child != nil {
		s.child.Stop()
	}
	if s.gpuSrc != nil {
		s.gpuSrc.Close()
	}
	if s.cfg.ResumeDir == "" && s.dir != "" {
		if _, err := os.Stat(filepath.Join(s.dir, result.FileName)); errors.Is(err, os.ErrNotExist) {
			os.RemoveAll(s.dir)
		}
	}
}

func (s *Session) startChild(ctx context.Context, srv result.ServerConfig) error {
	bc := s.cfg.Target.Builtin
	bc.Server = srv
	if bc.ModelName == "" {
		bc.ModelName = s.cfg.Target.Model
	}
	bc.LogPath = filepath.Join(s.dir, "server.log")
	if srv.IsLM() {
		fmt.Fprintf(s.cfg.Log, "starting the built-in language model (at most %d sequences decoded together; trained on first use, then cached)...\n", srv.MaxNumSeqs)
	} else {
		fmt.Fprintf(s.cfg.Log, "starting the built-in server (preset %s, max batch %d, queue delay %gms)...\n",
			orDefault(srv.Preset, "small"), srv.MaxBatchSize, srv.MaxQueueDelayMS)
	}
	child, err := StartBuiltin(ctx, bc)
	if err != nil {
		return &loadgen.PreflightError{Kind: "unreachable", Err: err}
	}
	s.child, s.baseURL = child, child.URL
	cp := srv
	s.server = &cp
	return nil
}

func (s *Session) preflight(ctx context.Context) error {
	target, err := s.cfg.Target.protocol().Preflight(ctx, s.baseURL, s.cfg.Target.Conn)
	if err != nil {
		return err
	}
	s.target = target
	wl, err := s.workload(s.cfg.TestBatchSize)
	if err != nil {
		return err
	}
	s.unit = wl.Unit()
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return wl.TestRequest(tctx, s.cfg.Target.Conn)
}

// fillRun records the spec and the environment.
func (s *Session) fillRun(gpuErr error) {
	env := DetectEnvironment(s.gpuSrc, gpuErr)
	if s.cfg.Target.URL == BuiltinTarget {
		env.TargetURL, env.TargetIsLocal = s.baseURL, true
	} else {
		env.TargetURL, env.TargetIsLocal = RedactURL(s.baseURL), IsLocalURL(s.baseURL)
	}
	if raw := s.target.Metadata(); len(raw) > 0 && json.Valid(raw) {
		env.Model = append(json.RawMessage(nil), raw...)
	}
	if s.cfg.Target.HardwareLabel != "" {
		env.Hardware, env.HardwareSource = s.cfg.Target.HardwareLabel, "flag"
	}
	s.run.Environment = env
	s.run.Spec = s.spec()
	if env.TargetIsLocal {
		s.warn("the target runs on this host: it shares %d logical CPUs with the load generator, so its capacity is that of a shared machine", env.CPUCores)
	}
	if s.cfg.Target.HardwareLabel != "" && env.TargetIsLocal {
		s.warn("--hardware %q was given for a target on this host; the samplers still watch this host", s.cfg.Target.HardwareLabel)
	}
}

func (s *Session) spec() result.Spec {
	sp := s.cfg.Spec
	st := s.cfg.Settings
	t := s.cfg.Target
	sp.Target = t.URL
	if t.URL != BuiltinTarget {
		sp.Target = RedactURL(t.URL)
	}
	sp.Model = t.Model
	sp.DurationS, sp.WarmupS = st.Duration.Seconds(), st.Warmup.Seconds()
	sp.Windows, sp.MaxWindows, sp.StabilityTolerance = st.Windows, st.MaxWindows, st.Tolerance
	sp.MinRequests, sp.Trials, sp.MaxInflight = st.MinRequests, st.Trials, st.MaxInflight
	sp.LateThresholdMS = ms(st.LateThreshold)
	sp.TimeoutS = t.Conn.Timeout.Seconds()
	sp.SampleIntervalMS = ms(st.SampleInterval)
	sp.Seed, sp.DataFile = t.Seed, t.DataFile
	sp.HeaderNames = append([]string{}, t.HeaderNames...)
	sp.HTTP2 = t.Conn.HTTP2
	sp.HardwareLabel, sp.HardwareUnpriced = t.HardwareLabel, t.HardwareUnpriced
	sp.GPUs = max(t.GPUs, 1)
	sp.Labels = map[string]string{}
	for k, v := range t.Labels {
		sp.Labels[k] = v
	}
	s.target.Record(&sp)
	if s.server != nil {
		cp := *s.server
		sp.Server = &cp
	}
	return sp
}

// workload returns the request pool for a batch size, built once.
func (s *Session) workload(batch int) (*loadgen.Workload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if wl, ok := s.workloads[batch]; ok {
		return wl, nil
	}
	wl, err := s.target.Workload(batch)
	if err != nil {
		return nil, err
	}
	s.workloads[batch] = wl
	return wl, nil
}

// RestartServer restarts the built-in server with another configuration
// (a sweep over its batcher knobs). Later steps record the new one.
func (s *Session) RestartServer(ctx context.Context, srv result.ServerConfig) error {
	if s.child == nil {
		return fmt.Errorf("only the built-in server (--target builtin) can be reconfigured")
	}
	if err := s.child.Stop(); err != nil {
		s.warn("%v", err)
	}
	if err := s.startChild(ctx, srv); err != nil {
		return err
	}
	s.mu.Lock()
	s.workloads = map[int]*loadgen.Workload{}
	s.mu.Unlock()
	if err := s.preflight(ctx); err != nil {
		return err
	}
	s.sampler.SetTargetPID(s.child.PID)
	s.retargetBuiltinScrape()
	return nil
}

// nameServer is the server configuration step names mention: only when a
// sweep varies it.
func (s *Session) nameServer() *result.ServerConfig {
	if s.varyServer {
		return s.server
	}
	return nil
}

// Unit is what the target's work is counted in (result.UnitInference or
// result.UnitOutputToken).
func (s *Session) Unit() string { return s.unit }

// Dir is the run directory.
func (s *Session) Dir() string { return s.dir }

// Run is the run record as it stands.
func (s *Session) Run() *result.Run { return s.run }

// Server is the built-in server's current configuration; nil for another
// target.
func (s *Session) Server() *result.ServerConfig { return s.server }

// SetSweep records a sweep's answers and rewrites run.json.
func (s *Session) SetSweep(sw *result.Sweep) error {
	s.run.Sweep = sw
	return s.save()
}

// Warn adds a run-level caveat (shown in the summary, kept in run.json).
func (s *Session) Warn(format string, args ...any) {
	s.warn(format, args...)
	s.save() //nolint:errcheck // the next step or Finish writes it again, and says so on failure
}

// warn adds a run-level caveat.
func (s *Session) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, w := range s.run.Warnings {
		if w == msg {
			return
		}
	}
	s.run.Warnings = append(s.run.Warnings, msg)
}

// save rewrites run.json (atomically).
func (s *Session) save() error {
	return result.Write(s.dir, s.run)
}

// Finish stops the samplers and the built-in server, writes samples.csv and
// the final run.json with the given status. It runs whatever happened, and
// only once.
func (s *Session) Finish(status string) error {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return nil
	}
	s.finished = true
	s.mu.Unlock()

	var errs []error
	if s.sampler != nil {
		s.run.Samplers = s.sampler.Stop()
		s.stopScrape()
		if err := s.writeSamples(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.child != nil {
		if err := s.child.Stop(); err != nil {
			s.warn("%v", err)
		}
	}
	if s.gpuSrc != nil {
		s.gpuSrc.Close()
	}
	now := time.Now().UTC()
	s.run.FinishedAt = &now
	s.run.Status = status
	if err := s.save(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Session) writeSamples() error {
	samples := s.sampler.Samples()
	if s.cfg.ResumeDir != "" {
		// A resumed run keeps the samples of its earlier sessions.
		if f, err := os.Open(filepath.Join(s.dir, result.SamplesFile)); err == nil {
			earlier, rerr := result.ReadSamplesCSV(f)
			f.Close()
			if rerr == nil {
				samples = append(earlier, samples...)
			}
		}
	}
	// At most 65,536 samples are kept, so the file fits in memory; written
	// like every run file (atomically, readable by all).
	var buf bytes.Buffer
	if err := result.WriteSamplesCSV(&buf, samples, len(s.run.Environment.GPUs), s.scrapeColumns()...); err != nil {
		return fmt.Errorf("write %s: %w", result.SamplesFile, err)
	}
	return result.WriteFileAtomic(filepath.Join(s.dir, result.SamplesFile), buf.Bytes())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// usableCores is how many cores the generator may use.
func usableCores() int {
	n := runtime.GOMAXPROCS(0)
	if c := runtime.NumCPU(); c < n {
		n = c
	}
	return n
}
