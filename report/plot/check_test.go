package plot

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	_ "image/png"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// checkPNG asserts that data is a PNG of the given pixel size (0: any).
func checkPNG(t *testing.T, name string, data []byte, w, h int) {
	t.Helper()
	if len(data) == 0 {
		t.Fatalf("%s: empty", name)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != "png" {
		t.Fatalf("%s: not a PNG (format %q): %v", name, format, err)
	}
	if (w > 0 && cfg.Width != w) || (h > 0 && cfg.Height != h) {
		t.Errorf("%s: %dx%d pixels, want %dx%d", name, cfg.Width, cfg.Height, w, h)
	}
}

// decodePNG decodes the whole image, for tests that look at its pixels.
func decodePNG(t *testing.T, name string, data []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: decode: %v", name, err)
	}
	return img
}

// checkSVG asserts that data is a well-formed SVG document.
func checkSVG(t *testing.T, name string, data []byte) {
	t.Helper()
	s := strings.TrimSpace(string(data))
	if !strings.HasPrefix(s, "<?xml") && !strings.HasPrefix(s, "<svg") {
		t.Fatalf("%s: does not start with <?xml or <svg: %.40q", name, s)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	sawSVG := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: malformed XML: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "svg" {
			sawSVG = true
		}
	}
	if !sawSVG {
		t.Fatalf("%s: no <svg> element", name)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkLayout asserts what a reader needs from every panel of a figure:
// each axis names a unit, the legend sits wholly right of the data area
// and inside the image (so it covers no data), and no two tick labels on
// an axis overlap.
func checkLayout(t *testing.T, name string, f *Figure, legends []*sideLegend) {
	t.Helper()
	if len(legends) != len(f.Panels) {
		t.Fatalf("%s: %d legends for %d panels", name, len(legends), len(f.Panels))
	}
	c := draw.New(vgimg.New(f.Width, f.Height))
	canvases := f.layout(c, false)
	for i, p := range f.Panels {
		pc := canvases[i]
		dc := p.DataCanvas(pc)
		if !strings.Contains(p.Y.Label.Text, "(") && !strings.Contains(p.Y.Label.Text, "/s") {
			t.Errorf("%s panel %d: y label %q names no unit", name, i, p.Y.Label.Text)
		}
		if i == len(f.Panels)-1 && !strings.Contains(p.X.Label.Text, "(") {
			t.Errorf("%s: x label %q names no unit", name, p.X.Label.Text)
		}
		l := legends[i]
		if len(l.names) > 0 {
			left, right := dc.Max.X+l.gap, dc.Max.X+l.gap+l.width()
			if left <= dc.Max.X || right > c.Max.X+0.01 {
				t.Errorf("%s panel %d: legend spans x %.1f..%.1f pt; data area ends at %.1f, image at %.1f",
					name, i, left, right, dc.Max.X, c.Max.X)
			}
			if l.height() > pc.Max.Y-c.Min.Y {
				t.Errorf("%s panel %d: legend %.1f pt tall, more than the %.1f pt below its top", name, i, l.height(), pc.Max.Y-c.Min.Y)
			}
		}
		if dc.Max.X-dc.Min.X < vg.Points(200) || dc.Max.Y-dc.Min.Y < vg.Points(80) {
			t.Errorf("%s panel %d: data area only %.0f x %.0f pt", name, i, dc.Max.X-dc.Min.X, dc.Max.Y-dc.Min.Y)
		}
		if i == len(f.Panels)-1 {
			if err := labelsOverlap(p.X, dc.Min.X, dc.Max.X, true); err != "" {
				t.Errorf("%s panel %d x axis: %s", name, i, err)
			}
		}
		if err := labelsOverlap(p.Y, dc.Min.Y, dc.Max.Y, false); err != "" {
			t.Errorf("%s panel %d y axis: %s", name, i, err)
		}
	}
}

// labelsOverlap returns a description of the first pair of tick labels on
// ax that would touch when the axis spans lo..hi points, or "".
func labelsOverlap(ax gplot.Axis, lo, hi vg.Length, horizontal bool) string {
	type box struct {
		at, half vg.Length
		label    string
	}
	var boxes []box
	for _, tk := range ax.Tick.Marker.Ticks(ax.Min, ax.Max) {
		if tk.IsMinor() || tk.Value < ax.Min || tk.Value > ax.Max {
			continue
		}
		at := lo + vg.Length(ax.Norm(tk.Value))*(hi-lo)
		half := ax.Tick.Label.Height(tk.Label) / 2
		if horizontal {
			half = ax.Tick.Label.Width(tk.Label) / 2
		}
		boxes = append(boxes, box{at, half, tk.Label})
	}
	sort.Slice(boxes, func(i, j int) bool { return boxes[i].at < boxes[j].at })
	seen := map[string]bool{}
	for i, b := range boxes {
		if seen[b.label] {
			return "label " + b.label + " appears twice"
		}
		seen[b.label] = true
		if i > 0 && boxes[i-1].at+boxes[i-1].half+vg.Points(2) > b.at-b.half {
			return "labels " + boxes[i-1].label + " and " + b.label + " overlap"
		}
	}
	if len(boxes) < 2 {
		return "fewer than two labelled ticks"
	}
	return ""
}

// countNear counts the pixels of img within a small distance of want.
func countNear(img image.Image, want color.Color) int {
	wr, wg, wb, _ := want.RGBA()
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			d := sq(int(r>>8)-int(wr>>8)) + sq(int(g>>8)-int(wg>>8)) + sq(int(bl>>8)-int(wb>>8))
			if d < 20*20 {
				n++
			}
		}
	}
	return n
}

func sq(x int) int { return x * x }

func hasName(names []string, want string) bool {
	for _, n := range names {
		if strings.Contains(n, want) {
			return true
		}
	}
	return false
}

// pixelOf is where the data point (x, y) of panel i lands in the figure's
// PNG, in pixels from the top left: the layout the figure draws with, the
// panel's own transforms, and PNGDPI.
func pixelOf(f *Figure, i int, x, y float64) (px, py int) {
	c := draw.New(vgimg.New(f.Width, f.Height))
	p := f.Panels[i]
	dc := p.DataCanvas(f.layout(c, false)[i])
	trX, trY := p.Transforms(&dc)
	scale := float64(PNGDPI) / 72
	return int(float64(trX(x))*scale + 0.5), int(float64(f.Height-trY(y))*scale + 0.5)
}

// countNearAt counts the pixels of img near the colour want within r
// pixels (a square) of (px, py).
func countNearAt(img image.Image, want color.Color, px, py, r int) int {
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return 0
	}
	return countNear(sub.SubImage(image.Rect(px-r, py-r, px+r+1, py+r+1)), want)
}
