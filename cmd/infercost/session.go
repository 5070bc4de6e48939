package main

import (
	"context"
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

// measureSession runs body inside a profiling session and handles what
// every measuring command shares: SIGINT/SIGTERM (stop the load, keep what
// was measured, exit 130), preflight failures (exit 3), the final run.json,
// plots and the terminal summary. after runs once the session is finished
// (e.g. the demo's cost answer); it is skipped on an interrupt.
func measureSession(cmd *cobra.Command, cfg profiler.Config, body func(ctx context.Context, s *profiler.Session) error,
	after func(run *result.Run, dir string) error) error {
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

	fmt.Fprintln(out)
	summary.WriteRun(out, run, s.Dir())

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
	if after != nil {
		return after(run, s.Dir())
	}
	return nil
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
