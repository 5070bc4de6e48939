// Package render re-renders runs already measured (infercost report) as a
// terminal table, Markdown, JSON or CSV, from the figures package runs
// read (quantiles recomputed from the steps' histogram logs where they
// exist) and the answer package's headline. The HTML report is package
// htmlreport; this package is the text formats.
package render

import (
	"fmt"
	"io"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

// Output formats.
const (
	FormatTable    = "table"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
	FormatCSV      = "csv"
)

// CheckFormat refuses a format no renderer knows.
func CheckFormat(f string) error {
	switch f {
	case FormatTable, FormatMarkdown, FormatJSON, FormatCSV:
		return nil
	}
	return fmt.Errorf("--format %q is not known (use table, markdown, json or csv)", f)
}

// Item is one run to render: its figures, the SLO and error rate its steps
// are judged by, and its answer.
type Item struct {
	Dir          *runs.Dir
	SLO          []result.SLOBound
	MaxErrorRate float64
	Answer       *answer.Answer
}

// Prepare judges and prices each run with opts (the SLO and error rate of
// opts when set, else each run's own).
func Prepare(dirs []*runs.Dir, opts answer.Options) []Item {
	items := make([]Item, len(dirs))
	for i, d := range dirs {
		items[i] = Item{Dir: d, SLO: answer.SLOOf(d.Run, opts.SLO), MaxErrorRate: answer.MaxErrorRateOf(d.Run, opts.MaxErrorRate),
			Answer: answer.For(d.Run, d.Path, opts)}
	}
	return items
}

// Write renders the items in format.
func Write(w io.Writer, items []Item, format string) error {
	switch format {
	case FormatTable:
		return writeTable(w, items)
	case FormatMarkdown:
		return writeMarkdown(w, items)
	case FormatJSON:
		return writeJSON(w, items)
	case FormatCSV:
		return writeCSV(w, items)
	}
	return CheckFormat(format)
}

// meets says whether step i meets the item's SLO: "yes", "no", or "-"
// when the run has no SLO to judge by.
func (it Item) meets(st *result.Step) string {
	if len(it.SLO) == 0 {
		return "-"
	}
	if result.MeetsSLO(st, it.SLO, it.MaxErrorRate) {
		return "yes"
	}
	return "no"
}
