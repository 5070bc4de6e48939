package plot

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/infercost/infercost/result"
)

// scrapedCols is what samples.csv's scraped columns hold (result.
// ScrapeColumnPrefix + "NAME.figure", "NAME.gpuN.figure"), per --scrape
// endpoint: drawn dashed beside this host's figures.
type scrapedCols struct {
	endpoints []string
	keys      map[string]bool
	gpus      map[string][]int
}

func scrapedColumnsOf(ss []result.Sample) scrapedCols {
	c := scrapedCols{keys: map[string]bool{}, gpus: map[string][]int{}}
	for _, s := range ss {
		for k := range s.Scraped {
			if c.keys[k] {
				continue
			}
			c.keys[k] = true
			name, fig, ok := strings.Cut(strings.TrimPrefix(k, result.ScrapeColumnPrefix), ".")
			if !ok {
				continue
			}
			if !slices.Contains(c.endpoints, name) {
				c.endpoints = append(c.endpoints, name)
			}
			if g, rest, ok := strings.Cut(fig, "."); ok && rest == "utilization_percent" && strings.HasPrefix(g, "gpu") {
				if i, err := strconv.Atoi(strings.TrimPrefix(g, "gpu")); err == nil && !slices.Contains(c.gpus[name], i) {
					c.gpus[name] = append(c.gpus[name], i)
				}
			}
		}
	}
	slices.Sort(c.endpoints)
	for _, g := range c.gpus {
		slices.Sort(g)
	}
	return c
}

func (c scrapedCols) hasGPUs() bool { return len(c.gpus) > 0 }

func (c scrapedCols) key(name, fig string) string {
	return result.ScrapeColumnPrefix + name + "." + fig
}

// value reads one scraped column; -1 (a gap) where a row has none.
func scrapedValue(key string, div float64) func(result.Sample) float64 {
	return func(s result.Sample) float64 {
		if v, ok := s.Scraped[key]; ok && v >= 0 {
			return v / div
		}
		return -1
	}
}

// scrapedStyle is the dashed line of a scraped series, colour i.
func scrapedStyle(i int) (col color.Color, style draw.LineStyle) {
	col = colorAt(i)
	return col, lineStyle(col, vg.Points(1.3), vg.Points(4), vg.Points(2))
}

func (c scrapedCols) addHostCPU(b *panelBuilder, p *gplot.Plot) {
	for i, name := range c.endpoints {
		if k := c.key(name, "cpu_percent"); c.keys[k] {
			col, st := scrapedStyle(5 + i)
			b.addStyled(p, name+" host (scraped)", col, st, scrapedValue(k, 1))
		}
	}
}

func (c scrapedCols) addProcessCPU(b *panelBuilder, p *gplot.Plot) bool {
	drawn := false
	for i, name := range c.endpoints {
		if k := c.key(name, "process_cpu_percent"); c.keys[k] {
			col, st := scrapedStyle(1 + i)
			drawn = b.addStyled(p, name+" target process (scraped)", col, st, scrapedValue(k, 1)) || drawn
		}
	}
	return drawn
}

func (c scrapedCols) memMax(ss []result.Sample) float64 {
	m := 0.0
	for _, s := range ss {
		for k, v := range s.Scraped {
			if strings.HasSuffix(k, ".memory_used_bytes") {
				m = math.Max(m, v)
			}
		}
	}
	return m
}

func (c scrapedCols) addMemory(b *panelBuilder, p *gplot.Plot, div float64) {
	for i, name := range c.endpoints {
		if k := c.key(name, "memory_used_bytes"); c.keys[k] {
			col, st := scrapedStyle(5 + i)
			b.addStyled(p, name+" host used (scraped)", col, st, scrapedValue(k, div))
		}
		for j, g := range c.gpus[name] {
			k := c.key(name, fmt.Sprintf("gpu%d.memory_used_bytes", g))
			if !c.keys[k] {
				continue
			}
			col, st := scrapedStyle(8 + i*4 + j)
			b.addStyled(p, fmt.Sprintf("%s GPU %d memory used", name, g), col, st, scrapedValue(k, div))
		}
	}
}

func (c scrapedCols) addGPUUtil(b *panelBuilder, p *gplot.Plot, run *result.Run) {
	for i, name := range c.endpoints {
		for j, g := range c.gpus[name] {
			label := fmt.Sprintf("%s GPU %d", name, g)
			if m := scrapedGPUName(run, name, g); m != "" {
				label += " (" + m + ")"
			}
			col, st := scrapedStyle(8 + i*4 + j)
			b.addStyled(p, label, col, st, scrapedValue(c.key(name, fmt.Sprintf("gpu%d.utilization_percent", g)), 1))
		}
	}
}

// scrapedGPUName is the model name a step recorded for a scraped GPU.
func scrapedGPUName(run *result.Run, name string, index int) string {
	for i := len(run.Steps) - 1; i >= 0; i-- {
		for _, g := range run.Steps[i].GPUs {
			if g.Source == "scrape:"+name && g.Index == index && g.Name != "" {
				return g.Name
			}
		}
	}
	return ""
}
