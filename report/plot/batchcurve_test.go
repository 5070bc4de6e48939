package plot

import (
	"math"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestBatchCurveRefusesBadInput(t *testing.T) {
	noSweep := synthProfileRun(result.ModeRate, nil)
	emptyCurve := synthSweepRun()
	emptyCurve.Sweep.Curve = nil
	zeroBatch := synthSweepRun()
	zeroBatch.Sweep.Curve[1].BatchSize = 0
	nan := synthSweepRun()
	nan.Sweep.Curve[2].MaxUnitsPerSAtSLO = math.NaN()
	negative := synthSweepRun()
	negative.Sweep.Curve[0].MaxUnitsPerS = -3
	for _, tc := range []struct {
		name string
		run  *result.Run
		want string
	}{
		{"nil run", nil, "no run"},
		{"profile run", noSweep, "not a sweep"},
		{"empty curve", emptyCurve, "no curve points"},
		{"batch 0", zeroBatch, "batch size 0"},
		{"NaN rate", nan, "invalid inferences/s"},
		{"negative rate", negative, "invalid inferences/s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := BatchCurve(tc.run)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if p != nil {
				t.Fatal("a plot came back with the error")
			}
		})
	}
}

func TestBatchCurveMarksAnswers(t *testing.T) {
	kneeIsBest := synthSweepRun()
	kneeIsBest.Sweep.KneeBatchSize = kneeIsBest.Sweep.BestBatchSize
	noneMet := synthSweepRun()
	for i := range noneMet.Sweep.Curve {
		noneMet.Sweep.Curve[i].MaxUnitsPerSAtSLO = 0
	}
	noneMet.Sweep.BestBatchSize, noneMet.Sweep.KneeBatchSize = 0, 0
	allMet := synthSweepRun()
	allMet.Sweep.Curve = allMet.Sweep.Curve[:3] // drop batch 64, the one at 0
	twoConfigs := synthSweepRun()
	var curve []result.CurvePoint
	for _, pt := range twoConfigs.Sweep.Curve {
		for _, cfg := range []result.ServerConfig{{MaxBatchSize: 16, MaxQueueDelayMS: 1}, {MaxBatchSize: 64, MaxQueueDelayMS: 5, Instances: 2}} {
			cfg := cfg
			pt.Server = &cfg
			curve = append(curve, pt)
		}
	}
	twoConfigs.Sweep.Curve = curve
	summarizeSynth(twoConfigs.Sweep, twoConfigs.Steps)

	for _, tc := range []struct {
		name     string
		run      *result.Run
		want     []string
		wantNot  []string
		zeroRing bool // red hollow markers at 0 in the image
		render   bool // look at the pixels (slow under -race: where it tells)
	}{
		{"best and knee apart", synthSweepRun(),
			[]string{"best: batch 16, 1.01k inferences/s", "knee: batch 4 (96% of best)", "no load met the SLO (0)", "peak within the SLO", "peak with no latency bound"},
			[]string{"no batch size met the SLO"}, true, true},
		{"knee is best", kneeIsBest, []string{"best and knee: batch 16"}, []string{"knee: batch 4"}, true, false},
		{"no batch size met the SLO", noneMet, []string{"no batch size met the SLO", "no load met the SLO (0)"}, []string{"best", "knee"}, true, false},
		{"every batch size met the SLO", allMet, []string{"best: batch 16"}, []string{"no load met the SLO"}, false, true},
		{"two server configurations", twoConfigs,
			[]string{"server batch ≤ 16, delay 1 ms", "server batch ≤ 64, delay 5 ms, 2 instances", "dashed: peak with no latency bound"}, nil, false, false},
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
			if !strings.Contains(p.Title.Text, "resnet50") || !strings.Contains(p.Title.Text, "NVIDIA A10G") || !strings.Contains(p.Title.Text, "p95 ≤ 50 ms") {
				t.Errorf("title %q does not say model, hardware and SLO", p.Title.Text)
			}
			f := FigureOf(p)
			checkLayout(t, tc.name, f, []*sideLegend{leg})
			if !tc.render {
				return
			}
			data, err := f.PNG()
			if err != nil {
				t.Fatal(err)
			}
			checkPNG(t, tc.name, data, 1200, 750)
			img := decodePNG(t, tc.name, data)
			if red := countNear(img, sloRed); (red > 20) != tc.zeroRing {
				t.Errorf("%d pixels of the zero-capacity red; want them: %v", red, tc.zeroRing)
			}
		})
	}
}

func TestBatchCurveTicksAtMeasuredSizes(t *testing.T) {
	run := synthSweepRun()
	p, err := BatchCurve(run)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if !tk.IsMinor() {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, ","); got != "1,4,16,64" {
		t.Errorf("x tick labels %s, want 1,4,16,64 (the batch sizes measured)", got)
	}
	// log2 axis: equal ratios sit at equal distances.
	d1 := p.X.Norm(math.Log10(4)) - p.X.Norm(math.Log10(1))
	d2 := p.X.Norm(math.Log10(64)) - p.X.Norm(math.Log10(16))
	if math.Abs(d1-d2) > 1e-9 {
		t.Errorf("batch 1->4 spans %.3f of the axis, 16->64 %.3f: not logarithmic", d1, d2)
	}
}
