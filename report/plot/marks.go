package plot

import (
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sideLegend is a legend drawn in a column to the right of the data area,
// so it can never cover a data point however the data falls. It reserves
// its column through a glyph box at the right edge, which gonum's layout
// honours by narrowing the data area (and plot.Align honours when panels
// are stacked).
type sideLegend struct {
	gplot.Legend
	gap vg.Length
	// names records the entries in order (gonum keeps its own private),
	// so tests can check what the legend says.
	names []string
}

func newSideLegend() *sideLegend {
	l := &sideLegend{Legend: gplot.NewLegend(), gap: vg.Points(10)}
	l.TextStyle = textStyle(sansFace, legendSize, black)
	l.Left = true
	l.Top = true
	l.Padding = vg.Points(2.5)
	l.ThumbnailWidth = vg.Points(22)
	return l
}

// add adds an entry drawn with the given thumbnails.
func (l *sideLegend) add(name string, thumbs ...gplot.Thumbnailer) {
	l.names = append(l.names, name)
	l.Add(name, thumbs...)
}

// heading adds a text-only entry, used to name a group of entries or to
// say what a panel lacks ("target process: not sampled").
func (l *sideLegend) heading(s string) { l.add(s) }

// height is the height of the legend's column.
func (l *sideLegend) height() vg.Length {
	r := l.Rectangle(draw.Canvas{})
	return r.Max.Y - r.Min.Y
}

func (l *sideLegend) width() vg.Length {
	r := l.Rectangle(draw.Canvas{})
	return r.Max.X - r.Min.X
}

// Plot implements plot.Plotter.
func (l *sideLegend) Plot(c draw.Canvas, _ *gplot.Plot) {
	w := l.width()
	if w <= 0 {
		return
	}
	// A legend taller than the data area shrinks its type until it fits
	// (down to 6 pt); a smaller type is also narrower, so it stays inside
	// the column reserved for it.
	leg := l.Legend
	for leg.Rectangle(draw.Canvas{}).Size().Y > c.Max.Y-c.Min.Y && leg.TextStyle.Font.Size > vg.Points(6) {
		leg.TextStyle.Font.Size -= vg.Points(0.5)
		leg.Padding = vg.Points(1)
	}
	area := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: c.Max.X + l.gap, Y: c.Min.Y},
		Max: vg.Point{X: c.Max.X + l.gap + w, Y: c.Max.Y},
	}}
	leg.Draw(area)
}

// GlyphBoxes implements plot.GlyphBoxer: a box of the legend's width at
// the right edge of the data, with no height so vertical layout ignores it.
func (l *sideLegend) GlyphBoxes(*gplot.Plot) []gplot.GlyphBox {
	w := l.width()
	if w <= 0 {
		return nil
	}
	return []gplot.GlyphBox{{X: 1, Y: 1, Rectangle: vg.Rectangle{Max: vg.Point{X: l.gap + w}}}}
}

