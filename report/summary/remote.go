package summary

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/infercost/infercost/result"
)

// scrapeNames lists the --scrape names of a run's steps, sorted.
func scrapeNames(steps []result.Step) []string {
	var names []string
	for i := range steps {
		for n := range steps[i].Scrape {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names
}

// remoteColumns are the table's columns for what was scraped (the remote
// host's CPU of each endpoint that reports one) and for energy, each only
// when some step has it: two header cells and one cell per step.
type remoteColumn struct {
	head, unit string
	cell       func(st *result.Step) string
}

func remoteColumns(steps []result.Step) []remoteColumn {
	var cols []remoteColumn
	for _, name := range scrapeNames(steps) {
		has := false
		for i := range steps {
			if steps[i].Scrape[name].CPUPercentMean != nil {
				has = true
			}
		}
		if !has {
			continue
		}
		cols = append(cols, remoteColumn{head: name + " CPU", unit: "(% machine)", cell: func(st *result.Step) string {
			if v := st.Scrape[name].CPUPercentMean; v != nil {
				return Num(*v)
			}
			return "-"
		}})
	}
	unit := ""
	for i := range steps {
		if e := steps[i].Energy; e != nil {
			switch {
			case e.JoulesPerOutputToken != nil:
				unit = "(J/token)"
			case e.JoulesPerInference != nil && unit == "":
				unit = "(J/infer)"
			}
		}
	}
	if unit != "" {
		cols = append(cols, remoteColumn{head: "energy", unit: unit, cell: func(st *result.Step) string {
			switch e := st.Energy; {
			case e == nil:
				return "-"
			case e.JoulesPerOutputToken != nil:
				return fmt.Sprintf("%.3g", *e.JoulesPerOutputToken)
			case e.JoulesPerInference != nil:
				return fmt.Sprintf("%.3g", *e.JoulesPerInference)
			}
			return "-"
		}})
	}
	return cols
}

// writeScrapeHeader says, in the header, what each --scrape endpoint was
// and what it reported in the last step that read it.
func writeScrapeHeader(w io.Writer, run *result.Run) {
	for _, t := range run.Spec.Scrape {
		what := "no read succeeded"
		for i := len(run.Steps) - 1; i >= 0; i-- {
			sum, ok := run.Steps[i].Scrape[t.Name]
			if !ok || sum.Scrapes == 0 {
				continue
			}
			parts := []string{strings.Join(sum.Exporters, ", ")}
			if len(sum.Exporters) == 0 {
				parts[0] = "no series infercost maps"
			}
			if g := scrapedGPUs(&run.Steps[i], t.Name); g != "" {
				parts = append(parts, g)
			}
			what = strings.Join(parts, "; ")
			break
		}
		fmt.Fprintf(w, "scrape %s\t%s every %gms: %s\n", t.Name, t.URL, run.Spec.ScrapeIntervalMS, what)
	}
}

// scrapedGPUs names the GPUs a step took from one endpoint: "GPU 0, 1:
// NVIDIA A10G".
func scrapedGPUs(st *result.Step, name string) string {
	var idx, models []string
	for _, g := range st.GPUs {
		if g.Source != "scrape:"+name {
			continue
		}
		idx = append(idx, fmt.Sprint(g.Index))
		if m := g.Name; m != "" && !slices.Contains(models, m) {
			models = append(models, m)
		}
	}
	if len(idx) == 0 {
		return ""
	}
	noun := "GPU"
	if len(idx) > 1 {
		noun = "GPUs"
	}
	s := noun + " " + strings.Join(idx, ", ")
	if len(models) > 0 {
		s += ": " + strings.Join(models, ", ")
	}
	return s
}

// gpuUtilHead names the GPU column's sources when some GPUs were scraped:
// the values are in the step's gpus order (this host's first).
func gpuUtilNote(steps []result.Step) string {
	var parts []string
	for i := range steps {
		for _, g := range steps[i].GPUs {
			p := fmt.Sprintf("%s GPU %d", orLocal(g.Source), g.Index)
			if !slices.Contains(parts, p) {
				parts = append(parts, p)
			}
		}
	}
	for _, p := range parts {
		if strings.HasPrefix(p, "scrape:") {
			return "GPU util columns, in order: " + strings.Join(parts, " / ")
		}
	}
	return ""
}

func orLocal(src string) string {
	if src == "" || src == "nvml" {
		return "this host's"
	}
	return src
}

// writeScrapeNotes lists a step's scrape notes.
func writeScrapeNotes(w io.Writer, st *result.Step) bool {
	wrote := false
	for _, name := range scrapeNames([]result.Step{*st}) {
		for _, n := range st.Scrape[name].Notes {
			fmt.Fprintf(w, "  %s: scrape %s: %s\n", st.Name, name, n)
			wrote = true
		}
	}
	return wrote
}

// scrapeCostLine says what scraping cost, beside the samplers' line.
func scrapeCostLine(c *result.ScrapeCost) string {
	if c == nil {
		return ""
	}
	cost := "not measurable on this OS"
	if c.CPUPercentOfCore >= 0 {
		cost = fmt.Sprintf("%.2f%% of one core", c.CPUPercentOfCore)
	}
	noun := "endpoint"
	if c.Targets != 1 {
		noun = "endpoints"
	}
	return fmt.Sprintf("scrapes: %d %s every %gms, %d reads (%d failed), costing %s", c.Targets, noun, c.IntervalMS, c.Scrapes, c.Failures, cost)
}

func hasScrapeNotes(st *result.Step) bool {
	for _, s := range st.Scrape {
		if len(s.Notes) > 0 {
			return true
		}
	}
	return false
}
