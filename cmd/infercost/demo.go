package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
)

func init() { register(newDemoCmd) }

type demoFlags struct {
	batches string
	loads   []float64
	slo     string
	out     string
	preset  string
	format  string
	set     profiler.StepSettings
	scrape  scrapeFlags
	// llm runs the language-model demo at these concurrencies.
	llm         bool
	concurrency string
	labels      []string
}

// costDemoLLMSLO is demo --llm's SLO unless --slo says otherwise.
const costDemoLLMSLO = cost.DemoLLMSLO

// demoLoads are the demo's offered rates as fractions of each batch size's
// throughput ceiling, measured first with demoConcurrency requests kept in
// flight: light, medium, and close to what the machine can serve.
var demoLoads = []float64{0.3, 0.6, 0.9}

// demoConcurrency keeps enough requests in flight for the dynamic batcher
// to fill its batches, so the closed-loop probe finds the ceiling.
const demoConcurrency = 16

func newDemoCmd() *cobra.Command {
	f := demoFlags{loads: demoLoads}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Profile the built-in model server end to end and print what serving it costs",
		Long: `demo starts infercost's built-in model server (an MLP trained on handwritten
digits, behind the KServe v2 API with a dynamic batcher) as a child on a free
loopback port, profiles it at a few loads and two batch sizes, prints the
summary (latency, inferences/s, CPU %, RSS, GPU or "no GPU detected"), writes a
run directory, and ends with the cost of serving the model per million
predictions and per month on the cheapest CPU instances.

For each batch size it first measures the throughput ceiling (a closed loop
with 16 requests in flight), then offers 30%, 60% and 90% of it, open loop,
and prices the highest load that met the SLO.
The child is stopped cleanly whatever happens.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, &f) },
	}
	fs := cmd.Flags()
	f.set = profiler.DefaultSettings()
	f.set.Duration, f.set.Warmup, f.set.MaxWindows = 3*time.Second, time.Second, 5
	fs.StringVar(&f.batches, "batch", "1,8", "the batch sizes to profile, comma-separated (inputs per request)")
	fs.StringVar(&f.slo, "slo", "p95=50ms", "latency objective the cost answer is priced at (corrected latency)")
	fs.StringVar(&f.out, "out", "runs", "parent folder of the run directory")
	fs.StringVar(&f.preset, "preset", "small", "built-in model preset: small, or large (heavier, so batching matters)")
	fs.DurationVar(&f.set.Duration, "duration", f.set.Duration, "measured time of each step")
	fs.DurationVar(&f.set.Warmup, "warmup", f.set.Warmup, "warm-up before each step, excluded")
	fs.StringVar(&f.format, "format", formatTable, "output: table, or json (the run and the cost answer as JSON on stdout; progress and tables on stderr)")
	fs.BoolVar(&f.llm, "llm", false, "profile the built-in language model instead (OpenAI API, streamed; 64-token prompts, 32 tokens out) at --concurrency, and price its output tokens; the SLO defaults to "+cost.DemoLLMSLO)
	fs.StringVar(&f.concurrency, "concurrency", "1,2,4,8", "with --llm: the concurrencies to profile (streams kept in flight), comma-separated")
	f.scrape.register(fs)
	fs.StringArrayVar(&f.labels, "label", nil, "label the run KEY=VALUE (repeatable), e.g. model_version=v7; recorded in run.json for reports and history")
	return cmd
}

func runDemo(cmd *cobra.Command, f *demoFlags) error {
	if f.llm {
		return runDemoLLM(cmd, f)
	}
	if cmd.Flags().Changed("concurrency") {
		return usageErrorf("--concurrency belongs to demo --llm; the digits demo measures each batch size's ceiling and loads below it")
	}
	batches, err := parseInts(f.batches, "--batch")
	if err != nil {
		return err
	}
	slo, err := parseSLOFlag(f.slo)
	if err != nil {
		return err
	}
	if f.preset != "small" && f.preset != "large" {
		return usageErrorf("--preset must be small or large, got %q", f.preset)
	}
	if err := f.set.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	if err := checkMeasureFormat(f.format); err != nil {
		return err
	}
	server := result.ServerConfig{Preset: f.preset, MaxBatchSize: 32, MaxQueueDelayMS: 2, Instances: 1, MaxQueue: 1024}
	tc := profiler.TargetConfig{URL: profiler.BuiltinTarget, Model: "digits", Seed: 1,
		Builtin: profiler.BuiltinConfig{Server: server}}
	tc.Conn.Timeout = 30 * time.Second
	if tc.Labels, err = parseLabels(f.labels); err != nil {
		return err
	}
	if tc.Scrape, err = f.scrape.resolve(true); err != nil {
		return err
	}
	cfg := profiler.Config{Command: "demo", Name: "digits-demo", OutDir: f.out, Target: tc, Settings: f.set,
		Spec:          result.Spec{Mode: result.ModeRate, Arrival: "constant", BatchSizes: batches, SLO: slo, MaxErrorRate: result.DefaultMaxErrorRate},
		TestBatchSize: batches[0], Observer: newProgress(cmd.ErrOrStderr(), len(batches)*(1+len(f.loads)))}
	errw := cmd.ErrOrStderr()
	started := time.Now()
	return measureSession(cmd, cfg, f.format, func(ctx context.Context, s *profiler.Session) error {
		var ceilings []*result.Step
		for _, b := range batches {
			// A full step, not a quick probe: it may well be the highest
			// load meeting the SLO, and so the capacity the demo prices.
			ceiling, err := s.RunStep(ctx, profiler.Load{Mode: result.ModeConcurrency, Concurrency: demoConcurrency, BatchSize: b,
				Name: fmt.Sprintf("b%d-ceiling", b)})
			if err != nil {
				return err
			}
			ceilings = append(ceilings, ceiling)
			base := ceiling.SuccessfulRPS
			if base <= 0 {
				fmt.Fprintf(errw, "batch %d: no request succeeded; skipping its loads\n", b)
				continue
			}
			for _, frac := range f.loads {
				rate := roundRate(base * frac)
				if _, err := s.RunStep(ctx, profiler.Load{Mode: result.ModeRate, Arrival: "constant", RPS: rate, BatchSize: b}); err != nil {
					return err
				}
			}
		}
		if err := demoBusyFallback(ctx, s, errw, ceilings, slo); err != nil {
			return err
		}
		fmt.Fprintf(errw, "profiled in %s\n", time.Since(started).Round(time.Second))
		return nil
	}, func(run *result.Run, dir string, format string) (any, error) {
		return demoCost(cmd, run, dir, slo, format)
	})
}

// demoBusyFallback handles a machine too busy for any planned step to
// meet the SLO (every step flagged generator-limited or unstable by other
// work on the box): it measures up to four lower loads of the batch size
// with the highest ceiling, keeping 3/4, 1/2, 1/4 and 1/8 of the ceiling's
// requests in flight, until one meets the SLO, and says the machine was
// busy. The lower loads are closed loops: on a starved box the open-loop
// steps are flagged because the generator's own timers slip, while a
// closed loop has no schedule to keep. The small model's latency is a few
// ms against a bound of tens, so a lighter load passes unless the box is
// starved.
func demoBusyFallback(ctx context.Context, s *profiler.Session, w io.Writer, ceilings []*result.Step, slo []result.SLOBound) error {
	run := s.Run()
	for i := range run.Steps {
		if result.MeetsSLO(&run.Steps[i], slo, result.DefaultMaxErrorRate) {
			return nil
		}
	}
	var best *result.Step
	for _, c := range ceilings {
		if c.SuccessfulRPS > 0 && (best == nil || c.Throughput() > best.Throughput()) {
			best = c
		}
	}
	if best == nil {
		return nil
	}
	busy := "the machine was busy: no planned step met " + result.FormatSLO(slo) + " (every one was flagged or too slow)"
	fmt.Fprintf(w, "%s; measuring lower loads of batch %d\n", busy, best.BatchSize)
	for _, c := range []int{demoConcurrency * 3 / 4, demoConcurrency / 2, demoConcurrency / 4, demoConcurrency / 8} {
		st, err := s.RunStep(ctx, profiler.Load{Mode: result.ModeConcurrency, Concurrency: c, BatchSize: best.BatchSize,
			Name: fmt.Sprintf("b%d-busy-c%d", best.BatchSize, c)})
		if err != nil {
			return err
		}
		if result.MeetsSLO(st, slo, result.DefaultMaxErrorRate) {
			s.Warn("%s; a lower load (step %d, %s) met it, so the capacity priced is what a busy machine gave", busy, st.Number(), st.Name)
			return nil
		}
	}
	s.Warn("%s, nor did four lower loads down to 1/8 of the ceiling's requests in flight: rerun the demo on a quieter machine", busy)
	return nil
}

// roundRate keeps probed rates legible (two significant digits).
func roundRate(r float64) float64 {
	switch {
	case r >= 1000:
		return float64(int(r/100+0.5)) * 100
	case r >= 100:
		return float64(int(r/10+0.5)) * 10
	case r >= 10:
		return float64(int(r + 0.5))
	}
	return float64(int(r*10+0.5)) / 10
}
