package plot

import (
	"fmt"
	"math"
	"sort"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// Pareto plots the trade-off an LLM deployment is chosen on, as AIPerf and
// vLLM's bench sweep draw it: output tokens/s per GPU (what the hardware
// earns) against output tokens/s per user (output_tokens_per_s_per_user,
// each stream's own rate: how fast the answer reads). One point per step,
// labelled with its load (c=16, or the offered rate); the Pareto frontier,
// the steps no other step beats on both, is drawn as a line; steps meeting
// the SLO are filled, the others hollow, and the sweet spot is ringed.
// Per GPU divides by spec.gpus (--gpus; 1 when the run does not say).
func Pareto(run *result.Run) (*gplot.Plot, error) {
	p, _, _, err := pareto(run)
	return p, err
}

// pareto is Pareto that also returns the legend and the point labels, for
// tests.
func pareto(run *result.Run) (*gplot.Plot, *sideLegend, *pointLabels, error) {
	const what = "Pareto chart"
	l, err := llmLoadOf(run, what)
	if err != nil {
		return nil, nil, nil, err
	}
	gpus := run.Spec.GPUs
	if gpus <= 0 {
		gpus = 1
	}
	var raw plotter.XYs
	var points []llmPoint
	for _, pt := range l.points {
		u := pt.st.OutputTokensPerSPerUser
		if u == nil || !(*u > 0) || !isFinite(*u) || !(pt.st.Throughput() > 0) {
			continue
		}
		raw = append(raw, plotter.XY{X: *u, Y: pt.st.Throughput() / float64(gpus)})
		points = append(points, pt)
	}
	if len(raw) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no step of run %q has output tokens/s per user (output_tokens_per_s_per_user)", what, run.Name)
	}

	yLabel := "output tokens/s per GPU (1 GPU)"
	if gpus > 1 {
		yLabel = fmt.Sprintf("output tokens/s per GPU (total ÷ %d GPUs)", gpus)
	}
	title := multiline("Throughput per GPU vs speed per user (output tokens/s), with the Pareto frontier",
		subject(run)+titleSeparator+sloNote(run))
	p := newPlot(title, "output tokens/s per user (mean of each stream's own rate)", yLabel)
	leg := newSideLegend()
	xs, ys := make([]float64, len(raw)), make([]float64, len(raw))
	for i, xy := range raw {
		xs[i], ys[i] = xy.X, xy.Y
	}
	fx, fy := setRange(&p.X, xs), setRange(&p.Y, ys)
	pts := make(plotter.XYs, len(raw))
	hollow := make([]bool, len(raw))
	labels := make([]string, len(raw))
	for i, xy := range raw {
		pts[i] = plotter.XY{X: fx(xy.X), Y: fy(xy.Y)}
		hollow[i] = (len(l.slo) > 0 && !points[i].meets) || (len(l.slo) == 0 && points[i].flagged)
		labels[i] = points[i].label
	}

	front := paretoFrontier(raw)
	fpts := make(plotter.XYs, len(front))
	for i, k := range front {
		fpts[i] = pts[k]
	}
	fl, err := newLine(fpts, lineStyle(darkGrey, vg.Points(1.2)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	col := colorAt(0)
	s, err := newScatter(pts, glyph(col, draw.CircleGlyph{}, vg.Points(3.4)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	filled, empty := s.GlyphStyle, glyph(col, openCircle{}, vg.Points(3.8))
	s.GlyphStyleFunc = func(i int) draw.GlyphStyle {
		if hollow[i] {
			return empty
		}
		return filled
	}
	lbl := &pointLabels{pts: pts, labels: labels, lines: []plotter.XYs{fpts}, style: textStyle(sansFace, noteSize, darkGrey), clear: vg.Points(9)}
	p.Add(fl, s, lbl)
	leg.add(fmt.Sprintf("Pareto frontier (%d of %d steps)", len(front), len(pts)), fl)
	l.addMeetsKey(leg)
	for i, pt := range points {
		if l.best >= 0 && pt.st == l.points[l.best].st {
			ring, err := addBest(p, pts[i].X, pts[i].Y, false)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%s: %w", what, err)
			}
			leg.add(fmt.Sprintf("sweet spot: %s,", l.bestName()), ring)
			leg.heading(fmt.Sprintf("%s output tokens/s per GPU", formatRate(raw[i].Y)))
		}
	}
	switch {
	case l.byConcurrency:
		leg.heading("labels: concurrency (c=)")
	case l.modes[result.ModeConcurrency]:
		leg.heading("labels: concurrency (c=)")
		leg.heading(" or offered requests/s (/s)")
	default:
		leg.heading("labels: offered requests/s")
	}
	p.Add(leg)
	// Plot.Add widened the ranges to the data; set them again as chosen.
	setRange(&p.X, xs)
	setRange(&p.Y, ys)
	return p, leg, lbl, nil
}

// paretoFrontier returns the indexes of the points no other point beats
// on both x and y (higher is better on both), in ascending x.
func paretoFrontier(pts plotter.XYs) []int {
	idx := make([]int, len(pts))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if pts[idx[a]].X != pts[idx[b]].X {
			return pts[idx[a]].X > pts[idx[b]].X
		}
		return pts[idx[a]].Y > pts[idx[b]].Y
	})
	var out []int
	best := math.Inf(-1)
	for _, i := range idx {
		if pts[i].Y > best {
			out = append(out, i)
			best = pts[i].Y
		}
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}
