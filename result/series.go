package result

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// SecondRow is one second of a step's load, written to the step's series
// CSV. Second counts from the start of the measured time; rows for the
// warm-up are not written.
type SecondRow struct {
	Second    int     `json:"second"`
	Offered   int64   `json:"offered"`   // intended sends falling in this second
	Sent      int64   `json:"sent"`      // actual sends in this second
	Completed int64   `json:"completed"` // responses received (success or error)
	Errors    int64   `json:"errors"`
	P50MS     float64 `json:"p50_ms"` // corrected latency of this second's successes
	P95MS     float64 `json:"p95_ms"`
}

var secondHeader = []string{"second", "offered", "sent", "completed", "errors", "p50_ms", "p95_ms"}

// WriteSeriesCSV writes rows with a header line.
func WriteSeriesCSV(w io.Writer, rows []SecondRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(secondHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{
			strconv.Itoa(r.Second),
			strconv.FormatInt(r.Offered, 10), strconv.FormatInt(r.Sent, 10),
			strconv.FormatInt(r.Completed, 10), strconv.FormatInt(r.Errors, 10),
			fmtFloat(r.P50MS), fmtFloat(r.P95MS),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadSeriesCSV reads what WriteSeriesCSV wrote.
func ReadSeriesCSV(r io.Reader) ([]SecondRow, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("series CSV: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("series CSV: empty (no header)")
	}
	var out []SecondRow
	for i, rec := range recs[1:] {
		if len(rec) != len(secondHeader) {
			return nil, fmt.Errorf("series CSV line %d: %d fields, want %d", i+2, len(rec), len(secondHeader))
		}
		var row SecondRow
		var perr error
		parseInt := func(s string) int64 {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil && perr == nil {
				perr = err
			}
			return v
		}
		parseFloat := func(s string) float64 {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil && perr == nil {
				perr = err
			}
			return v
		}
		row.Second = int(parseInt(rec[0]))
		row.Offered, row.Sent, row.Completed, row.Errors = parseInt(rec[1]), parseInt(rec[2]), parseInt(rec[3]), parseInt(rec[4])
		row.P50MS, row.P95MS = parseFloat(rec[5]), parseFloat(rec[6])
		if perr != nil {
			return nil, fmt.Errorf("series CSV line %d: %w", i+2, perr)
		}
		out = append(out, row)
	}
	return out, nil
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
