package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/runs"
)

const testdata = "../../testdata/runs/"

func items(t *testing.T, names ...string) []Item {
	t.Helper()
	o, err := answer.Defaults(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []*runs.Dir
	for _, n := range names {
		d, err := runs.Load(testdata + n)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return Prepare(dirs, o)
}

func render(t *testing.T, format string, its []Item) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, its, format); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// CSV: one header row naming units, then one row per step of every run,
// every figure in its column.
func TestCSVHasOneRowPerStep(t *testing.T) {
	its := items(t, "real-demo", "a10g-sweep", "real-llm-sweep")
	recs, err := csv.NewReader(strings.NewReader(render(t, FormatCSV, its))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := 1
	for _, it := range its {
		want += len(it.Dir.Run.Steps)
	}
	if len(recs) != want {
		t.Fatalf("%d records, want a header and %d steps", len(recs), want-1)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		if _, dup := col[h]; dup {
			t.Errorf("column %s twice", h)
		}
		col[h] = i
	}
	for _, h := range []string{"p95_ms", "uncorrected_p99_ms", "throughput_inferences_per_s", "output_tokens_per_s", "ttft_p95_ms", "itl_p95_ms",
		"errors_http_5xx", "meets_slo", "trials_units_per_s_min", "host_cpu_percent_mean", "quantiles_source"} {
		if _, ok := col[h]; !ok {
			t.Errorf("no column %s", h)
		}
	}
	row := 1
	for _, it := range its {
		for i := range it.Dir.Run.Steps {
			st := &it.Dir.Run.Steps[i]
			r := recs[row]
			row++
			if len(r) != len(recs[0]) {
				t.Fatalf("row %d has %d fields", row, len(r))
			}
			p95, _ := strconv.ParseFloat(r[col["p95_ms"]], 64)
			tp, _ := strconv.ParseFloat(r[col["throughput_units_per_s"]], 64)
			if r[col["run"]] != it.Dir.Path || r[col["name"]] != st.Name || p95 != st.LatencyMS.Corrected.P95 || tp != st.Throughput() {
				t.Errorf("row %d: %s %s p95 %g throughput %g, want %s %s %g %g", row, r[col["run"]], r[col["name"]], p95, tp, it.Dir.Path, st.Name, st.LatencyMS.Corrected.P95, st.Throughput())
			}
			if got := r[col["quantiles_source"]]; got != it.Dir.StepSource(i) {
				t.Errorf("row %d: source %s", row, got)
			}
			if llm := st.TTFTMS != nil; llm != (r[col["ttft_p95_ms"]] != "") {
				t.Errorf("row %d: ttft_p95_ms %q on a step with TTFT %v", row, r[col["ttft_p95_ms"]], llm)
			}
		}
	}
	if recs[1][col["quantiles_source"]] != "histograms" || recs[len(its[0].Dir.Run.Steps)+1][col["quantiles_source"]] != "run.json" {
		t.Error("the real run's rows are not from histograms, or the golden run's not from run.json")
	}
}

func TestMarkdownAndTableSayWhereFiguresCameFrom(t *testing.T) {
	its := items(t, "real-demo", "a10g-sweep")
	md := render(t, FormatMarkdown, its)
	for _, want := range []string{"### ../../testdata/runs/real-demo", "recomputed exactly from the steps' histogram logs (8 of 8 steps)",
		"no histogram logs", "| # | step | batch |", "best within p95=50ms: batch 8", "| 9 | b8-r100 | 8 | 100.0 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if n := strings.Count(md, "\n| "); n != 2+8+13 {
		t.Errorf("%d table lines, want two headers and 21 steps", n)
	}
	tab := render(t, FormatTable, its)
	for _, want := range []string{"figures: quantiles recomputed exactly", "figures: no histogram logs", "cost per million inferences at full utilisation"} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

func TestJSONDocument(t *testing.T) {
	var doc Document
	if err := json.Unmarshal([]byte(render(t, FormatJSON, items(t, "real-llm-sweep", "cpu-profile"))), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 2 || doc.Runs[0].QuantilesSource != "histograms" || doc.Runs[0].StepsFromHistograms != 5 ||
		doc.Runs[0].Answer == nil || !doc.Runs[0].Answer.HasCapacity || doc.Runs[1].QuantilesSource != "run.json" ||
		!strings.Contains(doc.Runs[1].Answer.NoAnswer, "records no SLO") || doc.Runs[1].Notes == nil {
		t.Errorf("%+v", doc.Runs)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	its := items(t, "a10g-sweep")
	its[0].Dir.Run.Steps[0].Name = "a|b<script>"
	md := render(t, FormatMarkdown, its)
	if strings.Contains(md, "<script>") || !strings.Contains(md, `a\|b&lt;script&gt;`) {
		t.Error("a step name was not escaped")
	}
	if err := CheckFormat("xml"); err == nil {
		t.Error("an unknown format was accepted")
	}
}
