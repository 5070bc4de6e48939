package plot

import (
	"math"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestLLMPlotsRefuseRunsWithoutTokens(t *testing.T) {
	kserve := synthSweepRun()
	failed := synthLLMSweepRun()
	for i := range failed.Steps {
		failed.Steps[i].Successes = 0
	}
	for _, tc := range []struct {
		name string
		run  *result.Run
		want string
	}{
		{"nil run", nil, "no run"},
		{"KServe run", kserve, "token figures"},
		{"every step failed", failed, "token figures"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if f, err := TokensVsConcurrency(tc.run); err == nil || !strings.Contains(err.Error(), tc.want) || f != nil {
				t.Errorf("tokens vs concurrency: err = %v, want one containing %q and no figure", err, tc.want)
			}
			if f, err := LLMLatencyVsLoad(tc.run); err == nil || !strings.Contains(err.Error(), tc.want) || f != nil {
				t.Errorf("LLM latency vs load: err = %v, want one containing %q and no figure", err, tc.want)
			}
			if p, err := Pareto(tc.run); err == nil || !strings.Contains(err.Error(), tc.want) || p != nil {
				t.Errorf("Pareto: err = %v, want one containing %q and no plot", err, tc.want)
			}
		})
	}
}

func TestTokensVsConcurrency(t *testing.T) {
	noSLO := synthLLMSweepRun()
	noSLO.Sweep, noSLO.Spec.SLO = nil, nil
	provisional := synthLLMSweepRun()
	provisional.Sweep.Provisional = true

	for _, tc := range []struct {
		name    string
		run     *result.Run
		xLabel  string
		ticks   string // labelled x ticks ("" to skip)
		title   []string
		top     []string // the output tokens/s panel's legend
		bottom  []string // the requests/s panel's legend
		wantNot []string
	}{
		{"closed-loop sweep", synthLLMSweepRun(), "concurrency (requests in flight, log2 scale)", "1,2,4,8,16,32,64",
			[]string{"vs concurrency", "Llama-3.1-8B", "NVIDIA H100", "SLO ttft_p95 ≤ 500 ms, itl_p95 ≤ 25 ms"},
			[]string{"output tokens/s", "filled: meets the SLO", "hollow: misses the SLO", "sweet spot: concurrency 16,", "963 output tokens/s"},
			[]string{"successful requests/s", "goodput: requests/s within", "every per-request bound", "sweet spot: 7.52 requests/s"},
			[]string{"inferences", "provisional"}},
		{"rate steps", synthLLMRateRun(), "load (requests/s): offered in rate steps, achieved in concurrency steps", "",
			[]string{"vs load"},
			[]string{"sweet spot: 7.5 req/s offered,"},
			[]string{"successful requests/s"},
			[]string{"concurrency 16"}},
		{"no SLO", noSLO, "concurrency (requests in flight, log2 scale)", "",
			[]string{"no SLO recorded"},
			[]string{"output tokens/s", "no SLO recorded: nothing judged", "hollow: step flagged"},
			[]string{"successful requests/s"},
			[]string{"sweet spot", "goodput", "meets the SLO"}},
		{"provisional sweep", provisional, "concurrency (requests in flight, log2 scale)", "",
			[]string{"provisional until --resume"}, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, legs, err := tokensVsConcurrency(tc.run)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Panels) != 2 {
				t.Fatalf("%d panels, want output tokens/s and requests/s", len(f.Panels))
			}
			req := f.Panels[1]
			if req.X.Label.Text != tc.xLabel {
				t.Errorf("x label %q, want %q", req.X.Label.Text, tc.xLabel)
			}
			if f.Panels[0].X.Label.Text != "" {
				t.Errorf("top panel repeats the x label %q", f.Panels[0].X.Label.Text)
			}
			if tc.ticks != "" {
				var labels []string
				for _, tk := range req.X.Tick.Marker.Ticks(req.X.Min, req.X.Max) {
					if !tk.IsMinor() {
						labels = append(labels, tk.Label)
					}
				}
				if got := strings.Join(labels, ","); got != tc.ticks {
					t.Errorf("x tick labels %s, want %s (the concurrencies measured)", got, tc.ticks)
				}
			}
			if y := f.Panels[0].Y.Label.Text; !strings.HasPrefix(y, "output tokens/s") {
				t.Errorf("top y label %q", y)
			}
			if y := req.Y.Label.Text; !strings.HasPrefix(y, "requests/s") {
				t.Errorf("bottom y label %q", y)
			}
			for _, w := range tc.title {
				if !strings.Contains(f.Title, w) {
					t.Errorf("title %q lacks %q", f.Title, w)
				}
			}
			for i, want := range [][]string{tc.top, tc.bottom} {
				for _, w := range want {
					if !hasName(legs[i].names, w) {
						t.Errorf("panel %d legend %q lacks %q", i, legs[i].names, w)
					}
				}
			}
			for _, w := range tc.wantNot {
				for i, leg := range legs {
					if hasName(leg.names, w) {
						t.Errorf("panel %d legend %q has %q", i, leg.names, w)
					}
				}
			}
			checkLayout(t, tc.name, f, legs)
		})
	}
}

// Steps meeting the SLO are filled and the others hollow, and the sweet
// spot is ringed where it is: checked on the pixels of the image.
func TestTokensVsConcurrencyMarks(t *testing.T) {
	run := synthLLMSweepRun()
	f, _, err := tokensVsConcurrency(run)
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, "tokens", data, 1200, 0)
	img := decodePNG(t, "tokens", data)
	for _, st := range run.Steps {
		x, y := pixelOf(f, 0, math.Log10(float64(st.Concurrency)), st.Throughput())
		centre := countNearAt(img, colorAt(0), x, y, 2)
		meets := result.MeetsSLO(&st, llmSLO, result.DefaultMaxErrorRate)
		if meets != (st.Concurrency <= 16) {
			t.Fatalf("fixture: c=%d meets the SLO: %v", st.Concurrency, meets)
		}
		if meets && centre < 20 || !meets && centre > 5 {
			t.Errorf("c=%d: %d marker pixels at the marker's centre; want it filled: %v", st.Concurrency, centre, meets)
		}
	}
	best := run.Steps[4] // c=16
	x, y := pixelOf(f, 0, math.Log10(16), best.Throughput())
	if n := countNearAt(img, bestGreen, x, y, 20); n < 40 {
		t.Errorf("%d green pixels around c=16: the sweet spot is not ringed there", n)
	}
	x, y = pixelOf(f, 1, math.Log10(16), best.SuccessfulRPS)
	if n := countNearAt(img, bestGreen, x, y, 20); n < 40 {
		t.Errorf("%d green pixels around c=16 on the requests/s panel", n)
	}
}
