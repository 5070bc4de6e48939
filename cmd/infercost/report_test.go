package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

// `report --format csv` gives one header row and one row per step.
func TestReportCSVOneRowPerStep(t *testing.T) {
	out, code, err := execCostCLI(t, "report", costTestdata+"/runs/real-demo", costTestdata+"/runs/a10g-sweep", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+8+13 || recs[0][0] != "run" || !strings.Contains(strings.Join(recs[0], ","), "p95_ms,p99_ms") {
		t.Errorf("%d records, header %q", len(recs), recs[0][:6])
	}
}

func TestReportHTMLMergeAndErrors(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "r.html")
	out, code, err := execCostCLI(t, "report", costTestdata+"/runs/real-demo", costTestdata+"/runs/real-demo", "--merge", "--html", page, "--format", "markdown")
	if code != ExitOK {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	b, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(b), "Best within p95=50ms: batch 8") || !strings.Contains(out, "merged 2 runs: histograms added") {
		t.Errorf("merged report: %v\n%s", err, out)
	}
	out, code, _ = execCostCLI(t, "report", costTestdata+"/runs/a10g-sweep", costTestdata+"/runs/a100-sweep", "--html", page)
	if b, _ = os.ReadFile(page); code != ExitOK || !strings.Contains(string(b), "is the cheaper way to serve") {
		t.Errorf("compare report: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "needs a run directory"},
		{[]string{"report", costTestdata + "/runs/a10g-sweep", "--format", "xml"}, "--format"},
		{[]string{"report", costTestdata + "/runs/a10g-sweep", costTestdata + "/runs/a10g-sweep", "--merge"}, "no histogram log"},
		{[]string{"report", "--history", dir}, "--by"},
		{[]string{"report", "--history", dir, "--by", "model_version"}, "no run under"},
		{[]string{"report", filepath.Join(dir, "nothing")}, "no run at"},
	} {
		out, code, err := execCostCLI(t, c.args...)
		if code != ExitUsage || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: exit %d, %v\n%s", c.args, code, err, out)
		}
	}
}

// writeLabelled copies a golden run under dir with a label and its
// throughput scaled.
func writeLabelled(t *testing.T, dir, golden, label string, hours int, scale float64) string {
	t.Helper()
	r, err := result.Read(costTestdata + "/runs/" + golden)
	if err != nil {
		t.Fatal(err)
	}
	r.Spec.Labels = map[string]string{"model_version": label}
	r.StartedAt = r.StartedAt.Add(timeHours(hours))
	for i := range r.Steps {
		st := &r.Steps[i]
		st.InferencesPerS *= scale
		st.SuccessfulRPS *= scale
		if scale < 1 { // a slower model: every latency up as much
			q := &st.LatencyMS.Corrected
			q.P50, q.P90, q.P95, q.P99, q.P999, q.Max = q.P50/scale, q.P90/scale, q.P95/scale, q.P99/scale, q.P999/scale, q.Max/scale
		}
	}
	r.Sweep = nil
	path := filepath.Join(dir, label)
	if err := result.Write(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportHistory(t *testing.T) {
	dir := t.TempDir()
	writeLabelled(t, dir, "a10g-sweep", "v1", 0, 1)
	writeLabelled(t, dir, "a10g-sweep", "v2", 1, 0.9)
	page := filepath.Join(t.TempDir(), "h.html")
	out, code, err := execCostCLI(t, "report", "--history", dir, "--by", "model_version", "--html", page)
	if code != ExitOK {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	if !strings.Contains(out, "v2") || !strings.Contains(out, "-10.0%") {
		t.Errorf("history table:\n%s", out)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), "History by model_version") {
		t.Errorf("history page: %v", err)
	}
}
