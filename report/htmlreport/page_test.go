package htmlreport

import (
	"regexp"
	"strings"
	"testing"
)

// A report loads nothing and links nowhere: the library, the glue, the
// style and the data are inline, sources are text.
func TestTheReportIsSelfContained(t *testing.T) {
	for name, page := range map[string]string{
		"run":     runPage(t, loadRun(t, testdata+"real-demo")),
		"llm":     runPage(t, loadRun(t, testdata+"real-llm-sweep")),
		"compare": comparePage(t, testdata+"a10g-sweep", testdata+"a100-sweep"),
		"history": historyPage(t),
	} {
		if !strings.Contains(page, echartsJS) {
			t.Fatalf("%s: the library is not inlined", name)
		}
		own := ownPart(page)
		for _, bad := range []string{"<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", " src=", "@font-face"} {
			if strings.Contains(own, bad) {
				t.Errorf("%s: the page holds %q", name, bad)
			}
		}
		// URLs appear as text only (a target's address, a price's source)
		if m := regexp.MustCompile(`=["']?\s*(https?:)?//`).FindString(own); m != "" {
			t.Errorf("%s: an attribute points out of the page: %s", name, m)
		}
		for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(own, -1) {
			if !strings.HasPrefix(m[1], "#") {
				t.Errorf("%s: a link out of the page: %s", name, m[1])
			}
		}
		seen := map[string]bool{}
		for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(own, -1) {
			if seen[m[1]] {
				t.Errorf("%s: the id %q is used twice", name, m[1])
			}
			seen[m[1]] = true
		}
		if n := strings.Count(own, "<script"); n != 3 {
			t.Errorf("%s: %d script elements, want the data, the library and the glue", name, n)
		}
	}
}

