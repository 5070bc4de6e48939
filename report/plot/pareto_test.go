package plot

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/infercost/infercost/result"
)

func TestParetoFrontier(t *testing.T) {
	for _, tc := range []struct {
		pts  plotter.XYs
		want string
	}{
		{plotter.XYs{{X: 1, Y: 1}}, "[0]"},
		// A falling curve: every point is on the frontier, left to right.
		{plotter.XYs{{X: 3, Y: 1}, {X: 2, Y: 2}, {X: 1, Y: 3}}, "[2 1 0]"},
		// Beaten on both: (1, 1) by (2, 2); (1.5, 3) ties nothing.
		{plotter.XYs{{X: 1, Y: 1}, {X: 2, Y: 2}, {X: 1.5, Y: 3}}, "[2 1]"},
		// Equal x: only the higher; equal y: only the one further right.
		{plotter.XYs{{X: 2, Y: 1}, {X: 2, Y: 4}, {X: 3, Y: 4}}, "[2]"},
	} {
		if got := fmt.Sprint(paretoFrontier(tc.pts)); got != tc.want {
			t.Errorf("frontier of %v = %s, want %s", tc.pts, got, tc.want)
		}
	}
}

func TestPareto(t *testing.T) {
	oneGPU := synthLLMSweepRun()
	oneGPU.Spec.GPUs = 0 // a run that does not say: one GPU
	for _, tc := range []struct {
		name   string
		run    *result.Run
		gpus   float64
		yLabel string
		want   []string
	}{
		{"two GPUs", synthLLMSweepRun(), 2, "output tokens/s per GPU (total ÷ 2 GPUs)",
			[]string{"Pareto frontier (5 of 7 steps)", "filled: meets the SLO", "hollow: misses the SLO",
				"sweet spot: concurrency 16,", "481 output tokens/s per GPU", "labels: concurrency (c=)"}},
		{"gpus not recorded", oneGPU, 1, "output tokens/s per GPU (1 GPU)",
			[]string{"963 output tokens/s per GPU"}},
		{"rate steps", synthLLMRateRun(), 1, "output tokens/s per GPU (1 GPU)",
			[]string{"sweet spot: 7.5 req/s offered,", "or offered requests/s (/s)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, leg, _, err := pareto(tc.run)
			if err != nil {
				t.Fatal(err)
			}
			if p.Y.Label.Text != tc.yLabel {
				t.Errorf("y label %q, want %q", p.Y.Label.Text, tc.yLabel)
			}
			if !strings.HasPrefix(p.X.Label.Text, "output tokens/s per user") {
				t.Errorf("x label %q", p.X.Label.Text)
			}
			for _, w := range tc.want {
				if !hasName(leg.names, w) {
					t.Errorf("legend %q lacks %q", leg.names, w)
				}
			}
			maxTok := 0.0
			for _, st := range tc.run.Steps {
				maxTok = math.Max(maxTok, st.Throughput())
			}
			if p.Y.Max < maxTok/tc.gpus || p.Y.Max > 1.2*maxTok/tc.gpus {
				t.Errorf("y axis ends at %g; the most output tokens/s per GPU is %g", p.Y.Max, maxTok/tc.gpus)
			}
			checkLayout(t, tc.name, FigureOf(p), []*sideLegend{leg})
		})
	}
}

// Every step is a marker at (per-user tokens/s, tokens/s per GPU), filled
// when it meets the SLO and hollow when it does not, and labelled with its
// concurrency where the label covers no marker and no other label.
func TestParetoMarksAndLabels(t *testing.T) {
	run := synthLLMSweepRun()
	p, _, lbl, err := pareto(run)
	if err != nil {
		t.Fatal(err)
	}
	f := FigureOf(p)
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, "pareto", data)
	for _, st := range run.Steps {
		x, y := pixelOf(f, 0, *st.OutputTokensPerSPerUser, st.Throughput()/2)
		centre := countNearAt(img, colorAt(0), x, y, 2)
		if meets := st.Concurrency <= 16; meets && centre < 20 || !meets && centre > 5 {
			t.Errorf("c=%d: %d marker pixels at its centre; want it filled: %v", st.Concurrency, centre, meets)
		}
	}

	if got := strings.Join(lbl.labels, ","); got != "c=1,c=2,c=4,c=8,c=16,c=32,c=64" {
		t.Errorf("labels %s, want each step's concurrency", got)
	}
	checkPointLabels(t, "Pareto", f, lbl)
}

// checkPointLabels asserts that every label of the figure's only panel
// lies inside the data area and covers no other label, no marker and no
// line it was told to keep off (the frontier).
func checkPointLabels(t *testing.T, name string, f *Figure, lbl *pointLabels) {
	t.Helper()
	p := f.Panels[0]
	c := draw.New(vgimg.New(f.Width, f.Height))
	dc := p.DataCanvas(f.layout(c, false)[0])
	boxes := lbl.place(dc, p)
	trX, trY := p.Transforms(&dc)
	var segs [][2]vg.Point
	for _, line := range lbl.lines {
		for i := 1; i < len(line); i++ {
			segs = append(segs, [2]vg.Point{{X: trX(line[i-1].X), Y: trY(line[i-1].Y)}, {X: trX(line[i].X), Y: trY(line[i].Y)}})
		}
	}
	for i, b := range boxes {
		if !inside(b, dc.Rectangle) {
			t.Errorf("%s: label %q at %v leaves the data area %v", name, lbl.labels[i], b, dc.Rectangle)
		}
		if crossesAny(b, segs) {
			t.Errorf("%s: the frontier runs through label %q", name, lbl.labels[i])
		}
		for j, o := range boxes[:i] {
			if overlapsAny(b, []vg.Rectangle{o}) {
				t.Errorf("%s: labels %q and %q overlap", name, lbl.labels[i], lbl.labels[j])
			}
		}
		for j, xy := range lbl.pts {
			at := vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
			r := vg.Points(4)
			if overlapsAny(b, []vg.Rectangle{{Min: vg.Point{X: at.X - r, Y: at.Y - r}, Max: vg.Point{X: at.X + r, Y: at.Y + r}}}) {
				t.Errorf("%s: label %q covers the marker of %q", name, lbl.labels[i], lbl.labels[j])
			}
		}
	}
}
