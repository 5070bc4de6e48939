package plot

import (
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestLatencyVsLoadRefusesBadInput(t *testing.T) {
	noSteps := synthProfileRun(result.ModeRate, nil)
	noSteps.Steps = nil
	allFailed := synthProfileRun(result.ModeRate, nil)
	for i := range allFailed.Steps {
		allFailed.Steps[i].Successes = 0
		allFailed.Steps[i].LatencyMS = result.Latency{}
	}
	noLoad := synthProfileRun(result.ModeRate, nil)
	for i := range noLoad.Steps {
		noLoad.Steps[i].OfferedRPS, noLoad.Steps[i].AchievedRPS = 0, 0
	}
	for _, tc := range []struct {
		name string
		run  *result.Run
		want string
	}{
		{"nil run", nil, "no run"},
		{"no steps", noSteps, "has no steps"},
		{"every step failed", allFailed, "has latency data"},
		{"no load recorded", noLoad, "has latency data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := LatencyVsLoad(tc.run)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if p != nil {
				t.Fatal("a plot came back with the error")
			}
		})
	}
}

func TestLatencyVsLoad(t *testing.T) {
	concurrency := synthProfileRun(result.ModeConcurrency, nil)
	mixed := synthProfileRun(result.ModeRate, nil)
	extra := synthStep(len(mixed.Steps), 8, 0.5, mixed.Steps[len(mixed.Steps)-1].EndedAt, result.ModeConcurrency)
	mixed.Steps = append(mixed.Steps, extra)
	narrow := synthProfileRun(result.ModeRate, []result.SLOBound{{Percentile: "p99", BoundMS: 40}})
	narrow.Steps = narrow.Steps[:3] // latencies within a factor of 20
	configs := synthProfileRun(result.ModeRate, nil)
	for i := range configs.Steps {
		configs.Steps[i].Server = &result.ServerConfig{MaxBatchSize: 8 << (i % 2), MaxQueueDelayMS: 2}
	}
	twoSLO := []result.SLOBound{{Percentile: "p95", BoundMS: 50}, {Percentile: "p99", BoundMS: 80}}

	for _, tc := range []struct {
		name     string
		render   bool // also encode PNG and SVG (slow under -race: once is enough)
		run      *result.Run
		xLabel   string
		logX     bool
		logY     bool
		want     []string
		wantNot  []string
		inTitle  []string
		notTitle []string
	}{
		{"sweep", true, synthSweepRun(), "offered load (requests/s), log scale", true, true,
			[]string{"batch 1", "batch 4", "batch 16", "batch 64", "p50", "p95", "p99", "SLO p95 ≤ 50 ms", "hollow: step flagged"}, nil,
			[]string{"resnet50", "NVIDIA A10G", "SLO p95 ≤ 50 ms"}, nil},
		{"profile with two bounds", false, synthProfileRun(result.ModeRate, twoSLO), "offered load (requests/s)", false, true,
			[]string{"p50", "p95", "p99", "SLO p95 ≤ 50 ms", "SLO p99 ≤ 80 ms"}, []string{"batch 8", "hollow"},
			[]string{"bert-base", "Intel Xeon", "p95 ≤ 50 ms, p99 ≤ 80 ms"}, nil},
		{"concurrency mode", false, concurrency, "achieved load (requests/s), concurrency mode", false, true,
			[]string{"p95"}, []string{"SLO"}, []string{"bert-base"}, []string{"SLO"}},
		{"rate and concurrency steps", false, mixed, "load (requests/s): offered in rate steps, achieved in concurrency steps", false, true,
			[]string{"p95"}, nil, nil, nil},
		{"narrow range stays linear", false, narrow, "offered load (requests/s)", false, false,
			[]string{"SLO p99 ≤ 40 ms"}, nil, nil, nil},
		{"server configurations", false, configs, "offered load (requests/s)", false, true,
			[]string{"batch 8, server batch ≤ 8, delay 2 ms", "batch 8, server batch ≤ 16, delay 2 ms"}, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, leg, err := latencyVsLoad(tc.run)
			if err != nil {
				t.Fatal(err)
			}
			if p.X.Label.Text != tc.xLabel {
				t.Errorf("x label %q, want %q", p.X.Label.Text, tc.xLabel)
			}
			wantY := "corrected latency (ms)"
			if tc.logY {
				wantY += logSuffix
			}
			if p.Y.Label.Text != wantY {
				t.Errorf("y label %q, want %q", p.Y.Label.Text, wantY)
			}
			if _, isLog := p.X.Tick.Marker.(logTicks); isLog != tc.logX {
				t.Errorf("log x = %v, want %v", isLog, tc.logX)
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
			for _, w := range tc.inTitle {
				if !strings.Contains(p.Title.Text, w) {
					t.Errorf("title %q lacks %q", p.Title.Text, w)
				}
			}
			for _, w := range tc.notTitle {
				if strings.Contains(p.Title.Text, w) {
					t.Errorf("title %q has %q", p.Title.Text, w)
				}
			}
			f := FigureOf(p)
			checkLayout(t, tc.name, f, []*sideLegend{leg})
			if !tc.render {
				return
			}
			png, err := f.PNG()
			if err != nil {
				t.Fatal(err)
			}
			checkPNG(t, tc.name, png, 1200, 750)
			svg, err := f.SVG()
			if err != nil {
				t.Fatal(err)
			}
			checkSVG(t, tc.name, svg)
		})
	}
}

