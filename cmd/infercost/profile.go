package main

import (
	"context"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { register(newProfileCmd) }

type profileFlags struct {
	target      targetFlags
	measure     measureFlags
	rate        float64
	concurrency int
	batch       int
}

func newProfileCmd() *cobra.Command {
	var f profileFlags
	cmd := &cobra.Command{
		Use:   "profile --target URL|builtin --model NAME [--rate R | --concurrency N] [--batch N]",
		Short: "Measure one load level: latency, throughput, CPU, memory and GPU",
		Long: `profile drives a KServe v2 endpoint at one load level and measures it.

Open loop (--rate, requests/s): requests leave on a fixed schedule whatever the
target does, and latency is measured from each request's intended send time,
so a stalled server cannot hide behind the client's own waiting. Closed loop
(--concurrency N): N requests are kept in flight, as perf_analyzer does.

Preflight first (health, model metadata, one test request); then warm-up
(excluded), then --duration cut into --windows windows, extended up to
--max-windows until throughput and p95 agree within --stability-tolerance.
The run directory (--out/<UTC timestamp>-<name>/) gets run.json, per-second
series, HDR histograms, samples.csv and plots. Ctrl-C stops the load, keeps
what was measured and exits 130.`,
		Example: `  infercost profile --target builtin --rate 200 --batch 8
  infercost profile --target http://10.0.0.5:8000 --model resnet50 --concurrency 4 --hardware "NVIDIA A10G"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runProfile(cmd, &f) },
	}
	fs := cmd.Flags()
	f.target.register(fs, false)
	f.measure.register(fs)
	fs.Float64Var(&f.rate, "rate", 0, "offered load in requests/s (open loop); every request carries --batch inputs")
	fs.IntVar(&f.concurrency, "concurrency", 0, "requests kept in flight (closed loop), instead of --rate")
	fs.IntVar(&f.batch, "batch", 1, "inputs per request (the batch dimension N of each request)")
	return cmd
}

func runProfile(cmd *cobra.Command, f *profileFlags) error {
	tc, err := f.target.resolve()
	if err != nil {
		return err
	}
	if err := f.measure.validate(cmd.Flags()); err != nil {
		return err
	}
	if f.target.isLLM() && f.batch != 1 {
		return usageErrorf("--batch %d: an OpenAI-compatible endpoint takes one prompt per request and batches on its own; vary --concurrency (or --rate) instead", f.batch)
	}
	load, err := f.load(cmd.Flags())
	if err != nil {
		return err
	}
	spec := result.Spec{Mode: load.Mode, Arrival: load.Arrival, BatchSizes: []int{f.batch}, RampToRPS: f.measure.rampTo,
		Stages: f.measure.stages}
	if load.Mode == result.ModeRate {
		spec.RatesRPS = []float64{f.rate}
	} else {
		spec.Concurrency = []int{f.concurrency}
	}
	cfg := profiler.Config{Command: "profile", Name: f.measure.runName(tc.Model, "profile"), OutDir: f.measure.out,
		Target: tc, Settings: f.measure.set, Spec: spec, TestBatchSize: f.batch,
		Observer: newProgress(cmd.ErrOrStderr(), 1)}
	return measureSession(cmd, cfg, f.measure.format, func(ctx context.Context, s *profiler.Session) error {
		_, err := s.RunStep(ctx, load)
		return err
	}, nil)
}

func (f *profileFlags) load(fs *pflag.FlagSet) (profiler.Load, error) {
	l := profiler.Load{BatchSize: f.batch, Arrival: f.measure.arrival, RPS: f.rate, RampTo: f.measure.rampTo}
	if fs.Changed("rate") {
		if err := checkRate(f.rate, "--rate"); err != nil {
			return l, err
		}
	}
	switch {
	case fs.Changed("rate") && fs.Changed("concurrency"):
		return l, usageErrorf("give --rate (open loop) or --concurrency (closed loop), not both")
	case fs.Changed("concurrency") && fs.Changed("arrival"):
		return l, usageErrorf("--arrival shapes an open-loop schedule (--rate); --concurrency keeps N requests in flight whatever the schedule: drop one")
	case fs.Changed("concurrency") && f.concurrency < 1:
		return l, usageErrorf("--concurrency must be at least 1, got %d", f.concurrency)
	case f.concurrency > 0:
		l.Mode, l.Concurrency, l.Arrival = result.ModeConcurrency, f.concurrency, ""
	case f.measure.arrival == "steps":
		stages, err := loadgen.ParseStages(f.measure.stages)
		if err != nil {
			return l, usageErrorf("--steps: %v", err)
		}
		l.Mode, l.Stages = result.ModeRate, stages
	case f.rate > 0:
		l.Mode = result.ModeRate
	default:
		return l, usageErrorf("give the load: --rate R (requests/s, open loop) or --concurrency N (closed loop)")
	}
	if err := l.Validate(); err != nil {
		return l, usageErrorf("%v", err)
	}
	return l, nil
}
