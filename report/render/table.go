package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/infercost/infercost/report/summary"
)

// writeTable writes each run as the measuring commands print it (the
// summary package's tables), then where its quantiles came from, the
// notes of reading it, and its answer.
func writeTable(w io.Writer, items []Item) error {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n" + strings.Repeat("=", 72) + "\n\n")
		}
		summary.WriteRun(&b, it.Dir.Run, it.Dir.Path)
		fmt.Fprintf(&b, "\nfigures: %s\n", it.Dir.SourceWords())
		for _, n := range it.Dir.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
		fmt.Fprintln(&b)
		for _, l := range it.Answer.Lines() {
			fmt.Fprintln(&b, l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
