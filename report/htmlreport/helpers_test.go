package htmlreport

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/history"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

const testdata = "../../testdata/runs/"

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func options(t *testing.T) Options {
	t.Helper()
	a, err := answer.Defaults(testNow)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Answer: a, Version: "test", Now: testNow}
}

func loadRun(t *testing.T, path string) *runs.Dir {
	t.Helper()
	d, err := runs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runPage renders the report of one run.
func runPage(t *testing.T, d *runs.Dir) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteRun(&b, d, options(t)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func comparePage(t *testing.T, paths ...string) string {
	t.Helper()
	var ds []*runs.Dir
	for _, p := range paths {
		ds = append(ds, loadRun(t, p))
	}
	var b bytes.Buffer
	if err := WriteCompare(&b, ds, options(t)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// historyPage renders the history of three labelled copies of a golden
// run, the second slower.
func historyPage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i, v := range []struct {
		label string
		scale float64
	}{{"v1", 1}, {"v2", 0.8}, {"v3", 0.95}} {
		r, err := result.Read(testdata + "a10g-sweep")
		if err != nil {
			t.Fatal(err)
		}
		r.Spec.Labels = map[string]string{"model_version": v.label}
		r.StartedAt = r.StartedAt.Add(time.Duration(i) * time.Hour)
		for j := range r.Steps {
			r.Steps[j].InferencesPerS *= v.scale
			r.Steps[j].SuccessfulRPS *= v.scale
		}
		r.Sweep = nil
		if err := result.Write(filepath.Join(dir, v.label), r); err != nil {
			t.Fatal(err)
		}
	}
	o := options(t)
	h, err := history.Build(dir, "model_version", o.Answer)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHistory(&b, h, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// chartData decodes the page's chart data block.
func chartData(t *testing.T, page string) []Chart {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="infercost-charts">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no chart data block")
	}
	var cs []Chart
	if err := json.Unmarshal([]byte(m[1]), &cs); err != nil {
		t.Fatalf("chart data: %v", err)
	}
	return cs
}

// ownPart is the page without the inlined library: what infercost wrote.
func ownPart(page string) string {
	i := strings.Index(page, echartsJS)
	if i < 0 {
		return page
	}
	return page[:i] + page[i+len(echartsJS):]
}
