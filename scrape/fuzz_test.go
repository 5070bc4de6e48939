package scrape

import (
	"math"
	"testing"
	"time"
)

// FuzzParse feeds any body and Content-Type to the parser and the
// mappings: nothing may panic, and what parses keeps its promises (one
// series per key, names present, buckets and quantiles flattened away).
// Seed corpus: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"dcgm-exporter.txt", "triton.txt", "vllm.txt", "openmetrics.txt"} {
		f.Add(readTestdata(f, name), "text/plain; version=0.0.4")
	}
	f.Add([]byte("up 1\n"), "application/openmetrics-text; version=1.0.0")
	f.Add([]byte("x{a=\"}\"} 1 # {t=\"1\"} 2 3\n"), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := Parse(body, contentType)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for i := range p.Series {
			s := &p.Series[i]
			k := s.Key()
			if seen[k] {
				t.Fatalf("series %s twice", k)
			}
			seen[k] = true
			if s.Label("quantile") != "" && s.Kind == Counter {
				t.Fatalf("a summary quantile came through: %s", k)
			}
		}
		// Two readings of the same body through every mapping.
		var m mapper
		m.keep, m.maxKept = true, 8
		for i := 0; i < 2; i++ {
			r := m.read(time.Unix(int64(i), 0), p)
			if c := r.cpuPercent(); !math.IsNaN(c) && (c < 0 || c > 100) && r.exporters&hasNode != 0 {
				t.Fatalf("CPU %v out of 0-100", c)
			}
			if len(r.raw) > 8 {
				t.Fatalf("%d raw series kept over the limit of 8", len(r.raw))
			}
		}
	})
}
