package plot

import (
	"image/color"
	"math"

	xfont "golang.org/x/image/font"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The look shared by every plot: a sans-serif face (Liberation Sans, metric
// twin of Arial, so the SVGs lay out the same where only Arial is
// installed), a colour-blind-safe palette and light grid lines. Set per plot,
// never through gonum's package-level defaults, so that other users of gonum
// plot in the same binary are not changed.
var (
	sansFace = font.Font{Typeface: "Liberation", Variant: "Sans"}
	boldFace = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}

	titleSize  = vg.Points(12)
	labelSize  = vg.Points(11)
	tickSize   = vg.Points(9.5)
	legendSize = vg.Points(9.5)
	noteSize   = vg.Points(9)
)

// palette is Tableau 10, distinguishable under the common forms of colour
// blindness and in greyscale print by lightness.
var palette = []color.Color{
	rgb(0x4E, 0x79, 0xA7), // blue
	rgb(0xF2, 0x8E, 0x2B), // orange
	rgb(0x59, 0xA1, 0x4F), // green
	rgb(0xB0, 0x7A, 0xA1), // purple
	rgb(0x9C, 0x75, 0x5F), // brown
	rgb(0x76, 0xB7, 0xB2), // teal
	rgb(0xED, 0xC9, 0x48), // yellow
	rgb(0xFF, 0x9D, 0xA7), // pink
	rgb(0xBA, 0xB0, 0xAC), // grey
	rgb(0xE1, 0x57, 0x59), // red
}

var (
	black     = color.Black
	white     = color.White
	darkGrey  = rgb(0x55, 0x55, 0x55)
	midGrey   = rgb(0x99, 0x99, 0x99)
	gridGrey  = rgb(0xE3, 0xE3, 0xE3)
	bandGrey  = color.NRGBA{R: 0x4E, G: 0x79, B: 0xA7, A: 0x14}
	stepEdge  = rgb(0xB8, 0xC4, 0xD4)
	sloRed    = rgb(0xC0, 0x1B, 0x1B)
	bestGreen = rgb(0x1B, 0x7F, 0x3A)
)

// plotColors lists every colour the plots draw with, as they come out on
// white; PNG encoding keeps them exact (see paletted).
func plotColors() []color.Color {
	var out []color.Color
	for i := 0; i < 3*len(palette); i++ {
		out = append(out, colorAt(i))
	}
	out = append(out, black, white, darkGrey, midGrey, gridGrey, stepEdge, sloRed, bestGreen, overWhite(bandGrey))
	return out
}

// overWhite is c composited on a white background.
func overWhite(c color.NRGBA) color.Color {
	mix := func(v uint8) uint8 { return uint8((int(v)*int(c.A) + 255*(255-int(c.A)) + 127) / 255) }
	return color.NRGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 0xFF}
}

func rgb(r, g, b uint8) color.Color { return color.NRGBA{R: r, G: g, B: b, A: 0xFF} }

// colorAt picks the i-th series colour: the palette, then darker rounds
// of it, so that up to 30 series never share a colour.
func colorAt(i int) color.Color {
	if i < 0 {
		i = -i
	}
	c := palette[i%len(palette)].(color.NRGBA)
	for round := i / len(palette) % 3; round > 0; round-- {
		c = color.NRGBA{R: uint8(int(c.R) * 3 / 5), G: uint8(int(c.G) * 3 / 5), B: uint8(int(c.B) * 3 / 5), A: c.A}
	}
	return c
}

func textStyle(f font.Font, size vg.Length, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(f, size),
		Handler: text.Plain{Fonts: font.DefaultCache},
	}
}

// newPlot returns a plot with the house style: title, axis labels (units
// included by the caller), readable ticks and a light grid behind the data.
func newPlot(title, xLabel, yLabel string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.Title.TextStyle = textStyle(boldFace, titleSize, black)
	p.Title.TextStyle.XAlign = draw.XCenter
	p.Title.TextStyle.YAlign = draw.YTop
	p.Title.Padding = vg.Points(8)

	for _, ax := range []*gplot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle = textStyle(sansFace, labelSize, black)
		ax.Label.TextStyle.XAlign = draw.XCenter
		ax.Label.TextStyle.YAlign = draw.YBottom
		ax.Label.Padding = vg.Points(4)
		lbl := ax.Tick.Label
		ax.Tick.Label = textStyle(sansFace, tickSize, black)
		ax.Tick.Label.XAlign, ax.Tick.Label.YAlign = lbl.XAlign, lbl.YAlign
		ax.Tick.Length = vg.Points(5)
		ax.Tick.Marker = linearTicks{}
		ax.Padding = vg.Points(3)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel

	p.Legend.TextStyle = textStyle(sansFace, legendSize, black)

	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridGrey, Width: vg.Points(0.5)}
	grid.Horizontal = grid.Vertical
	p.Add(grid)
	return p
}

// lineStyle is a solid or dashed stroke.
func lineStyle(c color.Color, width vg.Length, dashes ...vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: width, Dashes: dashes}
}

// glyph is a marker of the given shape.
func glyph(c color.Color, shape draw.GlyphDrawer, radius vg.Length) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Shape: shape, Radius: radius}
}

// diamondGlyph is a filled diamond: a shape no other mark uses, for the
// batch sizes a sweep did not finish.
type diamondGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(sty.Color)
	r := sty.Radius * 1.2
	var path vg.Path
	path.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	path.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	path.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	path.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	path.Close()
	c.Fill(path)
}

// openCircle is a ring filled with white: a hollow marker that hides the
// line running through it, so filled and hollow read apart at a glance.
type openCircle struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (openCircle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var path vg.Path
	path.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	path.Arc(pt, sty.Radius, 0, 2*math.Pi)
	path.Close()
	c.SetColor(white)
	c.Fill(path)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.2)})
	c.Stroke(path)
}
