package plot

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

// realLLMRun copies testdata/openaitest-sweep (a real sweep of the
// openaitest server by the infercost binary, see its README) into a fresh
// directory and reads it as the commands do.
func realLLMRun(t *testing.T) (*result.Run, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{result.FileName, result.SamplesFile} {
		data := readFile(t, filepath.Join("testdata", "openaitest-sweep", f))
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run, err := result.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	return run, dir
}

// The real run gets the LLM plots, and they agree with what the sweep
// recorded: the sweet spot at its realtime answer, each SLO bound on its
// panel, every step on the Pareto chart.
func TestRealLLMRun(t *testing.T) {
	run, dir := realLLMRun(t)
	if run.Unit() != result.UnitOutputToken || run.Sweep == nil || run.Sweep.Realtime.Step < 0 {
		t.Fatalf("testdata run: unit %q, sweep %v", run.Unit(), run.Sweep != nil)
	}
	files, err := WriteAll(run, dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	want := "llm-latency-vs-load.png llm-latency-vs-load.svg pareto.png pareto.svg tokens-vs-concurrency.png tokens-vs-concurrency.svg utilization.png utilization.svg"
	if got := strings.Join(files, " "); got != want {
		t.Fatalf("wrote %s, want %s", got, want)
	}

	rt := run.Steps[run.Sweep.Realtime.Step]
	tokF, tokLegs, err := tokensVsConcurrency(run)
	if err != nil {
		t.Fatal(err)
	}
	wantBest := "sweet spot: concurrency " + strconv.Itoa(rt.Concurrency) + ","
	if !hasName(tokLegs[0].names, wantBest) || !hasName(tokLegs[0].names, formatRate(rt.Throughput())+" output tokens/s") {
		t.Errorf("legend %q does not name the recorded sweet spot (%s, %s output tokens/s)", tokLegs[0].names, wantBest, formatRate(rt.Throughput()))
	}
	checkLayout(t, "real tokens vs concurrency", tokF, tokLegs)

	latF, latLegs, err := llmLatencyVsLoad(run)
	if err != nil {
		t.Fatal(err)
	}
	if !hasName(latLegs[0].names, "SLO ttft_p95 ≤ 250 ms") || !hasName(latLegs[1].names, "SLO itl_p95 ≤ 30 ms") {
		t.Errorf("legends %q, %q: the SLO bounds are not on their panels", latLegs[0].names, latLegs[1].names)
	}
	checkLayout(t, "real LLM latency", latF, latLegs)

	p, leg, lbl, err := pareto(run)
	if err != nil {
		t.Fatal(err)
	}
	if len(lbl.labels) != len(run.Steps) {
		t.Errorf("%d points on the Pareto chart for %d steps", len(lbl.labels), len(run.Steps))
	}
	checkLayout(t, "real Pareto", FigureOf(p), []*sideLegend{leg})
	checkPointLabels(t, "real Pareto", FigureOf(p), lbl)
}
