package main

import (
	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
)

func init() { register(newCompareCmd) }

func newCompareCmd() *cobra.Command {
	var slo, catalog, format string
	var maxErr float64
	cmd := &cobra.Command{
		Use:   "compare RUN_A RUN_B [RUN...]",
		Short: "Compare runs measured on different hardware: what the workload costs on each at one SLO",
		Long: `compare puts runs side by side (an A10G box and an A100 box, say): hardware,
best batch, capacity at the SLO and its p95, the cheapest way to serve the
workload on each (the choice infercost cost makes) with its all-in month and
how much of the capacity it pays for is in use, and, labelled apart, the cost
per million at full utilisation on every matching instance. The winner is
the hardware with the lower all-in month, with its margin over the runner-up.

Without --slo the runs' own SLO (each sweep's, else each spec's) is used when
they all agree; runs measured against different SLOs need --slo. Runs of
different models are refused. Exit code 4 when no run meets the SLO.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErrorf("compare needs two run directories or more (got %d)", len(args))
			}
			return nil
		},
	}
	wf := addWorkloadFlags(cmd)
	fs := cmd.Flags()
	fs.StringVar(&slo, "slo", "", "latency SLO every run is judged by, e.g. p95=50ms (default: the runs' own, when they agree)")
	fs.Float64Var(&maxErr, "max-error-rate", 0.001, "highest error ratio a step may have and meet the SLO")
	fs.Lookup("max-error-rate").DefValue = "the run's own, else 0.001"
	fs.StringVar(&catalog, "catalog", "", "pricing catalog YAML that extends or overrides the embedded one")
	fs.StringVar(&format, "format", cost.FormatTable, "output format: table, markdown or json")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := cost.CheckFormat(format); err != nil {
			return usageErrorf("%v", err)
		}
		w, err := wf.resolve()
		if err != nil {
			return err
		}
		cat, err := cost.LoadCatalog(catalog)
		if err != nil {
			return usageErrorf("%v", err)
		}
		opts := cost.CompareOptions{Catalog: cat, Workload: w, Now: costClock(), MaxErrorRate: -1}
		if cmd.Flags().Changed("max-error-rate") {
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
		runs := make([]cost.NamedRun, len(args))
		for i, dir := range args {
			r, err := result.Read(dir)
			if err != nil {
				return usageErrorf("%v", err)
			}
			runs[i] = cost.NamedRun{Name: dir, Run: r}
		}
		c, err := cost.Compare(runs, opts)
		if err != nil {
			return costErr(err)
		}
		return cost.RenderComparison(cmd.OutOrStdout(), c, format)
	}
	return cmd
}
