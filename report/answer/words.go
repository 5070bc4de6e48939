package answer

import (
	"fmt"
	"strings"

	"github.com/infercost/infercost/report/summary"
	"github.com/infercost/infercost/result"
)

// Lines says the answer in a few plain sentences, for the terminal and
// Markdown; the HTML report lays out the same fields.
func (a *Answer) Lines() []string {
	if !a.HasCapacity {
		return []string{a.NoAnswer}
	}
	unit := result.UnitWords(a.Unit)
	out := []string{fmt.Sprintf("best within %s: %s (step %d %s), %s %s/s, p95 %s ms",
		a.SLO, a.Load(), a.Step, a.StepName, Rate(a.CapacityPerS), unit, Num(a.P95MS))}
	if a.CostPerMillionUSD != nil {
		out = append(out, fmt.Sprintf("cost per million %s at full utilisation: %s on %s", unit, PerMillion(*a.CostPerMillionUSD), a.FullUseInstance))
	}
	if c := a.Cheapest(); c != "" {
		line := fmt.Sprintf("cheapest way to serve %s %s a month: %s, %s a month", Rate(a.MonthlyUnits), unit, c, USD(*a.MonthlyComputeUSD))
		if a.MonthlyTotalUSD != nil {
			line += fmt.Sprintf(" (%s all-in)", USD(*a.MonthlyTotalUSD))
		}
		out = append(out, line)
	}
	if a.NoAnswer != "" {
		out = append(out, a.NoAnswer)
	}
	return out
}

// USD formats dollars with cents and thousands separators: $1,234.56.
func USD(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	neg := strings.HasPrefix(s, "-")
	whole, cents, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	out := "$" + commas(whole) + "." + cents
	if neg {
		return "-" + out
	}
	return out
}

// commas puts thousands separators into a string of digits.
func commas(digits string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// PerMillion formats a cost per million with the digits a small figure
// needs: $0.3493, $0.0030, $12.50.
func PerMillion(v float64) string {
	if v >= 10 {
		return USD(v)
	}
	return fmt.Sprintf("$%.4f", v)
}

// Rate formats a throughput: whole numbers with separators from 100 up.
func Rate(v float64) string {
	if v >= 100 {
		return commas(fmt.Sprintf("%.0f", v))
	}
	return fmt.Sprintf("%.4g", v)
}

// Num formats a latency or percentage for a table, as the terminal
// tables do.
func Num(v float64) string { return summary.Num(v) }
