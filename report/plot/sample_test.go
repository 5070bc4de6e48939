package plot

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/infercost/infercost/result"
)

var update = flag.Bool("update", false, "rewrite the sample PNGs in testdata/")

// TestSamplePNGs rewrites the sample images kept in testdata/ for people
// to look at (go test ./report/plot -run TestSamplePNGs -update) and checks
// they stay small. The other tests check the same plots without -update.
func TestSamplePNGs(t *testing.T) {
	if !*update {
		t.Skip("rewrites testdata/sample-*.png only with -update")
	}
	sweep := synthSweepRun()
	profile := synthProfileRun(result.ModeRate, []result.SLOBound{{Percentile: "p95", BoundMS: 50}, {Percentile: "p99", BoundMS: 80}})
	bc, err := BatchCurve(sweep)
	if err != nil {
		t.Fatal(err)
	}
	lat, err := LatencyVsLoad(sweep)
	if err != nil {
		t.Fatal(err)
	}
	plat, err := LatencyVsLoad(profile)
	if err != nil {
		t.Fatal(err)
	}
	util, err := Utilization(sweep, synthSamples(sweep, 2, true))
	if err != nil {
		t.Fatal(err)
	}
	putil, err := Utilization(profile, synthSamples(profile, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	interrupted, err := BatchCurve(interruptedSweep(16, 600))
	if err != nil {
		t.Fatal(err)
	}
	llm := synthLLMSweepRun()
	tokens, err := TokensVsConcurrency(llm)
	if err != nil {
		t.Fatal(err)
	}
	llmLat, err := LLMLatencyVsLoad(llm)
	if err != nil {
		t.Fatal(err)
	}
	par, err := Pareto(llm)
	if err != nil {
		t.Fatal(err)
	}
	figs := map[string]*Figure{
		"sample-batch-curve-interrupted.png": FigureOf(interrupted),
		"sample-tokens-vs-concurrency.png":   tokens,
		"sample-llm-latency-vs-load.png":     llmLat,
		"sample-pareto.png":                  FigureOf(par),
		"sample-batch-curve.png":             FigureOf(bc),
		"sample-latency-vs-load.png":         FigureOf(lat),
		"sample-latency-vs-load-profile.png": FigureOf(plat),
		"sample-utilization-gpu.png":         util,
		"sample-utilization-cpu.png":         putil,
	}
	dir := "testdata"
	for name, f := range figs {
		if err := f.Save(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 200<<10 {
			t.Errorf("%s is %d bytes, want under 200 KiB", name, fi.Size())
		}
	}
}
