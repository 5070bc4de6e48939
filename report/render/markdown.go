package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/summary"
	"github.com/infercost/infercost/result"
)

// writeMarkdown writes each run as a section to paste into an issue or a
// pull request: the answer, where the figures came from, a table of the
// steps (the LLM figures for an LLM run) and the notes.
func writeMarkdown(w io.Writer, items []Item) error {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		run := it.Dir.Run
		fmt.Fprintf(&b, "### %s\n\n", mdEscape(it.Dir.Path))
		fmt.Fprintf(&b, "Model %s on %s, %s (%s), %d steps; %s.\n\n", mdEscape(run.Spec.Model), mdEscape(run.Environment.Hardware),
			run.Command, run.Status, len(run.Steps), it.Dir.SourceWords())
		for _, l := range it.Answer.Lines() {
			fmt.Fprintf(&b, "- %s\n", mdEscape(l))
		}
		b.WriteString("\n")
		head, rows := stepRows(it)
		writeMDTable(&b, head, rows)
		var notes []string
		notes = append(notes, it.Dir.Notes...)
		for j := range run.Steps {
			st := &run.Steps[j]
			for _, n := range st.Notes {
				notes = append(notes, fmt.Sprintf("step %d %s: %s", st.Number(), st.Name, n))
			}
		}
		notes = append(notes, run.Warnings...)
		if len(notes) > 0 {
			b.WriteString("\nNotes:\n\n")
			for _, n := range notes {
				fmt.Fprintf(&b, "- %s\n", mdEscape(n))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// stepRows is the Markdown table of a run's steps: the figures a reader
// compares, with units in the headers.
func stepRows(it Item) ([]string, [][]string) {
	run := it.Dir.Run
	llm := run.Unit() == result.UnitOutputToken
	head := []string{"#", "step", "batch", "offered (req/s)", "achieved (req/s)", "throughput (infer/s)", "p50 (ms)", "p95 (ms)", "p99 (ms)", "errors (%)", "flags", "meets SLO"}
	if llm {
		head = []string{"#", "step", "offered", "achieved (req/s)", "output (tok/s)", "TTFT p95 (ms)", "ITL p95 (ms)", "e2e p95 (ms)", "goodput (req/s)", "errors (%)", "flags", "meets SLO"}
	}
	rows := [][]string{}
	for j := range run.Steps {
		st := &run.Steps[j]
		offered := summary.Num(st.OfferedRPS)
		if st.Mode == result.ModeConcurrency {
			offered = fmt.Sprintf("c=%d", st.Concurrency)
		}
		c := st.LatencyMS.Corrected
		if llm {
			rows = append(rows, []string{fmt.Sprint(st.Number()), st.Name, offered, summary.Num(st.AchievedRPS), optFig(st.OutputTokensPerS),
				quant(st.TTFTMS), quant(st.ITLMS), quant(&c), optFig(st.GoodputRPS), summary.Num(st.ErrorRatio * 100), summary.Flags(st), it.meets(st)})
			continue
		}
		rows = append(rows, []string{fmt.Sprint(st.Number()), st.Name, fmt.Sprint(st.BatchSize), offered, summary.Num(st.AchievedRPS),
			summary.Num(st.InferencesPerS), lat(c, c.P50), lat(c, c.P95), lat(c, c.P99), summary.Num(st.ErrorRatio * 100), summary.Flags(st), it.meets(st)})
	}
	return head, rows
}

func lat(q result.Quantiles, v float64) string {
	if q.Count == 0 {
		return "-"
	}
	return answer.Num(v)
}

func quant(q *result.Quantiles) string {
	if q == nil || q.Count == 0 {
		return "-"
	}
	return answer.Num(q.P95)
}

func optFig(v *float64) string {
	if v == nil {
		return "-"
	}
	return summary.Num(*v)
}

func writeMDTable(b *strings.Builder, head []string, rows [][]string) {
	line := func(cells []string) {
		esc := make([]string, len(cells))
		for i, c := range cells {
			esc[i] = mdEscape(c)
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(esc, " | "))
	}
	line(head)
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
	}
	fmt.Fprintf(b, "|%s|\n", strings.Join(seps, "|"))
	for _, r := range rows {
		line(r)
	}
}

// mdEscape keeps a cell in its table and a name from turning into markup.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "`", "\\`", "*", `\*`, "_", `\_`)
	return r.Replace(s)
}
