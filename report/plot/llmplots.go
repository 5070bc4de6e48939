package plot

import "github.com/infercost/infercost/result"

// writeLLM draws the plots of an LLM run (issue 11, "Sweeps for LLMs")
// with save, and returns the errors of those that applied but could not
// be drawn. A run with no step carrying token figures from a successful
// request gets none of them, silently, as WriteAll skips what does not
// apply.
//
// LLMLatencyVsLoad replaces LatencyVsLoad for these runs rather than
// joining it: its e2e panel is the same request latency against the same
// load, and beside it are TTFT and ITL, which an LLM SLO is written in.
func writeLLM(run *result.Run, save func(string, *Figure)) []error {
	if _, err := llmLoadOf(run, "LLM plots"); err != nil {
		return nil
	}
	var errs []error
	if f, err := TokensVsConcurrency(run); err != nil {
		errs = append(errs, err)
	} else {
		save(TokensVsConcurrencyFile, f)
	}
	if f, err := LLMLatencyVsLoad(run); err != nil {
		errs = append(errs, err)
	} else {
		save(LLMLatencyVsLoadFile, f)
	}
	if hasPerUser(run) {
		if p, err := Pareto(run); err != nil {
			errs = append(errs, err)
		} else {
			save(ParetoFile, FigureOf(p))
		}
	}
	return errs
}

// hasPerUser reports whether any step has the per-user figure the Pareto
// chart is drawn against.
func hasPerUser(run *result.Run) bool {
	for i := range run.Steps {
		if u := run.Steps[i].OutputTokensPerSPerUser; u != nil && *u > 0 {
			return true
		}
	}
	return false
}