// A step placed at its offered rate in rate mode and at its achieved rate
// in concurrency mode, never at 0.
func TestLatencyGroupsPlaceSteps(t *testing.T) {
	rate := synthStep(0, 4, 0.5, runStart, result.ModeRate)
	conc := synthStep(1, 4, 0.5, runStart, result.ModeConcurrency)
	conc.AchievedRPS = 123
	failed := synthStep(2, 4, 0.5, runStart, result.ModeRate)
	failed.Successes, failed.LatencyMS = 0, result.Latency{}
	groups, modes := latencyGroups([]result.Step{rate, conc, failed})
	if len(groups) != 1 || len(groups[0].steps) != 2 {
		t.Fatalf("groups %+v, want one group of the two steps with latency", groups)
	}
	xs := []float64{groups[0].steps[0].x, groups[0].steps[1].x}
	if xs[0] != 123 || xs[1] != rate.OfferedRPS {
		t.Errorf("x = %v, want [123 %v] (achieved for concurrency, offered for rate, sorted)", xs, rate.OfferedRPS)
	}
	if !modes[result.ModeRate] || !modes[result.ModeConcurrency] {
		t.Errorf("modes %v, want both", modes)
	}
}

// Only bounds on request latency are drawn on the request-latency axis: a
// ttft_p95 bound drawn there would read as a 500 ms bound on the request.
// The title names every bound by its metric.
func TestLatencyVsLoadDrawsRequestLatencyBoundsOnly(t *testing.T) {
	run := synthProfileRun(result.ModeRate, []result.SLOBound{
		{Metric: result.MetricLatency, Percentile: "p95", BoundMS: 50},
		{Metric: result.MetricTTFT, Percentile: "p95", BoundMS: 500},
	})
	p, leg, err := latencyVsLoad(run)
	if err != nil {
		t.Fatal(err)
	}
	if !hasName(leg.names, "SLO p95 ≤ 50 ms") {
		t.Errorf("legend %q lacks the request-latency bound", leg.names)
	}
	if hasName(leg.names, "500") {
		t.Errorf("legend %q draws the TTFT bound on request latency", leg.names)
	}
	if !strings.Contains(p.Title.Text, "p95 ≤ 50 ms, ttft_p95 ≤ 500 ms") {
		t.Errorf("title %q does not name each bound by its metric", p.Title.Text)
	}
}
