package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/report/summary"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { register(newSweepCmd) }

type sweepFlags struct {
	target         targetFlags
	measure        measureFlags
	batches        string
	search         string
	rates          string
	concurrency    string
	slo            string
	maxErrorRate   float64
	precision      float64
	resume         string
	serverBatches  string
	serverDelays   string
	defaultBatches string
}

func newSweepCmd() *cobra.Command {
	f := sweepFlags{defaultBatches: "1,2,4,8,16,32,64"}
	cmd := &cobra.Command{
		Use:   "sweep --target URL|builtin --model NAME --batch LIST --slo p95=50ms",
		Short: "Find the peak throughput within a latency SLO for each batch size",
		Long: `sweep measures, for each batch size, the highest load whose step meets the SLO:
every SLO percentile within its bound (corrected latency), an error ratio of at
most --max-error-rate, and neither generator-limited nor unstable.

--search rate (the default) starts from one short closed-loop probe at
concurrency 1 (the service time), doubles the rate until a step fails, then
narrows to within --precision, guided by the throughput ceiling that failing
probes measure (as MLPerf LoadGen's FindPeakPerformance). A probe that breaks
the SLO by 2x in its first window stops there. --search concurrency ramps
1, 2, 4, ... until throughput gains less than 5% or the SLO breaks. --rates or
--concurrency lists measure exactly the loads given.

Answers: the curve (peak at the SLO per batch size), the sweet spot (most
inferences/s within the SLO), the knee (smallest batch reaching 90% of the
best), realtime and offline operating points; plots in the run directory.
With --target builtin, --server-max-batch-size and --server-max-queue-delay
lists also sweep the built-in server's dynamic batcher, restarting it per
configuration. --resume RUN_DIR continues an interrupted sweep without
repeating a finished probe.`,
		Example: `  infercost sweep --target builtin --batch 1,8,32 --slo p95=50ms
  infercost sweep --target http://gpu-box:8000 --model resnet50 --batch 1,4,16 --slo p95=30ms,p99=80ms --hardware "NVIDIA A10G"
  infercost sweep --resume runs/20261128T101500Z-digits-sweep`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSweep(cmd, &f) },
	}
	fs := cmd.Flags()
	f.target.register(fs, true)
	f.measure.register(fs)
	fs.StringVar(&f.batches, "batch", f.defaultBatches, "batch sizes to sweep, comma-separated (inputs per request)")
	fs.StringVar(&f.search, "search", "rate", "peak search: rate (open loop) or concurrency (closed loop); ignored with --rates or --concurrency")
	fs.StringVar(&f.rates, "rates", "", "measure these offered rates (requests/s, for each batch size) instead of searching")
	fs.StringVar(&f.concurrency, "concurrency", "", "measure these concurrencies (closed loop, for each batch size) instead of searching")
	fs.StringVar(&f.slo, "slo", "", "latency objective on corrected latency, e.g. p95=50ms or p95=50ms,p99=120ms (required)")
	fs.Float64Var(&f.maxErrorRate, "max-error-rate", result.DefaultMaxErrorRate, "largest error ratio a step may have and still meet the SLO (fraction: 0.001 = 0.1%)")
	fs.Float64Var(&f.precision, "precision", 0.05, "rate search stops when the passing and failing rates are within this fraction")
	fs.StringVar(&f.resume, "resume", "", "continue the interrupted sweep in this run directory; flags not given are taken from its run.json")
	fs.StringVar(&f.serverBatches, "server-max-batch-size", "32", "built-in server: max batch sizes of its dynamic batcher to sweep, comma-separated")
	fs.StringVar(&f.serverDelays, "server-max-queue-delay", "2ms", "built-in server: max queue delays of its dynamic batcher to sweep, comma-separated")
	return cmd
}

