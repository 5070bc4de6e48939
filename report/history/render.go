package history

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/result"
)

// Rows is the history as a table: its header (units named) and one row
// per value of the label, in order. The HTML report shows the same.
func (h *History) Rows() ([]string, [][]string) {
	unit := result.UnitWords(h.Unit)
	head := []string{h.By, "runs", "first measured", "hardware", "best load", unit + "/s at the SLO (median, range)", "change", "p95 there (ms)",
		"$/million " + unit + " at full use (median, range)", "change", "on"}
	var rows [][]string
	for _, p := range h.Points {
		load, inst := "-", "-"
		if a := p.latest(); a != nil {
			if a.HasCapacity {
				load = a.Load()
			}
			if a.FullUseInstance != "" {
				inst = a.FullUseInstance
			}
		}
		rows = append(rows, []string{p.Value, strconv.Itoa(len(p.Runs)), p.FirstRun.UTC().Format("2006-01-02 15:04"), strings.Join(p.Hardware, ", "), load,
			ranged(p.CapacityPerS, p.CapacityMin, p.CapacityMax, answer.Rate), pctChange(p.CapacityChange), optNum(p.P95MS),
			ranged(p.CostPerMillionUSD, p.CostMin, p.CostMax, answer.PerMillion), pctChange(p.CostChange), inst})
	}
	return head, rows
}

// latest is the answer of the value's latest run.
func (p *Point) latest() *answer.Answer {
	if len(p.Runs) == 0 {
		return nil
	}
	return p.Runs[len(p.Runs)-1].Answer
}

func ranged(med, lo, hi *float64, f func(float64) string) string {
	if med == nil {
		return "- (no step meets the SLO)"
	}
	if *lo == *hi {
		return f(*med)
	}
	return fmt.Sprintf("%s (%s-%s)", f(*med), f(*lo), f(*hi))
}

func pctChange(c *float64) string {
	if c == nil {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", *c*100)
}

// Lines say what the history is, in words.
func (h *History) Lines() []string {
	out := []string{fmt.Sprintf("%d value(s) of %s under %s, judged by %s, ordered by when each was first measured; capacity is per replica within the SLO, cost per million at full utilisation on the cheapest fitting instance (embedded catalog unless --catalog).",
		len(h.Points), h.By, h.Dir, h.SLO)}
	for _, p := range h.Points {
		for _, r := range p.Runs {
			if !r.Answer.HasCapacity || r.Answer.CostPerMillionUSD == nil {
				out = append(out, fmt.Sprintf("%s=%s, %s: %s", h.By, p.Value, r.Dir, r.Answer.NoAnswer))
			}
		}
	}
	return out
}

// Write renders the history as a table, Markdown, JSON or CSV.
func (h *History) Write(w io.Writer, format string) error {
	head, rows := h.Rows()
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(h)
	case "csv":
		cw := csv.NewWriter(w)
		cols := []string{h.By, "runs", "first_run", "hardware", "capacity_" + h.Unit + "s_per_s_median", "capacity_min", "capacity_max",
			"cost_per_million_usd_median", "cost_per_million_usd_min", "cost_per_million_usd_max", "capacity_change", "cost_change", "p95_ms_median"}
		if err := cw.Write(cols); err != nil {
			return err
		}
		for _, p := range h.Points {
			if err := cw.Write([]string{p.Value, strconv.Itoa(len(p.Runs)), p.FirstRun.UTC().Format("2006-01-02T15:04:05Z"), strings.Join(p.Hardware, "; "),
				f(p.CapacityPerS), f(p.CapacityMin), f(p.CapacityMax), f(p.CostPerMillionUSD), f(p.CostMin), f(p.CostMax), f(p.CapacityChange), f(p.CostChange), f(p.P95MS)}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	var b strings.Builder
	for _, l := range h.Lines() {
		fmt.Fprintln(&b, l)
	}
	fmt.Fprintln(&b)
	if format == "markdown" {
		esc := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;")
		line := func(cells []string) {
			for i := range cells {
				cells[i] = esc.Replace(cells[i])
			}
			fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
		}
		line(append([]string{}, head...))
		fmt.Fprintf(&b, "|%s|\n", strings.TrimSuffix(strings.Repeat("---|", len(head)), "|"))
		for _, r := range rows {
			line(r)
		}
	} else {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		tw.Flush()
	}
	for _, s := range append(append([]string{}, h.Notes...), h.Skipped...) {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func optNum(v *float64) string {
	if v == nil {
		return "-"
	}
	return answer.Num(*v)
}

func f(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
