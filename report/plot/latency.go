package plot

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// percentileLook is how one latency percentile is drawn: the same dash and
// marker shape in every group, so colour says the batch size and the stroke
// says the percentile.
type percentileLook struct {
	name   string
	value  func(q result.Quantiles) float64
	dashes []vg.Length
	filled draw.GlyphDrawer
	hollow draw.GlyphDrawer
}

var percentileLooks = []percentileLook{
	{"p50", func(q result.Quantiles) float64 { return q.P50 }, []vg.Length{vg.Points(1.5), vg.Points(2)}, draw.CircleGlyph{}, draw.RingGlyph{}},
	{"p95", func(q result.Quantiles) float64 { return q.P95 }, nil, draw.PyramidGlyph{}, draw.TriangleGlyph{}},
	{"p99", func(q result.Quantiles) float64 { return q.P99 }, []vg.Length{vg.Points(6), vg.Points(3)}, draw.BoxGlyph{}, draw.SquareGlyph{}},
}

// sloDashes draws an SLO bound with its percentile's stroke, so a reader
// can tell which line bounds which percentile; p90 and p999 get their own.
func sloDashes(percentile string) []vg.Length {
	for _, l := range percentileLooks {
		if l.name == percentile {
			return l.dashes
		}
	}
	return []vg.Length{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}
}

// LatencyVsLoad plots p50, p95 and p99 corrected latency (ms) against the
// load, one colour per batch size (and per built-in server configuration
// when the run tried several), with the SLO bounds as horizontal lines.
// Rate-mode steps sit at their offered requests/s; concurrency-mode steps,
// which have no offered rate, at their achieved requests/s, and the x axis
// says so. Steps flagged unstable, generator-limited, stopped early or
// interrupted are drawn hollow. Axes turn logarithmic when the values span
// more than a factor of 20, so an overloaded step does not flatten the
// rest against the axis.
func LatencyVsLoad(run *result.Run) (*gplot.Plot, error) {
	p, _, err := latencyVsLoad(run)
	return p, err
}

// latencyVsLoad is LatencyVsLoad that also returns the legend, for tests.
func latencyVsLoad(run *result.Run) (*gplot.Plot, *sideLegend, error) {
	if run == nil {
		return nil, nil, errors.New("latency vs load: no run given")
	}
	if len(run.Steps) == 0 {
		return nil, nil, fmt.Errorf("latency vs load: run %q has no steps", run.Name)
	}
	groups, modes := latencyGroups(run.Steps)
	if len(groups) == 0 {
		return nil, nil, fmt.Errorf("latency vs load: none of the %d steps of run %q has latency data at a known load (every step failed or none finished)",
			len(run.Steps), run.Name)
	}
	slo := runSLO(run)

	sloLine := ""
	if len(slo) > 0 {
		sloLine = titleSeparator + "SLO " + sloText(slo)
	}
	title := multiline("Corrected latency (p50, p95, p99) vs load", subject(run)+sloLine)
	p := newPlot(title, loadAxisLabel(modes), "corrected latency (ms)")
	leg := newSideLegend()

	// First gather every point, then choose linear or log axes from the
	// whole range, then draw with the chosen mapping.
	type series struct {
		group, look int
		pts         plotter.XYs
		flagged     []bool
	}
	var all []series
	var xs, ys []float64
	anyFlagged := false
	for gi, g := range groups {
		for pi, look := range percentileLooks {
			sr := series{group: gi, look: pi}
			for _, st := range g.steps {
				v := look.value(st.LatencyMS.Corrected)
				if !(v > 0) || !isFinite(v) {
					continue
				}
				sr.pts = append(sr.pts, plotter.XY{X: st.x, Y: v})
				sr.flagged = append(sr.flagged, st.flagged)
				anyFlagged = anyFlagged || st.flagged
				xs = append(xs, st.x)
				ys = append(ys, v)
			}
			if len(sr.pts) > 0 {
				all = append(all, sr)
			}
		}
	}
	// Only bounds on request latency are lines here: a ttft or itl bound
	// drawn on this axis would read as a bound on the request.
	var bounds []result.SLOBound
	for _, b := range slo {
		if isLatencyBound(b) {
			bounds = append(bounds, b)
			ys = append(ys, b.BoundMS)
		}
	}
	fx := setRange(&p.X, xs)
	fy := setRange(&p.Y, ys)

	single := len(groups) == 1
	if !single {
		for gi, g := range groups {
			leg.add(g.label, &hLine{style: lineStyle(colorAt(gi), vg.Points(2.5))})
		}
	}
	for _, sr := range all {
		look := percentileLooks[sr.look]
		col := colorAt(sr.group)
		if single {
			col = colorAt(sr.look)
		}
		pts := make(plotter.XYs, len(sr.pts))
		for i, xy := range sr.pts {
			pts[i] = plotter.XY{X: fx(xy.X), Y: fy(xy.Y)}
		}
		l, err := newLine(pts, lineStyle(col, vg.Points(1.4), look.dashes...))
		if err != nil {
			return nil, nil, fmt.Errorf("latency vs load: %w", err)
		}
		s, err := newScatter(pts, glyph(col, look.filled, vg.Points(2.8)))
		if err != nil {
			return nil, nil, fmt.Errorf("latency vs load: %w", err)
		}
		base, hollow, flagged := s.GlyphStyle, glyph(col, look.hollow, vg.Points(3.2)), sr.flagged
		s.GlyphStyleFunc = func(i int) draw.GlyphStyle {
			if flagged[i] {
				return hollow
			}
			return base
		}
		p.Add(l, s)
		if single {
			leg.add(look.name, l, s)
		}
	}
	if !single {
		for _, look := range percentileLooks {
			l := &hLine{style: lineStyle(darkGrey, vg.Points(1.4), look.dashes...)}
			leg.add(look.name, l, &glyphThumb{glyph(darkGrey, look.filled, vg.Points(2.8))})
		}
	}
	for _, b := range bounds {
		h := &hLine{y: fy(b.BoundMS), style: lineStyle(sloRed, vg.Points(1.6), sloDashes(b.Percentile)...)}
		p.Add(h)
		leg.add(fmt.Sprintf("SLO %s ≤ %s ms", b.Name(), formatRate(b.BoundMS)), h)
	}
	if anyFlagged {
		leg.add("hollow: step flagged", &glyphThumb{glyph(darkGrey, draw.RingGlyph{}, vg.Points(3.2))})
		leg.heading("(unstable, generator-limited,")
		leg.heading(" stopped early or interrupted)")
	}
	p.Add(leg)

	// Plot.Add widened the ranges to the data; set them again as chosen.
	setRange(&p.X, xs)
	setRange(&p.Y, ys)
	return p, leg, nil
}

