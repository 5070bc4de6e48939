package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// maxPoints bounds the points of one utilization series: a long run
// sampled every 100 ms is averaged into this many time buckets, which
// keeps the SVG small and the line readable.
const maxPoints = 1500

// Utilization stacks what the samplers saw over the run, against seconds
// since the run started: host CPU (% of the whole machine); CPU of the
// target process and of infercost's own load generator (% of one core,
// can pass 100); memory (host used, target RSS, GPU memory); and GPU
// utilization. Measured steps are shaded between their boundaries and,
// where the labels fit, named above the top panel. The GPU panel is left
// out when no sample carries a GPU, and the target's series when its
// process was not sampled (-1 in samples.csv), which the legend says.
func Utilization(run *result.Run, samples []result.Sample) (*Figure, error) {
	f, _, err := utilization(run, samples)
	return f, err
}

// utilization is Utilization that also returns each panel's legend, for
// tests.
func utilization(run *result.Run, samples []result.Sample) (*Figure, []*sideLegend, error) {
	if run == nil {
		return nil, nil, errors.New("utilization: no run given")
	}
	if len(samples) == 0 {
		return nil, nil, fmt.Errorf("utilization: run %q has no sampler readings (samples.csv is missing or empty)", run.Name)
	}
	ss := append([]result.Sample(nil), samples...)
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].Time.Before(ss[j].Time) })
	t0 := ss[0].Time
	if !run.StartedAt.IsZero() && run.StartedAt.Before(t0) {
		t0 = run.StartedAt
	}
	if ss[0].Time.IsZero() || ss[len(ss)-1].Time.Sub(t0) > 30*24*time.Hour {
		return nil, nil, fmt.Errorf("utilization: run %q has sample times that make no sense (%s to %s)", run.Name,
			ss[0].Time.Format(time.RFC3339), ss[len(ss)-1].Time.Format(time.RFC3339))
	}
	secs := func(t time.Time) float64 { return t.Sub(t0).Seconds() }
	tMax := secs(ss[len(ss)-1].Time)
	var spans [][2]float64
	var spanSteps []result.Step
	for _, st := range run.Steps {
		if st.StartedAt.IsZero() || st.EndedAt.IsZero() || !st.EndedAt.After(st.StartedAt) {
			continue
		}
		spans = append(spans, [2]float64{secs(st.StartedAt), secs(st.EndedAt)})
		spanSteps = append(spanSteps, st)
		tMax = math.Max(tMax, secs(st.EndedAt))
	}
	if tMax <= 0 {
		tMax = 1
	}

	b := &panelBuilder{samples: ss, secs: secs}
	var panels []*gplot.Plot

	host := b.panel("CPU (% of machine)")
	cores := ""
	if run.Environment.CPUCores > 0 {
		cores = fmt.Sprintf(", %d logical CPUs", run.Environment.CPUCores)
	}
	b.add(host, "host"+cores, colorAt(0), func(s result.Sample) float64 { return s.HostCPUPercent })
	scraped := scrapedColumnsOf(ss)
	scraped.addHostCPU(b, host)
	b.fixY(host, 0, 100)
	panels = append(panels, host)

	proc := b.panel("CPU (% of one core)")
	target := b.add(proc, "target process", colorAt(1), func(s result.Sample) float64 { return s.ProcessCPUPercent })
	gen := b.add(proc, "infercost load generator", colorAt(3), func(s result.Sample) float64 { return s.GeneratorCPUPercent })
	target = scraped.addProcessCPU(b, proc) || target
	if !target {
		b.legend[proc].heading("target process: not sampled")
		b.legend[proc].heading("(its PID is unknown)")
	}
	if target || gen {
		b.fixY(proc, 0, 100)
		panels = append(panels, proc)
	}

	gpus := gpuIndexes(ss)
	memMax := 0.0
	for _, s := range ss {
		memMax = math.Max(memMax, math.Max(s.HostMemoryUsedBytes, s.ProcessRSSBytes))
		for _, g := range s.GPUs {
			memMax = math.Max(memMax, g.MemoryUsedBytes)
		}
	}
	memMax = math.Max(memMax, scraped.memMax(ss))
	unit, div := "GiB", float64(1<<30)
	if memMax < 2<<30 {
		unit, div = "MiB", float64(1<<20)
	}
	mem := b.panel("memory (" + unit + ")")
	hostMem := "host used"
	if run.Environment.MemoryBytes > 0 {
		hostMem = fmt.Sprintf("host used (of %s %s)", formatRate(float64(run.Environment.MemoryBytes)/div), unit)
	}
	b.add(mem, hostMem, colorAt(0), func(s result.Sample) float64 { return bytesIn(s.HostMemoryUsedBytes, div) })
	b.add(mem, "target process RSS", colorAt(1), func(s result.Sample) float64 { return bytesIn(s.ProcessRSSBytes, div) })
	for i, g := range gpus {
		g := g
		b.add(mem, fmt.Sprintf("GPU %d memory used", g), colorAt(4+i), func(s result.Sample) float64 {
			for _, x := range s.GPUs {
				if x.Index == g {
					return bytesIn(x.MemoryUsedBytes, div)
				}
			}
			return -1
		})
	}
	scraped.addMemory(b, mem, div)
	b.fixY(mem, 0, 0)
	panels = append(panels, mem)

	if len(gpus) > 0 || scraped.hasGPUs() {
		gp := b.panel("GPU utilization (%)")
		for i, g := range gpus {
			g := g
			name := fmt.Sprintf("GPU %d", g)
			for _, d := range run.Environment.GPUs {
				if d.Index == g && d.Name != "" {
					name += " (" + d.Name + ")"
				}
			}
			b.add(gp, name, colorAt(4+i), func(s result.Sample) float64 {
				for _, x := range s.GPUs {
					if x.Index == g {
						return x.UtilizationPercent
					}
				}
				return -1
			})
		}
		scraped.addGPUUtil(b, gp, run)
		b.fixY(gp, 0, 100)
		panels = append(panels, gp)
	}

	for i, p := range panels {
		marks := &stepMarks{spans: spans}
		if i == 0 && len(spans) > 0 {
			marks.labels = stepLabels(spanSteps)
			marks.groups = stepGroups(spanSteps)
			marks.style = textStyle(sansFace, noteSize, darkGrey)
			marks.style.XAlign = draw.XCenter
			marks.style.YAlign = draw.YBottom
		}
		// Drawn first so the shading sits under the data.
		p.Add(marks)
		b.finish(p)
		p.X.Min, p.X.Max = 0, tMax
		if i < len(panels)-1 {
			p.X.Tick.Marker = linearTicks{blank: true}
			p.X.Label.Text = ""
		} else {
			p.X.Label.Text = "time since start (s)"
		}
	}

	note := "shaded: measured steps"
	if b.bucketS > 0 {
		note += fmt.Sprintf(titleSeparator+"samples averaged over %s s", formatRate(b.bucketS))
	}
	if len(gpus) == 0 && !scraped.hasGPUs() {
		note += titleSeparator + "no GPU"
	}
	if len(scraped.endpoints) > 0 {
		note += titleSeparator + "dashed: scraped (--scrape)"
	}
	fig := &Figure{
		Title:  multiline("Machine utilization over the run", subject(run)+titleSeparator+note),
		Panels: panels,
		Width:  Width,
		Height: vg.Length(math.Max(float64(Height), float64(vg.Inch)+float64(len(panels))*float64(panelHeight))),
	}
	legends := make([]*sideLegend, len(panels))
	for i, p := range panels {
		legends[i] = b.legend[p]
	}
	return fig, legends, nil
}

