package profiler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/infercost/infercost/result"
	"github.com/infercost/infercost/scrape"
)

// ScrapeBuiltin, as a --scrape URL (NAME=builtin), reads the built-in
// server's own /metrics: its queue depth and queue time, its count of
// requests and inferences, its process. It follows the server when a sweep
// restarts it.
const ScrapeBuiltin = "builtin"

// startScrape starts reading the --scrape endpoints (after the samplers,
// the built-in server and the environment), records them in the spec, says
// on the log what each answered, and lets a scraped GPU name the hardware.
func (s *Session) startScrape(ctx context.Context) error {
	cfg := s.cfg.Target.Scrape
	if len(cfg.Targets) == 0 {
		return nil
	}
	cfg.Targets = append([]scrape.Target(nil), cfg.Targets...)
	spec := make([]result.ScrapeTarget, len(cfg.Targets))
	for i, t := range cfg.Targets {
		spec[i] = result.ScrapeTarget{Name: t.Name, URL: RedactURL(t.URL)}
		if t.URL == ScrapeBuiltin {
			if s.child == nil {
				return fmt.Errorf("--scrape %s=builtin reads the built-in server's metrics: it needs --target builtin", t.Name)
			}
			spec[i].URL = ScrapeBuiltin
			cfg.Targets[i].URL = s.child.URL + "/metrics"
		}
	}
	if cfg.Interval == 0 {
		cfg.Interval = s.cfg.Settings.SampleInterval
	}
	sc, err := scrape.Start(context.WithoutCancel(ctx), cfg)
	if err != nil {
		return fmt.Errorf("start scraping: %w", err)
	}
	s.scraper = sc
	s.run.Spec.Scrape = spec
	s.run.Spec.ScrapeIntervalMS = ms(sc.Config().Interval)
	for _, st := range sc.Statuses() {
		u := RedactURL(st.URL)
		switch {
		case !st.OK:
			fmt.Fprintf(s.cfg.Log, "scrape %s: %s does not answer yet (%s); its figures stay empty until it does\n", st.Name, u, st.Err)
		case len(st.Exporters) == 0:
			fmt.Fprintf(s.cfg.Log, "scrape %s: %s answers, with no series infercost knows (use --scrape-keep to keep them raw)\n", st.Name, u)
		default:
			gpus := ""
			if len(st.GPUs) > 0 {
				gpus = "; GPUs " + strings.Join(st.GPUs, ", ")
			}
			fmt.Fprintf(s.cfg.Log, "scrape %s: %s (%s%s)\n", st.Name, u, strings.Join(st.Exporters, ", "), gpus)
		}
	}
	s.resolveHardware()
	return nil
}

// retargetBuiltinScrape points NAME=builtin scrapes at the built-in server
// after a restart (it listens on a new port).
func (s *Session) retargetBuiltinScrape() {
	if s.scraper == nil || s.child == nil {
		return
	}
	for _, t := range s.cfg.Target.Scrape.Targets {
		if t.URL == ScrapeBuiltin {
			s.scraper.SetURL(t.Name, s.child.URL+"/metrics")
		}
	}
}

// remoteFigures adds to a step what the scrapes saw over its measured time
// [from, to] (scrape.NAME, the scraped GPUs after the local ones) and the
// energy its work took.
func (s *Session) remoteFigures(st *result.Step, from, to time.Time) {
	if s.scraper != nil {
		sums, gpus := s.scraper.Summarize(from, to)
		if st.Scrape == nil {
			st.Scrape = map[string]result.ScrapeSummary{}
		}
		for name, sum := range sums {
			sum.URL = RedactURL(sum.URL)
			st.Scrape[name] = sum
			if sum.Scrapes == 0 && sum.Failures > 0 {
				s.warn("scrape %s: every read failed during some steps: their scrape.%s figures are null (see the step notes)", name, name)
			}
		}
		st.GPUs = append(st.GPUs, gpus...)
		s.resolveHardware()
	}
	st.Energy = s.stepEnergy(st, from, to)
}

// stopScrape stops the scraping (idempotent) and records its cost.
func (s *Session) stopScrape() {
	if s.scraper == nil {
		return
	}
	cost := s.scraper.Stop()
	s.run.Samplers.Scrape = &cost
}

// scrapeColumns are the scraped figures as samples.csv columns: each row
// takes the latest read at or before it, blank once older than two
// intervals (or one interval and the timeout, if longer).
func (s *Session) scrapeColumns() []result.SampleColumns {
	if s.scraper == nil {
		return nil
	}
	c := s.scraper.Config()
	return []result.SampleColumns{s.scraper.SampleColumns(max(2*c.Interval, c.Interval+c.Timeout))}
}
