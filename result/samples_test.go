package result

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// samples.csv with scraped columns: written after the GPU columns, sorted,
// read back by name; a file without them (every file written before
// --scrape) reads as before.
func TestSamplesCSVScrapedColumns(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	samples := []Sample{
		{Time: now, Step: 0, GPUs: []GPUSample{{Index: 0, UtilizationPercent: 5}},
			Scraped: map[string]float64{"scrape.node.cpu_percent": 41.5, "scrape.gpu.gpu0.utilization_percent": 73}},
		{Time: now.Add(time.Second), Step: 0, GPUs: []GPUSample{{Index: 0, UtilizationPercent: 6}}},
	}
	var b bytes.Buffer
	if err := WriteSamplesCSV(&b, samples, 1); err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(b.String(), "\n", 2)[0]
	if !strings.HasSuffix(head, "gpu0_sm_clock_mhz,scrape.gpu.gpu0.utilization_percent,scrape.node.cpu_percent") {
		t.Errorf("header %s", head)
	}
	got, err := ReadSamplesCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Scraped["scrape.node.cpu_percent"] != 41.5 || got[0].Scraped["scrape.gpu.gpu0.utilization_percent"] != 73 ||
		got[1].Scraped != nil || len(got[1].GPUs) != 1 {
		t.Errorf("read back %+v", got)
	}

	old := "time_unix_ms,step,host_cpu_percent,host_memory_used_bytes,process_cpu_percent,process_rss_bytes,generator_cpu_percent,generator_rss_bytes\n" +
		"1700000000000,-1,12.5,100,-1,-1,3,50\n"
	if got, err := ReadSamplesCSV(strings.NewReader(old)); err != nil || got[0].HostCPUPercent != 12.5 || got[0].Scraped != nil {
		t.Errorf("a file without scraped columns: %+v, %v", got, err)
	}
	bad := strings.Replace(old, "generator_rss_bytes", "generator_rss_bytes,scrape.a.cpu_percent,foo", 1)
	bad = strings.Replace(bad, "3,50", "3,50,1,2", 1)
	if _, err := ReadSamplesCSV(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "after the scraped columns") {
		t.Errorf("a column after the scraped ones: %v", err)
	}
}
