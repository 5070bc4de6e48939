package plot

import (
	"image"
	"image/color"
	"path/filepath"
	"strings"
	"testing"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func TestFigureRefusesEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    *Figure
		want string
	}{
		{"nil", nil, "empty figure"},
		{"no panels", &Figure{Width: Width, Height: Height}, "empty figure"},
		{"nil panel", &Figure{Panels: []*gplot.Plot{nil}, Width: Width, Height: Height}, "panel 0 is nil"},
		{"no size", &Figure{Panels: []*gplot.Plot{newPlot("t", "x (s)", "y (s)")}}, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.f.PNG(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("PNG: err = %v, want %q", err, tc.want)
			}
			if _, err := tc.f.SVG(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("SVG: err = %v, want %q", err, tc.want)
			}
		})
	}
	p, _ := BatchCurve(synthSweepRun())
	if err := FigureOf(p).Save(filepath.Join(t.TempDir(), "x.pdf")); err == nil || !strings.Contains(err.Error(), "unsupported format") {
		t.Errorf("save as .pdf: err = %v", err)
	}
}

// A panic inside gonum plot (here: a log axis over non-positive values)
// comes back as an error.
func TestFigureTurnsPanicsIntoErrors(t *testing.T) {
	p := newPlot("t", "x (s)", "y (s)")
	p.X.Scale = gplot.LogScale{}
	p.X.Min, p.X.Max = -1, 1
	p.Y.Min, p.Y.Max = 0, 1
	if _, err := FigureOf(p).PNG(); err == nil || !strings.Contains(err.Error(), "draw plot") {
		t.Fatalf("err = %v, want a draw error", err)
	}
}

func TestMultilineWrapsLongTitles(t *testing.T) {
	long := "model a-very-long-model-name-from-a-registry on NVIDIA H100 80GB HBM3 (MIG 3g.40gb)" + titleSeparator +
		"SLO p95 ≤ 50 ms, p99 ≤ 120 ms" + titleSeparator + "samples averaged over 2.4 s"
	out := multiline("Title", long)
	lines := strings.Split(out, "\n")
	if len(lines) < 3 {
		t.Fatalf("%q was not wrapped", out)
	}
	sty := textStyle(boldFace, titleSize, black)
	for _, l := range lines {
		if sty.Width(l) > Width-4*vg.Points(10) {
			t.Errorf("line %q is %.0f pt wide", l, sty.Width(l))
		}
	}
	if got := multiline("a", "", "  ", "b"); got != "a\nb" {
		t.Errorf("blank lines kept: %q", got)
	}
}

func TestPalettedKeepsSeedColours(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	// 4096 distinct colours, then a few pixels of a seed colour.
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 4), B: 200, A: 255})
		}
	}
	img.Set(3, 3, sloRed)
	img.Set(4, 3, sloRed)
	p := paletted(img, plotColors())
	if len(p.Palette) != 256 {
		t.Fatalf("%d palette entries, want 256", len(p.Palette))
	}
	r1, g1, b1, _ := p.At(3, 3).RGBA()
	r2, g2, b2, _ := sloRed.RGBA()
	if r1 != r2 || g1 != g2 || b1 != b2 {
		t.Errorf("seed colour came out as %v", p.At(3, 3))
	}

	small := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 64; i++ {
		small.Set(i%8, i/8, color.RGBA{R: uint8(i), G: 10, B: 20, A: 255})
	}
	q := paletted(small, plotColors())
	for i := 0; i < 64; i++ {
		if got := q.At(i%8, i/8); got != small.At(i%8, i/8) {
			t.Fatalf("pixel %d: %v, want %v (exact below 256 colours)", i, got, small.At(i%8, i/8))
		}
	}
}
