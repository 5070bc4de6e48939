package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/result"
	"github.com/spf13/pflag"
)

// targetFlags say what to drive and how to connect (profile, sweep).
type targetFlags struct {
	target      string
	model       string
	headers     []string
	timeout     time.Duration
	cacert      string
	insecure    bool
	http2       bool
	dataFile    string
	seed        int64
	targetPID   int32
	hardware    string
	serverFlags serverFlags
	scrape      scrapeFlags
}

// serverFlags configure the built-in server when --target builtin.
type serverFlags struct {
	preset        string
	maxBatchSize  int
	maxQueueDelay time.Duration
	instances     int
	maxQueue      int
}

func (t *targetFlags) register(fs *pflag.FlagSet, lists bool) {
	fs.StringVar(&t.target, "target", "", `base URL of a KServe v2 / Open Inference Protocol endpoint (e.g. http://10.0.0.5:8000), or "builtin" to start infercost's own model server as a child on a free loopback port`)
	fs.StringVar(&t.model, "model", "", `served model name, as the target knows it (default "digits" with --target builtin)`)
	fs.StringArrayVar(&t.headers, "header", nil, `request header 'Name: value' (repeatable); a value "env:VAR" is read from the environment. Values never reach run.json or the terminal`)
	fs.DurationVar(&t.timeout, "timeout", 30*time.Second, "per-request timeout; a request that takes longer counts as a timeout error")
	fs.StringVar(&t.cacert, "cacert", "", "PEM file of CA certificates to trust for an https target")
	fs.BoolVar(&t.insecure, "insecure", false, "skip TLS certificate verification (https targets; testing only)")
	fs.BoolVar(&t.http2, "http2", false, "use HTTP/2 (h2 over TLS for https targets)")
	fs.StringVar(&t.dataFile, "data", "", "JSONL file of inputs: one example per line, an object from input name to that example's flattened values (default: synthesized from the model metadata)")
	fs.Int64Var(&t.seed, "seed", 1, "seed for synthesized inputs and Poisson arrivals")
	fs.Int32Var(&t.targetPID, "target-pid", 0, "PID of the target process on this host, to sample its CPU and memory (known without it for --target builtin)")
	fs.StringVar(&t.hardware, "hardware", "", `label of the hardware the target runs on when it is measured from elsewhere (e.g. "NVIDIA A10G"), used to price the run`)
	if !lists {
		fs.IntVar(&t.serverFlags.maxBatchSize, "server-max-batch-size", 32, "built-in server: most inputs merged into one forward pass")
		fs.DurationVar(&t.serverFlags.maxQueueDelay, "server-max-queue-delay", 2*time.Millisecond, "built-in server: longest a request waits for others to batch with")
	}
	fs.StringVar(&t.serverFlags.preset, "server-preset", "small", "built-in server: model preset, small or large (large is heavy enough that batching matters)")
	fs.IntVar(&t.serverFlags.instances, "server-instances", 1, "built-in server: model instances running in parallel")
	fs.IntVar(&t.serverFlags.maxQueue, "server-max-queue", 1024, "built-in server: queued requests before it answers 503")
	t.scrape.register(fs)
}

// resolve checks the target flags and builds the profiler's view of them.
func (t *targetFlags) resolve() (profiler.TargetConfig, error) {
	tc := profiler.TargetConfig{URL: t.target, Model: t.model, PID: t.targetPID, HardwareLabel: t.hardware,
		DataFile: t.dataFile, Seed: t.seed}
	switch {
	case t.target == "":
		return tc, usageErrorf("--target is required: a KServe v2 base URL (http://host:port) or \"builtin\"")
	case t.target == profiler.BuiltinTarget:
		if tc.Model == "" {
			tc.Model = "digits"
		}
		if t.serverFlags.preset != "small" && t.serverFlags.preset != "large" {
			return tc, usageErrorf("--server-preset must be small or large, got %q", t.serverFlags.preset)
		}
		tc.Builtin = profiler.BuiltinConfig{Server: t.serverConfig()}
	default:
		if !strings.HasPrefix(t.target, "http://") && !strings.HasPrefix(t.target, "https://") {
			return tc, usageErrorf("--target %q: give a base URL starting with http:// or https://, or \"builtin\"", profiler.RedactURL(t.target))
		}
		if tc.Model == "" {
			return tc, usageErrorf("--model is required: the model name as the target serves it (GET /v2/models/NAME)")
		}
	}
	if t.timeout <= 0 {
		return tc, usageErrorf("--timeout must be positive, got %s", t.timeout)
	}
	if t.dataFile != "" {
		if _, err := os.Stat(t.dataFile); err != nil {
			return tc, usageErrorf("--data: %v", err)
		}
	}
	tc.Conn = loadgen.ConnOptions{Timeout: t.timeout, CACertFile: t.cacert, Insecure: t.insecure, HTTP2: t.http2}
	var err error
	if tc.Scrape, err = t.scrape.resolve(t.target == profiler.BuiltinTarget); err != nil {
		return tc, err
	}
	for _, h := range t.headers {
		name, value, err := loadgen.ParseHeader(h, os.Getenv)
		if err != nil {
			return tc, usageErrorf("--header: %v", err)
		}
		if tc.Conn.Headers == nil {
			tc.Conn.Headers = map[string][]string{}
		}
		tc.Conn.Headers.Add(name, value)
		tc.HeaderNames = append(tc.HeaderNames, name)
	}
	return tc, nil
}