func runSweep(cmd *cobra.Command, f *sweepFlags) error {
	var prev *result.Run
	if f.resume != "" {
		var err error
		if prev, err = result.Read(f.resume); err != nil {
			return usageErrorf("--resume: %v", err)
		}
		if err := f.fillFromRun(cmd, prev); err != nil {
			return err
		}
	}
	plan, tc, err := f.resolve(cmd.Flags())
	if err != nil {
		return err
	}
	spec := result.Spec{Mode: result.ModeRate, Arrival: f.measure.arrival, BatchSizes: plan.BatchSizes, RatesRPS: plan.Rates,
		Concurrency: plan.Concurrencies, Search: plan.Search, SLO: plan.SLO, MaxErrorRate: plan.MaxErrorRate,
		ServerConfigs: plan.ServerConfigs}
	if plan.Search == profiler.SearchConcurrency || len(plan.Concurrencies) > 0 {
		spec.Mode = result.ModeConcurrency
	}
	if len(plan.ServerConfigs) > 0 {
		tc.Builtin.Server = plan.ServerConfigs[0]
	}
	cfg := profiler.Config{Command: "sweep", Name: f.measure.runName(tc.Model, "sweep"), OutDir: f.measure.out, ResumeDir: f.resume,
		Target: tc, Settings: f.measure.set, Spec: spec, TestBatchSize: plan.BatchSizes[0],
		Observer: newProgress(cmd.ErrOrStderr(), 0)}
	errw := cmd.ErrOrStderr()
	return measureSession(cmd, cfg, f.measure.format, func(ctx context.Context, s *profiler.Session) error {
		if prev != nil {
			fmt.Fprintf(errw, "resuming: %d step(s) already measured are reused, not repeated\n", len(prev.Steps))
		}
		_, err := s.Sweep(ctx, plan, batchPrinter{w: errw, unit: s.Unit()})
		return err
	}, nil)
}

type batchPrinter struct {
	w    interface{ Write([]byte) (int, error) }
	unit string
}

func (b batchPrinter) BatchDone(p result.CurvePoint) {
	peak := "none met the SLO"
	if p.Incomplete {
		peak = "incomplete (interrupted)"
	}
	if p.MaxUnitsPerSAtSLO > 0 {
		peak = fmt.Sprintf("%s %s at the SLO (%s req/s, p95 %s ms)", summary.Num(p.MaxUnitsPerSAtSLO), summary.UnitRate(b.unit),
			summary.Num(p.MaxRPSAtSLO), summary.Num(p.LatencyMSAtPeak.P95))
	}
	fmt.Fprintf(b.w, "batch %d%s: %s after %d probes\n", p.BatchSize, serverNote(p.Server), peak, p.Probes)
}

func serverNote(s *result.ServerConfig) string {
	if s == nil {
		return ""
	}
	return " [server " + summary.ServerLabel(s) + "]"
}

// resolve checks the sweep flags and builds the plan.
func (f *sweepFlags) resolve(fs *pflag.FlagSet) (profiler.SweepPlan, profiler.TargetConfig, error) {
	var plan profiler.SweepPlan
	tc, err := f.target.resolve()
	if err != nil {
		return plan, tc, err
	}
	if err := f.measure.validate(fs); err != nil {
		return plan, tc, err
	}
	if f.measure.arrival != "constant" && f.measure.arrival != "poisson" {
		return plan, tc, usageErrorf("a sweep's --arrival must be constant or poisson, got %q", f.measure.arrival)
	}
	if plan.BatchSizes, err = parseInts(f.batches, "--batch"); err != nil {
		return plan, tc, err
	}
	if f.target.isLLM() {
		// An LLM server batches continuously on its own: its knob is
		// concurrency (or rate), each request one prompt.
		if f.batches != f.defaultBatches && f.batches != "1" {
			return plan, tc, usageErrorf("--batch %s: an OpenAI-compatible endpoint takes one prompt per request; sweep --concurrency 1,2,4,8 or --search concurrency instead", f.batches)
		}
		plan.BatchSizes = []int{1}
	}
	if f.slo == "" {
		return plan, tc, usageErrorf("--slo is required, e.g. --slo p95=50ms")
	}
	if plan.SLO, err = parseSLOFlag(f.slo); err != nil {
		return plan, tc, err
	}
	if err := checkMaxErrorRate(f.maxErrorRate); err != nil {
		return plan, tc, err
	}
	if f.precision <= 0 || f.precision >= 1 {
		return plan, tc, usageErrorf("--precision is a fraction between 0 and 1 (0.05 = 5%%), got %g", f.precision)
	}
	plan.MaxErrorRate, plan.Precision, plan.Arrival = f.maxErrorRate, f.precision, f.measure.arrival
	switch {
	case f.rates != "" && f.concurrency != "":
		return plan, tc, usageErrorf("give --rates or --concurrency, not both")
	case f.rates != "":
		plan.Search = profiler.SearchList
		if plan.Rates, err = parseFloats(f.rates, "--rates"); err != nil {
			return plan, tc, err
		}
		for _, r := range plan.Rates {
			if err := checkRate(r, "--rates"); err != nil {
				return plan, tc, err
			}
		}
	case f.concurrency != "":
		plan.Search = profiler.SearchList
		if plan.Concurrencies, err = parseInts(f.concurrency, "--concurrency"); err != nil {
			return plan, tc, err
		}
	case f.search == profiler.SearchRate || f.search == profiler.SearchConcurrency:
		plan.Search = f.search
	default:
		return plan, tc, usageErrorf("--search must be rate or concurrency, got %q", f.search)
	}
	if tc.URL == profiler.BuiltinTarget {
		if plan.ServerConfigs, err = f.serverGrid(); err != nil {
			return plan, tc, err
		}
	} else if f.serverBatches != "32" || f.serverDelays != "2ms" {
		return plan, tc, usageErrorf("--server-max-batch-size and --server-max-queue-delay configure the built-in server: use them with --target builtin")
	}
	return plan, tc, nil
}

