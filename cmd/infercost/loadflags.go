package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/infercost/infercost/lmserver"
	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/modelserver"
	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/report/cost"
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
	unpriced    bool
	catalog     string
	gpus        int
	labels      []string
	serverFlags serverFlags
	llm         llmFlags
	scrape      scrapeFlags
	// lists: the batcher knobs are lists (sweep's grid, checked there).
	lists bool
	// fs is the command's flag set, to tell a flag given from its default.
	fs *pflag.FlagSet
}

// llmFlags say how to speak to an OpenAI-compatible endpoint.
type llmFlags struct {
	protocol     string
	api          string
	promptTokens string
	outputTokens string
	prompts      int
	forceLength  bool
}

// serverFlags configure the built-in server when --target builtin.
type serverFlags struct {
	preset        string
	maxBatchSize  int
	maxQueueDelay time.Duration
	instances     int
	maxQueue      int
	// The language model's scheduler (--server-preset lm).
	maxNumSeqs          int
	maxNumBatchedTokens int
	maxWaiting          int
}

// The built-in server flags of each kind of preset: given explicitly with
// the other kind they are refused rather than ignored.
var (
	digitsServerFlags = []string{"server-max-batch-size", "server-max-queue-delay", "server-instances", "server-max-queue"}
	lmServerFlags     = []string{"server-max-num-seqs", "server-max-num-batched-tokens", "server-max-waiting"}
)

func (t *targetFlags) register(fs *pflag.FlagSet, lists bool) {
	t.lists, t.fs = lists, fs
	fs.StringVar(&t.target, "target", "", `base URL of the endpoint (e.g. http://10.0.0.5:8000: a KServe v2 / Open Inference Protocol server, or with --protocol openai an OpenAI-compatible one), or "builtin" to start infercost's own model server as a child on a free loopback port`)
	fs.StringVar(&t.model, "model", "", `served model name, as the target knows it (GET /v2/models/NAME, or an id GET /v1/models lists; default "digits" with --target builtin)`)
	fs.StringVar(&t.llm.protocol, "protocol", "kserve", "how to speak to the target: kserve (KServe v2 HTTP/JSON; work counted in inferences) or openai (OpenAI-compatible streaming chat/completions; work counted in output tokens)")
	fs.StringVar(&t.llm.api, "api", loadgen.APIChat, "with --protocol openai: chat (POST /v1/chat/completions) or completions (POST /v1/completions)")
	fs.StringVar(&t.llm.promptTokens, "prompt-tokens", "128", "with --protocol openai: prompt length in the server's tokens, N or MEAN:STDDEV (synthetic prompts, seeded)")
	fs.StringVar(&t.llm.outputTokens, "output-tokens", "64", "with --protocol openai: tokens to generate per request (max_tokens), N or MEAN:STDDEV; also for --data rows without output_tokens")
	fs.IntVar(&t.llm.prompts, "prompts", loadgen.DefaultPrompts, "with --protocol openai: distinct synthetic prompts in the pool")
	fs.BoolVar(&t.llm.forceLength, "force-output-length", true, "with --protocol openai: send ignore_eos and min_tokens so the server generates --output-tokens (dropped when the server refuses them)")
	fs.IntVar(&t.gpus, "gpus", 1, "GPUs serving the target (recorded; capacity is priced per that many GPUs unless the samples show how many were busy)")
	fs.StringArrayVar(&t.labels, "label", nil, "label the run KEY=VALUE (repeatable), e.g. model_version=v7; recorded in run.json for reports and history")
	fs.StringArrayVar(&t.headers, "header", nil, `request header 'Name: value' (repeatable); a value "env:VAR" is read from the environment. Values never reach run.json or the terminal`)
	fs.DurationVar(&t.timeout, "timeout", 30*time.Second, "per-request timeout; a request that takes longer counts as a timeout error")
	fs.StringVar(&t.cacert, "cacert", "", "PEM file of CA certificates to trust for an https target")
	fs.BoolVar(&t.insecure, "insecure", false, "skip TLS certificate verification (https targets; testing only)")
	fs.BoolVar(&t.http2, "http2", false, "use HTTP/2 (h2 over TLS for https targets)")
	fs.StringVar(&t.dataFile, "data", "", `inputs from a file. KServe: JSONL, one example per line, an object from input name to that example's flattened values (default: synthesized from the model metadata). OpenAI: JSONL of {"prompt": ...} or {"messages": [...]} rows (optionally "output_tokens"), or a ShareGPT JSON file`)
	fs.Int64Var(&t.seed, "seed", 1, "seed for synthesized inputs and Poisson arrivals")
	fs.Int32Var(&t.targetPID, "target-pid", 0, "PID of the target process on this host, to sample its CPU and memory (known without it for --target builtin)")
	fs.StringVar(&t.hardware, "hardware", "", `label of the hardware the target runs on when it is measured from elsewhere (e.g. "NVIDIA A10G", or a CPU such as "AMD EPYC"), used to price the run; a GPU name the catalog lacks is refused`)
	fs.BoolVar(&t.unpriced, "hardware-unpriced", false, "accept a --hardware label the pricing catalog does not know; cost then says \"no price data\" for the run")
	fs.StringVar(&t.catalog, "catalog", "", "pricing catalog (YAML) the --hardware label is checked against, beside the embedded one")
	if !lists {
		fs.IntVar(&t.serverFlags.maxBatchSize, "server-max-batch-size", 32, "built-in server: most inputs merged into one forward pass")
		fs.DurationVar(&t.serverFlags.maxQueueDelay, "server-max-queue-delay", 2*time.Millisecond, "built-in server: longest a request waits for others to batch with")
	}
	fs.StringVar(&t.serverFlags.preset, "server-preset", "small", "built-in server: model preset, small or large (digits over KServe v2; large is heavy enough that batching matters), or lm (the built-in language model over the OpenAI API; implies --protocol openai), or lm-large (lm widened 4-fold: the same text at 16x the arithmetic per token, where continuous batching pays)")
	lm := lmserver.DefaultConfig().Engine
	fs.IntVar(&t.serverFlags.maxNumSeqs, "server-max-num-seqs", lm.MaxNumSeqs, "built-in language model: most sequences decoded together in one forward pass")
	fs.IntVar(&t.serverFlags.maxNumBatchedTokens, "server-max-num-batched-tokens", lm.MaxNumBatchedTokens, "built-in language model: most tokens one forward pass carries (prefill chunks and decodes)")
	fs.IntVar(&t.serverFlags.maxWaiting, "server-max-waiting", lm.MaxWaiting, "built-in language model: requests queued before it answers 503")
	fs.IntVar(&t.serverFlags.instances, "server-instances", 1, "built-in server: model instances running in parallel")
	fs.IntVar(&t.serverFlags.maxQueue, "server-max-queue", 1024, "built-in server: queued requests before it answers 503")
	t.scrape.register(fs)
}