func (t *targetFlags) serverConfig() result.ServerConfig {
	s := t.serverFlags
	return result.ServerConfig{Preset: s.preset, MaxBatchSize: s.maxBatchSize, MaxQueueDelayMS: ms(s.maxQueueDelay),
		Instances: s.instances, MaxQueue: s.maxQueue}
}

// measureFlags are the step measurement rules.
type measureFlags struct {
	set     profiler.StepSettings
	arrival string
	rampTo  float64
	stages  string
	out     string
	name    string
}

func (m *measureFlags) register(fs *pflag.FlagSet) {
	d := profiler.DefaultSettings()
	m.set = d
	fs.DurationVar(&m.set.Duration, "duration", d.Duration, "measured time of one step, after the warm-up; cut into --windows equal windows")
	fs.DurationVar(&m.set.Warmup, "warmup", d.Warmup, "load applied before measuring each step; excluded from every figure")
	fs.IntVar(&m.set.Windows, "windows", d.Windows, "windows that must agree (throughput and p95) for a step to count as stable")
	fs.IntVar(&m.set.MaxWindows, "max-windows", d.MaxWindows, "most windows an unsettled step is extended to before it is kept and flagged unstable")
	fs.Float64Var(&m.set.Tolerance, "stability-tolerance", d.Tolerance, "how far the windows may spread and still agree, as a fraction (0.1 = 10%)")
	fs.IntVar(&m.set.MinRequests, "min-requests", d.MinRequests, "fewest requests a step reports; a short step at a low rate is extended until it has them")
	fs.IntVar(&m.set.Trials, "trials", d.Trials, "repeat each step N times; the median trial (by inferences/s) is reported with the min-max spread")
	fs.IntVar(&m.set.MaxInflight, "max-inflight", d.MaxInflight, "cap on requests in flight; sends beyond it go out late (never dropped), and the wait is in the corrected latency. Each request in flight holds a connection (about 50 KB): against a local target, a few hundred keeps a saturated box from thrashing")
	fs.DurationVar(&m.set.LateThreshold, "late-threshold", d.LateThreshold, "a send later than this against its schedule counts as late; over 1% late sends flag the step generator_limited")
	fs.DurationVar(&m.set.SampleInterval, "sample-interval", d.SampleInterval, "how often CPU, memory and GPUs are sampled")
	fs.StringVar(&m.arrival, "arrival", "constant", "arrival schedule in rate mode: constant, poisson, ramp (--rate to --ramp-to over --duration) or steps (--steps)")
	fs.Float64Var(&m.rampTo, "ramp-to", 0, "final rate of a ramp, requests/s (--arrival ramp)")
	fs.StringVar(&m.stages, "steps", "", "stages of a steps schedule, RATE:DURATION,... e.g. 100:10s,200:10s (--arrival steps)")
	fs.StringVar(&m.out, "out", "runs", "parent folder of run directories; each run gets OUT/<UTC timestamp>-<name>/")
	fs.StringVar(&m.name, "name", "", "run name (default from the model and the command)")
}

func (m *measureFlags) validate() error {
	if err := m.set.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	switch m.arrival {
	case "constant", "poisson", "ramp", "steps":
	default:
		return usageErrorf("--arrival must be constant, poisson, ramp or steps, got %q", m.arrival)
	}
	return nil
}

// runName is --name, or the model and command.
func (m *measureFlags) runName(model, command string) string {
	if m.name != "" {
		return m.name
	}
	return fmt.Sprintf("%s-%s", model, command)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
