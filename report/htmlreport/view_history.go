package htmlreport

import (
	"fmt"
	"io"

	"github.com/infercost/infercost/report/history"
	"github.com/infercost/infercost/result"
)

// historyView is a page of capacity and cost over a label's values.
type historyView struct {
	By     string
	Lines  []string
	Table  table
	Charts []Chart
	Notes  []string
}

// WriteHistory writes the history page: the table of the label's values
// and a chart of capacity (left axis) and cost per million (right axis)
// over them, in the order they were first measured.
func WriteHistory(w io.Writer, h *history.History, o Options) error {
	head, rows := h.Rows()
	v := &historyView{By: h.By, Lines: h.Lines(), Table: newTable(head, rows), Notes: append(append([]string{}, h.Notes...), h.Skipped...)}
	unit := result.UnitWords(h.Unit)
	var cats []string
	var caps, costs []any
	for _, p := range h.Points {
		cats = append(cats, p.Value)
		caps = append(caps, roundPtr(p.CapacityPerS))
		costs = append(costs, roundPtr(p.CostPerMillionUSD))
	}
	capName, costName := unit+"/s per replica within "+h.SLO+" (median)", perMillionWords(h.Unit)+" (median)"
	v.Charts = append(v.Charts, newChart("history-chart", fmt.Sprintf("Capacity and cost per million by %s", h.By),
		fmt.Sprintf("Each value of %s in the order it was first measured: capacity within the SLO (left axis) and cost per million at full utilisation (right axis), the median of its runs.", h.By),
		axis{name: h.By, kind: "category", categories: cats}, []axis{{name: unit + "/s", kind: "value", min: 0}, {name: "$ per million", kind: "value", min: 0}},
		[]series{{name: capName, kind: "line", data: caps, color: palette[0], symbol: "circle"}, {name: costName, kind: "line", data: costs, yAxis: 1, color: palette[5], symbol: "rect", lineType: "dashed"}}, false))
	p := newPage(fmt.Sprintf("History by %s", h.By), fmt.Sprintf("runs under %s, judged by %s", h.Dir, h.SLO), o)
	p.History = v
	p.Nav = []kv{{"history-answer", "History"}, {"history-charts", "Chart"}}
	return p.write(w)
}

func roundPtr(v *float64) any {
	if v == nil {
		return nil
	}
	return round(*v)
}
