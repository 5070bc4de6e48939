package plot

import (
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
)

// maxTicks bounds every ticker: a range that would need more is a bug in
// the caller, and a plot with thousands of ticks is unreadable anyway.
const maxTicks = 500

// linearTicks puts about five labelled ticks at "nice" values (1, 2, 2.5 or 5
// times a power of ten) with unlabelled minor ticks between them, and
// labels them with SI suffixes (1.5k, 20k, 3M) so that large rates stay
// short and never run into each other.
type linearTicks struct {
	// labels is the number of labelled ticks wanted (5 when 0).
	labels int
	// blank keeps the tick marks but drops their labels (upper panels of a
	// stack that share the bottom panel's x axis).
	blank bool
}

// Ticks implements gonum plot's Ticker.
func (t linearTicks) Ticks(min, max float64) []gplot.Tick {
	n := t.labels
	if n <= 0 {
		n = 5
	}
	ticks := niceTicks(min, max, n)
	if t.blank {
		for i := range ticks {
			ticks[i].Label = ""
		}
	}
	return ticks
}

// niceTicks returns about n labelled ticks in [min, max] and minor ticks
// between them. A degenerate or non-finite range yields what it can (one
// tick, or none) rather than panicking as gonum's DefaultTicks does.
func niceTicks(min, max float64, n int) []gplot.Tick {
	if !isFinite(min) || !isFinite(max) {
		return nil
	}
	if min > max {
		min, max = max, min
	}
	span := max - min
	if span == 0 || span < math.Abs(max)*1e-12 {
		return []gplot.Tick{{Value: min, Label: formatSI(min, math.Abs(min)/10)}}
	}
	step, minorDiv := niceStep(span / float64(n))
	first := math.Ceil(min/step-1e-9) * step
	var ticks []gplot.Tick
	for i := 0; i < maxTicks; i++ {
		v := first + float64(i)*step
		if v > max+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, gplot.Tick{Value: v, Label: formatSI(v, step)})
	}
	minor := step / float64(minorDiv)
	start := math.Floor(min/minor) * minor
	for i := 0; len(ticks) < maxTicks; i++ {
		v := start + float64(i)*minor
		if v > max {
			break
		}
		if v < min {
			continue
		}
		r := math.Mod(math.Abs(v-first), step)
		if r < minor/2 || step-r < minor/2 {
			continue // a labelled tick is here
		}
		ticks = append(ticks, gplot.Tick{Value: v})
	}
	return ticks
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten and says
// how many minor intervals split it.
func niceStep(raw float64) (step float64, minorDiv int) {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []struct {
		base float64
		div  int
	}{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}, {10, 5}} {
		if m.base*mag >= raw*(1-1e-9) {
			return m.base * mag, m.div
		}
	}
	return 10 * mag, 5
}

// logTicks labels a logarithmic axis at 1, 2 and 5 times powers of ten
// (only at powers of ten when the range spans more than four decades),
// with minor ticks at the other integer multiples. The axis is linear and
// holds log10 of the values (see logAxis): gonum's own LogScale places the
// axis label by the arithmetic mean of the range and pushes the plot
// around. A range too narrow to hold two such labels falls back to nice
// linear values, which read fine over a short range.
type logTicks struct{}

// Ticks implements gonum plot's Ticker; min and max are log10 values.
func (logTicks) Ticks(lmin, lmax float64) []gplot.Tick {
	if !isFinite(lmin) || !isFinite(lmax) {
		return nil
	}
	if lmin > lmax {
		lmin, lmax = lmax, lmin
	}
	decades := lmax - lmin
	if decades > 300 {
		return nil
	}
	labelled := map[int]bool{1: true, 2: true, 5: true}
	if decades > 4 {
		labelled = map[int]bool{1: true}
	}
	var ticks []gplot.Tick
	nLabels := 0
	const eps = 1e-9
	for e := math.Floor(lmin); e <= math.Ceil(lmax) && len(ticks) < maxTicks; e++ {
		for m := 1; m <= 9; m++ {
			lv := e + math.Log10(float64(m))
			if lv < lmin-eps || lv > lmax+eps {
				continue
			}
			tk := gplot.Tick{Value: lv}
			if labelled[m] {
				v := float64(m) * math.Pow(10, e)
				tk.Label = formatSI(v, v)
				nLabels++
			}
			ticks = append(ticks, tk)
		}
	}
	if nLabels >= 2 {
		return ticks
	}
	lin := niceTicks(math.Pow(10, lmin), math.Pow(10, lmax), 4)
	out := lin[:0]
	for _, t := range lin {
		if t.Value > 0 {
			t.Value = math.Log10(t.Value)
			out = append(out, t)
		}
	}
	return out
}

