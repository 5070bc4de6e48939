package render

import (
	"encoding/json"
	"io"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/result"
)

// Document is what --format json writes: each run with where its figures
// came from and its answer. The names are stable for scripts.
type Document struct {
	Runs []RunDoc `json:"runs"`
}

// RunDoc is one run in the JSON document.
type RunDoc struct {
	Dir string `json:"dir"`
	// QuantilesSource is "histograms", "run.json" or "mixed"
	// (runs.SourceHistograms, ...); StepsFromHistograms counts the steps
	// recomputed from their logs.
	QuantilesSource     string         `json:"quantiles_source"`
	StepsFromHistograms int            `json:"steps_from_histograms"`
	Notes               []string       `json:"notes"`
	SLO                 string         `json:"slo"`
	Answer              *answer.Answer `json:"answer"`
	Run                 *result.Run    `json:"run"`
}

func writeJSON(w io.Writer, items []Item) error {
	doc := Document{Runs: []RunDoc{}}
	for _, it := range items {
		notes := it.Dir.Notes
		if notes == nil {
			notes = []string{}
		}
		doc.Runs = append(doc.Runs, RunDoc{Dir: it.Dir.Path, QuantilesSource: it.Dir.Source(), StepsFromHistograms: it.Dir.Recomputed(),
			Notes: notes, SLO: result.FormatSLO(it.SLO), Answer: it.Answer, Run: it.Dir.Run})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
