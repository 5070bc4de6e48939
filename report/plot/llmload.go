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

// The LLM plots (tokens vs concurrency, streaming latency vs load, the
// Pareto chart) share one placement of the steps. For an LLM server the
// knob that plays batch size is concurrency (it batches continuously), so
// a closed-loop run is drawn against concurrency on a log2 axis with a
// tick at every concurrency measured. A run with open-loop steps (a rate
// search, --rate lists) is drawn against requests/s as the KServe latency
// plot is: offered in rate steps, achieved in closed-loop ones (the
// estimate probe a rate search starts with), and the axis says so.

// llmPoint is one LLM step placed on the load axis.
type llmPoint struct {
	x float64 // concurrency, or requests/s (llmLoad.byConcurrency)
	// label names the load in a few characters, for the Pareto chart:
	// "c=16" or "4.2/s".
	label   string
	meets   bool // meets the run's SLO; false when it has none
	flagged bool // unstable, generator-limited, stopped early or interrupted
	st      *result.Step
}

// llmLoad is a run's LLM steps on the load axis.
type llmLoad struct {
	points        []llmPoint // sorted by x
	byConcurrency bool
	modes         map[string]bool
	slo           []result.SLOBound
	// best indexes points: the sweet spot, the step meeting the SLO with
	// the most output tokens/s (the sweep's realtime answer in a sweep);
	// -1 when no step meets the SLO or there is none.
	best int
}

// llmLoadOf places the steps of run that have token figures and at least
// one success; an error when none has.
func llmLoadOf(run *result.Run, what string) (*llmLoad, error) {
	if run == nil {
		return nil, fmt.Errorf("%s: no run given", what)
	}
	var steps []*result.Step
	allClosed := true
	for i := range run.Steps {
		st := &run.Steps[i]
		if !st.IsLLM() || st.Successes <= 0 {
			continue
		}
		closed := st.Mode == result.ModeConcurrency && st.Concurrency > 0
		if !closed && !(st.OfferedRPS > 0) && !(st.AchievedRPS > 0) {
			continue
		}
		allClosed = allClosed && closed
		steps = append(steps, st)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("%s: none of the %d steps of run %q has token figures from a successful request (an LLM step measured at a known load)",
			what, len(run.Steps), run.Name)
	}
	l := &llmLoad{byConcurrency: allClosed, modes: map[string]bool{}, slo: runSLO(run), best: -1}
	maxErr := result.DefaultMaxErrorRate
	switch {
	case run.Sweep != nil && run.Sweep.MaxErrorRate > 0:
		maxErr = run.Sweep.MaxErrorRate
	case run.Spec.MaxErrorRate > 0:
		maxErr = run.Spec.MaxErrorRate
	}
	for _, st := range steps {
		pt := llmPoint{st: st, label: fmt.Sprintf("c=%d", st.Concurrency)}
		switch {
		case allClosed:
			pt.x = float64(st.Concurrency)
			l.modes[result.ModeConcurrency] = true
		case st.Mode != result.ModeConcurrency && st.OfferedRPS > 0:
			pt.x, pt.label = st.OfferedRPS, formatRate(st.OfferedRPS)+"/s"
			l.modes[result.ModeRate] = true
		default:
			pt.x = st.AchievedRPS
			l.modes[result.ModeConcurrency] = true
		}
		f := st.Flags
		pt.flagged = f.Unstable || f.GeneratorLimited || f.StoppedEarly || f.Interrupted
		pt.meets = len(l.slo) > 0 && result.MeetsSLO(st, l.slo, maxErr)
		l.points = append(l.points, pt)
	}
	sort.SliceStable(l.points, func(a, b int) bool { return l.points[a].x < l.points[b].x })

	recorded := -1
	if run.Sweep != nil && run.Sweep.Realtime.Step >= 0 {
		recorded = run.Sweep.Realtime.Step
	}
	for i, pt := range l.points {
		if !pt.meets {
			continue
		}
		if pt.st.Index == recorded {
			l.best = i
			break
		}
		if l.best < 0 || pt.st.Throughput() > l.points[l.best].st.Throughput() {
			l.best = i
		}
	}
	return l, nil
}

// xs lists the points' loads.
func (l *llmLoad) xs() []float64 {
	out := make([]float64, len(l.points))
	for i, pt := range l.points {
		out[i] = pt.x
	}
	return out
}

// axisPoints is the expected length of a full-width x axis, in points,
// used to space the concurrency tick labels (see batchTicks).
const axisPoints = 380

