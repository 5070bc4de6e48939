package plot

import (
	"fmt"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// TokensVsConcurrency plots what an LLM endpoint delivers as its load
// grows, in two panels sharing the load axis: output tokens/s (what an LLM
// run's cost is divided by) above, requests/s below (successful, and the
// goodput: those within every per-request bound of the SLO). The load is
// concurrency for closed-loop steps, requests/s otherwise (see llmLoad).
// Steps meeting the SLO are filled, the others hollow, and the sweet spot,
// the most output tokens/s meeting the SLO, is ringed on both panels: the
// point past which more concurrency buys latency and no throughput.
func TokensVsConcurrency(run *result.Run) (*Figure, error) {
	f, _, err := tokensVsConcurrency(run)
	return f, err
}

// tokensVsConcurrency is TokensVsConcurrency that also returns each
// panel's legend, for tests.
func tokensVsConcurrency(run *result.Run) (*Figure, []*sideLegend, error) {
	const what = "tokens vs concurrency"
	l, err := llmLoadOf(run, what)
	if err != nil {
		return nil, nil, err
	}
	tok := newPlot("", "", "output tokens/s (all streams)")
	req := newPlot("", "", "requests/s (successful)")
	legs := []*sideLegend{newSideLegend(), newSideLegend()}
	fx := l.setXAxis(&req.X)
	identity := func(v float64) float64 { return v }

	tokens := func(st *result.Step) (float64, bool) { return st.Throughput(), true }
	requests := func(st *result.Step) (float64, bool) {
		if st.RequestsPerS != nil {
			return *st.RequestsPerS, true
		}
		return st.SuccessfulRPS, true
	}
	goodput := func(st *result.Step) (float64, bool) {
		if st.GoodputRPS == nil {
			return 0, false
		}
		return *st.GoodputRPS, true
	}

	tl, ts, err := l.addSeries(tok, fx, identity, tokens, lineStyle(colorAt(0), vg.Points(2)), draw.CircleGlyph{}, openCircle{})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	legs[0].add("output tokens/s", tl, ts)
	rl, rs, err := l.addSeries(req, fx, identity, requests, lineStyle(colorAt(1), vg.Points(2)), draw.CircleGlyph{}, openCircle{})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	legs[1].add("successful requests/s", rl, rs)
	if len(l.slo) > 0 {
		gl, gs, err := l.addSeries(req, fx, identity, goodput, lineStyle(colorAt(3), vg.Points(1.4), vg.Points(5), vg.Points(3)),
			draw.PyramidGlyph{}, draw.TriangleGlyph{})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		if gl != nil {
			legs[1].add("goodput: requests/s within", gl, gs)
			legs[1].heading("every per-request bound")
		}
	}
	l.addMeetsKey(legs[0])

	if l.best >= 0 {
		pt := l.points[l.best]
		r, _ := requests(pt.st)
		ring, err := addBest(tok, fx(pt.x), pt.st.Throughput(), true)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		legs[0].add(fmt.Sprintf("sweet spot: %s,", l.bestName()), ring)
		legs[0].heading(fmt.Sprintf("%s output tokens/s", formatRate(pt.st.Throughput())))
		ring, err = addBest(req, fx(pt.x), r, true)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		legs[1].add(fmt.Sprintf("sweet spot: %s requests/s", formatRate(r)), ring)
	} else if len(l.slo) > 0 {
		legs[0].heading("no step met the SLO")
	}

	panels := []*gplot.Plot{tok, req}
	for i, p := range panels {
		p.Add(legs[i])
		maxY := 0.0
		for _, pt := range l.points {
			v, _ := tokens(pt.st)
			if i == 1 {
				v, _ = requests(pt.st)
			}
			maxY = math.Max(maxY, v)
		}
		p.Y.Min, p.Y.Max = 0, maxY*1.1
		if maxY <= 0 {
			p.Y.Max = 1
		}
		p.Y.Tick.Marker = linearTicks{labels: 4}
	}
	tok.X.Min, tok.X.Max = req.X.Min, req.X.Max
	tok.X.Tick.Marker = blankTicks{req.X.Tick.Marker}

	title := "Output tokens/s and requests/s vs concurrency"
	if !l.byConcurrency {
		title = "Output tokens/s and requests/s vs load"
	}
	return &Figure{
		Title:  multiline(title, subject(run)+titleSeparator+sloNote(run)),
		Panels: panels,
		Width:  Width,
		Height: stackHeight(len(panels)),
	}, legs, nil
}

// sloNote is the SLO part of a title: "SLO ttft_p95 ≤ 500 ms" or "no SLO
// recorded", and "provisional until --resume" after an interrupted sweep.
func sloNote(run *result.Run) string {
	s := "no SLO recorded"
	if slo := runSLO(run); len(slo) > 0 {
		s = "SLO " + sloText(slo)
	}
	if run.Sweep != nil && run.Sweep.Provisional {
		s += titleSeparator + provisionalNote
	}
	return s
}
