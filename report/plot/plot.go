// Package plot draws the pictures of a run: the sweep's batch-size curve,
// latency against load with the SLO, and machine utilization over time,
// and for an LLM endpoint output tokens/s against concurrency, TTFT and
// ITL against load and the throughput-interactivity Pareto chart, each as
// PNG and SVG in the run directory. It reads only the run.json contract
// (package result) and samples.csv, so any run on disk can be plotted
// again.
//
// Every axis names its unit, rates say whether they count requests,
// inferences or output tokens (the run's unit, DESIGN "Units and words"),
// legends sit beside the data area
// rather than on it, and titles say what was measured: the model, the
// hardware and the SLO.
package plot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/infercost/infercost/result"
)

// File names of the plots in a run directory (PNG and SVG each).
const (
	BatchCurveFile    = "batch-curve"
	LatencyVsLoadFile = "latency-vs-load"
	UtilizationFile   = "utilization"
	// The plots of an LLM run (unit output_token), see writeLLM.
	TokensVsConcurrencyFile = "tokens-vs-concurrency"
	LLMLatencyVsLoadFile    = "llm-latency-vs-load"
	ParetoFile              = "pareto"
)

// WriteAll writes every plot that applies to run into dir, each as PNG and
// SVG, and returns the names written, relative to dir. A sweep gets the
// batch-size curve; any run with a step that has latency data gets latency
// vs load; utilization is drawn from dir/samples.csv when it is there.
// An LLM run (its unit is output tokens) gets tokens vs concurrency,
// LLM latency vs load in place of latency vs load, and the Pareto chart
// (see writeLLM); its batch-size curve only when it measured more than
// one batch size, since tokens vs concurrency is its curve.
//
// A plot that does not apply is skipped silently (a profile has no curve;
// a run without samples.csv has no utilization). A plot that applies but
// cannot be drawn is skipped too, and its error joined into the returned
// error, so one bad input never costs the others: the caller gets every
// file that could be written.
func WriteAll(run *result.Run, dir string) ([]string, error) {
	if run == nil {
		return nil, errors.New("write plots: no run given")
	}
	if dir == "" {
		return nil, errors.New("write plots: no run directory given")
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("write plots: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("write plots: %s is not a directory", dir)
	}

	var written []string
	var errs []error
	save := func(base string, fig *Figure) {
		for _, ext := range []string{".png", ".svg"} {
			if err := fig.Save(filepath.Join(dir, base+ext)); err != nil {
				errs = append(errs, err)
				continue
			}
			written = append(written, base+ext)
		}
	}

	llm := run.Unit() == result.UnitOutputToken
	if run.Sweep != nil && len(run.Sweep.Curve) > 0 && (!llm || len(batchSizes(run.Sweep.Curve)) > 1) {
		if p, err := BatchCurve(run); err != nil {
			errs = append(errs, err)
		} else {
			save(BatchCurveFile, FigureOf(p))
		}
	}
	if llm {
		errs = append(errs, writeLLM(run, save)...)
	} else if hasLatency(run) {
		if p, err := LatencyVsLoad(run); err != nil {
			errs = append(errs, err)
		} else {
			save(LatencyVsLoadFile, FigureOf(p))
		}
	}
	samples, err := readSamples(dir)
	switch {
	case err != nil:
		errs = append(errs, err)
	case len(samples) > 0:
		if fig, err := Utilization(run, samples); err != nil {
			errs = append(errs, err)
		} else {
			save(UtilizationFile, fig)
		}
	}
	return written, errors.Join(errs...)
}

// hasLatency reports whether any step can be placed on the latency plot.
func hasLatency(run *result.Run) bool {
	groups, _ := latencyGroups(run.Steps)
	return len(groups) > 0
}

// readSamples reads dir/samples.csv; no file is no samples, not an error.
func readSamples(dir string) ([]result.Sample, error) {
	f, err := os.Open(filepath.Join(dir, result.SamplesFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("write plots: %w", err)
	}
	defer f.Close()
	ss, err := result.ReadSamplesCSV(f)
	if err != nil {
		return nil, fmt.Errorf("write plots: %s: %w", filepath.Join(dir, result.SamplesFile), err)
	}
	return ss, nil
}
