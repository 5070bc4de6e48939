package runs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

const (
	realDemo = "../../testdata/runs/real-demo"
	realLLM  = "../../testdata/runs/real-llm-sweep"
	golden   = "../../testdata/runs/a10g-sweep"
)

// The quantiles recomputed from a real run's logs are the ones the
// profiler wrote: the same histograms, read the same way.
func TestRecomputedQuantilesEqualTheProfilersOwn(t *testing.T) {
	for _, dir := range []string{realDemo, realLLM} {
		written, err := result.Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Source() != SourceHistograms || d.Recomputed() != len(written.Steps) || len(written.Steps) < 5 {
			t.Fatalf("%s: source %s, %d of %d steps recomputed", dir, d.Source(), d.Recomputed(), len(written.Steps))
		}
		for i := range written.Steps {
			w, g := &written.Steps[i], &d.Run.Steps[i]
			if w.LatencyMS != g.LatencyMS || w.SendLagMS != g.SendLagMS {
				t.Errorf("%s step %d: latency %+v, recomputed %+v", dir, i+1, w.LatencyMS, g.LatencyMS)
			}
			for _, q := range []struct {
				name string
				w, g *result.Quantiles
			}{{"ttft", w.TTFTMS, g.TTFTMS}, {"ttft_uncorrected", w.TTFTUncorrectedMS, g.TTFTUncorrectedMS}, {"itl", w.ITLMS, g.ITLMS}, {"tpot", w.TPOTMS, g.TPOTMS}} {
				if (q.w == nil) != (q.g == nil) || (q.w != nil && *q.w != *q.g) {
					t.Errorf("%s step %d %s: %+v, recomputed %+v", dir, i+1, q.name, q.w, q.g)
				}
			}
		}
	}
	d, _ := Load(realLLM)
	if d.Run.Steps[0].TTFTMS == nil || d.Run.Steps[0].TTFTMS.Count == 0 {
		t.Fatal("the LLM run's TTFT was not read")
	}
}

// copyRun copies a run directory (run.json, samples.csv, steps/) to a
// temporary one and returns its path.
func copyRun(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// editRun rewrites run.json through a generic map.
func editRun(t *testing.T, dir string, edit func(doc map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, result.FileName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The figures come from the log, not from run.json: a run.json whose p95
// was edited still reports the log's p95.
func TestTheLogWinsOverRunJSON(t *testing.T) {
	dir := copyRun(t, realDemo)
	orig, _ := Load(realDemo)
	want := orig.Run.Steps[1].LatencyMS.Corrected
	editRun(t, dir, func(doc map[string]any) {
		q := doc["steps"].([]any)[1].(map[string]any)["latency_ms"].(map[string]any)["corrected"].(map[string]any)
		q["p95"], q["p99"], q["p999"], q["max"] = 999.0, 999.0, 999.0, 999.0
	})
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Run.Steps[1].LatencyMS.Corrected; got != want {
		t.Errorf("p95 %g (run.json says 999), want the log's %g", got.P95, want.P95)
	}
}

// A golden run has no logs: every figure is run.json's and the Dir says so.
func TestRunsWithoutLogsFallBackToRunJSON(t *testing.T) {
	written, _ := result.Read(golden)
	d, err := Load(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d.Source() != SourceRunJSON || d.Recomputed() != 0 || !strings.Contains(d.SourceWords(), "run.json") {
		t.Errorf("source %s (%q)", d.Source(), d.SourceWords())
	}
	for i := range written.Steps {
		if written.Steps[i].LatencyMS != d.Run.Steps[i].LatencyMS || d.StepSource(i) != SourceRunJSON {
			t.Errorf("step %d changed", i+1)
		}
	}
	if s, err := d.Samples(); s != nil || err != nil {
		t.Errorf("samples of a run without samples.csv: %d, %v", len(s), err)
	}
}

func TestAMissingLogIsANoteAndADamagedOneAnError(t *testing.T) {
	dir := copyRun(t, realDemo)
	d0, _ := Load(dir)
	name := d0.Run.Steps[2].Files.Histograms
	if err := os.Remove(filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Source() != SourceMixed || d.StepSource(2) != SourceRunJSON || len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "missing") {
		t.Errorf("source %s, notes %q", d.Source(), d.Notes)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#[StartTime: x]\nnot a histogram\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "step 3") {
		t.Errorf("a damaged log was accepted: %v", err)
	}
}

func TestSamplesAreRead(t *testing.T) {
	d, err := Load(realDemo)
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.Samples()
	if err != nil || len(s) < 50 {
		t.Fatalf("%d samples, %v", len(s), err)
	}
}
