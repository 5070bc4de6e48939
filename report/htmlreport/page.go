// Package htmlreport writes the HTML report: one self-contained file (the
// chart library, its glue, the style and the data inlined; no font, script
// or image fetched, no link out) that leads with the answer and holds the
// summary, interactive charts, the cost breakdown, every price with its
// source and date, the run's settings and environment, and its notes. One
// run gets its report; several get the compare view with each run beside
// it; a history gets capacity and cost over a label's values.
//
// Everything is escaped by html/template: names of steps, runs, instances
// and sources are text in the page and JSON in its data, never markup.
package htmlreport

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// FileName is the report a measuring command writes into its run directory.
const FileName = "report.html"

// Options say how a report prices (the catalog, workload and SLO; the
// run's own SLO when none is given) and what it says about itself.
type Options struct {
	Answer  answer.Options
	Version string
	Now     time.Time
}

// pageData is what the template renders.
type pageData struct {
	Title, Subtitle, Generated, Version, Library string
	Nav                                          []kv
	Runs                                         []*runView
	Compare                                      *compareView
	History                                      *historyView
	Charts                                       []Chart
	CSS                                          template.CSS
	Lib, Glue                                    template.JS
}

// newPage starts a page with the style, the library and the glue.
func newPage(title, subtitle string, o Options) *pageData {
	return &pageData{Title: title, Subtitle: subtitle, Generated: o.Now.UTC().Format("2006-01-02 15:04 UTC"), Version: o.Version,
		Library: LibraryName, CSS: template.CSS(reportCSS), Lib: template.JS(echartsJS), Glue: template.JS(reportJS), Charts: []Chart{}}
}

// collect gathers every chart on the page into the page's data block.
func (p *pageData) collect() {
	for _, r := range p.Runs {
		p.Charts = append(p.Charts, r.Charts...)
		if r.Cost != nil && r.Cost.Chart != nil {
			p.Charts = append(p.Charts, *r.Cost.Chart)
		}
	}
	if c := p.Compare; c != nil {
		p.Charts = append(p.Charts, c.Charts...)
	}
	if h := p.History; h != nil {
		p.Charts = append(p.Charts, h.Charts...)
	}
}

func (p *pageData) write(w io.Writer) error {
	p.collect()
	var b bytes.Buffer
	if err := page.Execute(&b, p); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteRun writes the report of one run (or of a merge of runs).
func WriteRun(w io.Writer, d *runs.Dir, o Options) error {
	rv, err := buildRun("run", d, o, false)
	if err != nil {
		return err
	}
	run := d.Run
	p := newPage(fmt.Sprintf("%s on %s", orDash(run.Spec.Model), orDash(run.Environment.Hardware)),
		fmt.Sprintf("infercost %s %s (%s), started %s", run.Command, d.Path, run.Status, run.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")), o)
	p.Runs = []*runView{rv}
	p.Nav = rv.nav()
	return p.write(w)
}

// WriteFile renders a report into path atomically (a reader never sees
// half a page).
func WriteFile(path string, render func(io.Writer) error) error {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	return result.WriteFileAtomic(path, b.Bytes())
}