// serverGrid is every combination of the built-in server's batcher knobs;
// the language model has one configuration.
func (f *sweepFlags) serverGrid() ([]result.ServerConfig, error) {
	if base := f.target.serverConfig(); base.IsLM() {
		if err := checkServerConfig(base); err != nil {
			return nil, err
		}
		return []result.ServerConfig{base}, nil
	}
	sizes, err := parseInts(f.serverBatches, "--server-max-batch-size")
	if err != nil {
		return nil, err
	}
	var delays []time.Duration
	for _, part := range strings.Split(f.serverDelays, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d < 0 {
			return nil, usageErrorf("--server-max-queue-delay: %q is not a duration like 2ms", part)
		}
		delays = append(delays, d)
	}
	base := f.target.serverConfig()
	var grid []result.ServerConfig
	for _, n := range sizes {
		for _, d := range delays {
			c := base
			c.MaxBatchSize, c.MaxQueueDelayMS = n, ms(d)
			if err := checkServerConfig(c); err != nil {
				return nil, err
			}
			grid = append(grid, c)
		}
	}
	return grid, nil
}

// fillFromRun takes every sweep flag the user did not give from the run
// being resumed, so `sweep --resume DIR` alone continues it as it was.
func (f *sweepFlags) fillFromRun(cmd *cobra.Command, run *result.Run) error {
	if run.Command != "sweep" {
		return usageErrorf("--resume: %s is a %s run, not a sweep", f.resume, run.Command)
	}
	sp := run.Spec
	fs := cmd.Flags()
	set := func(name, value string) {
		if !fs.Changed(name) && value != "" {
			fs.Set(name, value)
		}
	}
	if strings.Contains(sp.Target, "REDACTED") && !fs.Changed("target") {
		return usageErrorf("--resume: the run's target URL was recorded redacted; pass --target again")
	}
	if len(sp.HeaderNames) > 0 && !fs.Changed("header") {
		return usageErrorf("--resume: the run sent headers %s; pass the same --header flags again (values are never recorded)", strings.Join(sp.HeaderNames, ", "))
	}
	set("target", sp.Target)
	set("model", sp.Model)
	set("batch", joinInts(sp.BatchSizes))
	set("slo", result.FormatSLO(sp.SLO))
	set("max-error-rate", fmtF(sp.MaxErrorRate))
	set("arrival", sp.Arrival)
	if sp.Search == profiler.SearchList {
		set("rates", joinFloats(sp.RatesRPS))
		set("concurrency", joinInts(sp.Concurrency))
	} else {
		set("search", sp.Search)
	}
	set("duration", secs(sp.DurationS))
	set("warmup", secs(sp.WarmupS))
	set("windows", strconv.Itoa(sp.Windows))
	set("max-windows", strconv.Itoa(sp.MaxWindows))
	set("stability-tolerance", fmtF(sp.StabilityTolerance))
	set("min-requests", strconv.Itoa(sp.MinRequests))
	set("trials", strconv.Itoa(sp.Trials))
	set("max-inflight", strconv.Itoa(sp.MaxInflight))
	set("late-threshold", secs(sp.LateThresholdMS/1000))
	set("timeout", secs(sp.TimeoutS))
	set("sample-interval", secs(sp.SampleIntervalMS/1000))
	set("seed", strconv.FormatInt(sp.Seed, 10))
	set("data", sp.DataFile)
	set("hardware", sp.HardwareLabel)
	if sp.HardwareUnpriced {
		set("hardware-unpriced", "true")
	}
	set("protocol", sp.Protocol)
	if l := sp.LLM; l != nil {
		set("api", l.API)
		set("prompt-tokens", tokenDistFlag(l.PromptTokens))
		set("output-tokens", tokenDistFlag(l.OutputTokens))
		set("force-output-length", strconv.FormatBool(l.ForceOutputLength))
		if l.DataFormat == "" {
			set("prompts", strconv.Itoa(l.Prompts))
		}
	}
	if sp.GPUs > 0 {
		set("gpus", strconv.Itoa(sp.GPUs))
	}
	if !fs.Changed("label") {
		for _, k := range sortedKeys(sp.Labels) {
			fs.Set("label", k+"="+sp.Labels[k])
		}
	}
	if !fs.Changed("scrape") {
		for _, sc := range sp.Scrape {
			if strings.Contains(sc.URL, "REDACTED") {
				return usageErrorf("--resume: the run scraped %s at a URL recorded redacted; pass --scrape %s=URL again", sc.Name, sc.Name)
			}
			fs.Set("scrape", sc.Name+"="+sc.URL)
		}
	}
	if sp.ScrapeIntervalMS > 0 {
		set("scrape-interval", secs(sp.ScrapeIntervalMS/1000))
	}
	if len(sp.ServerConfigs) > 0 && sp.ServerConfigs[0].IsLM() {
		c := sp.ServerConfigs[0]
		set("server-preset", c.Preset)
		set("server-max-num-seqs", strconv.Itoa(c.MaxNumSeqs))
		set("server-max-num-batched-tokens", strconv.Itoa(c.MaxNumBatchedTokens))
		set("server-max-waiting", strconv.Itoa(c.MaxWaiting))
	} else if len(sp.ServerConfigs) > 0 {
		var sizes []int
		var delays []string
		seenS, seenD := map[int]bool{}, map[string]bool{}
		for _, c := range sp.ServerConfigs {
			if !seenS[c.MaxBatchSize] {
				seenS[c.MaxBatchSize] = true
				sizes = append(sizes, c.MaxBatchSize)
			}
			d := secs(c.MaxQueueDelayMS / 1000)
			if !seenD[d] {
				seenD[d] = true
				delays = append(delays, d)
			}
		}
		set("server-max-batch-size", joinInts(sizes))
		set("server-max-queue-delay", strings.Join(delays, ","))
		c := sp.ServerConfigs[0]
		set("server-preset", c.Preset)
		set("server-instances", strconv.Itoa(c.Instances))
		set("server-max-queue", strconv.Itoa(c.MaxQueue))
	}
	return nil
}

func parseInts(s, flag string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, usageErrorf("%s: %q is not a positive whole number", flag, strings.TrimSpace(part))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

func parseFloats(s, flag string) ([]float64, error) {
	var out []float64
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || v <= 0 {
			return nil, usageErrorf("%s: %q is not a positive number", flag, strings.TrimSpace(part))
		}
		out = append(out, v)
	}
	sort.Float64s(out)
	return out, nil
}

// tokenDistFlag writes a token distribution back as --prompt-tokens reads it.
func tokenDistFlag(d result.TokenDist) string {
	if d.StdDev > 0 {
		return fmtF(d.Mean) + ":" + fmtF(d.StdDev)
	}
	return fmtF(d.Mean)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

func joinFloats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmtF(x)
	}
	return strings.Join(parts, ",")
}

func fmtF(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func secs(s float64) string {
	return time.Duration(s * float64(time.Second)).String()
}
