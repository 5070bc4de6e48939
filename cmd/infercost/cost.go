package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
)

func init() { register(newCostCmd) }

// costClock dates estimates (prices older than 12 months are flagged);
// tests set it.
var costClock = time.Now

// costErr maps the cost package's errors to exit codes: bad input 2, no
// capacity at the SLO 4.
func costErr(err error) error {
	var le *cost.LineError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, cost.ErrNoCapacity):
		return withCode(ExitNoCapacity, err)
	case errors.Is(err, cost.ErrInput), errors.As(err, &le):
		return withCode(ExitUsage, err)
	}
	return err
}

func newCostCmd() *cobra.Command {
	var (
		capacity, latencyMS, rssBytes, maxErr, cacheHit float64
		instance, gpu, slo, catalog, format             string
		all                                             bool
		batch                                           int
	)
	cmd := &cobra.Command{
		Use:   "cost [RUN_DIR]",
		Short: "Turn a capacity (given, or measured in a run) into cost per inference and per month",
		Long: `cost prices a capacity on the catalog's instances and deployment options
(dedicated VMs, Kubernetes, managed endpoints, serverless), with the TCO, the
serverless-vs-dedicated crossover and the cheapest option. Formulas:
docs/design.md "Cost model"; prices: the embedded catalog (infercost
catalog), each with its source and date.

Two forms:
  infercost cost --capacity C --instance NAME|--gpu NAME|--all [--latency-ms L --rss-bytes B]
      C is one replica's inferences/s at your SLO: per GPU on GPU instances,
      per instance on CPU instances. --latency-ms (mean at batch 1) and
      --rss-bytes (the server's memory) price serverless.
  infercost cost RUN_DIR [--slo p95=50ms] [--batch N] [--max-error-rate R] [--cache-hit-rate K]
      the capacity is the highest inferences/s of a step meeting the SLO at
      the best batch (or --batch); without --slo the run's own SLO is used.
      Adds the levers (batching, caching, spot, right-sizing, quantization).

An LLM run (counted in output tokens) is priced per token: capacity in output
tokens/s (and requests/s) at the SLO (ttft_pNN, itl_pNN and tpot_pNN bounds
work), with usd_per_million_output_tokens, usd_per_million_tokens and
usd_per_1k_requests. Its month is --monthly read as requests (or
--monthly-requests) times the run's mean output tokens per request, or
--monthly-output-tokens. All GPU time is charged to the tokens.

--kwh-price USD (and --pue, default 1: the GPUs alone) adds an on-premises
electricity line: the month's units x the joules per unit measured at the
capacity step x PUE / 3.6e6 kWh x the price. It stands apart: cloud prices
include their electricity, so it is never added to them.

Workload flags (all forms) have documented defaults; the output lists the
defaults it used. Exit code 4 when no step of the run meets the SLO.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("cost takes one run directory (got %d); to compare runs use infercost compare", len(args))
			}
			return nil
		},
	}
	wf := addWorkloadFlags(cmd)
	fs := cmd.Flags()
	fs.Float64Var(&capacity, "capacity", 0, "capacity form: one replica's inferences/s at the SLO")
	fs.StringVar(&instance, "instance", "", "capacity form: price this instance; run form: the instance you run on now (right-sizing baseline)")
	fs.StringVar(&gpu, "gpu", "", "capacity form: price every instance with this GPU (name or alias, e.g. A10G)")
	fs.BoolVar(&all, "all", false, "capacity form: price every instance in the catalog")
	fs.Float64Var(&latencyMS, "latency-ms", 0, "capacity form: mean latency at batch 1 in ms (prices serverless)")
	fs.Float64Var(&rssBytes, "rss-bytes", 0, "capacity form: the serving process's memory in bytes (prices serverless)")
	fs.StringVar(&slo, "slo", "", "run form: latency SLO, e.g. p95=50ms or p95=50ms,p99=120ms (default: the run's own)")
	fs.IntVar(&batch, "batch", 0, "run form: price this batch size (default: the best batch within the SLO)")
	fs.Float64Var(&maxErr, "max-error-rate", result.DefaultMaxErrorRate, "run form: highest error ratio a step may have and meet the SLO")
	fs.Lookup("max-error-rate").DefValue = "the run's own, else 0.001"
	fs.Float64Var(&cacheHit, "cache-hit-rate", 0.2, "run form: share [0-1) of requests a cache would answer, for the caching lever")
	fs.StringVar(&catalog, "catalog", "", "pricing catalog YAML that extends or overrides the embedded one")
	fs.StringVar(&format, "format", cost.FormatTable, "output format: table, markdown or json")

	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		changed := cmd.Flags().Changed
		if err := cost.CheckFormat(format); err != nil {
			return usageErrorf("%v", err)
		}
		runForm := len(args) == 1
		switch {
		case runForm && changed("capacity"):
			return usageErrorf("give either RUN_DIR or --capacity, not both: a run's capacity is measured")
		case !runForm && !changed("capacity"):
			return usageErrorf("give a run directory (infercost cost RUN_DIR --slo p95=50ms) or a capacity (infercost cost --capacity 250 --instance g5.xlarge)")
		}
		w, err := wf.resolve()
		if err != nil {
			return err
		}
		cat, err := cost.LoadCatalog(catalog)
		if err != nil {
			return usageErrorf("%v", err)
		}
		var e *cost.Estimate
		if runForm {
			for _, f := range []string{"gpu", "all", "latency-ms", "rss-bytes"} {
				if changed(f) {
					return usageErrorf("--%s belongs to the capacity form; a run measures it", f)
				}
			}
			if cacheHit < 0 || cacheHit >= 1 {
				return usageErrorf("--cache-hit-rate: want a share in [0, 1), got %g", cacheHit)
			}
			opts := cost.RunOptions{Catalog: cat, Workload: w, Now: costClock(), Batch: batch, CacheHitRate: cacheHit,
				Instance: instance, RunName: args[0], MaxErrorRate: -1}
			if changed("max-error-rate") {
				if err := checkMaxErrorRate(maxErr); err != nil {
					return err
				}
				opts.MaxErrorRate = maxErr
			}
			if slo != "" {
				if opts.SLO, err = parseSLOFlag(slo); err != nil {
					return err
				}
			}
			run, err := result.Read(args[0])
			if err != nil {
				return usageErrorf("%v", err)
			}
			e, err = cost.CostRun(run, opts)
			if err != nil {
				return costErr(err)
			}
		} else {
			for _, f := range []string{"slo", "batch", "max-error-rate", "cache-hit-rate"} {
				if changed(f) {
					return usageErrorf("--%s belongs to the run form (infercost cost RUN_DIR)", f)
				}
			}
			in, err := capacityInput(cat, w, capacity, instance, gpu, all)
			if err != nil {
				return err
			}
			in.LatencyMS, in.RSSBytes, in.Now = latencyMS, rssBytes, costClock()
			if e, err = cost.Compute(in); err != nil {
				return costErr(err)
			}
		}
		return cost.RenderEstimate(cmd.OutOrStdout(), e, format)
	}
	return cmd
}

// capacityInput turns the capacity form's flags into an engine input.
func capacityInput(cat *cost.Catalog, w cost.Workload, capacity float64, instance, gpu string, all bool) (cost.Input, error) {
	n := 0
	for _, set := range []bool{instance != "", gpu != "", all} {
		if set {
			n++
		}
	}
	if n != 1 {
		return cost.Input{}, usageErrorf("with --capacity, give exactly one of --instance NAME, --gpu NAME or --all")
	}
	in := cost.Input{Catalog: cat, Workload: w, CapacityPerS: capacity}
	switch {
	case instance != "":
		inst := cat.FindInstance(instance)
		if inst == nil {
			return in, costErr(cost.UnknownInstance(cat, instance))
		}
		in.Instances = []string{inst.Name}
		in.Hardware = cost.Hardware{Kind: cost.HardwareCPU, Name: inst.Name, Arch: inst.Arch}
		if inst.Kind == cost.KindGPU {
			in.Hardware = cost.Hardware{Kind: cost.HardwareGPU, Name: inst.GPU, GPU: inst.GPU}
		}
	case gpu != "":
		g := cat.FindGPU(gpu)
		if g == nil {
			return in, costErr(cost.UnknownGPU(cat, gpu))
		}
		in.Hardware = cost.Hardware{Kind: cost.HardwareGPU, Name: g.Name, GPU: g.Name}
	default:
		in.Hardware = cost.Hardware{Kind: cost.HardwareAny}
		in.Notes = append(in.Notes, fmt.Sprintf("--all prices the same %g inferences/s on every instance: per GPU on GPU instances, per instance on CPU ones; measure each hardware (infercost cost RUN_DIR) for real differences", capacity))
	}
	return in, nil
}
