package plot

import (
	"math"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestLLMLatencyVsLoad(t *testing.T) {
	withTPOT := synthLLMSweepRun()
	withTPOT.Sweep.SLO = append(append([]result.SLOBound{}, llmSLO...),
		result.SLOBound{Metric: result.MetricTPOT, Percentile: "p90", BoundMS: 20},
		result.SLOBound{Metric: result.MetricLatency, Percentile: "p99", BoundMS: 20000})

	for _, tc := range []struct {
		name   string
		run    *result.Run
		yLabel []string   // each panel's, top to bottom
		legend [][]string // each panel's legend holds these
		not    [][]string // and not these
		xLabel string
	}{
		{"closed-loop sweep", synthLLMSweepRun(),
			[]string{"TTFT (ms), log scale", "ITL (ms)", "e2e latency (ms)"},
			[][]string{{"p50", "p95", "SLO ttft_p95 ≤ 500 ms"}, {"p50", "p95", "SLO itl_p95 ≤ 25 ms"}, {"p50", "p95", "hollow: step flagged"}},
			[][]string{{"itl", "p99"}, {"ttft", "p99"}, {"SLO"}},
			"concurrency (requests in flight, log2 scale)"},
		{"TPOT and e2e bounds", withTPOT,
			[]string{"TTFT (ms), log scale", "ITL (ms)", "TPOT (ms)", "e2e latency (ms)"},
			[][]string{{"SLO ttft_p95"}, {"SLO itl_p95"}, {"p50", "p90", "p95", "SLO tpot_p90 ≤ 20 ms"}, {"p99", "SLO p99 ≤ 20k ms"}},
			[][]string{{"tpot"}, {"tpot"}, {"ttft", "itl"}, {"ttft"}},
			"concurrency (requests in flight, log2 scale)"},
		{"rate steps", synthLLMRateRun(),
			[]string{"TTFT (ms), log scale", "ITL (ms)", "e2e latency (ms)"},
			[][]string{{"SLO ttft_p95 ≤ 500 ms"}, {"SLO itl_p95 ≤ 25 ms"}, {"p95"}},
			[][]string{nil, nil, {"hollow"}},
			"load (requests/s): offered in rate steps, achieved in concurrency steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, legs, err := llmLatencyVsLoad(tc.run)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Panels) != len(tc.yLabel) {
				t.Fatalf("%d panels, want %d", len(f.Panels), len(tc.yLabel))
			}
			for i, p := range f.Panels {
				if p.Y.Label.Text != tc.yLabel[i] {
					t.Errorf("panel %d y label %q, want %q", i, p.Y.Label.Text, tc.yLabel[i])
				}
				for _, w := range tc.legend[i] {
					if !hasName(legs[i].names, w) {
						t.Errorf("panel %d legend %q lacks %q", i, legs[i].names, w)
					}
				}
				for _, w := range tc.not[i] {
					if hasName(legs[i].names, w) {
						t.Errorf("panel %d legend %q has %q", i, legs[i].names, w)
					}
				}
			}
			if got := f.Panels[len(f.Panels)-1].X.Label.Text; got != tc.xLabel {
				t.Errorf("x label %q, want %q", got, tc.xLabel)
			}
			for _, w := range []string{"Time to first token", "from the intended send", "SLO ttft_p95 ≤ 500 ms"} {
				if !strings.Contains(f.Title, w) {
					t.Errorf("title %q lacks %q", f.Title, w)
				}
			}
			checkLayout(t, tc.name, f, legs)
		})
	}
}

// Each SLO bound is a red line at its bound on its own metric's panel
// (ttft_p95=500ms at 500 ms on the TTFT panel, itl_p95=25ms at 25 ms on the
// ITL panel), and nowhere on the e2e panel, which has no bound here.
func TestLLMLatencySLOLines(t *testing.T) {
	f, _, err := llmLatencyVsLoad(synthLLMSweepRun())
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, "llm latency", data)
	// Between concurrencies 2 and 4, where no series runs near the bounds.
	x := math.Log10(2.8)
	for _, tc := range []struct {
		panel int
		y     float64
		want  bool
	}{
		{0, math.Log10(500), true}, // the TTFT axis is logarithmic
		{0, math.Log10(2000), false},
		{1, 25, true},
		{1, 15, false},
	} {
		px, py := pixelOf(f, tc.panel, x, tc.y)
		if n := countNearAt(img, sloRed, px, py, 3); (n > 5) != tc.want {
			t.Errorf("panel %d at %g: %d red pixels; want a bound there: %v", tc.panel, tc.y, n, tc.want)
		}
	}
	e2e := f.Panels[2]
	lo, hi := pixelOf(f, 2, e2e.X.Min, e2e.Y.Min)
	_, top := pixelOf(f, 2, e2e.X.Min, e2e.Y.Max)
	n := 0
	for py := top; py <= hi; py += 4 {
		n += countNearAt(img, sloRed, lo+40, py, 1)
	}
	if n > 0 {
		t.Errorf("%d red pixels on the e2e panel, which has no bound", n)
	}
}
