package htmlreport

import (
	"math"
	"sort"
)

// Chart is one interactive chart: its title and caption in the page, and
// the option object handed to ECharts as it is (built here, in Go, so the
// page's script only glues data to the library). Points counts the data
// points drawn, which the browser test checks against the drawing.
type Chart struct {
	ID      string `json:"id"`
	Title   string `json:"-"`
	Caption string `json:"-"`
	Points  int    `json:"points"`
	// Marked: every data point is drawn as a mark of its own (a symbol or
	// a bar), so the drawing holds at least Points elements; false for
	// lines drawn without symbols (utilisation over time).
	Marked bool           `json:"marked"`
	Option map[string]any `json:"option"`
}

// series is one line or bar of a chart.
type series struct {
	name   string
	kind   string // "line" or "bar"
	data   []any  // [x, y] pairs for lines on value axes; values for bars
	yAxis  int
	dashed bool
	// color, lineType ("solid", "dashed", "dotted") and symbol ("circle",
	// "triangle", "rect") when a chart sets them: colour says the group
	// (a batch size), stroke and marker the percentile.
	color, lineType, symbol string
	// marks are horizontal lines (SLO bounds) drawn with the series.
	marks []mark
	// areas shade x ranges (the measured steps on a time axis).
	areas []area
}

type mark struct {
	name string
	y    float64
}

type area struct {
	name     string
	from, to float64
}

// axis is an axis of a chart.
type axis struct {
	name       string
	kind       string // "value", "log" or "category"
	logBase    float64
	categories []string
	min        any
}

// newChart builds an ECharts option: tooltips on hover, a legend whose
// entries toggle their series, the axes and series given, no animation
// (a report is read, not watched), and ARIA descriptions so screen
// readers (and the browser test) can read the data.
func newChart(id, title, caption string, x axis, ys []axis, ss []series, horizontal bool) Chart {
	trigger := "axis"
	if x.kind != "category" {
		trigger = "item"
	}
	opt := map[string]any{
		"animation": false,
		"aria":      map[string]any{"enabled": true},
		"tooltip":   map[string]any{"trigger": trigger, "confine": true},
		"legend":    map[string]any{"type": "scroll", "top": 0},
		"grid":      map[string]any{"left": 72, "right": 72, "top": 48, "bottom": 56, "containLabel": false},
	}
	xs, yss := axisOption(x, "x"), make([]any, len(ys))
	for i, y := range ys {
		yss[i] = axisOption(y, "y")
	}
	if horizontal {
		opt["yAxis"], opt["xAxis"] = xs, yss
		opt["grid"].(map[string]any)["left"] = 150
	} else {
		opt["xAxis"], opt["yAxis"] = xs, yss
	}
	points := 0
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		o := map[string]any{"name": s.name, "type": s.kind, "data": s.data, "emphasis": map[string]any{"focus": "series"}}
		if s.kind == "line" {
			o["showSymbol"], o["symbolSize"] = true, 7
			ls := map[string]any{}
			if s.dashed {
				ls["type"] = "dashed"
			}
			if s.lineType != "" {
				ls["type"] = s.lineType
			}
			if s.color != "" {
				ls["color"] = s.color
				o["itemStyle"] = map[string]any{"color": s.color}
			}
			if len(ls) > 0 {
				o["lineStyle"] = ls
			}
			if s.symbol != "" {
				o["symbol"] = s.symbol
			}
		}
		if s.yAxis > 0 {
			if horizontal {
				o["xAxisIndex"] = s.yAxis
			} else {
				o["yAxisIndex"] = s.yAxis
			}
		}
		if len(s.marks) > 0 {
			var lines []any
			for _, m := range s.marks {
				lines = append(lines, map[string]any{"name": m.name, "yAxis": m.y})
			}
			o["markLine"] = map[string]any{"symbol": "none", "silent": false, "data": lines,
				"lineStyle": map[string]any{"color": "#c62828", "type": "dashed", "width": 1.5},
				"label":     map[string]any{"formatter": "{b}", "position": "insideEndTop", "color": "#c62828"}}
		}
		if len(s.areas) > 0 {
			var spans []any
			for _, a := range s.areas {
				spans = append(spans, []any{map[string]any{"name": a.name, "xAxis": a.from}, map[string]any{"xAxis": a.to}})
			}
			o["markArea"] = map[string]any{"silent": true, "data": spans,
				"itemStyle": map[string]any{"color": "rgba(120,144,156,0.12)"}, "label": map[string]any{"color": "#546e7a", "fontSize": 10}}
		}
		for _, d := range s.data {
			if d != nil {
				points++
			}
		}
		out = append(out, o)
	}
	opt["series"] = out
	return Chart{ID: id, Title: title, Caption: caption, Points: points, Marked: true, Option: opt}
}

func axisOption(a axis, dim string) map[string]any {
	o := map[string]any{"type": a.kind, "name": a.name, "nameLocation": "middle", "nameGap": 36,
		"splitLine": map[string]any{"show": dim == "y"}}
	if dim == "y" {
		o["nameGap"] = 52
	}
	switch a.kind {
	case "log":
		o["logBase"] = a.logBase
	case "category":
		o["data"] = a.categories
		o["axisLabel"] = map[string]any{"interval": 0, "hideOverlap": true}
	}
	if a.min != nil {
		o["min"] = a.min
	}
	return o
}

// scaleFor picks a value axis, or a logarithmic one when the values span
// more than a factor of 20 (as the PNG plots do), so one overloaded step
// does not flatten the rest against the axis.
func scaleFor(name string, values []float64, base float64) axis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if v > 0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi/lo > 20 {
		return axis{name: name, kind: "log", logBase: base}
	}
	return axis{name: name, kind: "value"}
}

// palette is Okabe and Ito's colour-blind-safe set, one colour a group.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"}

// percentileStyle draws p50, p95 and p99 apart in every group.
var percentileStyle = map[string][2]string{"p50": {"dashed", "circle"}, "p95": {"solid", "triangle"}, "p99": {"dotted", "rect"}}

// xy is one [x, y] point.
func xy(x, y float64) any { return []float64{round(x), round(y)} }

// round keeps 6 significant digits: enough for any figure a report shows,
// and a smaller page.
func round(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, 5-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// sortXY sorts [x, y] points by x, so lines run left to right.
func sortXY(pts []any) {
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].([]float64)[0] < pts[j].([]float64)[0] })
}
