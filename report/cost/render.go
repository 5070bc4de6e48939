package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Output formats.
const (
	FormatTable    = "table"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// CheckFormat refuses a format no renderer knows.
func CheckFormat(f string) error {
	switch f {
	case FormatTable, FormatMarkdown, FormatJSON:
		return nil
	}
	return inputErrorf("--format %q is not known (use table, markdown or json)", f)
}

// doc is what the table and Markdown renderers share: a list of blocks
// built once and written either way, so both always say the same thing.
type doc struct{ blocks []any }

type (
	heading   string
	paragraph string
	bullets   []string
	table     struct {
		header []string
		rows   [][]string
	}
)

func (d *doc) heading(s string) { d.blocks = append(d.blocks, heading(s)) }
func (d *doc) para(format string, args ...any) {
	d.blocks = append(d.blocks, paragraph(fmt.Sprintf(format, args...)))
}
func (d *doc) list(items []string) { d.blocks = append(d.blocks, bullets(items)) }
func (d *doc) table(header []string, rows [][]string) {
	d.blocks = append(d.blocks, table{header, rows})
}

// write renders the doc as an aligned terminal table or as Markdown.
func (d *doc) write(w io.Writer, format string) error {
	var b strings.Builder
	for i, blk := range d.blocks {
		if i > 0 {
			if _, isPara := blk.(paragraph); !isPara || format == FormatMarkdown {
				b.WriteString("\n")
			} else if _, prevPara := d.blocks[i-1].(paragraph); !prevPara {
				b.WriteString("\n")
			}
		}
		switch v := blk.(type) {
		case heading:
			if format == FormatMarkdown {
				fmt.Fprintf(&b, "### %s\n", v)
			} else {
				fmt.Fprintf(&b, "%s\n%s\n", v, strings.Repeat("-", len([]rune(string(v)))))
			}
		case paragraph:
			fmt.Fprintf(&b, "%s\n", v)
		case bullets:
			for _, it := range v {
				fmt.Fprintf(&b, "- %s\n", it)
			}
		case table:
			if format == FormatMarkdown {
				writeMarkdownTable(&b, v)
			} else {
				writeTextTable(&b, v)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTextTable(w io.Writer, t table) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.header, "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func writeMarkdownTable(w io.Writer, t table) {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	cells := func(r []string) string {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = esc(c)
		}
		return "| " + strings.Join(out, " | ") + " |"
	}
	fmt.Fprintln(w, cells(t.header))
	seps := make([]string, len(t.header))
	for i := range seps {
		seps[i] = "---"
	}
	fmt.Fprintln(w, "|"+strings.Join(seps, "|")+"|")
	for _, r := range t.rows {
		fmt.Fprintln(w, cells(r))
	}
}

// writeJSON writes v indented, as scripts read it.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Number formats shared by the renderers.
func usd(v float64) string { return "$" + commas(fmt.Sprintf("%.2f", v)) }

func usdPtr(v *float64) string {
	if v == nil {
		return "-"
	}
	return usd(*v)
}

func perMillion(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("$%.4f", *v)
}

func perInference(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("$%.4g", *v)
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v) }

func pctPtr(v *float64) string {
	if v == nil {
		return "-"
	}
	return pct(*v)
}

func rate(v float64) string {
	switch {
	case v >= 100:
		return commas(fmt.Sprintf("%.0f", v))
	case v >= 1:
		return fmt.Sprintf("%.4g", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
