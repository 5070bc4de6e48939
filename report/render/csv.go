package render

import (
	"encoding/csv"
	"io"
)

// writeCSV writes one header row (the unit in each name, p95_ms,
// throughput_inferences_per_s), then one row per step of every run with
// every figure, as perf_analyzer's -f does: a file a spreadsheet or a
// script reads without knowing run.json.
func writeCSV(w io.Writer, items []Item) error {
	cols := csvColumns()
	cw := csv.NewWriter(w)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, it := range items {
		for i := range it.Dir.Run.Steps {
			st := &it.Dir.Run.Steps[i]
			row := make([]string, len(cols))
			for j, c := range cols {
				row[j] = c.value(it, i, st)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
