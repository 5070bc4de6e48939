package plot

import (
	"fmt"
	"strconv"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// subject says what was measured, for titles: the model and the hardware
// ("model resnet50 on NVIDIA A10G"), as far as the run knows them.
func subject(run *result.Run) string {
	model := strings.TrimSpace(run.Spec.Model)
	if model == "" {
		model = "unnamed model"
	} else {
		model = "model " + model
	}
	hw := strings.TrimSpace(run.Environment.Hardware)
	if hw == "" {
		hw = strings.TrimSpace(run.Spec.HardwareLabel)
	}
	if hw == "" {
		hw = strings.TrimSpace(run.Environment.CPUModel)
	}
	if hw == "" {
		return model + " (hardware not recorded)"
	}
	return model + " on " + hw
}

// sloText writes bounds for people: "p95 ≤ 50 ms, p99 ≤ 120 ms", and for
// an LLM endpoint "ttft_p95 ≤ 500 ms, itl_p95 ≤ 50 ms": each bound by the
// name --slo takes, so a TTFT bound never reads as one on request latency.
func sloText(slo []result.SLOBound) string {
	parts := make([]string, len(slo))
	for i, b := range slo {
		parts[i] = fmt.Sprintf("%s ≤ %s ms", b.Name(), strconv.FormatFloat(b.BoundMS, 'g', 4, 64))
	}
	return strings.Join(parts, ", ")
}

// isLatencyBound reports whether b bounds request (e2e) latency, the
// metric of every bound written before version 2.
func isLatencyBound(b result.SLOBound) bool {
	return b.Metric == "" || b.Metric == result.MetricLatency
}

// runUnit is the unit a run's work is counted in: the sweep's when it
// names one, else the steps' (result.Run.Unit).
func runUnit(run *result.Run) string {
	if run.Sweep != nil && run.Sweep.Unit != "" {
		return run.Sweep.Unit
	}
	return run.Unit()
}

// unitRate names a throughput in a unit, for axes and legends:
// "inferences/s" or "output tokens/s".
func unitRate(unit string) string { return result.UnitWords(unit) + "/s" }

// formatRate writes a rate with three significant digits and an SI suffix
// (12.3k), as the axes do.
func formatRate(v float64) string {
	if v == 0 {
		return "0"
	}
	s := strconv.FormatFloat(v, 'g', 3, 64)
	f, _ := strconv.ParseFloat(s, 64)
	return formatSI(f, f)
}

// serverLabel names a built-in server configuration in a few words; ""
// for an external target.
func serverLabel(s *result.ServerConfig) string {
	if s == nil {
		return ""
	}
	l := fmt.Sprintf("server batch ≤ %d, delay %s ms", s.MaxBatchSize, strconv.FormatFloat(s.MaxQueueDelayMS, 'g', 4, 64))
	if s.IsLM() {
		l = fmt.Sprintf("server sequences ≤ %d", s.MaxNumSeqs)
	}
	if s.Instances > 1 {
		l += fmt.Sprintf(", %d instances", s.Instances)
	}
	return l
}

// newLine is a polyline through xys in the given style.
func newLine(xys plotter.XYs, style draw.LineStyle) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.LineStyle = style
	return l, nil
}

// newScatter is a marker at each of xys.
func newScatter(xys plotter.XYs, g draw.GlyphStyle) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = g
	return s, nil
}
