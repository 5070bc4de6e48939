package main

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/scrape"
)

// scrapeFlags say which Prometheus endpoints to read during a run
// (profile, sweep, demo).
type scrapeFlags struct {
	targets  []string
	interval time.Duration
	timeout  time.Duration
	keep     bool
}

func (f *scrapeFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.targets, "scrape", nil, `read a Prometheus /metrics endpoint during the run, NAME=URL (repeatable): node_exporter (host CPU, memory), dcgm-exporter or `+
		"`infercost agent`"+` (GPUs; their model names the run's hardware), Triton, vLLM, or NAME=builtin for the built-in server's own. Figures go to each step's scrape.NAME, scraped GPUs to its gpus; an endpoint that fails is a gap with a note`)
	fs.DurationVar(&f.interval, "scrape-interval", 0, "how often each --scrape endpoint is read (default: --sample-interval)")
	fs.DurationVar(&f.timeout, "scrape-timeout", 0, "longest one read may take before it counts as a gap (default: the scrape interval, at least 1s)")
	fs.BoolVar(&f.keep, "scrape-keep", false, "also keep the series infercost does not map, raw as served, as samples.csv columns (up to 200 per endpoint)")
}

// resolve checks the flags; builtin says whether --target builtin, which
// NAME=builtin needs.
func (f *scrapeFlags) resolve(builtin bool) (scrape.Config, error) {
	cfg := scrape.Config{Interval: f.interval, Timeout: f.timeout, Keep: f.keep}
	check := cfg
	for _, v := range f.targets {
		name, u, _ := strings.Cut(v, "=")
		name = strings.TrimSpace(name)
		if strings.TrimSpace(u) == profiler.ScrapeBuiltin {
			if !builtin {
				return cfg, usageErrorf("--scrape %s=builtin reads the built-in server's /metrics: it needs --target builtin", name)
			}
			cfg.Targets = append(cfg.Targets, scrape.Target{Name: name, URL: profiler.ScrapeBuiltin})
			check.Targets = append(check.Targets, scrape.Target{Name: name, URL: "http://builtin/metrics"})
			continue
		}
		t, err := scrape.ParseTarget(v)
		if err != nil {
			return cfg, usageErrorf("%v", err)
		}
		cfg.Targets = append(cfg.Targets, t)
		check.Targets = append(check.Targets, t)
	}
	if f.interval < 0 || f.timeout < 0 {
		return cfg, usageErrorf("--scrape-interval and --scrape-timeout must be positive")
	}
	if len(cfg.Targets) > 0 {
		if err := check.Validate(); err != nil {
			return cfg, usageErrorf("%v", err)
		}
	}
	return cfg, nil
}
