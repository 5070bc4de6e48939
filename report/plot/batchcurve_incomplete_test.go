package plot

import (
	"math"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

// interruptedSweep is synthSweepRun cut short during its last batch size,
// as the profiler records it: the point incomplete, the sweep provisional
// and its answers summarized from what was measured. partial is what the
// interrupted search had met so far (0: nothing yet).
func interruptedSweep(last int, partial float64) *result.Run {
	run := synthSweepRun()
	sw := run.Sweep
	var curve []result.CurvePoint
	for _, pt := range sw.Curve {
		if pt.BatchSize > last {
			break
		}
		curve = append(curve, pt)
	}
	pt := &curve[len(curve)-1]
	pt.Incomplete = true
	pt.MaxUnitsPerSAtSLO, pt.MaxInferencesPerSAtSLO = partial, partial
	if partial == 0 {
		pt.PeakStep = -1
	}
	sw.Curve, sw.Provisional = curve, true
	summarizeSynth(sw, run.Steps)
	return run
}

// An interrupted batch size is not "no load met the SLO": it is drawn
// grey, at the peak it met so far or as a guide at its batch size, never
// as a red ring at 0; the answers say they are provisional; and the sweet
// spot ring goes where the sweep recorded it, on an incomplete point only
// when the sweep chose that point.
func TestBatchCurveIncompletePoints(t *testing.T) {
	b16 := synthSweepRun().Sweep.Curve[2] // batch 16, the sweet spot when finished
	for _, tc := range []struct {
		name    string
		run     *result.Run
		want    []string
		wantNot []string
		grey    [2]float64 // batch size and rate of the grey diamond (0: none)
		ring    float64    // batch size of the sweet-spot ring
	}{
		{"nothing met before the interruption", interruptedSweep(64, 0),
			[]string{"incomplete (interrupted):", "none met the SLO yet", "best so far: batch 16, 1.01k inferences/s", "knee: batch 4"},
			[]string{"no load met the SLO (0)", "peak met so far", "(incomplete)"},
			[2]float64{}, 16},
		{"a partial peak below the best", interruptedSweep(16, 600),
			[]string{"incomplete (interrupted):", "peak met so far", "best and knee so far: batch 4"},
			[]string{"no load met the SLO", "none met the SLO yet", "batch 16"},
			[2]float64{16, 600}, 4},
		{"the partial peak is the recorded best", interruptedSweep(16, b16.MaxUnitsPerSAtSLO),
			[]string{"incomplete (interrupted):", "peak met so far", "best so far: batch 16, 1.01k inferences/s (incomplete)"},
			[]string{"no load met the SLO"},
			[2]float64{16, b16.MaxUnitsPerSAtSLO}, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, leg, err := batchCurve(tc.run)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !hasName(leg.names, w) {
					t.Errorf("legend %q lacks %q", leg.names, w)
				}
			}
			for _, w := range tc.wantNot {
				if hasName(leg.names, w) {
					t.Errorf("legend %q has %q", leg.names, w)
				}
			}
			if !strings.Contains(p.Title.Text, "provisional until --resume") {
				t.Errorf("title %q does not say the answers are provisional", p.Title.Text)
			}
			f := FigureOf(p)
			checkLayout(t, tc.name, f, []*sideLegend{leg})
			data, err := f.PNG()
			if err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, tc.name, data)
			if red := countNear(img, sloRed); red > 20 {
				t.Errorf("%d pixels of the zero-capacity red: an interrupted batch size drawn as if none met the SLO", red)
			}
			last := tc.run.Sweep.Curve[len(tc.run.Sweep.Curve)-1].BatchSize
			if tc.grey[0] > 0 {
				x, y := pixelOf(f, 0, math.Log10(tc.grey[0]), tc.grey[1])
				if n := countNearAt(img, midGrey, x, y, 6); n < 40 {
					t.Errorf("%d grey pixels at batch %g, %g/s: the partial peak is not drawn there", n, tc.grey[0], tc.grey[1])
				}
				x0, y0 := pixelOf(f, 0, math.Log10(tc.grey[0]), 0)
				if n := countNearAt(img, midGrey, x0, y0-10, 4); n > 0 {
					t.Errorf("%d grey pixels at batch %g, 0/s: the incomplete point is drawn at 0", n, tc.grey[0])
				}
			} else {
				// No answer yet: a grey guide the height of the data area
				// at the batch size, and nothing on the zero line.
				x, _ := pixelOf(f, 0, math.Log10(float64(last)), 0)
				_, top := pixelOf(f, 0, 0, p.Y.Max)
				_, bottom := pixelOf(f, 0, 0, p.Y.Min)
				if n := countNearAt(img, midGrey, x, (top+bottom)/2, 3); n < 2 {
					t.Errorf("no grey guide at batch %d", last)
				}
			}
			rx, ry := pixelOf(f, 0, math.Log10(tc.ring), bestRate(tc.run))
			if n := countNearAt(img, bestGreen, rx, ry, 20); n < 40 {
				t.Errorf("%d green pixels around batch %g: the sweet spot is not ringed there", n, tc.ring)
			}
		})
	}
}

// bestRate is the throughput of the sweep's recorded best.
func bestRate(run *result.Run) float64 {
	best, _ := recordedBest(run.Sweep)
	return best.MaxUnitsPerSAtSLO
}

// A sweep of an LLM endpoint is ranked in output tokens/s: the curve, its
// axis, title and legend say so, and read the units figures (not the
// requests/s the inference fields hold for it). Its one batch size gives
// the axis a single tick, so the layout check does not apply: WriteAll
// draws tokens-vs-concurrency for it instead (see TestWriteAllLLM).
func TestBatchCurveOutputTokens(t *testing.T) {
	run := synthLLMSweepRun()
	p, leg, err := batchCurve(run)
	if err != nil {
		t.Fatal(err)
	}
	texts := append([]string{p.Title.Text, p.Y.Label.Text}, leg.names...)
	for _, s := range texts {
		if strings.Contains(s, "inference") {
			t.Errorf("%q speaks of inferences in an output-token run", s)
		}
	}
	if !strings.Contains(p.Title.Text, "Peak output tokens/s") || !strings.HasPrefix(p.Y.Label.Text, "output tokens/s") {
		t.Errorf("title %q, y label %q: want output tokens/s", p.Title.Text, p.Y.Label.Text)
	}
	best, ok := recordedBest(run.Sweep)
	if !ok || best.MaxUnitsPerSAtSLO <= best.MaxInferencesPerSAtSLO {
		t.Fatalf("fixture: best %+v should hold tokens/s above its requests/s", best)
	}
	want := "best and knee: batch 1, " + formatRate(best.MaxUnitsPerSAtSLO) + " output tokens/s"
	if !hasName(leg.names, want) {
		t.Errorf("legend %q lacks %q", leg.names, want)
	}
	if p.Y.Max < best.MaxUnitsPerSAtSLO {
		t.Errorf("y axis ends at %g, below the best %g output tokens/s", p.Y.Max, best.MaxUnitsPerSAtSLO)
	}
}
