package profiler

import (
	"fmt"
	"io"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
	"github.com/infercost/infercost/scrape"
)

// Config describes one profiling session: one target, one run directory,
// any number of steps.
type Config struct {
	// Command is the infercost command running the session (profile,
	// sweep, demo); recorded in run.json.
	Command string
	// Name names the run directory (DIR/<UTC timestamp>-<name>/).
	Name string
	// OutDir is the parent folder of run directories (default ./runs).
	OutDir string
	// ResumeDir, when set, continues the run in that directory instead of
	// creating a new one (a sweep's --resume).
	ResumeDir string

	Target   TargetConfig
	Settings StepSettings
	// Spec carries what only the caller knows (rates and batch lists, SLO,
	// search mode); Open fills in the rest from Target and Settings.
	Spec result.Spec
	// TestBatchSize is the batch size of the preflight's test request.
	TestBatchSize int

	Observer Observer
	// Log receives progress messages meant for a human (stderr).
	Log io.Writer
}

// TargetConfig says what to drive.
type TargetConfig struct {
	// URL is the target's base URL, or BuiltinTarget to start the built-in
	// server as a child.
	URL     string
	Builtin BuiltinConfig
	Model   string
	// PID is the target's process ID when known (--target-pid), for the
	// process sampler; the built-in child's PID is known without it.
	PID  int32
	Conn loadgen.ConnOptions
	// HeaderNames are recorded instead of the headers (values never are).
	HeaderNames []string
	// HardwareLabel (--hardware) names the hardware of a target measured
	// elsewhere; empty means detect this host's.
	HardwareLabel string
	// HardwareUnpriced: the label is one the pricing catalog does not know,
	// on purpose (--hardware-unpriced).
	HardwareUnpriced bool
	DataFile         string
	Seed             int64
	// Protocol speaks to the target; nil is KServe v2 for Model with
	// DataFile and Seed.
	Protocol loadgen.Protocol
	// GPUs is how many GPUs serve the target (--gpus), recorded for the
	// cost engine.
	GPUs int
	// Labels are the run's --label pairs.
	Labels map[string]string
	// Scrape lists the Prometheus endpoints read during the run (--scrape;
	// a URL of ScrapeBuiltin reads the built-in server's own metrics).
	// Interval 0 takes the sample interval.
	Scrape scrape.Config
}

// protocol is the target's protocol (KServe v2 unless told otherwise).
func (t TargetConfig) protocol() loadgen.Protocol {
	if t.Protocol != nil {
		return t.Protocol
	}
	return loadgen.NewKServe(loadgen.KServeOptions{Model: t.Model, DataFile: t.DataFile, Seed: t.Seed})
}

// StepSettings are the measurement rules every step follows.
type StepSettings struct {
	Duration       time.Duration // measured time of one step after warm-up
	Warmup         time.Duration
	Windows        int     // equal windows the duration is cut into
	MaxWindows     int     // extension limit for an unsettled step
	Tolerance      float64 // stability tolerance, a fraction
	MinRequests    int
	Trials         int
	MaxInflight    int
	LateThreshold  time.Duration
	SampleInterval time.Duration
}

// DefaultSettings are the documented defaults of the step flags.
func DefaultSettings() StepSettings {
	return StepSettings{
		Duration: 10 * time.Second, Warmup: 2 * time.Second,
		Windows: 3, MaxWindows: 10, Tolerance: 0.10, MinRequests: 50, Trials: 1,
		MaxInflight: 10000, LateThreshold: 2 * time.Millisecond, SampleInterval: 250 * time.Millisecond,
	}
}

