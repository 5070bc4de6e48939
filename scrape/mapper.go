package scrape

import (
	"math"
	"time"
)

// mapper turns one endpoint's parsed responses into readings. It belongs
// to that endpoint's goroutine.
type mapper struct {
	counters counters
	prevT    time.Time

	keep    bool
	maxKept int
	rawCols []string
	rawIdx  map[string]int
	// dropped counts distinct series not kept because of maxKept (up to
	// maxDroppedTracked, beyond which it stops counting).
	dropped map[string]bool
}

const maxDroppedTracked = 10000

// used records the metric names a mapping took, so that Keep keeps only
// the others.
type used map[string]bool

func (u used) take(p *Parsed, name string) []Series {
	s := p.Named(name)
	if len(s) > 0 {
		u[name] = true
	}
	return s
}

func (m *mapper) read(t time.Time, p *Parsed) reading {
	dt := 0.0
	if !m.prevT.IsZero() {
		dt = t.Sub(m.prevT).Seconds()
	}
	m.prevT = t
	r := newReading(t, dt)
	r.dups = p.Duplicates
	u := used{}
	mapNode(p, &m.counters, &r, u)
	mapDCGM(p, &r, u)
	mapTriton(p, &m.counters, &r, u)
	mapVLLM(p, &m.counters, &r, u)
	mapInfercost(p, &m.counters, &r, u)
	mapProcess(p, &m.counters, &r, u)
	if m.keep {
		m.keepRaw(p, &r, u)
	}
	m.counters.endScrape()
	return r
}

// keepRaw keeps, as served, the series no mapping took, up to maxKept
// distinct series per endpoint (the first ones seen). A histogram's or
// summary's _sum and _count are kept; its buckets and quantiles are not.
func (m *mapper) keepRaw(p *Parsed, r *reading, u used) {
	if m.rawIdx == nil {
		m.rawIdx, m.dropped = map[string]int{}, map[string]bool{}
	}
	r.raw = make([]float64, len(m.rawCols), len(m.rawCols)+4)
	for i := range r.raw {
		r.raw[i] = math.NaN()
	}
	for i := range p.Series {
		s := &p.Series[i]
		if u[s.Name] || s.Label("le") != "" || s.Label("quantile") != "" {
			continue
		}
		key := s.Key()
		j, ok := m.rawIdx[key]
		if !ok {
			if len(m.rawCols) >= m.maxKept {
				if len(m.dropped) < maxDroppedTracked {
					m.dropped[key] = true
				}
				continue
			}
			j = len(m.rawCols)
			m.rawIdx[key] = j
			m.rawCols = append(m.rawCols, key)
			r.raw = append(r.raw, math.NaN())
		}
		r.raw[j] = s.Value
	}
	r.rawReady = true
}