// hLine is a horizontal line across the whole data area at a data value,
// such as an SLO bound. Its DataRange widens the y axis to show it.
type hLine struct {
	y     float64
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (h *hLine) Plot(c draw.Canvas, p *gplot.Plot) {
	if h.y < p.Y.Min || h.y > p.Y.Max {
		return
	}
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// DataRange implements plot.DataRanger (y only).
func (h *hLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.y, h.y
}

// Thumbnail implements plot.Thumbnailer.
func (h *hLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// vLine is a vertical line across the data area at a data value, such as
// the batch size picked as the sweet spot.
type vLine struct {
	x     float64
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (v *vLine) Plot(c draw.Canvas, p *gplot.Plot) {
	if v.x < p.X.Min || v.x > p.X.Max {
		return
	}
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// Thumbnail implements plot.Thumbnailer (a short vertical stroke).
func (v *vLine) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// stepMarks shades each measured step of a run between its boundaries,
// so utilization can be read against the load that caused it. With labels
// set it also names the steps above the data area: the longest per-step
// label form that fits every step's width, or else one label per group of
// consecutive steps (a sweep's batch sizes), or none when even those
// would collide.
type stepMarks struct {
	spans [][2]float64 // start and end, seconds since the run started
	// labels holds candidate per-step label sets, longest form first;
	// each set has one label per span.
	labels [][]string
	// groups are the fallback: labels over runs of consecutive spans.
	groups []spanGroup
	style  text.Style
}

// spanGroup names the spans from first to last (inclusive).
type spanGroup struct {
	first, last int
	label       string
}

// Plot implements plot.Plotter.
func (s *stepMarks) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, _ := p.Transforms(&c)
	edge := lineStyle(stepEdge, vg.Points(0.5))
	for _, sp := range s.spans {
		x0, x1 := trX(sp[0]), trX(sp[1])
		if x1 < c.Min.X || x0 > c.Max.X {
			continue
		}
		x0 = vg.Length(math.Max(float64(x0), float64(c.Min.X)))
		x1 = vg.Length(math.Min(float64(x1), float64(c.Max.X)))
		c.SetColor(bandGrey)
		c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x1, Y: c.Max.Y}}.Path())
		c.StrokeLine2(edge, x0, c.Min.Y, x0, c.Max.Y)
		c.StrokeLine2(edge, x1, c.Min.Y, x1, c.Max.Y)
	}
	y := c.Max.Y + vg.Points(3)
	if labels := s.fitting(c, p); labels != nil {
		for i, l := range labels {
			mid := (trX(s.spans[i][0]) + trX(s.spans[i][1])) / 2
			c.FillText(s.style, vg.Point{X: mid, Y: y}, l)
		}
		return
	}
	if !s.groupsFit(c, p) {
		return
	}
	bracket := lineStyle(darkGrey, vg.Points(0.7))
	for _, g := range s.groups {
		x0, x1 := trX(s.spans[g.first][0]), trX(s.spans[g.last][1])
		c.StrokeLine2(bracket, x0+vg.Points(1), y, x1-vg.Points(1), y)
		c.FillText(s.style, vg.Point{X: (x0 + x1) / 2, Y: y + vg.Points(2)}, g.label)
	}
}

// fitting returns the first label set whose every label fits its step's
// width on this canvas, or nil.
func (s *stepMarks) fitting(c draw.Canvas, p *gplot.Plot) []string {
	trX, _ := p.Transforms(&c)
	for _, set := range s.labels {
		if len(set) != len(s.spans) {
			continue
		}
		ok := true
		for i, l := range set {
			w := trX(s.spans[i][1]) - trX(s.spans[i][0])
			if s.style.Width(l)+vg.Points(3) > w {
				ok = false
				break
			}
		}
		if ok {
			return set
		}
	}
	return nil
}

// groupsFit reports whether every group label fits over its group.
func (s *stepMarks) groupsFit(c draw.Canvas, p *gplot.Plot) bool {
	if len(s.groups) == 0 {
		return false
	}
	trX, _ := p.Transforms(&c)
	for _, g := range s.groups {
		if g.first < 0 || g.last >= len(s.spans) || g.first > g.last {
			return false
		}
		w := trX(s.spans[g.last][1]) - trX(s.spans[g.first][0])
		if s.style.Width(g.label)+vg.Points(3) > w {
			return false
		}
	}
	return true
}

// GlyphBoxes implements plot.GlyphBoxer: room above the data area for one
// line of labels (and a group bracket) when labels are wanted.
func (s *stepMarks) GlyphBoxes(*gplot.Plot) []gplot.GlyphBox {
	if len(s.labels) == 0 && len(s.groups) == 0 {
		return nil
	}
	h := s.style.Height("0") + vg.Points(7)
	return []gplot.GlyphBox{{X: 0.5, Y: 1, Rectangle: vg.Rectangle{Max: vg.Point{Y: h}}}}
}
