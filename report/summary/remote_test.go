package summary

import (
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func f64(v float64) *float64 { return &v }

// Scraped figures reach the terminal: the hardware's source, a line per
// endpoint, the remote host's CPU column, scraped GPUs in the GPU column
// (named in order), energy per inference, scrape notes and their cost.
func TestWriteRunShowsScrapedFigures(t *testing.T) {
	jpi := 0.61
	run := &result.Run{Status: result.StatusComplete,
		Spec: result.Spec{Target: "builtin", Model: "digits", Windows: 3, MaxWindows: 10, Trials: 1, ScrapeIntervalMS: 250,
			Scrape: []result.ScrapeTarget{{Name: "node", URL: "http://127.0.0.1:9100/metrics"}, {Name: "gpu", URL: "http://127.0.0.1:9400/metrics"}}},
		Environment: result.Environment{Hardware: "NVIDIA A10G", HardwareSource: "scrape:gpu", CPUCores: 2, GPUStatus: "no GPU detected (NVML: libnvidia-ml.so.1 not found)"},
		Steps: []result.Step{{Name: "b1-r200", Mode: result.ModeRate, BatchSize: 1, OfferedRPS: 200, AchievedRPS: 200, InferencesPerS: 200,
			GPUs: []result.GPUSummary{{Index: 0, Name: "NVIDIA A10G", Source: "scrape:gpu", UtilizationPercentMean: 73}},
			Scrape: map[string]result.ScrapeSummary{
				"node": {Scrapes: 12, Exporters: []string{"node_exporter"}, CPUPercentMean: f64(41.25)},
				"gpu":  {Scrapes: 11, Failures: 1, Exporters: []string{"dcgm"}, GPUs: 1, Notes: []string{"1 of 12 reads failed (timed out after 1s x1): gaps in these figures, not zeros"}},
			},
			Energy: &result.Energy{Source: "scrape:gpu", GPUs: 1, PowerWattsMean: 122, Joules: 366, JoulesPerInference: &jpi}}},
		Samplers: result.SamplerCost{Samples: 40, IntervalMS: 250, CPUPercentOfCore: 0.3,
			Scrape: &result.ScrapeCost{Targets: 2, IntervalMS: 250, Scrapes: 24, Failures: 1, CPUPercentOfCore: 0.04}},
	}
	var b strings.Builder
	WriteRun(&b, run, "runs/x")
	out := b.String()
	for _, want := range []string{
		"NVIDIA A10G (from scrape:gpu)",
		"scrape node  http://127.0.0.1:9100/metrics every 250ms: node_exporter",
		"scrape gpu   http://127.0.0.1:9400/metrics every 250ms: dcgm; GPU 0: NVIDIA A10G",
		"node CPU", "41.25", "(J/infer)", "0.61", "73",
		"GPU util columns, in order: scrape:gpu GPU 0",
		"b1-r200: scrape gpu: 1 of 12 reads failed",
		"scrapes: 2 endpoints every 250ms, 24 reads (1 failed), costing 0.04% of one core",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}
