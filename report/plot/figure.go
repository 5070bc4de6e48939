package plot

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/infercost/infercost/result"
)

// PNGDPI is the resolution of the PNG files: 8 x 5 in come out at
// 1200 x 750 pixels, sharp on a laptop screen and small on disk.
const PNGDPI = 150

// Default sizes of one plot and of one stacked utilization panel.
const (
	Width       = 8 * vg.Inch
	Height      = 5 * vg.Inch
	panelHeight = 2.1 * vg.Inch
)

// Figure is one image: a single plot, or several panels stacked top to
// bottom that share the x axis (utilization), under one title. Panels are
// aligned with gonum's plot.Align so their data areas line up exactly.
type Figure struct {
	// Title is drawn above the panels; a single-panel figure may leave it
	// empty and keep the plot's own title.
	Title  string
	Panels []*gplot.Plot
	Width  vg.Length
	Height vg.Length
}

// FigureOf wraps one plot (BatchCurve's, LatencyVsLoad's) as a figure of
// the default size, to render it as the run directory's files are.
func FigureOf(p *gplot.Plot) *Figure {
	return &Figure{Panels: []*gplot.Plot{p}, Width: Width, Height: Height}
}

// Draw draws the figure on a canvas.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(white)
	c.Fill(c.Rectangle.Path())
	for i, pc := range f.layout(c, true) {
		f.Panels[i].Draw(pc)
	}
}

// layout returns the canvas of each panel within c, drawing the figure's
// title when draw is set.
func (f *Figure) layout(c draw.Canvas, drawTitle bool) []draw.Canvas {
	margin := vg.Points(10)
	c = draw.Crop(c, margin, -1.5*margin, margin, -margin)
	if f.Title != "" {
		sty := textStyle(boldFace, titleSize, black)
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YTop
		if drawTitle {
			c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.Title)
		}
		c.Max.Y -= sty.Height(f.Title) + vg.Points(8)
	}
	if len(f.Panels) == 1 {
		return []draw.Canvas{c}
	}
	rows := make([][]*gplot.Plot, len(f.Panels))
	for i, p := range f.Panels {
		rows[i] = []*gplot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(f.Panels), Cols: 1, PadY: vg.Points(12)}
	aligned := gplot.Align(rows, tiles, c)
	out := make([]draw.Canvas, len(aligned))
	for i := range aligned {
		out[i] = aligned[i][0]
	}
	return out
}

// PNG renders the figure as a PNG at PNGDPI, in 256 colours (see
// paletted).
func (f *Figure) PNG() ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(PNGDPI))
	if err := safeDraw(f, c); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	img, ok := c.Image().(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("encode PNG: unexpected image type %T", c.Image())
	}
	if err := enc.Encode(&buf, paletted(img, plotColors())); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG renders the figure as an SVG. The fonts are named, not embedded (an
// embedded face would add half a megabyte per file); Arial and Helvetica
// follow as fallbacks, with the same metrics as Liberation Sans, so the
// layout holds wherever the file is opened.
func (f *Figure) SVG() ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	c := vgsvg.New(f.Width, f.Height)
	if err := safeDraw(f, c); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode SVG: %w", err)
	}
	out := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	return out, nil
}

// Save writes the figure to path, PNG or SVG by the extension, through a
// temporary file and a rename so that a reader never sees half an image.
func (f *Figure) Save(path string) error {
	var data []byte
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		data, err = f.PNG()
	case ".svg":
		data, err = f.SVG()
	default:
		return fmt.Errorf("save plot %s: unsupported format %q (use .png or .svg)", path, ext)
	}
	if err != nil {
		return fmt.Errorf("save plot %s: %w", path, err)
	}
	return result.WriteFileAtomic(path, data)
}

func (f *Figure) check() error {
	if f == nil || len(f.Panels) == 0 {
		return fmt.Errorf("empty figure: nothing to draw")
	}
	for i, p := range f.Panels {
		if p == nil {
			return fmt.Errorf("figure panel %d is nil", i)
		}
	}
	if f.Width <= 0 || f.Height <= 0 {
		return fmt.Errorf("figure size %v x %v: both must be positive", f.Width, f.Height)
	}
	return nil
}

// safeDraw draws f on c, turning a panic inside gonum plot (it panics on
// some degenerate axes) into an error: a report must never crash a run
// whose measurements are already on disk.
func safeDraw(f *Figure, c vg.CanvasSizer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("draw plot: %v", r)
		}
	}()
	f.Draw(draw.New(c))
	return nil
}

// titleSeparator joins the parts of a title line; a line too wide for
// the figure breaks there.
const titleSeparator = "  ·  "

// multiline joins the non-empty lines of a title, breaking any line wider
// than the figure at its separators, so a long model or hardware name
// wraps instead of running off the image.
func multiline(lines ...string) string {
	sty := textStyle(boldFace, titleSize, black)
	maxW := Width - 4*vg.Points(10)
	var keep []string
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if sty.Width(l) <= maxW {
			keep = append(keep, l)
			continue
		}
		cur := ""
		for _, part := range strings.Split(l, titleSeparator) {
			switch {
			case cur == "":
				cur = part
			case sty.Width(cur+titleSeparator+part) <= maxW:
				cur += titleSeparator + part
			default:
				keep = append(keep, cur)
				cur = part
			}
		}
		keep = append(keep, cur)
	}
	return strings.Join(keep, "\n")
}