// Validate names the first setting that cannot work.
func (s StepSettings) Validate() error {
	switch {
	case s.Duration <= 0:
		return fmt.Errorf("--duration must be positive, got %s", s.Duration)
	case s.Warmup < 0:
		return fmt.Errorf("--warmup must not be negative, got %s", s.Warmup)
	case s.Windows < 1:
		return fmt.Errorf("--windows must be at least 1, got %d", s.Windows)
	case s.MaxWindows < s.Windows:
		return fmt.Errorf("--max-windows (%d) must be at least --windows (%d)", s.MaxWindows, s.Windows)
	case s.Tolerance <= 0 || s.Tolerance >= 1:
		return fmt.Errorf("--stability-tolerance is a fraction between 0 and 1 (0.1 = 10%%), got %g", s.Tolerance)
	case s.MinRequests < 1:
		return fmt.Errorf("--min-requests must be at least 1, got %d", s.MinRequests)
	case s.Trials < 1:
		return fmt.Errorf("--trials must be at least 1, got %d", s.Trials)
	case s.MaxInflight < 1:
		return fmt.Errorf("--max-inflight must be at least 1, got %d", s.MaxInflight)
	case s.LateThreshold <= 0:
		return fmt.Errorf("--late-threshold must be positive, got %s", s.LateThreshold)
	case s.SampleInterval < 10*time.Millisecond:
		return fmt.Errorf("--sample-interval must be at least 10ms, got %s", s.SampleInterval)
	}
	return nil
}

// Load is one step's load: a batch size at an offered rate or concurrency.
type Load struct {
	Mode string // result.ModeRate or result.ModeConcurrency
	// Arrival is constant, poisson, ramp or steps (rate mode).
	Arrival     string
	RPS         float64
	RampTo      float64
	Stages      []loadgen.Stage
	Concurrency int
	BatchSize   int
	// Name overrides the step's generated name.
	Name string
	// Quick measures one short window (at most 2 s after at most 1 s of
	// warm-up) with no stability rule: a sweep's service-time estimate.
	Quick bool
	// Abort, when set, is asked after the first measured window; true stops
	// the step there, flagged stopped_early (a sweep probe that already
	// breaks the SLO by 2x).
	Abort func(firstWindow *result.Step) bool
}

// Validate names what is wrong with a load.
func (l Load) Validate() error {
	if l.BatchSize < 1 {
		return fmt.Errorf("--batch must be at least 1, got %d", l.BatchSize)
	}
	switch l.Mode {
	case result.ModeRate:
		if l.Arrival == "steps" {
			if len(l.Stages) == 0 {
				return fmt.Errorf("--arrival steps needs --steps, e.g. 100:10s,200:10s")
			}
			return nil
		}
		if l.RPS <= 0 {
			return fmt.Errorf("--rate must be positive (requests/s), got %g", l.RPS)
		}
		if l.Arrival == "ramp" && l.RampTo <= 0 {
			return fmt.Errorf("--arrival ramp needs a positive --ramp-to (requests/s)")
		}
	case result.ModeConcurrency:
		if l.Concurrency < 1 {
			return fmt.Errorf("--concurrency must be at least 1, got %d", l.Concurrency)
		}
	default:
		return fmt.Errorf("unknown mode %q (rate or concurrency)", l.Mode)
	}
	return nil
}

// stepName is a short name for a load: b8-r200 (batch 8 at 200 req/s),
// b8-c4 (batch 8, concurrency 4).
func (l Load) stepName(server *result.ServerConfig) string {
	if l.Name != "" {
		return l.Name
	}
	var s string
	switch {
	case l.Mode == result.ModeConcurrency:
		s = fmt.Sprintf("b%d-c%d", l.BatchSize, l.Concurrency)
	case l.Arrival == "steps":
		s = fmt.Sprintf("b%d-steps", l.BatchSize)
	case l.Arrival == "ramp":
		s = fmt.Sprintf("b%d-r%g-%g", l.BatchSize, l.RPS, l.RampTo)
	default:
		s = fmt.Sprintf("b%d-r%g", l.BatchSize, l.RPS)
	}
	if server != nil && !server.IsLM() {
		s += fmt.Sprintf("-s%dx%gms", server.MaxBatchSize, server.MaxQueueDelayMS)
	}
	return s
}

// Observer follows a session's progress (a progress bar, plain lines).
type Observer interface {
	// StepStarted is called as a step (and each of its trials) begins;
	// planned is the time it will take if it settles at once.
	StepStarted(index int, name string, trial, trials int, planned time.Duration)
	// StepFinished is called with each finished step.
	StepFinished(st *result.Step)
}

type nopObserver struct{}

func (nopObserver) StepStarted(int, string, int, int, time.Duration) {}
func (nopObserver) StepFinished(*result.Step)                        {}