// setXAxis labels and ranges ax for the load and returns the mapping from
// a load to the axis: log2 concurrency with a tick at each one measured,
// or requests/s (linear, or log over more than a factor of 20).
func (l *llmLoad) setXAxis(ax *gplot.Axis) func(float64) float64 {
	if !l.byConcurrency {
		ax.Label.Text = loadAxisLabel(l.modes)
		return setRange(ax, l.xs())
	}
	ax.Label.Text = "concurrency (requests in flight, log2 scale)"
	var sizes []int
	for _, pt := range l.points {
		if c := int(pt.x); len(sizes) == 0 || sizes[len(sizes)-1] != c {
			sizes = append(sizes, c)
		}
	}
	ax.Tick.Marker = batchTicks{sizes: sizes, axisPoints: axisPoints}
	lo, hi := math.Log10(float64(sizes[0])), math.Log10(float64(sizes[len(sizes)-1]))
	pad := math.Log10(1.3)
	if lo == hi {
		pad = math.Log10(2)
	}
	ax.Min, ax.Max = lo-pad, hi+pad
	return math.Log10
}

// bestName says where the sweet spot is: "concurrency 16" or "4.2 req/s
// offered".
func (l *llmLoad) bestName() string {
	pt := l.points[l.best]
	switch {
	case l.byConcurrency:
		return fmt.Sprintf("concurrency %d", pt.st.Concurrency)
	case pt.st.Mode != result.ModeConcurrency && pt.st.OfferedRPS > 0:
		return fmt.Sprintf("%s req/s offered", formatRate(pt.st.OfferedRPS))
	}
	return fmt.Sprintf("concurrency %d", pt.st.Concurrency)
}

// addSeries draws value over the points as a line with a marker at each:
// filled where the step meets the SLO, hollow where it misses it (with no
// SLO: hollow where it was flagged). It returns the line and the filled
// marker, for the legend.
func (l *llmLoad) addSeries(p *gplot.Plot, fx, fy func(float64) float64, value func(*result.Step) (float64, bool),
	style draw.LineStyle, shape, hollowShape draw.GlyphDrawer) (*plotter.Line, *plotter.Scatter, error) {
	var pts plotter.XYs
	var hollow []bool
	for _, pt := range l.points {
		v, ok := value(pt.st)
		if !ok || !isFinite(v) {
			continue
		}
		pts = append(pts, plotter.XY{X: fx(pt.x), Y: fy(v)})
		if len(l.slo) > 0 {
			hollow = append(hollow, !pt.meets)
		} else {
			hollow = append(hollow, pt.flagged)
		}
	}
	if len(pts) == 0 {
		return nil, nil, nil
	}
	line, err := newLine(pts, style)
	if err != nil {
		return nil, nil, err
	}
	s, err := newScatter(pts, glyph(style.Color, shape, vg.Points(3.2)))
	if err != nil {
		return nil, nil, err
	}
	filled, empty := s.GlyphStyle, glyph(style.Color, hollowShape, vg.Points(3.6))
	s.GlyphStyleFunc = func(i int) draw.GlyphStyle {
		if hollow[i] {
			return empty
		}
		return filled
	}
	p.Add(line, s)
	return line, s, nil
}

// addMeetsKey names the filled and hollow markers in a legend.
func (l *llmLoad) addMeetsKey(leg *sideLegend) {
	if len(l.slo) == 0 {
		leg.heading("no SLO recorded: nothing judged")
		if l.anyFlagged() {
			leg.add("hollow: step flagged", &glyphThumb{glyph(darkGrey, openCircle{}, vg.Points(3.6))})
		}
		return
	}
	leg.add("filled: meets the SLO", &glyphThumb{glyph(darkGrey, draw.CircleGlyph{}, vg.Points(3.2))})
	leg.add("hollow: misses the SLO", &glyphThumb{glyph(darkGrey, openCircle{}, vg.Points(3.6))})
}

func (l *llmLoad) anyFlagged() bool {
	for _, pt := range l.points {
		if pt.flagged {
			return true
		}
	}
	return false
}

// addBest rings the sweet spot at (x, y) in data units already mapped,
// with a faint vertical guide when guide is set; nil when there is none.
func addBest(p *gplot.Plot, x, y float64, guide bool) (*plotter.Scatter, error) {
	ring, err := newScatter(plotter.XYs{{X: x, Y: y}}, glyph(bestGreen, draw.RingGlyph{}, vg.Points(7.5)))
	if err != nil {
		return nil, err
	}
	if guide {
		p.Add(&vLine{x: x, style: lineStyle(bestGreen, vg.Points(0.8), vg.Points(2), vg.Points(2))})
	}
	p.Add(ring)
	return ring, nil
}

// blankTicks keeps another ticker's marks and drops their labels, for the
// upper panels of a stack that share the bottom panel's x axis.
type blankTicks struct{ gplot.Ticker }

// Ticks implements gonum plot's Ticker.
func (b blankTicks) Ticks(min, max float64) []gplot.Tick {
	ts := b.Ticker.Ticks(min, max)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// stackHeight is the height of a figure of n stacked panels, as the
// utilization figure sizes its own.
func stackHeight(n int) vg.Length {
	return vg.Length(math.Max(float64(Height), float64(vg.Inch)+float64(n)*float64(panelHeight)))
}
