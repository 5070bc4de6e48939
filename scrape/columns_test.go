package scrape

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// The scraped figures become samples.csv columns: each sampler row takes
// the latest reading at or before it, blank once that is stale; the file
// reads back with the figures under the same names.
func TestSampleColumnsRoundTrip(t *testing.T) {
	srv := &changing{render: func(n int) (string, map[string]float64) {
		return string(readTestdata(t, "dcgm-exporter.txt")), nil
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	s := startScraper(t, Config{Keep: true, MaxKept: 2, Targets: []Target{{"gpu", ts.URL}}})
	waitScrapes(t, s, 3)
	s.Stop()
	var first time.Time
	s.targets[0].mu.Lock()
	first = s.targets[0].readings.items[0].t
	s.targets[0].mu.Unlock()

	samples := []result.Sample{
		{Time: first.Add(-time.Second), Step: -1},         // before any reading: blank
		{Time: first.Add(10 * time.Millisecond), Step: 0}, // the first reading
		{Time: first.Add(time.Hour), Step: 0},             // stale: blank
		{Time: first.Add(-2 * time.Second), Step: -1, Scraped: map[string]float64{"scrape.old.cpu_percent": 12.5}}, // a resumed run's row
	}
	cols := s.SampleColumns(time.Second)
	var buf bytes.Buffer
	if err := result.WriteSamplesCSV(&buf, samples, 0, cols); err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(buf.String(), "\n", 2)[0]
	for _, want := range []string{"scrape.gpu.gpu0.utilization_percent", "scrape.gpu.gpu1.power_watts", "scrape.old.cpu_percent",
		`"scrape.gpu.raw.DCGM_FI_DEV_DEC_UTIL{DCGM_FI_DRIVER_VERSION=""550.54.15""`} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %s:\n%s", want, head)
		}
	}
	back, err := result.ReadSamplesCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back[0].Scraped != nil || back[2].Scraped != nil {
		t.Errorf("rows without a fresh reading have figures: %v / %v", back[0].Scraped, back[2].Scraped)
	}
	got := back[1].Scraped
	if got["scrape.gpu.gpu0.utilization_percent"] != 73 || got["scrape.gpu.gpu0.memory_used_bytes"] != 4886<<20 ||
		got["scrape.gpu.gpu1.power_watts"] != 17.839 {
		t.Errorf("row 1: %v", got)
	}
	if _, ok := got["scrape.gpu.gpu0.temperature_c"]; !ok {
		t.Errorf("row 1 lacks the temperature")
	}
	if back[3].Scraped["scrape.old.cpu_percent"] != 12.5 {
		t.Errorf("the resumed row lost its figure: %v", back[3].Scraped)
	}
	raw := 0
	for k := range got {
		if strings.HasPrefix(k, "scrape.gpu.raw.") {
			raw++
		}
	}
	if raw != 2 {
		t.Errorf("%d raw columns with values, want 2 (--scrape-keep limit)", raw)
	}
}
