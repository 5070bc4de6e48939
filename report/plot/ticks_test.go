package plot

import (
	"math"
	"strings"
	"testing"
)

func TestFormatSI(t *testing.T) {
	for _, tc := range []struct {
		v, step float64
		want    string
	}{
		{0, 500, "0"},
		{500, 500, "500"},
		{1000, 500, "1k"},
		{1500, 500, "1.5k"},
		{10000, 5000, "10k"},
		{250000, 50000, "250k"},
		{2.5e6, 5e5, "2.5M"},
		{3e9, 1e9, "3G"},
		{0.5, 0.1, "0.5"},
		{0.25, 0.05, "0.25"},
		{12, 2, "12"},
		{-1500, 500, "-1.5k"},
		{1010, 1010, "1.01k"},
		{1e-7, 1e-7, "1e-07"}, // beyond six decimals
		{1.5e-9, 1e-10, "1.5e-09"},
	} {
		if got := formatSI(tc.v, tc.step); got != tc.want {
			t.Errorf("formatSI(%v, %v) = %q, want %q", tc.v, tc.step, got, tc.want)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     string
	}{
		{0, 2200, "0 500 1k 1.5k 2k"},
		{0, 100, "0 20 40 60 80 100"},
		{0, 1, "0 0.2 0.4 0.6 0.8 1"},
		{0, 7.2, "0 2 4 6"},
		{0, 230, "0 50 100 150 200"},
		{0, 3600, "0 1k 2k 3k"},
		{-10, 10, "-10 -5 0 5 10"},
		{5, 5, "5"},
	} {
		var labels []string
		for _, tk := range niceTicks(tc.min, tc.max, 5) {
			if !tk.IsMinor() {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("niceTicks(%v, %v) labels %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
	if ticks := niceTicks(math.NaN(), 1, 5); ticks != nil {
		t.Errorf("NaN range gave %v", ticks)
	}
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     string
	}{
		{4, 8000, "5 10 20 50 100 200 500 1k 2k 5k"},
		{0.5, 200000, "1 10 100 1k 10k 100k"},
		{30, 45, "30 35 40 45"}, // too narrow for 1-2-5: linear values
	} {
		var labels []string
		for _, tk := range (logTicks{}).Ticks(math.Log10(tc.min), math.Log10(tc.max)) {
			if !tk.IsMinor() {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("logTicks(%v, %v) labels %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
}

func TestBatchTicksThinDenseLists(t *testing.T) {
	sizes := []int{}
	for b := 1; b <= 256; b++ {
		sizes = append(sizes, b)
	}
	bt := batchTicks{sizes: sizes, axisPoints: 380}
	ticks := bt.Ticks(math.Log10(1/1.3), math.Log10(256*1.3))
	if len(ticks) != len(sizes) {
		t.Fatalf("%d ticks for %d sizes: every size keeps its tick mark", len(ticks), len(sizes))
	}
	var labels []string
	for _, tk := range ticks {
		if !tk.IsMinor() {
			labels = append(labels, tk.Label)
		}
	}
	if labels[0] != "1" || labels[len(labels)-1] != "256" {
		t.Errorf("labels %q: want the first and last sizes labelled", labels)
	}
	if len(labels) < 5 || len(labels) > 40 {
		t.Errorf("%d labels for an axis of 380 pt: %q", len(labels), labels)
	}
	p := newPlot("", "", "")
	p.X.Min, p.X.Max = math.Log10(1/1.3), math.Log10(256*1.3)
	p.X.Tick.Marker = bt
	if msg := labelsOverlap(p.X, 0, 380, true); msg != "" {
		t.Error(msg)
	}
}

// FuzzNiceTicks: any range, however odd, gives ticks inside it, few enough
// to read, with distinct labels, and never a panic.
func FuzzNiceTicks(f *testing.F) {
	for _, r := range [][2]float64{{0, 1}, {0, 2200}, {-5, 5}, {1e-9, 2e-9}, {3, 3}, {1e300, 1.7e308}, {-1, math.Inf(1)}} {
		f.Add(r[0], r[1])
	}
	f.Fuzz(func(t *testing.T, min, max float64) {
		ticks := niceTicks(min, max, 5)
		if len(ticks) > maxTicks {
			t.Fatalf("%d ticks", len(ticks))
		}
		lo, hi := math.Min(min, max), math.Max(min, max)
		seen := map[string]bool{}
		for _, tk := range ticks {
			slack := 1e-6 * math.Max(math.Abs(lo), math.Abs(hi))
			if tk.Value < lo-slack || tk.Value > hi+slack {
				t.Fatalf("tick %v outside [%v, %v]", tk.Value, lo, hi)
			}
			if tk.Label != "" {
				if seen[tk.Label] && hi-lo > 1e-9*math.Abs(hi) {
					t.Fatalf("label %q twice for [%v, %v]", tk.Label, lo, hi)
				}
				seen[tk.Label] = true
			}
		}
		_ = logTicks{}.Ticks(min, max)
	})
}
