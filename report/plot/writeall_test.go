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