// panelBuilder makes the stacked panels and keeps each one's legend and y
// range until the panel is finished.
type panelBuilder struct {
	samples []result.Sample
	secs    func(time.Time) float64
	legend  map[*gplot.Plot]*sideLegend
	yMax    map[*gplot.Plot]float64
	bucketS float64
}

func (b *panelBuilder) panel(yLabel string) *gplot.Plot {
	if b.legend == nil {
		b.legend = map[*gplot.Plot]*sideLegend{}
		b.yMax = map[*gplot.Plot]float64{}
	}
	p := newPlot("", "", yLabel)
	p.Y.Tick.Marker = linearTicks{labels: 4}
	b.legend[p] = newSideLegend()
	return p
}

// add draws one series on p; values below zero or not finite are gaps
// (the samplers write -1 for what they could not read). It returns false,
// drawing nothing, when the series has no valid value at all.
func (b *panelBuilder) add(p *gplot.Plot, name string, col color.Color, value func(result.Sample) float64) bool {
	return b.addStyled(p, name, col, lineStyle(col, vg.Points(1.3)), value)
}

// addStyled is add with a line style of its own (dashed for what was
// scraped from another machine).
func (b *panelBuilder) addStyled(p *gplot.Plot, name string, col color.Color, style draw.LineStyle, value func(result.Sample) float64) bool {
	segs, bucket := series(b.samples, b.secs, value)
	if len(segs) == 0 {
		return false
	}
	b.bucketS = math.Max(b.bucketS, bucket)
	var thumbs []gplot.Thumbnailer
	for _, seg := range segs {
		l, err := newLine(seg, style)
		if err != nil {
			continue // series drops non-finite values, so this does not happen
		}
		p.Add(l)
		if len(thumbs) == 0 {
			thumbs = append(thumbs, l)
		}
		if len(seg) == 1 {
			// A line through one point draws nothing: mark it.
			if s, err := newScatter(seg, glyph(col, draw.CircleGlyph{}, vg.Points(2.5))); err == nil {
				p.Add(s)
			}
		}
		for _, xy := range seg {
			b.yMax[p] = math.Max(b.yMax[p], xy.Y)
		}
	}
	if len(thumbs) == 0 {
		return false
	}
	b.legend[p].add(name, thumbs...)
	return true
}

