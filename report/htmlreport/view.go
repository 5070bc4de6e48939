package htmlreport

import (
	"fmt"
	"strings"
	"unicode"
)

// The page's building blocks: tables, key-value lists and the answer box.
// Every string in them is text: html/template escapes it on the way out.

type table struct {
	// Class styles a table: "steps" keeps each figure on one line.
	Class string
	Head  []string
	Rows  []row
}

type row struct {
	Cells []cell
	// Class marks a row: "best" (the capacity step), "fail" (misses the
	// SLO), "flagged".
	Class string
}

type cell struct {
	Text  string
	Class string // "num" right-aligns a figure
}

type kv struct {
	Key, Value string
}

// newTable builds a table from plain cells; cells that read as figures
// ("$1.23", "4,000", "12.5%", "-") are right-aligned.
func newTable(head []string, rows [][]string) table {
	t := table{Head: head}
	for _, r := range rows {
		var cs []cell
		for _, c := range r {
			cs = append(cs, cell{Text: c, Class: numClass(c)})
		}
		t.Rows = append(t.Rows, row{Cells: cs})
	}
	return t
}

func numClass(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return "num"
	}
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+"), "$")
	if s == "" || !unicode.IsDigit(rune(s[0])) {
		return ""
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && !strings.ContainsRune(".,%e+- ()est", r) {
			return ""
		}
	}
	return "num"
}

// answerView is the box a page opens with.
type answerView struct {
	OK       bool
	Headline string
	Items    []kv
	// NoAnswer says why there is no cost answer (shown in its own box).
	NoAnswer string
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return orDash(strings.Join(parts, ", "))
}

func joinFloats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return orDash(strings.Join(parts, ", "))
}
