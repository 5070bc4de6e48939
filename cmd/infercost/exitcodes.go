package main

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes, documented in the README ("Exit codes") and in `infercost --help`.
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitFailure: an unexpected failure (a file could not be written, ...).
	ExitFailure = 1
	// ExitUsage: bad flags or bad input (a spec, catalog, workload or data
	// file that does not parse, a value out of range).
	ExitUsage = 2
	// ExitTarget: the target failed preflight: unreachable, not live or not
	// ready, unknown model, or a test request refused (4xx).
	ExitTarget = 3
	// ExitNoCapacity: no measured step meets the SLO, so there is no
	// capacity to report or to price.
	ExitNoCapacity = 4
	// ExitRegression: infercost check failed the gate: the run misses its
	// SLO, regressed against its baseline beyond --max-regression and the
	// noise, or is over --max-cost-per-million.
	ExitRegression = 5
	// ExitInterrupted: stopped by SIGINT or SIGTERM; what was measured was
	// written and summarized first.
	ExitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0    success
  1    unexpected failure (e.g. a file could not be written)
  2    bad flags or bad input (spec, catalog, workload or data file)
  3    the target failed preflight (unreachable, not ready, unknown model, test request refused)
  4    no measured step meets the SLO: no capacity to report or price
  5    infercost check failed: the run misses its SLO, regressed against its baseline, or is over budget
  130  interrupted by SIGINT/SIGTERM; finished steps were written and summarized`

// exitError carries an exit code with an error.
type exitError struct {
	code   int
	err    error
	silent bool // already reported to the user; print nothing more
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad flags or input (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// withCode wraps err with an exit code; nil stays nil.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// silentExit ends the command with code after the command has already said
// everything (e.g. an interrupted run whose summary was printed).
func silentExit(code int, err error) error {
	return &exitError{code: code, err: err, silent: true}
}

func exitCodeOf(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// cobra words an unknown subcommand of the root this way and has no
	// error type for it.
	if isFlagError(err) || strings.HasPrefix(err.Error(), "unknown command ") {
		return ExitUsage
	}
	return ExitFailure
}

func isSilent(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.silent
}

// flagError marks cobra's own argument and flag parsing failures.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func isFlagError(err error) bool {
	var fe *flagError
	return errors.As(err, &fe)
}
