package plot

import (
	"fmt"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// llmPanel is one metric of the streaming latency figure.
type llmPanel struct {
	metric string // the SLO metric it shows (result.MetricTTFT, ...)
	yLabel string
	// always draws the panel; otherwise it is drawn only when the SLO
	// bounds its metric (TPOT, which ITL mostly tells already).
	always bool
}

var llmPanels = []llmPanel{
	{result.MetricTTFT, "TTFT (ms)", true},
	{result.MetricITL, "ITL (ms)", true},
	{result.MetricTPOT, "TPOT (ms)", false},
	{result.MetricLatency, "e2e latency (ms)", true},
}

// extraLooks draw the percentiles an SLO may bound beyond p50, p95 and p99.
var extraLooks = []percentileLook{
	{"p90", func(q result.Quantiles) float64 { return q.P90 }, []vg.Length{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2)}, draw.CrossGlyph{}, draw.CrossGlyph{}},
	{"p999", func(q result.Quantiles) float64 { return q.P999 }, []vg.Length{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}, draw.PlusGlyph{}, draw.PlusGlyph{}},
}

// lookOf is the stroke, marker and colour index of a percentile: the same
// in every panel and as on the request-latency plot.
func lookOf(percentile string) (percentileLook, int, bool) {
	for i, l := range append(append([]percentileLook{}, percentileLooks...), extraLooks...) {
		if l.name == percentile {
			return l, i, true
		}
	}
	return percentileLook{}, 0, false
}

// LLMLatencyVsLoad plots what a user of an LLM endpoint waits for, against
// the load, in stacked panels sharing the load axis: time to first token
// (corrected: from the intended send, as request latency is), inter-token
// latency (the gaps between streamed tokens), TPOT when the SLO bounds it,
// and the request's end-to-end latency (corrected). Each panel draws p50
// and p95, plus any percentile the SLO bounds on its metric, and each SLO
// bound is a red line on its own metric's panel (ttft_p95=500ms at 500 on
// the TTFT panel). A panel turns logarithmic when its values span more
// than a factor of 20. Flagged steps are hollow, as on LatencyVsLoad.
//
// For an LLM run this figure takes the place of LatencyVsLoad: its e2e
// panel is that plot's request latency, against the same load, beside the
// figures the LLM SLO is written in.
func LLMLatencyVsLoad(run *result.Run) (*Figure, error) {
	f, _, err := llmLatencyVsLoad(run)
	return f, err
}

// correctedNote says from when TTFT and e2e are timed (ITL is a gap
// between tokens, the same either way).
const correctedNote = "TTFT and e2e from the intended send"

// llmLatencyVsLoad is LLMLatencyVsLoad that also returns each panel's
// legend, for tests.
func llmLatencyVsLoad(run *result.Run) (*Figure, []*sideLegend, error) {
	const what = "LLM latency vs load"
	l, err := llmLoadOf(run, what)
	if err != nil {
		return nil, nil, err
	}
	var panels []*gplot.Plot
	var legs []*sideLegend
	for _, pn := range llmPanels {
		p, leg, err := l.latencyPanel(pn)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		if p != nil {
			panels = append(panels, p)
			legs = append(legs, leg)
		}
	}
	if len(panels) == 0 {
		return nil, nil, fmt.Errorf("%s: no step of run %q has TTFT, ITL or request latency figures", what, run.Name)
	}
	if l.anyFlagged() {
		leg := legs[len(legs)-1]
		leg.add("hollow: step flagged", &glyphThumb{glyph(darkGrey, draw.RingGlyph{}, vg.Points(3.2))})
		leg.heading("(unstable, generator-limited,")
		leg.heading(" stopped early or interrupted)")
	}
	for i, p := range panels {
		p.Add(legs[i])
		if i < len(panels)-1 {
			p.X.Tick.Marker = blankTicks{p.X.Tick.Marker}
			p.X.Label.Text = ""
		}
	}
	title := "Time to first token, inter-token latency and request latency vs concurrency"
	if !l.byConcurrency {
		title = "Time to first token, inter-token latency and request latency vs load"
	}
	return &Figure{
		Title:  multiline(title, subject(run)+titleSeparator+correctedNote+titleSeparator+sloNote(run)),
		Panels: panels,
		Width:  Width,
		Height: stackHeight(len(panels)),
	}, legs, nil
}

// latencyPanel draws one metric's panel; nil when no step has the metric
// or the panel is not wanted.
func (l *llmLoad) latencyPanel(pn llmPanel) (*gplot.Plot, *sideLegend, error) {
	var bounds []result.SLOBound
	pcts := []string{"p50", "p95"}
	for _, b := range l.slo {
		m := b.Metric
		if m == "" {
			m = result.MetricLatency
		}
		if m != pn.metric {
			continue
		}
		bounds = append(bounds, b)
		if _, _, ok := lookOf(b.Percentile); ok && !contains(pcts, b.Percentile) {
			pcts = append(pcts, b.Percentile)
		}
	}
	if !pn.always && len(bounds) == 0 {
		return nil, nil, nil
	}
	type series struct {
		look    percentileLook
		col     int
		pts     plotter.XYs
		flagged []bool
	}
	var all []series
	var xs, ys []float64
	for _, pct := range pcts {
		look, col, _ := lookOf(pct)
		sr := series{look: look, col: col}
		for _, pt := range l.points {
			q := pt.st.Quantiles(pn.metric)
			if q == nil || q.Count == 0 {
				continue
			}
			v := look.value(*q)
			if !(v > 0) || !isFinite(v) {
				continue
			}
			sr.pts = append(sr.pts, plotter.XY{X: pt.x, Y: v})
			sr.flagged = append(sr.flagged, pt.flagged)
			xs, ys = append(xs, pt.x), append(ys, v)
		}
		if len(sr.pts) > 0 {
			all = append(all, sr)
		}
	}
	if len(all) == 0 {
		return nil, nil, nil
	}
	for _, b := range bounds {
		ys = append(ys, b.BoundMS)
	}
	p := newPlot("", "", pn.yLabel)
	leg := newSideLegend()
	fx := l.setXAxis(&p.X)
	fy := setRange(&p.Y, ys)
	for _, sr := range all {
		pts := make(plotter.XYs, len(sr.pts))
		for i, xy := range sr.pts {
			pts[i] = plotter.XY{X: fx(xy.X), Y: fy(xy.Y)}
		}
		col := colorAt(sr.col)
		line, err := newLine(pts, lineStyle(col, vg.Points(1.4), sr.look.dashes...))
		if err != nil {
			return nil, nil, err
		}
		s, err := newScatter(pts, glyph(col, sr.look.filled, vg.Points(2.8)))
		if err != nil {
			return nil, nil, err
		}
		base, hollow, flagged := s.GlyphStyle, glyph(col, sr.look.hollow, vg.Points(3.2)), sr.flagged
		s.GlyphStyleFunc = func(i int) draw.GlyphStyle {
			if flagged[i] {
				return hollow
			}
			return base
		}
		p.Add(line, s)
		leg.add(sr.look.name, line, s)
	}
	for _, b := range bounds {
		h := &hLine{y: fy(b.BoundMS), style: lineStyle(sloRed, vg.Points(1.6), sloDashes(b.Percentile)...)}
		p.Add(h)
		leg.add(fmt.Sprintf("SLO %s ≤ %s ms", b.Name(), formatRate(b.BoundMS)), h)
	}
	// Plot.Add widened the ranges to the data; set them again as chosen.
	l.setXAxis(&p.X)
	setRange(&p.Y, ys)
	return p, leg, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