// fixY sets the y range: from lo to at least hi (when hi > 0), widened to
// the data.
func (b *panelBuilder) fixY(p *gplot.Plot, lo, hi float64) {
	top := math.Max(hi, b.yMax[p]*1.08)
	if top <= lo {
		top = lo + 1
	}
	p.Y.Min, p.Y.Max = lo, top
}

func (b *panelBuilder) finish(p *gplot.Plot) { p.Add(b.legend[p]) }

// series turns samples into line segments of (seconds, value), split where
// a value is missing, averaged into time buckets when there are more than
// maxPoints samples. bucket is the bucket width in seconds (0 when not
// averaged).
func series(ss []result.Sample, secs func(time.Time) float64, value func(result.Sample) float64) (segs []plotter.XYs, bucket float64) {
	if len(ss) == 0 {
		return nil, 0
	}
	start, end := secs(ss[0].Time), secs(ss[len(ss)-1].Time)
	if len(ss) > maxPoints && end > start {
		bucket = (end - start) / maxPoints
	}
	var cur plotter.XYs
	flush := func() {
		if len(cur) > 0 {
			segs = append(segs, cur)
			cur = nil
		}
	}
	var sumT, sumV float64
	var n int
	curBucket := -1
	emit := func() {
		if n > 0 {
			cur = append(cur, plotter.XY{X: sumT / float64(n), Y: sumV / float64(n)})
		}
		sumT, sumV, n = 0, 0, 0
	}
	for _, s := range ss {
		t, v := secs(s.Time), value(s)
		if !isFinite(t) {
			continue
		}
		if v < 0 || !isFinite(v) {
			emit()
			flush()
			continue
		}
		if bucket == 0 {
			cur = append(cur, plotter.XY{X: t, Y: v})
			continue
		}
		k := min(int((t-start)/bucket), maxPoints-1) // the last sample joins the last bucket
		if k != curBucket {
			emit()
			curBucket = k
		}
		sumT += t
		sumV += v
		n++
	}
	emit()
	flush()
	return segs, bucket
}

// gpuIndexes lists the GPU indexes seen in any sample, ascending.
func gpuIndexes(ss []result.Sample) []int {
	seen := map[int]bool{}
	var out []int
	for _, s := range ss {
		for _, g := range s.GPUs {
			if !seen[g.Index] {
				seen[g.Index] = true
				out = append(out, g.Index)
			}
		}
	}
	sort.Ints(out)
	return out
}

func bytesIn(v, div float64) float64 {
	if v < 0 {
		return -1
	}
	return v / div
}

// stepLabels offers three forms of step names, longest first: "batch 8,
// 200 req/s", "b8 200/s" and "#3" (the step's index in run.json).
func stepLabels(steps []result.Step) [][]string {
	full := make([]string, len(steps))
	mid := make([]string, len(steps))
	short := make([]string, len(steps))
	for i, st := range steps {
		if st.Mode == result.ModeConcurrency {
			full[i] = fmt.Sprintf("batch %d, %d in flight", st.BatchSize, st.Concurrency)
			mid[i] = fmt.Sprintf("b%d c%d", st.BatchSize, st.Concurrency)
		} else {
			full[i] = fmt.Sprintf("batch %d, %s req/s", st.BatchSize, formatRate(st.OfferedRPS))
			mid[i] = fmt.Sprintf("b%d %s/s", st.BatchSize, formatRate(st.OfferedRPS))
		}
		short[i] = fmt.Sprintf("#%d", st.Number())
	}
	return [][]string{full, mid, short}
}

// stepGroups names runs of consecutive steps with the same batch size (and
// server configuration), as a sweep measures them: "batch 16".
func stepGroups(steps []result.Step) []spanGroup {
	var out []spanGroup
	for i, st := range steps {
		label := fmt.Sprintf("batch %d", st.BatchSize)
		if s := serverLabel(st.Server); s != "" {
			label += ", " + s
		}
		if n := len(out); n > 0 && out[n-1].label == label {
			out[n-1].last = i
			continue
		}
		out = append(out, spanGroup{first: i, last: i, label: label})
	}
	return out
}
