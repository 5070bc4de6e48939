package htmlreport

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The HTML report opened in a real browser, with the network off: headless
// Chromium loads each kind of page, the test reads the DOM it built and
// its console, and checks a screenshot. CI installs Chromium (.ci/run)
// and sets INFERCOST_CI=1, so there the test cannot skip.

// chromium finds the browser: $INFERCOST_CHROMIUM, else the usual names.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("INFERCOST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (chromium, chromium-browser, google-chrome or $INFERCOST_CHROMIUM): the HTML report's browser test is skipped; install it with `apt-get install -y chromium` (CI does)"
	if os.Getenv("INFERCOST_CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browse runs headless Chromium on page with the network cut off (every
// request goes to a closed proxy port and every name fails to resolve),
// console messages on stderr, and the given action (--dump-dom or
// --screenshot=FILE).
func browse(t *testing.T, bin, page string, action ...string) (stdout, stderr string) {
	t.Helper()
	profile := t.TempDir()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile,
		"--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
		"--hide-scrollbars", "--window-size=1400,2600", "--virtual-time-budget=15000"}, action...)
	args = append(args, "file://"+page)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(action, " "), err, tail(errb.String()))
	}
	return out.String(), errb.String()
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}

// consoleProblems picks the console errors and failed loads out of
// Chromium's log.
func consoleProblems(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "Uncaught") || strings.Contains(l, "Failed to load resource") ||
			strings.Contains(l, "ERROR:CONSOLE") || (strings.Contains(l, "CONSOLE") && strings.Contains(strings.ToLower(l), "error")) {
			out = append(out, l)
		}
	}
	return out
}

var (
	statusRe = regexp.MustCompile(`<p id="report-status"([^>]*)>([^<]*)</p>`)
	attrRe   = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
	plotRe   = regexp.MustCompile(`<div class="plot" id="([^"]+)"([^>]*)>`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(s, -1) {
		m[a[1]] = a[2]
	}
	return m
}

// checkDOM checks the DOM Chromium built from a page: the page's script
// ran without an error and drew every chart; each chart's element holds an
// SVG drawing with a mark for every data point (symbols and bars are SVG
// paths) and ECharts' own description of the data; and the texts given
// are in the page.
func checkDOM(t *testing.T, name, dom string, charts []Chart, texts ...string) {
	t.Helper()
	m := statusRe.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("%s: no status element in the DOM", name)
	}
	st := attrs(m[1])
	if st["data-state"] != "ok" || st["data-drawn"] != strconv.Itoa(len(charts)) || st["data-errors"] != "0" {
		t.Errorf("%s: status %v: %q", name, st, m[2])
	}
	byID := map[string]Chart{}
	for _, c := range charts {
		byID[c.ID] = c
	}
	plots := plotRe.FindAllStringSubmatchIndex(dom, -1)
	if len(plots) != len(charts) {
		t.Errorf("%s: %d chart elements, want %d", name, len(plots), len(charts))
	}
	for _, p := range plots {
		id := dom[p[2]:p[3]]
		a := attrs(dom[p[4]:p[5]])
		end := strings.Index(dom[p[1]:], "</figure>")
		body := dom[p[1] : p[1]+end]
		c := byID[id]
		paths := strings.Count(body, "<path")
		if a["data-drawn"] != "true" || !strings.Contains(body, "<svg") {
			t.Errorf("%s: chart %s was not drawn", name, id)
			continue
		}
		if c.Marked && paths < c.Points {
			t.Errorf("%s: chart %s draws %d paths for %d data points", name, id, paths, c.Points)
		}
		if !c.Marked && paths < 2 {
			t.Errorf("%s: chart %s draws %d paths", name, id, paths)
		}
		if label := a["aria-label"]; !strings.Contains(label, "The data is as follows") && !strings.Contains(label, "The first") {
			t.Errorf("%s: chart %s has no data description: %q", name, id, label)
		}
	}
	for _, want := range texts {
		if !strings.Contains(dom, want) {
			t.Errorf("%s: the page lacks %q", name, want)
		}
	}
}

func TestBrowserOpensTheReportOffline(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	pages := []struct {
		name  string
		html  string
		texts []string
	}{
		{"demo", runPage(t, loadRun(t, testdata+"real-demo")), []string{"Best within p95=50ms: batch 8, 8,000 inferences/s per replica.", "Cost per million inferences"}},
		{"llm", runPage(t, loadRun(t, testdata+"real-llm-sweep")), []string{"Best within ttft_p95=250ms,itl_p95=30ms: concurrency 4", "Time to first token vs load"}},
		{"compare", comparePage(t, testdata+"a10g-sweep", testdata+"a100-sweep"), []string{"is the cheaper way to serve 10,000,000 inferences a month"}},
		{"no-answer", runPage(t, loadRun(t, testdata+"cpu-profile")), []string{"no cost answer: ", "records no SLO"}},
		{"history", historyPage(t), []string{"History by model_version"}},
	}
	for _, p := range pages {
		file := filepath.Join(dir, p.name+".html")
		if err := os.WriteFile(file, []byte(p.html), 0o644); err != nil {
			t.Fatal(err)
		}
		dom, log := browse(t, bin, file, "--dump-dom")
		if probs := consoleProblems(log); len(probs) > 0 {
			t.Errorf("%s: console errors or failed loads:\n%s", p.name, strings.Join(probs, "\n"))
		}
		checkDOM(t, p.name, dom, chartData(t, p.html), p.texts...)
	}

	// a screenshot of the run's report is not blank: the answer box, the
	// tables and the charts' colours make hundreds of distinct colours
	shot := filepath.Join(dir, "demo.png")
	browse(t, bin, filepath.Join(dir, "demo.html"), "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	colours := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
		}
	}
	if b.Dx() < 1000 || len(colours) < 100 {
		t.Errorf("screenshot %dx%d has %d distinct colours: blank?", b.Dx(), b.Dy(), len(colours))
	}
	t.Log(fmt.Sprintf("screenshot %dx%d, %d colours", b.Dx(), b.Dy(), len(colours)))
}

// A page whose script fails is caught: the check above is not one that
// cannot fail.
func TestBrowserCatchesABrokenPage(t *testing.T) {
	bin := chromium(t)
	page := runPage(t, loadRun(t, testdata+"a10g-sweep"))
	broken := strings.Replace(page, `"series":[`, `"series":[{"type":"nosuchchart","data":[1]},`, 1)
	broken = strings.Replace(broken, echartsJS, "throw new Error('library broken on purpose');", 1)
	file := filepath.Join(t.TempDir(), "broken.html")
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, log := browse(t, bin, file, "--dump-dom")
	if len(consoleProblems(log)) == 0 {
		t.Errorf("a thrown error left no trace in the console log:\n%s", tail(log))
	}
	m := statusRe.FindStringSubmatch(dom)
	if m == nil || attrs(m[1])["data-state"] != "error" || !strings.Contains(m[2], "the chart library did not load") {
		t.Errorf("the status of a broken page: %v", m)
	}
}
