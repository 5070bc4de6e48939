package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/report/history"
	"github.com/infercost/infercost/report/htmlreport"
	"github.com/infercost/infercost/report/merge"
	"github.com/infercost/infercost/report/render"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/version"
	"github.com/spf13/cobra"
)

func init() { register(newReportCmd) }

// pricingFlags say how report and check price runs: --slo,
// --max-error-rate, --catalog and the cost command's workload flags.
type pricingFlags struct {
	slo, catalog string
	maxErr       float64
	wf           *workloadFlags
}

// reportFlags are the report command's flags.
type reportFlags struct {
	pricingFlags
	html, format, historyDir, by string
	merge                        bool
}

// addPricingFlags registers the pricing flags on cmd.
func addPricingFlags(cmd *cobra.Command, p *pricingFlags) {
	p.wf = addWorkloadFlags(cmd)
	fs := cmd.Flags()
	fs.StringVar(&p.slo, "slo", "", "SLO the steps are judged and priced by, e.g. p95=50ms (default: each run's own)")
	fs.Float64Var(&p.maxErr, "max-error-rate", 0.001, "highest error ratio a step may have and meet the SLO")
	fs.Lookup("max-error-rate").DefValue = "the run's own, else 0.001"
	fs.StringVar(&p.catalog, "catalog", "", "pricing catalog YAML that extends or overrides the embedded one")
}

func newReportCmd() *cobra.Command {
	f := &reportFlags{}
	cmd := &cobra.Command{
		Use:   "report RUN... | report --history DIR --by KEY",
		Short: "Re-render measured runs (table, Markdown, JSON, CSV or a self-contained HTML report) without measuring again",
		Long: `report renders run directories again from what they hold: run.json, and
each step's histogram log (steps/*.hlog), from which every quantile is
recomputed exactly. Runs without histogram logs (copied run.json files, the
golden runs) fall back to run.json's figures, and the output says so.

--format table (the measuring commands' summary), markdown, json, or csv:
one header row (units in the names: p95_ms, throughput_inferences_per_s,
output_tokens_per_s) and one row per step with every figure, as
perf_analyzer's -f gives.

--html FILE writes the HTML report: one self-contained file (the chart
library inlined; nothing loaded or linked) leading with the answer. One run
(or a merge) gets its report; several runs get the compare view (infercost
compare at one SLO), each run beside it.

--merge pools the runs into one: each load measured in every run becomes one
step whose latency histograms are added (exact quantiles), counts and
durations summed and rates taken over the summed time. Sampler figures
(CPU, memory, GPU) are not pooled: the merged step keeps the first run's.
Runs of different models, units or hardware are refused, and so is a step
without its histogram log.

--history DIR --by KEY reads every run directly under DIR recorded with
--label KEY=VALUE and shows capacity at the SLO and cost per million at
full utilisation for each value, in the order the values were first
measured (with --html, as a chart too).

The cost answer uses the embedded catalog (or --catalog), the default
workload (or the workload flags) and each run's own SLO (or --slo).`,
	}
	addPricingFlags(cmd, &f.pricingFlags)
	fs := cmd.Flags()
	fs.StringVar(&f.html, "html", "", "also write the HTML report to FILE")
	fs.StringVar(&f.format, "format", render.FormatTable, "output format on stdout: table, markdown, json or csv")
	fs.BoolVar(&f.merge, "merge", false, "merge the runs' matching steps into one run (histograms added; see above)")
	fs.StringVar(&f.historyDir, "history", "", "show the history of the runs under DIR by the label --by")
	fs.StringVar(&f.by, "by", "", "the label (--label KEY=VALUE) a history follows, e.g. model_version")
	cmd.Args = func(_ *cobra.Command, args []string) error {
		switch {
		case f.historyDir != "" && len(args) > 0:
			return usageErrorf("give run directories or --history DIR, not both")
		case f.historyDir == "" && len(args) == 0:
			return usageErrorf("report needs a run directory (infercost report runs/RUN), or --history DIR --by KEY")
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return runReport(cmd, f, args) }
	return cmd
}

func runReport(cmd *cobra.Command, f *reportFlags, args []string) error {
	if err := render.CheckFormat(f.format); err != nil {
		return usageErrorf("%v", err)
	}
	o, err := f.answerOptions(cmd)
	if err != nil {
		return err
	}
	ho := htmlreport.Options{Answer: o, Version: version.String(), Now: costClock()}
	out := cmd.OutOrStdout()
	if f.historyDir != "" {
		return reportHistory(cmd, f, o, ho)
	}
	if f.by != "" {
		return usageErrorf("--by belongs with --history DIR")
	}
	var dirs []*runs.Dir
	for _, a := range args {
		d, err := runs.Load(a)
		if err != nil {
			return usageErrorf("%v", err)
		}
		dirs = append(dirs, d)
	}
	if f.merge {
		m, err := merge.Runs(dirs)
		if err != nil {
			return usageErrorf("%v", err)
		}
		dirs = []*runs.Dir{m}
	}
	if err := render.Write(out, render.Prepare(dirs, o), f.format); err != nil {
		return err
	}
	if f.html == "" {
		return nil
	}
	write := func(w io.Writer) error { return htmlreport.WriteRun(w, dirs[0], ho) }
	if len(dirs) > 1 {
		write = func(w io.Writer) error { return htmlreport.WriteCompare(w, dirs, ho) }
	}
	if err := htmlreport.WriteFile(f.html, write); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "html report: %s\n", f.html)
	return nil
}

func reportHistory(cmd *cobra.Command, f *reportFlags, o answer.Options, ho htmlreport.Options) error {
	if f.by == "" {
		return usageErrorf("--history needs --by KEY: the label to follow (e.g. --by model_version)")
	}
	if f.merge {
		return usageErrorf("--merge takes run directories, not --history")
	}
	h, err := history.Build(f.historyDir, f.by, o)
	if errors.Is(err, history.ErrInput) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	if err := h.Write(cmd.OutOrStdout(), f.format); err != nil {
		return err
	}
	if f.html == "" {
		return nil
	}
	if err := htmlreport.WriteFile(f.html, func(w io.Writer) error { return htmlreport.WriteHistory(w, h, ho) }); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "html report: %s\n", f.html)
	return nil
}

// answerOptions resolves how reports price: the catalog, the workload,
// --slo and --max-error-rate (the run's own when not given).
func (f *pricingFlags) answerOptions(cmd *cobra.Command) (answer.Options, error) {
	w, err := f.wf.resolve()
	if err != nil {
		return answer.Options{}, err
	}
	cat, err := cost.LoadCatalog(f.catalog)
	if err != nil {
		return answer.Options{}, usageErrorf("%v", err)
	}
	o := answer.Options{Catalog: cat, Workload: w, MaxErrorRate: -1, Now: costClock()}
	if cmd.Flags().Changed("max-error-rate") {
		if err := checkMaxErrorRate(f.maxErr); err != nil {
			return o, err
		}
		o.MaxErrorRate = f.maxErr
	}
	if f.slo != "" {
		if o.SLO, err = parseSLOFlag(f.slo); err != nil {
			return o, err
		}
	}
	return o, nil
}
