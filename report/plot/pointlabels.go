package plot

import (
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pointLabels writes a short label beside each point (the Pareto chart's
// concurrencies). gonum's plotter.Labels puts every label at one offset,
// so neighbours on a steep curve run into each other and into markers;
// this places each label at the first of eight positions around its point
// where it overlaps no marker, no line drawn through the points and no
// label placed before it and stays inside the data area, falling back to
// the first position clear of markers and labels, then to the right of
// the point.
type pointLabels struct {
	pts    plotter.XYs // in axis units (already mapped, as the markers)
	labels []string
	// lines are polylines (axis units) the labels keep off, such as the
	// Pareto frontier.
	lines []plotter.XYs
	style text.Style
	// clear is the half-width of the square kept free around every point
	// for its marker.
	clear vg.Length
}

// Plot implements plot.Plotter.
func (pl *pointLabels) Plot(c draw.Canvas, p *gplot.Plot) {
	sty := pl.style
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	for i, r := range pl.place(c, p) {
		c.FillText(sty, r.Min, pl.labels[i])
	}
}

// place returns the box of each label on c.
func (pl *pointLabels) place(c draw.Canvas, p *gplot.Plot) []vg.Rectangle {
	trX, trY := p.Transforms(&c)
	taken := make([]vg.Rectangle, 0, 2*len(pl.pts))
	at := make([]vg.Point, len(pl.pts))
	for i, xy := range pl.pts {
		at[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		taken = append(taken, vg.Rectangle{
			Min: vg.Point{X: at[i].X - pl.clear, Y: at[i].Y - pl.clear},
			Max: vg.Point{X: at[i].X + pl.clear, Y: at[i].Y + pl.clear},
		})
	}
	var segs [][2]vg.Point
	for _, line := range pl.lines {
		for i := 1; i < len(line); i++ {
			segs = append(segs, [2]vg.Point{
				{X: trX(line[i-1].X), Y: trY(line[i-1].Y)},
				{X: trX(line[i].X), Y: trY(line[i].Y)},
			})
		}
	}
	out := make([]vg.Rectangle, len(pl.pts))
	gap := pl.clear + vg.Points(1.5)
	for i, pt := range at {
		if i >= len(pl.labels) {
			break
		}
		w, h := pl.style.Width(pl.labels[i]), pl.style.Height(pl.labels[i])
		d := gap * 0.75
		// Bottom-left corners: right, above-right, below-right, above,
		// below, left, above-left, below-left.
		corners := []vg.Point{
			{X: pt.X + gap, Y: pt.Y - h/2},
			{X: pt.X + d, Y: pt.Y + d},
			{X: pt.X + d, Y: pt.Y - d - h},
			{X: pt.X - w/2, Y: pt.Y + gap},
			{X: pt.X - w/2, Y: pt.Y - gap - h},
			{X: pt.X - gap - w, Y: pt.Y - h/2},
			{X: pt.X - d - w, Y: pt.Y + d},
			{X: pt.X - d - w, Y: pt.Y - d - h},
		}
		box := func(min vg.Point) vg.Rectangle {
			return vg.Rectangle{Min: min, Max: vg.Point{X: min.X + w, Y: min.Y + h}}
		}
		out[i] = box(corners[0])
		fallback := false
		for _, corner := range corners {
			r := box(corner)
			if !inside(r, c.Rectangle) || overlapsAny(r, taken) {
				continue
			}
			if !crossesAny(r, segs) {
				out[i] = r
				break
			}
			if !fallback {
				out[i], fallback = r, true
			}
		}
		taken = append(taken, out[i])
	}
	return out
}

// inside reports whether r lies within outer.
func inside(r, outer vg.Rectangle) bool {
	return r.Min.X >= outer.Min.X && r.Min.Y >= outer.Min.Y && r.Max.X <= outer.Max.X && r.Max.Y <= outer.Max.Y
}

// overlapsAny reports whether r overlaps any of rs.
func overlapsAny(r vg.Rectangle, rs []vg.Rectangle) bool {
	for _, o := range rs {
		if r.Min.X < o.Max.X && o.Min.X < r.Max.X && r.Min.Y < o.Max.Y && o.Min.Y < r.Max.Y {
			return true
		}
	}
	return false
}

// crossesAny reports whether any segment passes through r (grown by 1 pt),
// judged at points every half point along it.
func crossesAny(r vg.Rectangle, segs [][2]vg.Point) bool {
	pad := vg.Points(1)
	r = vg.Rectangle{Min: vg.Point{X: r.Min.X - pad, Y: r.Min.Y - pad}, Max: vg.Point{X: r.Max.X + pad, Y: r.Max.Y + pad}}
	for _, s := range segs {
		dx, dy := s[1].X-s[0].X, s[1].Y-s[0].Y
		n := int(math.Hypot(float64(dx), float64(dy))/float64(vg.Points(0.5))) + 1
		for k := 0; k <= n; k++ {
			f := vg.Length(float64(k) / float64(n))
			x, y := s[0].X+f*dx, s[0].Y+f*dy
			if x >= r.Min.X && x <= r.Max.X && y >= r.Min.Y && y <= r.Max.Y {
				return true
			}
		}
	}
	return false
}
