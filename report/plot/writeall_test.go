package plot

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

// runDir writes run.json and, when samples is not nil, samples.csv into a
// fresh directory, as the profiler leaves them.
func runDir(t *testing.T, run *result.Run, samples []result.Sample, gpus int) string {
	t.Helper()
	dir := t.TempDir()
	if err := result.Write(dir, run); err != nil {
		t.Fatal(err)
	}
	if samples != nil {
		var buf bytes.Buffer
		if err := result.WriteSamplesCSV(&buf, samples, gpus); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, result.SamplesFile), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWriteAllPicksPlots(t *testing.T) {
	sweep := synthSweepRun()
	profile := synthProfileRun(result.ModeRate, []result.SLOBound{{Percentile: "p99", BoundMS: 100}})
	for _, tc := range []struct {
		name    string
		run     *result.Run
		samples []result.Sample
		gpus    int
		want    []string
	}{
		{"sweep with GPU samples", sweep, synthSamples(sweep, 1, true), 1,
			[]string{"batch-curve.png", "batch-curve.svg", "latency-vs-load.png", "latency-vs-load.svg", "utilization.png", "utilization.svg"}},
		{"profile with CPU samples", profile, synthSamples(profile, 0, false), 0,
			[]string{"latency-vs-load.png", "latency-vs-load.svg", "utilization.png", "utilization.svg"}},
		{"profile without samples.csv", profile, nil, 0,
			[]string{"latency-vs-load.png", "latency-vs-load.svg"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := runDir(t, tc.run, tc.samples, tc.gpus)
			// Plot what was read back from disk, as the commands do.
			run, err := result.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			files, err := WriteAll(run, dir)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(files)
			if strings.Join(files, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("wrote %q, want %q", files, tc.want)
			}
			for _, f := range files {
				data := readFile(t, filepath.Join(dir, f))
				if strings.HasSuffix(f, ".png") {
					h := 750
					if strings.HasPrefix(f, "utilization") {
						h = 0 // taller, by its panels
					}
					checkPNG(t, f, data, 1200, h)
				} else {
					checkSVG(t, f, data)
				}
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary files left behind: %q", leftovers)
			}
		})
	}
}

func TestWriteAllReportsWhatFailed(t *testing.T) {
	sweep := synthSweepRun()
	dir := runDir(t, sweep, nil, 0)
	if err := os.WriteFile(filepath.Join(dir, result.SamplesFile), []byte("not,a,samples,file\n1,2,3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := WriteAll(sweep, dir)
	if err == nil || !strings.Contains(err.Error(), "samples.csv") {
		t.Fatalf("err = %v, want one naming samples.csv", err)
	}
	if len(files) != 4 {
		t.Errorf("wrote %q, want the four plots that did not need samples", files)
	}

	for _, tc := range []struct {
		name string
		run  *result.Run
		dir  string
		want string
	}{
		{"nil run", nil, t.TempDir(), "no run"},
		{"no dir", sweep, "", "no run directory"},
		{"missing dir", sweep, filepath.Join(t.TempDir(), "gone"), "no such file"},
		{"file, not dir", sweep, filepath.Join(dir, result.FileName), "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := WriteAll(tc.run, tc.dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if len(files) != 0 {
				t.Errorf("wrote %q", files)
			}
		})
	}
}

// A run that measured nothing plottable gets no plots and no error: the
// caller has already reported why the run failed.
func TestWriteAllEmptyRun(t *testing.T) {
	run := &result.Run{SchemaVersion: result.SchemaVersion, Name: "empty", Command: "profile"}
	dir := t.TempDir()
	files, err := WriteAll(run, dir)
	if err != nil || len(files) != 0 {
		t.Fatalf("files %q, err %v; want none and no error", files, err)
	}
}

// An LLM run gets the plots in its unit: tokens vs concurrency, LLM
// latency vs load in place of latency vs load, and the Pareto chart; its
// one-batch-size sweep no batch-size curve (tokens vs concurrency is its
// curve). Plotted from what was read back from disk.
func TestWriteAllLLM(t *testing.T) {
	sweep := synthLLMSweepRun()
	profile := synthLLMRateRun()
	twoBatches := synthLLMSweepRun()
	pt := twoBatches.Sweep.Curve[0]
	pt.BatchSize = 4
	twoBatches.Sweep.Curve = append(twoBatches.Sweep.Curve, pt)
	llmFiles := []string{"llm-latency-vs-load.png", "llm-latency-vs-load.svg", "pareto.png", "pareto.svg",
		"tokens-vs-concurrency.png", "tokens-vs-concurrency.svg"}
	for _, tc := range []struct {
		name    string
		run     *result.Run
		samples []result.Sample
		want    []string
	}{
		{"sweep with GPU samples", sweep, synthSamples(sweep, 2, false),
			append(append([]string{}, llmFiles...), "utilization.png", "utilization.svg")},
		{"profile without samples.csv", profile, nil, llmFiles},
		{"sweep of two batch sizes", twoBatches, nil, append([]string{"batch-curve.png", "batch-curve.svg"}, llmFiles...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := runDir(t, tc.run, tc.samples, 2)
			run, err := result.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			if run.Unit() != result.UnitOutputToken {
				t.Fatalf("fixture read back with unit %q", run.Unit())
			}
			files, err := WriteAll(run, dir)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(files)
			if strings.Join(files, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("wrote %q, want %q", files, tc.want)
			}
			for _, f := range files {
				data := readFile(t, filepath.Join(dir, f))
				if strings.HasSuffix(f, ".png") {
					checkPNG(t, f, data, 1200, 0)
				} else {
					checkSVG(t, f, data)
					if bytes.Contains(data, []byte("inferences/s")) {
						t.Errorf("%s speaks of inferences/s in an output-token run", f)
					}
				}
			}
		})
	}
}

// Version 1 runs (the golden runs, read through result.Read, which fills
// the units figures from the inference ones) plot as they always did: in
// inferences/s, with latency vs load and no LLM plot.
func TestWriteAllVersion1Runs(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string
		best string // batch-curve legend entry ("" for a profile)
	}{
		{"a10g-sweep", "batch-curve latency-vs-load", "batch 8, 800 inferences/s"},
		{"a100-sweep", "batch-curve latency-vs-load", "batch 16, 2k inferences/s"},
		{"cpu-profile", "latency-vs-load", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			data := readFile(t, filepath.Join("..", "..", "testdata", "runs", tc.name, result.FileName))
			if err := os.WriteFile(filepath.Join(dir, result.FileName), data, 0o644); err != nil {
				t.Fatal(err)
			}
			run, err := result.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			files, err := WriteAll(run, dir)
			if err != nil {
				t.Fatal(err)
			}
			var bases []string
			for _, f := range files {
				if strings.HasSuffix(f, ".svg") {
					bases = append(bases, strings.TrimSuffix(f, ".svg"))
				}
			}
			sort.Strings(bases)
			if got := strings.Join(bases, " "); got != tc.want {
				t.Errorf("wrote %s, want %s", got, tc.want)
			}
			if tc.best == "" {
				return
			}
			p, leg, err := batchCurve(run)
			if err != nil {
				t.Fatal(err)
			}
			if !hasName(leg.names, tc.best) || !strings.HasPrefix(p.Y.Label.Text, "inferences/s") || hasName(leg.names, "so far") {
				t.Errorf("y label %q, legend %q: want %q in inferences/s", p.Y.Label.Text, leg.names, tc.best)
			}
		})
	}
}
