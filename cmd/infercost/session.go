package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/report/plot"
	"github.com/infercost/infercost/report/summary"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
)

// Output formats of the measuring commands.
const (
	formatTable = "table"
	formatJSON  = "json"
)

// checkMeasureFormat validates --format of profile, sweep and demo.
func checkMeasureFormat(f string) error {
	if f != formatTable && f != formatJSON {
		return usageErrorf("--format must be table or json, got %q", f)
	}
	return nil
}

// sessionSummary is what --format json prints on stdout once the session
// is over: the run directory, the run record (run.json) and, for the demo,
// its cost answer.
type sessionSummary struct {
	RunDir string      `json:"run_dir"`
	Status string      `json:"status"`
	Run    *result.Run `json:"run"`
	// Cost is the demo's cost answer (null for profile and sweep, or when
	// no step met the SLO: then CostError says why).
	Cost      any     `json:"cost"`
	CostError *string `json:"cost_error"`
}

// afterFunc runs once a session finished (the demo's cost answer). With
// --format table it prints; with json it returns what to embed.
type afterFunc func(run *result.Run, dir string, format string) (any, error)

// measureSession runs body inside a profiling session and handles what
// every measuring command shares: SIGINT/SIGTERM (stop the load, keep what
// was measured, exit 130), preflight failures (exit 3), bad data files
// (exit 2), the final run.json, plots and the summary: a table on stdout,
// or with --format json the run as JSON on stdout (progress stays on
// stderr). after runs once the session is finished (e.g. the demo's cost
// answer); it is skipped on an interrupt.
func measureSession(cmd *cobra.Command, cfg profiler.Config, format string, body func(ctx context.Context, s *profiler.Session) error,
	after afterFunc) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
	cfg.Log = errw

	s, err := profiler.Open(ctx, cfg)
	if err != nil {
		var pe *loadgen.PreflightError
		var de *loadgen.DataError
		switch {
		case errors.As(err, &de):
			return withCode(ExitUsage, err)
		case errors.As(err, &pe):
			return withCode(ExitTarget, err)
		case ctx.Err() != nil:
			return withCode(ExitInterrupted, fmt.Errorf("interrupted before the first step; nothing measured"))
		}
		return err
	}
	fmt.Fprintf(errw, "run directory: %s\n", s.Dir())

	bodyErr := body(ctx, s)
	status := result.StatusComplete
	switch {
	case errors.Is(bodyErr, profiler.ErrInterrupted) || (bodyErr != nil && ctx.Err() != nil):
		status = result.StatusInterrupted
	case bodyErr != nil:
		status = result.StatusFailed
	}
	finishErr := s.Finish(status)
	run := s.Run()
	writePlots(errw, run, s.Dir())
	writeHTMLReport(errw, run, s.Dir())

	summaryOut := out
	if format == formatJSON {
		summaryOut = errw // the table goes with the progress; stdout gets JSON only
	}
	fmt.Fprintln(summaryOut)
	summary.WriteRun(summaryOut, run, s.Dir())

	doc := sessionSummary{RunDir: s.Dir(), Status: status, Run: run}
	var afterErr error
	if status == result.StatusComplete && bodyErr == nil && finishErr == nil && after != nil {
		doc.Cost, afterErr = after(run, s.Dir(), format)
		if afterErr != nil {
			msg := afterErr.Error()
			doc.CostError = &msg
		}
	}
	if format == formatJSON {
		if err := writeJSONDoc(out, doc); err != nil {
			return err
		}
	}

	switch {
	case status == result.StatusInterrupted:
		fmt.Fprintf(errw, "\ninterrupted: %d finished step(s) kept in %s\n", countFinished(run), s.Dir())
		return silentExit(ExitInterrupted, profiler.ErrInterrupted)
	case bodyErr != nil:
		var de *loadgen.DataError
		if errors.As(bodyErr, &de) {
			return withCode(ExitUsage, errors.Join(bodyErr, finishErr))
		}
		return errors.Join(bodyErr, finishErr)
	case finishErr != nil:
		return finishErr
	}
	return afterErr
}

// writeJSONDoc writes v as indented JSON.
func writeJSONDoc(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writePlots(w io.Writer, run *result.Run, dir string) {
	if len(run.Steps) == 0 {
		return
	}
	files, err := plot.WriteAll(run, dir)
	if err != nil {
		fmt.Fprintf(w, "plots: %v\n", err)
		return
	}
	if len(files) > 0 {
		fmt.Fprintf(w, "plots: %d files in %s\n", len(files), dir)
	}
}

func countFinished(run *result.Run) int {
	n := 0
	for _, st := range run.Steps {
		if !st.Flags.Interrupted {
			n++
		}
	}
	return n
}