// runSLO is the SLO a run was judged by: its sweep's, else its spec's.
func runSLO(run *result.Run) []result.SLOBound {
	if run.Sweep != nil && len(run.Sweep.SLO) > 0 {
		return run.Sweep.SLO
	}
	return run.Spec.SLO
}

// loadStep is one step placed on the load axis.
type loadStep struct {
	x       float64 // requests/s
	flagged bool
	result.Step
}

// latencyGroup is the steps of one batch size (and server configuration),
// sorted by load.
type latencyGroup struct {
	label string
	batch int
	steps []loadStep
}

// latencyGroups gathers the steps that can be placed: a positive load and
// at least one successful request. modes reports which x the steps use.
func latencyGroups(steps []result.Step) ([]latencyGroup, map[string]bool) {
	modes := map[string]bool{}
	index := map[string]int{}
	var groups []latencyGroup
	for _, st := range steps {
		x := st.OfferedRPS
		mode := result.ModeRate
		if st.Mode == result.ModeConcurrency || x <= 0 {
			x, mode = st.AchievedRPS, result.ModeConcurrency
		}
		if !(x > 0) || !isFinite(x) || st.LatencyMS.Corrected.Count == 0 && st.Successes == 0 {
			continue
		}
		modes[mode] = true
		label := fmt.Sprintf("batch %d", st.BatchSize)
		if s := serverLabel(st.Server); s != "" {
			label += ", " + s
		}
		i, ok := index[label]
		if !ok {
			i = len(groups)
			index[label] = i
			groups = append(groups, latencyGroup{label: label, batch: st.BatchSize})
		}
		f := st.Flags
		groups[i].steps = append(groups[i].steps, loadStep{x: x, flagged: f.Unstable || f.GeneratorLimited || f.StoppedEarly || f.Interrupted, Step: st})
	}
	sort.SliceStable(groups, func(a, b int) bool { return groups[a].batch < groups[b].batch })
	for _, g := range groups {
		sort.SliceStable(g.steps, func(a, b int) bool { return g.steps[a].x < g.steps[b].x })
	}
	return groups, modes
}

// loadAxisLabel says what the x axis shows: offered requests/s, achieved
// requests/s (concurrency mode), or both.
func loadAxisLabel(modes map[string]bool) string {
	switch {
	case modes[result.ModeRate] && modes[result.ModeConcurrency]:
		return "load (requests/s): offered in rate steps, achieved in concurrency steps"
	case modes[result.ModeConcurrency]:
		return "achieved load (requests/s), concurrency mode"
	}
	return "offered load (requests/s)"
}

// setRange fits an axis to positive values and returns the mapping from a
// value to the axis: log10 when the values span more than a factor of 20
// (the axis label then says "log scale" and logTicks labels it), else the
// identity, with the axis starting at 0.
func setRange(ax *gplot.Axis, vals []float64) func(float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if v > 0 && isFinite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	identity := func(v float64) float64 { return v }
	if math.IsInf(lo, 1) {
		ax.Min, ax.Max = 0, 1
		return identity
	}
	if hi/lo > 20 {
		ax.Tick.Marker = logTicks{}
		ax.Min, ax.Max = math.Log10(lo/1.25), math.Log10(hi*1.25)
		if !strings.HasSuffix(ax.Label.Text, logSuffix) {
			ax.Label.Text += logSuffix
		}
		return math.Log10
	}
	ax.Min, ax.Max = 0, hi*1.06
	return identity
}

const logSuffix = ", log scale"

// glyphThumb is a legend thumbnail of one marker.
type glyphThumb struct{ draw.GlyphStyle }

// Thumbnail implements plot.Thumbnailer.
func (g *glyphThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyph(g.GlyphStyle, c.Center()) }
