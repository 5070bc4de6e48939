package plot

import (
	"errors"
	"fmt"
	"math"
	"sort"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// BatchCurve plots a sweep's answer: the most inferences/s within the SLO
// for each batch size, on a log2 batch-size axis with a tick at every size
// measured. The sweet spot (sweep.best_batch_size) and the knee
// (sweep.knee_batch_size) are ringed and named in the legend; a batch size
// at which no load met the SLO is a hollow marker at 0. The highest
// inferences/s measured with no latency bound is drawn dashed beside it, so
// the price of the SLO can be read off. When the sweep tried several
// built-in server configurations, each gets its own line.
func BatchCurve(run *result.Run) (*gplot.Plot, error) {
	p, _, err := batchCurve(run)
	return p, err
}

// batchCurve is BatchCurve that also returns the legend, for tests.
func batchCurve(run *result.Run) (*gplot.Plot, *sideLegend, error) {
	if run == nil {
		return nil, nil, errors.New("batch-size curve: no run given")
	}
	if run.Sweep == nil {
		return nil, nil, fmt.Errorf("batch-size curve: run %q is not a sweep (its run.json has no sweep answers)", run.Name)
	}
	sw := run.Sweep
	if len(sw.Curve) == 0 {
		return nil, nil, fmt.Errorf("batch-size curve: the sweep of run %q has no curve points (no batch size finished)", run.Name)
	}
	for i, pt := range sw.Curve {
		if pt.BatchSize < 1 {
			return nil, nil, fmt.Errorf("batch-size curve: curve point %d has batch size %d (want 1 or more)", i, pt.BatchSize)
		}
		if !isFinite(pt.MaxInferencesPerSAtSLO) || pt.MaxInferencesPerSAtSLO < 0 ||
			!isFinite(pt.MaxInferencesPerS) || pt.MaxInferencesPerS < 0 {
			return nil, nil, fmt.Errorf("batch-size curve: curve point %d (batch %d) has an invalid inferences/s (%g at the SLO, %g unbounded)",
				i, pt.BatchSize, pt.MaxInferencesPerSAtSLO, pt.MaxInferencesPerS)
		}
	}

	slo := "no SLO recorded"
	if len(sw.SLO) > 0 {
		slo = "SLO " + sloText(sw.SLO)
	}
	title := multiline("Peak inferences/s within the latency SLO, by batch size",
		subject(run)+titleSeparator+slo)
	p := newPlot(title, "batch size (inputs per request, log2 scale)", "inferences/s (successful requests/s × batch)")
	leg := newSideLegend()

	groups := groupCurve(sw.Curve)
	sizes := batchSizes(sw.Curve)
	p.X.Tick.Marker = batchTicks{sizes: sizes, axisPoints: 380}

	// Batch sizes at which no load met the SLO: a hollow ring at 0, red for
	// a single curve, in the curve's colour when there are several.
	var zeros []*plotter.Scatter
	var hasOffline bool
	maxY, maxMet := 0.0, 0.0
	for gi, g := range groups {
		col := colorAt(gi)
		var met, offline, zero plotter.XYs
		for _, pt := range g.points {
			x := math.Log10(float64(pt.BatchSize))
			maxMet = math.Max(maxMet, pt.MaxInferencesPerSAtSLO)
			if pt.MaxInferencesPerSAtSLO > 0 {
				met = append(met, plotter.XY{X: x, Y: pt.MaxInferencesPerSAtSLO})
			} else {
				zero = append(zero, plotter.XY{X: x, Y: 0})
			}
			if pt.MaxInferencesPerS > 0 {
				offline = append(offline, plotter.XY{X: x, Y: pt.MaxInferencesPerS})
			}
			maxY = math.Max(maxY, math.Max(pt.MaxInferencesPerSAtSLO, pt.MaxInferencesPerS))
		}
		if len(offline) > 0 {
			hasOffline = true
			l, err := newLine(offline, lineStyle(col, vg.Points(1), vg.Points(4), vg.Points(3)))
			if err != nil {
				return nil, nil, fmt.Errorf("batch-size curve: %w", err)
			}
			s, err := newScatter(offline, glyph(col, draw.CrossGlyph{}, vg.Points(2.5)))
			if err != nil {
				return nil, nil, fmt.Errorf("batch-size curve: %w", err)
			}
			p.Add(l, s)
			if len(groups) == 1 {
				leg.add("peak with no latency bound", l, s)
			}
		}
		if len(zero) > 0 {
			ringCol := col
			if len(groups) == 1 {
				ringCol = sloRed
			}
			s, err := newScatter(zero, glyph(ringCol, draw.RingGlyph{}, vg.Points(4.5)))
			if err != nil {
				return nil, nil, fmt.Errorf("batch-size curve: %w", err)
			}
			zeros = append(zeros, s)
		}
		name := "peak within the SLO"
		if len(groups) > 1 {
			name = g.label
		}
		if len(met) > 0 {
			l, err := newLine(met, lineStyle(col, vg.Points(2)))
			if err != nil {
				return nil, nil, fmt.Errorf("batch-size curve: %w", err)
			}
			s, err := newScatter(met, glyph(col, draw.CircleGlyph{}, vg.Points(3.5)))
			if err != nil {
				return nil, nil, fmt.Errorf("batch-size curve: %w", err)
			}
			p.Add(l, s)
			leg.add(name, l, s)
		} else if len(groups) > 1 {
			leg.add(name + ": no load met the SLO")
		}
	}
	if hasOffline && len(groups) > 1 {
		l := &hLine{style: lineStyle(darkGrey, vg.Points(1), vg.Points(4), vg.Points(3))}
		leg.add("dashed: peak with no latency bound", l)
	}
	if len(zeros) > 0 {
		for _, s := range zeros {
			p.Add(s)
		}
		thumb := gplot.Thumbnailer(zeros[0])
		if len(groups) > 1 {
			thumb = &glyphThumb{glyph(darkGrey, draw.RingGlyph{}, vg.Points(4.5))}
		}
		leg.add("no load met the SLO (0)", thumb)
	}

	// The sweet spot and the knee: a ring around the point and a faint
	// vertical guide, both named in the legend rather than on the plot so
	// that no label ever covers a point.
	best, bestOK := pointAt(sw.Curve, sw.BestBatchSize)
	knee, kneeOK := pointAt(sw.Curve, sw.KneeBatchSize)
	if bestOK {
		guide := &vLine{x: math.Log10(float64(best.BatchSize)), style: lineStyle(bestGreen, vg.Points(0.8), vg.Points(2), vg.Points(2))}
		ring, err := newScatter(plotter.XYs{{X: math.Log10(float64(best.BatchSize)), Y: best.MaxInferencesPerSAtSLO}},
			glyph(bestGreen, draw.RingGlyph{}, vg.Points(7.5)))
		if err != nil {
			return nil, nil, fmt.Errorf("batch-size curve: %w", err)
		}
		p.Add(guide, ring)
		name := fmt.Sprintf("best: batch %d, %s inferences/s", best.BatchSize, formatRate(best.MaxInferencesPerSAtSLO))
		if kneeOK && knee.BatchSize == best.BatchSize {
			name = fmt.Sprintf("best and knee: batch %d, %s inferences/s", best.BatchSize, formatRate(best.MaxInferencesPerSAtSLO))
		}
		leg.add(name, ring)
	}
	if kneeOK && (!bestOK || knee.BatchSize != best.BatchSize) {
		mark, err := newScatter(plotter.XYs{{X: math.Log10(float64(knee.BatchSize)), Y: knee.MaxInferencesPerSAtSLO}},
			glyph(black, draw.SquareGlyph{}, vg.Points(6)))
		if err != nil {
			return nil, nil, fmt.Errorf("batch-size curve: %w", err)
		}
		p.Add(mark)
		share := ""
		if bestOK && best.MaxInferencesPerSAtSLO > 0 {
			share = fmt.Sprintf(" (%.0f%% of best)", 100*knee.MaxInferencesPerSAtSLO/best.MaxInferencesPerSAtSLO)
		}
		leg.add(fmt.Sprintf("knee: batch %d%s", knee.BatchSize, share), mark)
	}
	if maxMet == 0 {
		leg.heading("no batch size met the SLO")
	}
	p.Add(leg)

	// The axis holds log10 of the batch size (see logTicks); pad it by a
	// factor of 1.3 each side so the end markers clear the frame.
	lo, hi := math.Log10(float64(sizes[0])), math.Log10(float64(sizes[len(sizes)-1]))
	pad := math.Log10(1.3)
	if lo == hi {
		pad = math.Log10(2)
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Y.Min = 0
	p.Y.Max = maxY * 1.08
	if maxY <= 0 {
		p.Y.Max = 1
	}
	return p, leg, nil
}

// curveGroup is the curve of one built-in server configuration (or the
// whole curve for an external target).
type curveGroup struct {
	label  string
	points []result.CurvePoint
}

// groupCurve splits the curve by server configuration, in order of first
// appearance, each group sorted by batch size.
func groupCurve(curve []result.CurvePoint) []curveGroup {
	var groups []curveGroup
	index := map[string]int{}
	for _, pt := range curve {
		k := serverLabel(pt.Server)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, curveGroup{label: k})
		}
		groups[i].points = append(groups[i].points, pt)
	}
	for _, g := range groups {
		sort.SliceStable(g.points, func(a, b int) bool { return g.points[a].BatchSize < g.points[b].BatchSize })
	}
	return groups
}

// batchSizes lists the distinct batch sizes of the curve, ascending.
func batchSizes(curve []result.CurvePoint) []int {
	seen := map[int]bool{}
	var out []int
	for _, pt := range curve {
		if !seen[pt.BatchSize] {
			seen[pt.BatchSize] = true
			out = append(out, pt.BatchSize)
		}
	}
	sort.Ints(out)
	return out
}

// pointAt returns the curve point of batch size b with the most
// inferences/s within the SLO (the winning server configuration when
// several were tried); false when b is 0 or not on the curve.
func pointAt(curve []result.CurvePoint, b int) (result.CurvePoint, bool) {
	var best result.CurvePoint
	found := false
	for _, pt := range curve {
		if b > 0 && pt.BatchSize == b && (!found || pt.MaxInferencesPerSAtSLO > best.MaxInferencesPerSAtSLO) {
			best, found = pt, true
		}
	}
	return best, found && best.MaxInferencesPerSAtSLO > 0
}