// formatSI writes v with a k, M or G suffix when |v| >= 1000, using as few
// decimals as step (the distance between neighbouring labels) needs, so
// that 1000 reads "1k", 1500 "1.5k" and 250000 "250k".
func formatSI(v, step float64) string {
	if v == 0 {
		return "0"
	}
	scale, suffix := 1.0, ""
	switch a := math.Abs(v); {
	case a >= 1e9:
		scale, suffix = 1e9, "G"
	case a >= 1e6:
		scale, suffix = 1e6, "M"
	case a >= 1e3:
		scale, suffix = 1e3, "k"
	}
	var s string
	if d := decimalsFor(v/scale, math.Abs(step)/scale); d >= 0 {
		s = strconv.FormatFloat(v/scale, 'f', d, 64)
	} else {
		// Tiny values: as many significant digits as tell neighbours apart.
		sig := 1
		if step != 0 && isFinite(step) {
			sig = int(math.Ceil(math.Log10(math.Abs(v)/math.Abs(step)))) + 1
		}
		s = strconv.FormatFloat(v/scale, 'g', min(max(sig, 1), 15), 64)
	}
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "eE") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s + suffix
}

// decimalsFor is the number of decimals that shows both v and the spacing
// step exactly enough, or -1 when six are not enough.
func decimalsFor(v, step float64) int {
	for d := 0; d <= 6; d++ {
		p := math.Pow(10, float64(d))
		ok := true
		for _, x := range []float64{v, step} {
			if x == 0 || !isFinite(x) {
				continue
			}
			if y := x * p; math.Round(y) == 0 || math.Abs(math.Round(y)-y) > 1e-6*math.Abs(y) {
				ok = false
			}
		}
		if ok {
			return d
		}
	}
	return -1
}

// batchTicks labels a log2 batch-size axis (holding log10 of the batch
// size, as logTicks does) at exactly the batch sizes measured. Labels that would run into their neighbour (a dense list such as
// 1..64) keep their tick mark but lose the label; the first and last are
// always labelled. axisPoints is the expected length of the axis, used to
// judge the spacing before the plot knows its final size.
type batchTicks struct {
	sizes      []int
	axisPoints float64
}

// Ticks implements gonum plot's Ticker.
func (t batchTicks) Ticks(min, max float64) []gplot.Tick {
	if max <= min || !isFinite(min) || !isFinite(max) {
		return nil
	}
	const charPoints, gapPoints = 5.5, 6.0 // a 9.5 pt digit is about 5.3 pt wide
	axis := t.axisPoints
	if axis <= 0 {
		axis = 400
	}
	pos := func(lv float64) float64 { return (lv - min) / (max - min) * axis }
	var ticks []gplot.Tick
	lastEnd := math.Inf(-1)
	for i, s := range t.sizes {
		if i >= maxTicks {
			break
		}
		if s < 1 {
			continue
		}
		v := math.Log10(float64(s))
		label := strconv.Itoa(s)
		half := float64(len(label)) * charPoints / 2
		x := pos(v)
		tk := gplot.Tick{Value: v}
		isLast := i == len(t.sizes)-1
		if x-half >= lastEnd+gapPoints || i == 0 {
			tk.Label = label
			lastEnd = x + half
		} else if isLast && len(ticks) > 0 {
			// Keep the last label: drop the previous one instead.
			for j := len(ticks) - 1; j >= 0; j-- {
				if ticks[j].Label != "" {
					if j > 0 {
						ticks[j].Label = ""
					}
					break
				}
			}
			tk.Label = label
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
