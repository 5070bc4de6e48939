package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

// A measuring command leaves report.html in its run directory, and the
// run can be reported and checked again from the directory alone.
func TestSweepWritesTheHTMLReport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the built-in server")
	}
	out := t.TempDir()
	// a closed loop and a wide tolerance: a busy machine (the whole suite
	// under -race) cannot flag the step, which must meet the SLO
	args := append([]string{"sweep", "--target", "builtin", "--concurrency", "2", "--batch", "4", "--slo", "p95=500ms", "--stability-tolerance", "0.9",
		"--label", "model_version=v7", "--out", out}, quickFlags...)
	res := runBinary(t, nil, args...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	dir := onlyRun(t, out)
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatalf("no report.html: %v\n%s", err, res.stderr)
	}
	if !strings.Contains(res.stderr, "report: "+filepath.Join(dir, "report.html")) {
		t.Errorf("the report's path is not printed:\n%s", res.stderr)
	}
	for _, want := range []string{"The answer", "Best within p95=500ms: batch 4", "Cost per million inferences", "<dt>model_version</dt><dd>v7</dd>", "quantiles recomputed exactly from the steps&#39; histogram logs (1 of 1 steps)"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	r := runBinary(t, nil, "check", dir, "--baseline", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "passed") {
		t.Errorf("check of a run against itself: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A report that cannot be written is a warning, and the run stays.
func TestAReportThatCannotBeWrittenIsAWarning(t *testing.T) {
	run, err := result.Read(costTestdata + "/runs/real-demo")
	if err != nil {
		t.Fatal(err)
	}
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	writeHTMLReport(&w, run, notADir)
	if !strings.Contains(w.String(), "report: report.html not written: ") || !strings.Contains(w.String(), "the run is kept") {
		t.Errorf("warning %q", w.String())
	}
	before := run.Steps[0].LatencyMS
	w.Reset()
	dir := t.TempDir()
	writeHTMLReport(&w, run, dir)
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil || !strings.Contains(w.String(), "report: ") {
		t.Errorf("a run without its logs beside it: %v, %q", err, w.String())
	}
	if run.Steps[0].LatencyMS != before {
		t.Error("writing the report changed the session's run")
	}
}