func TestTheAnswerComesFirst(t *testing.T) {
	page := runPage(t, loadRun(t, testdata+"a10g-sweep"))
	answer := strings.Index(page, "Best within p95=50ms: batch 8, 800 inferences/s per replica.")
	steps := strings.Index(page, "<h2>Summary</h2>")
	if answer < 0 || steps < 0 || answer > steps {
		t.Fatalf("the answer (at %d) does not come before the summary (at %d)", answer, steps)
	}
	for _, want := range []string{"$0.3493 on g5.xlarge, at full utilisation", "Cheapest way to serve 10,000,000 inferences a month",
		"dedicated on g5.xlarge", "<h3>Levers</h3>", "TCO a month", "<h3>Prices used</h3>",
		"Settings and environment", "NVIDIA A10G (detected)", `<tr class="best">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// every price with its date and source, as text
	if !regexp.MustCompile(`<td>on_demand_usd_per_hour</td><td class="num">1.006</td><td class="num">\d{4}-\d{2}(-\d{2})?</td><td[^>]*>[^<]*</td><td>[^<]*aws[^<]*</td>`).MatchString(page) {
		t.Error("the g5.xlarge price row lacks its date or source")
	}
}

// Without an answer the report still renders, and says why.
func TestNoAnswerStillRenders(t *testing.T) {
	for name, d := range map[string]string{"cpu-profile": "records no SLO", "no-slo": "no step of"} {
		page := runPage(t, loadRun(t, testdata+name))
		if !strings.Contains(page, `<section class="answer none"`) || !strings.Contains(page, "no cost answer: ") || !strings.Contains(page, d) {
			t.Errorf("%s: no 'no cost answer' box saying %q", name, d)
		}
		if len(chartData(t, page)) < 2 {
			t.Errorf("%s: the measurements were not charted", name)
		}
	}
	run := loadRun(t, testdata+"a10g-sweep")
	run.Run.Environment.GPUs = nil
	run.Run.Environment.Hardware, run.Run.Environment.HardwareSource, run.Run.Spec.HardwareUnpriced = "Acme NPU 9000", "flag", true
	page := runPage(t, run)
	if !strings.Contains(page, "no cost answer: nothing in the catalog is priced for Acme NPU 9000") || !strings.Contains(page, "Best within p95=50ms: batch 8") {
		t.Error("unpriced hardware: the capacity or the reason there is no price is missing")
	}
}

// Every name in a run is text, never markup, in the page and in its data.
func TestEverythingIsEscaped(t *testing.T) {
	d := loadRun(t, testdata+"real-demo")
	evil := `</script><script>alert("x")</script><img src=x onerror=alert(1)>`
	d.Run.Spec.Model = evil
	d.Run.Steps[0].Name = evil
	d.Run.Steps[0].Notes = append(d.Run.Steps[0].Notes, evil)
	d.Run.Warnings = append(d.Run.Warnings, evil)
	d.Run.Spec.Labels = map[string]string{evil: evil}
	page := runPage(t, d)
	own := ownPart(page)
	if strings.Contains(own, "<script>alert") || strings.Contains(own, "<img") || strings.Contains(own, `onerror=alert(1)>`) {
		t.Error("a name reached the page as markup")
	}
	if !strings.Contains(own, "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)") {
		t.Error("the name is not in the page as escaped text")
	}
	if len(chartData(t, page)) != 4 {
		t.Error("the chart data block was broken by a name")
	}
}

func TestChartsOfEachKind(t *testing.T) {
	ids := func(page string) []string {
		var out []string
		for _, c := range chartData(t, page) {
			if c.Points == 0 {
				t.Errorf("chart %s has no points", c.ID)
			}
			if !strings.Contains(page, `id="`+c.ID+`"`) {
				t.Errorf("chart %s has no place in the page", c.ID)
			}
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		page string
		want string
	}{
		{runPage(t, loadRun(t, testdata+"real-demo")), "run-throughput run-latency-latency run-utilization run-cost-chart"},
		{runPage(t, loadRun(t, testdata+"real-llm-sweep")), "run-throughput run-latency-ttft run-latency-itl run-latency-latency run-utilization run-cost-chart"},
		{comparePage(t, testdata+"a10g-sweep", testdata+"a100-sweep"), "run-1-throughput run-1-latency-latency run-1-cost-chart run-2-throughput run-2-latency-latency run-2-cost-chart compare-capacity compare-cost"},
		{historyPage(t), "history-chart"},
	} {
		if got := strings.Join(ids(tc.page), " "); got != tc.want {
			t.Errorf("charts %q, want %q", got, tc.want)
		}
	}
	// the SLO bounds are drawn on the latency charts of their metric
	page := runPage(t, loadRun(t, testdata+"real-llm-sweep"))
	for _, c := range chartData(t, page) {
		marks := 0
		for _, s := range c.Option["series"].([]any) {
			if ml, ok := s.(map[string]any)["markLine"]; ok {
				marks += len(ml.(map[string]any)["data"].([]any))
			}
		}
		want := map[string]int{"run-latency-ttft": 1, "run-latency-itl": 1}[c.ID]
		if marks != want {
			t.Errorf("%s: %d SLO lines, want %d", c.ID, marks, want)
		}
	}
}

func TestCompareAndHistoryPages(t *testing.T) {
	page := comparePage(t, testdata+"a10g-sweep", testdata+"a100-sweep")
	for _, want := range []string{"NVIDIA A10G (../../testdata/runs/a10g-sweep) is the cheaper way", "<h2>Side by side</h2>", `id="run-1"`, `id="run-2"`, "$2,060.68"} {
		if !strings.Contains(page, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}
	page = comparePage(t, testdata+"a10g-sweep", testdata+"llm-a10g-sweep")
	if !strings.Contains(page, "no comparison: the runs serve different models") || !strings.Contains(page, `id="run-2"`) {
		t.Error("runs that cannot be compared: no box, or their reports are missing")
	}
	page = historyPage(t)
	for _, want := range []string{"History by model_version", "<td>v2</td>", "-20.0%", "&#43;25.0%"} {
		if !strings.Contains(page, want) {
			t.Errorf("history page lacks %q", want)
		}
	}
}