// resolve checks the target flags and builds the profiler's view of them.
func (t *targetFlags) resolve() (profiler.TargetConfig, error) {
	tc := profiler.TargetConfig{URL: t.target, Model: t.model, PID: t.targetPID, HardwareLabel: t.hardware,
		HardwareUnpriced: t.unpriced, DataFile: t.dataFile, Seed: t.seed, GPUs: t.gpus}
	if err := t.checkHardware(); err != nil {
		return tc, err
	}
	if t.gpus < 1 {
		return tc, usageErrorf("--gpus must be at least 1, got %d", t.gpus)
	}
	labels, err := parseLabels(t.labels)
	if err != nil {
		return tc, err
	}
	tc.Labels = labels
	switch {
	case t.target == "":
		return tc, usageErrorf("--target is required: a KServe v2 base URL (http://host:port) or \"builtin\"")
	case t.target == profiler.BuiltinTarget:
		if err := t.resolvePreset(); err != nil {
			return tc, err
		}
		if tc.Model == "" {
			tc.Model = "digits"
			if result.IsLMPreset(t.serverFlags.preset) {
				tc.Model = lmserver.DefaultModelName
			}
		}
		srv := t.serverConfig()
		if !t.lists {
			if err := checkServerConfig(srv); err != nil {
				return tc, err
			}
		}
		tc.Builtin = profiler.BuiltinConfig{Server: srv}
	default:
		if !strings.HasPrefix(t.target, "http://") && !strings.HasPrefix(t.target, "https://") {
			return tc, usageErrorf("--target %q: give a base URL starting with http:// or https://, or \"builtin\"", profiler.RedactURL(t.target))
		}
		if tc.Model == "" && t.llm.protocol == result.ProtocolOpenAI {
			return tc, usageErrorf("--model is required: the model id as GET /v1/models lists it")
		}
		if tc.Model == "" {
			return tc, usageErrorf("--model is required: the model name as the target serves it (GET /v2/models/NAME)")
		}
	}
	proto, err := t.llm.resolve(tc)
	if err != nil {
		return tc, err
	}
	tc.Protocol = proto
	if t.timeout <= 0 {
		return tc, usageErrorf("--timeout must be positive, got %s", t.timeout)
	}
	if t.dataFile != "" {
		if _, err := os.Stat(t.dataFile); err != nil {
			return tc, usageErrorf("--data: %v", err)
		}
	}
	if t.cacert != "" {
		if _, err := os.Stat(t.cacert); err != nil {
			return tc, usageErrorf("--cacert: %v", err)
		}
	}
	tc.Conn = loadgen.ConnOptions{Timeout: t.timeout, CACertFile: t.cacert, Insecure: t.insecure, HTTP2: t.http2}
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

// checkHardware refuses a --hardware label the cost engine could not
// price (a mistyped GPU would otherwise be priced on CPU instances), before
// anything is measured.
func (t *targetFlags) checkHardware() error {
	if t.unpriced && t.hardware == "" {
		return usageErrorf("--hardware-unpriced qualifies a --hardware label; give the label too")
	}
	if t.hardware == "" {
		return nil
	}
	cat, err := cost.LoadCatalog(t.catalog)
	if err != nil {
		return usageErrorf("--catalog: %v", err)
	}
	if err := cost.CheckHardwareLabel(cat, t.hardware, t.unpriced); err != nil {
		return usageErrorf("--hardware: %v", err)
	}
	return nil
}

// resolve builds the protocol adapter the flags ask for.
func (l *llmFlags) resolve(tc profiler.TargetConfig) (loadgen.Protocol, error) {
	switch l.protocol {
	case result.ProtocolKServe:
		return loadgen.NewKServe(loadgen.KServeOptions{Model: tc.Model, DataFile: tc.DataFile, Seed: tc.Seed}), nil
	case result.ProtocolOpenAI:
	default:
		return nil, usageErrorf("--protocol must be kserve or openai, got %q", l.protocol)
	}
	if l.api != loadgen.APIChat && l.api != loadgen.APICompletions {
		return nil, usageErrorf("--api must be chat or completions, got %q", l.api)
	}
	prompt, err := parseTokenDist(l.promptTokens, "--prompt-tokens")
	if err != nil {
		return nil, err
	}
	output, err := parseTokenDist(l.outputTokens, "--output-tokens")
	if err != nil {
		return nil, err
	}
	if l.prompts < 1 {
		return nil, usageErrorf("--prompts must be at least 1, got %d", l.prompts)
	}
	return loadgen.NewOpenAI(loadgen.OpenAIOptions{Model: tc.Model, API: l.api, PromptTokens: prompt, OutputTokens: output,
		DataFile: tc.DataFile, Prompts: l.prompts, Seed: tc.Seed, ForceOutputLength: l.forceLength}), nil
}

// isLLM reports whether the flags ask for an OpenAI-compatible endpoint,
// whose requests carry one prompt each (batch 1).
func (t *targetFlags) isLLM() bool { return t.llm.protocol == result.ProtocolOpenAI }

// parseTokenDist reads N or MEAN:STDDEV (tokens).
func parseTokenDist(s, flag string) (result.TokenDist, error) {
	mean, sd, hasSD := strings.Cut(strings.TrimSpace(s), ":")
	m, err := strconv.ParseFloat(mean, 64)
	if err != nil || math.IsNaN(m) || m < 1 || m > 1e6 {
		return result.TokenDist{}, usageErrorf("%s %q: want a token count N (1 to 1000000) or MEAN:STDDEV, e.g. 128 or 128:32", flag, s)
	}
	d := result.TokenDist{Mean: m}
	if hasSD {
		v, err := strconv.ParseFloat(sd, 64)
		if err != nil || math.IsNaN(v) || v < 0 || v > 1e6 {
			return result.TokenDist{}, usageErrorf("%s %q: the standard deviation after ':' must be a number >= 0", flag, s)
		}
		d.StdDev = v
	}
	return d, nil
}

// parseLabels reads --label KEY=VALUE flags.
func parseLabels(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t\n") {
			return nil, usageErrorf("--label %q: want KEY=VALUE, e.g. model_version=v7 (the key without spaces)", f)
		}
		if _, dup := out[k]; dup {
			return nil, usageErrorf("--label %s given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// resolvePreset checks --server-preset and the flags of its kind: the
// language model speaks the OpenAI API, so it implies --protocol openai
// and refuses the digits batcher's flags, and the digits presets refuse the
// LM scheduler's.
func (t *targetFlags) resolvePreset() error {
	preset := t.serverFlags.preset
	isLM := result.IsLMPreset(preset)
	if !isLM && preset != "small" && preset != "large" {
		return usageErrorf("--server-preset must be small, large, lm or lm-large, got %q", preset)
	}
	own, other := digitsServerFlags, lmServerFlags
	if isLM {
		own, other = lmServerFlags, digitsServerFlags
	}
	for _, name := range other {
		if f := t.fs.Lookup(name); f != nil && f.Changed {
			return usageErrorf("--%s configures the other kind of built-in server; --server-preset %s takes --%s", name, preset, strings.Join(own, ", --"))
		}
	}
	if isLM {
		if t.fs.Changed("protocol") && t.llm.protocol != result.ProtocolOpenAI {
			return usageErrorf("--server-preset %s is a language model over the OpenAI API: --protocol %s cannot speak to it", preset, t.llm.protocol)
		}
		t.llm.protocol = result.ProtocolOpenAI
	}
	return nil
}

// checkServerConfig applies the built-in server's own rules to a
// configuration (the same in profile, sweep and demo), naming the
// --server-* flag at fault.
func checkServerConfig(c result.ServerConfig) error {
	if c.IsLM() {
		lc := lmserver.DefaultConfig()
		lc.Engine.MaxNumSeqs, lc.Engine.MaxNumBatchedTokens, lc.Engine.MaxWaiting = c.MaxNumSeqs, c.MaxNumBatchedTokens, c.MaxWaiting
		if err := lc.Validate(); err != nil {
			return usageErrorf("%s", strings.Replace(err.Error(), "--", "--server-", 1))
		}
		return nil
	}
	mc := modelserver.DefaultConfig()
	mc.MaxBatchSize, mc.MaxQueueDelay = c.MaxBatchSize, time.Duration(c.MaxQueueDelayMS*float64(time.Millisecond))
	mc.Instances, mc.MaxQueue = c.Instances, c.MaxQueue
	if err := mc.Validate(); err != nil {
		return usageErrorf("%s", strings.Replace(err.Error(), "--", "--server-", 1))
	}
	return nil
}

// checkRate refuses a rate (requests/s) the load engine cannot schedule:
// not a positive finite number, or above loadgen.MaxRateRPS.
func checkRate(v float64, flag string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > loadgen.MaxRateRPS {
		return usageErrorf("%s %g: want a rate in requests/s above 0 and at most %g", flag, v, loadgen.MaxRateRPS)
	}
	return nil
}

func (t *targetFlags) serverConfig() result.ServerConfig {
	s := t.serverFlags
	if result.IsLMPreset(s.preset) {
		return result.ServerConfig{Preset: s.preset, MaxNumSeqs: s.maxNumSeqs, MaxNumBatchedTokens: s.maxNumBatchedTokens, MaxWaiting: s.maxWaiting}
	}
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
	format  string
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
	fs.StringVar(&m.format, "format", formatTable, "output: table, or json (the run as JSON on stdout; progress and the table on stderr)")
}

func (m *measureFlags) validate(fs *pflag.FlagSet) error {
	if err := m.set.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	if err := checkMeasureFormat(m.format); err != nil {
		return err
	}
	switch m.arrival {
	case "constant", "poisson", "ramp", "steps":
	default:
		return usageErrorf("--arrival must be constant, poisson, ramp or steps, got %q", m.arrival)
	}
	// A flag that only one arrival reads is a mistake with any other.
	if fs.Changed("ramp-to") && m.arrival != "ramp" {
		return usageErrorf("--ramp-to is the final rate of --arrival ramp; add --arrival ramp or drop --ramp-to")
	}
	if fs.Changed("steps") && m.arrival != "steps" {
		return usageErrorf("--steps are the stages of --arrival steps; add --arrival steps or drop --steps")
	}
	if m.arrival == "ramp" {
		if err := checkRate(m.rampTo, "--ramp-to"); err != nil {
			return err
		}
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
