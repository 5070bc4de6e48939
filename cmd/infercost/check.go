package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/infercost/infercost/report/check"
	"github.com/infercost/infercost/report/runs"
	"github.com/spf13/cobra"
)

func init() { register(newCheckCmd) }

func newCheckCmd() *cobra.Command {
	f := &pricingFlags{}
	var baseline, junit, format string
	var maxRegression, maxCost float64
	cmd := &cobra.Command{
		Use:   "check RUN [--baseline RUN]",
		Short: "The CI gate: exit 5 when a run misses its SLO or regressed against a baseline",
		Long: `check judges a run for CI. It passes (exit 0) when the run has a step meeting
the SLO (--slo, else the run's own) and, with --baseline, when it is within
--max-regression (a fraction: 0.1 is 10%) of the baseline on

  - capacity at the SLO (may not fall by more),
  - p95 and p99 latency at the baseline's capacity load (the same batch size
    and concurrency, or an offered rate within 5%), and of each token
    latency an LLM run's SLO bounds (may not rise by more),
  - cost per million at full utilisation (may not rise by more),

and, with --max-cost-per-million USD, when its cost per million is within
the budget. Otherwise it exits 5 and says what regressed and by how much.

Noise is taken into account: a run measured with --trials N records its
trials' range, and a change is a regression only when the ranges stay apart
by more than the bound (the current run at its best against the baseline at
its worst). A step measured once has no range. Latencies closer than 1 ms
are not told apart.

--junit FILE writes the checks as JUnit XML, one test case per check, for
CI systems' test reports (written whether the gate passes or not).`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("check takes one run directory (got %d); the baseline goes after --baseline", len(args))
			}
			return nil
		},
	}
	addPricingFlags(cmd, f)
	fs := cmd.Flags()
	fs.StringVar(&baseline, "baseline", "", "run directory to compare against")
	fs.Float64Var(&maxRegression, "max-regression", 0.1, "largest change allowed against the baseline, a fraction (0.1 = 10%)")
	fs.Float64Var(&maxCost, "max-cost-per-million", 0, "fail when the cost per million (inferences, or output tokens) at full utilisation is above this, USD")
	fs.StringVar(&junit, "junit", "", "also write the checks as JUnit XML to FILE")
	fs.StringVar(&format, "format", "table", "output: table or json")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if format != "table" && format != "json" {
			return usageErrorf("--format must be table or json, got %q", format)
		}
		if !(maxRegression >= 0 && maxRegression < 1) {
			return usageErrorf("--max-regression is a fraction in [0, 1) (0.1 = 10%%), got %g", maxRegression)
		}
		a, err := f.answerOptions(cmd)
		if err != nil {
			return err
		}
		o := check.Options{Answer: a, MaxRegression: maxRegression}
		if cmd.Flags().Changed("max-cost-per-million") {
			if !(maxCost > 0) {
				return usageErrorf("--max-cost-per-million is a price above 0 USD, got %g", maxCost)
			}
			o.MaxCostPerMillion = &maxCost
		}
		cur, err := runs.Load(args[0])
		if err != nil {
			return usageErrorf("%v", err)
		}
		var base *runs.Dir
		if baseline != "" {
			if base, err = runs.Load(baseline); err != nil {
				return usageErrorf("--baseline: %v", err)
			}
		}
		rep, err := check.Run(cur, base, o)
		if errors.Is(err, check.ErrInput) {
			return usageErrorf("%v", err)
		}
		if err != nil {
			return err
		}
		if err := rep.Write(cmd.OutOrStdout(), format); err != nil {
			return err
		}
		if junit != "" {
			fh, err := os.Create(junit)
			if err != nil {
				return err
			}
			werr := rep.WriteJUnit(fh, costClock())
			if cerr := fh.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				return fmt.Errorf("write %s: %w", junit, werr)
			}
		}
		if !rep.Passed {
			return silentExit(ExitRegression, fmt.Errorf("%d check(s) failed", rep.Failed()))
		}
		return nil
	}
	return cmd
}
