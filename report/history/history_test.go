package history

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/result"
)

// writeVersion writes a copy of a golden run under dir, labelled, started
// at the given hour, with every step's throughput scaled (a slower or
// faster version of the model).
func writeVersion(t *testing.T, dir, name, label string, hour int, scale float64) {
	t.Helper()
	run, err := result.Read("../../testdata/runs/a10g-sweep")
	if err != nil {
		t.Fatal(err)
	}
	if label != "" {
		run.Spec.Labels = map[string]string{"model_version": label}
	}
	run.StartedAt = time.Date(2026, 11, 1, hour, 0, 0, 0, time.UTC)
	for i := range run.Steps {
		st := &run.Steps[i]
		st.InferencesPerS *= scale
		st.SuccessfulRPS *= scale
	}
	run.Sweep = nil
	if err := result.Write(filepath.Join(dir, name), run); err != nil {
		t.Fatal(err)
	}
}

func opts(t *testing.T) answer.Options {
	o, err := answer.Defaults(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestValuesInTheOrderFirstMeasuredWithMediansAndChanges(t *testing.T) {
	dir := t.TempDir()
	writeVersion(t, dir, "r1", "f00d", 1, 1)   // first
	writeVersion(t, dir, "r2", "beef", 2, 0.8) // second: 20% slower
	writeVersion(t, dir, "r3", "beef", 5, 0.9) // measured again
	writeVersion(t, dir, "r4", "abc1", 3, 1)   // third, though it sorts first
	writeVersion(t, dir, "r5", "", 4, 1)       // no label
	if err := os.MkdirAll(filepath.Join(dir, "broken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken", result.FileName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := Build(dir, "model_version", opts(t))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, p := range h.Points {
		order = append(order, p.Value)
	}
	if strings.Join(order, ",") != "f00d,beef,abc1" {
		t.Fatalf("order %v, want first-measured order f00d,beef,abc1", order)
	}
	beef := h.Points[1]
	if len(beef.Runs) != 2 || *beef.CapacityMin != 640 || *beef.CapacityMax != 720 || *beef.CapacityPerS != 680 {
		t.Errorf("beef: %d runs, capacity %v (%v-%v)", len(beef.Runs), *beef.CapacityPerS, *beef.CapacityMin, *beef.CapacityMax)
	}
	if beef.P95MS == nil || *beef.P95MS != 42 {
		t.Errorf("beef: p95 at capacity %v, want 42 ms", beef.P95MS)
	}
	if c := *beef.CapacityChange; c > -0.149 || c < -0.151 {
		t.Errorf("capacity change %g, want -15%%", c)
	}
	// cost per million goes as 1/capacity: the median of 1/0.8 and 1/0.9 of the first's
	if c, want := *beef.CostChange, (1/0.8+1/0.9)/2-1; c < want-1e-9 || c > want+1e-9 {
		t.Errorf("cost change %g, want %g", c, want)
	}
	if h.Points[0].CapacityChange != nil || h.SLO != "p95=50ms" || len(h.Skipped) != 1 || !strings.Contains(strings.Join(h.Notes, " "), "1 run(s)") {
		t.Errorf("first change %v, SLO %s, skipped %q, notes %q", h.Points[0].CapacityChange, h.SLO, h.Skipped, h.Notes)
	}
	var b bytes.Buffer
	if err := h.Write(&b, "csv"); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != "model_version" || recs[2][4] != "680" || recs[2][12] != "42" {
		t.Errorf("csv %q, %v", recs, err)
	}
	b.Reset()
	if err := h.Write(&b, "table"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"680 (640-720)", "-15.0%", "+18.1%", "g5.xlarge"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestRunsThatDoNotCompareAreRefused(t *testing.T) {
	dir := t.TempDir()
	writeVersion(t, dir, "r1", "v1", 1, 1)
	run, _ := result.Read("../../testdata/runs/a10g-sweep")
	run.Spec.Labels = map[string]string{"model_version": "v2"}
	run.Sweep.SLO = []result.SLOBound{{Metric: result.MetricLatency, Percentile: "p99", BoundMS: 80}}
	if err := result.Write(filepath.Join(dir, "r2"), run); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(dir, "model_version", opts(t)); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "different SLOs") {
		t.Errorf("different SLOs: %v", err)
	}
	o := opts(t)
	o.SLO, _ = result.ParseSLO("p95=45ms")
	h, err := Build(dir, "model_version", o)
	if err != nil || h.SLO != "p95=45ms" || len(h.Points) != 2 {
		t.Errorf("with --slo: %v, %+v", err, h)
	}
	if _, err := Build(dir, "team", opts(t)); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "--label team=VALUE") {
		t.Errorf("no such label: %v", err)
	}
}
