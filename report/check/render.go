package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Write prints the report: one line per check, then the verdict. With
// format "json" it writes the report as JSON.
func (r *Report) Write(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	var b strings.Builder
	against := ""
	if r.Baseline != "" {
		against = fmt.Sprintf(" against %s (max regression %.0f%%)", r.Baseline, r.MaxRegression*100)
	}
	fmt.Fprintf(&b, "check %s%s at %s\n\n", r.Run, against, r.SLO)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", strings.ToUpper(c.Status), c.Name, c.Message)
	}
	tw.Flush()
	fmt.Fprintln(&b)
	switch {
	case r.Passed && r.Skipped() > 0:
		fmt.Fprintf(&b, "passed: %d checks, %d could not be made (see above)\n", len(r.Checks)-r.Skipped(), r.Skipped())
	case r.Passed:
		fmt.Fprintf(&b, "passed: %d checks\n", len(r.Checks))
	default:
		var failed []string
		for _, c := range r.Checks {
			if c.Status == Fail {
				failed = append(failed, c.Name)
			}
		}
		fmt.Fprintf(&b, "FAILED: %d of %d checks (%s)\n", r.Failed(), len(r.Checks), strings.Join(failed, "; "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
