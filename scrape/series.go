package scrape

import (
	"strconv"
	"strings"
)

// Kind is what a series counts.
type Kind uint8

// Kinds of series. A summary's or histogram's _sum and _count are
// counters; their quantiles and buckets are left out.
const (
	Untyped Kind = iota
	Counter
	Gauge
)

// Label is one label of a series.
type Label struct{ Name, Value string }

// Series is one sample of a scrape: a metric name, its labels (sorted by
// name) and its value.
type Series struct {
	Name   string
	Labels []Label
	Value  float64
	Kind   Kind
}

// Label returns the value of a label, "" when the series has none.
func (s *Series) Label(name string) string {
	for _, l := range s.Labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// Key is the series' identity as Prometheus writes it: name{a="1",b="2"},
// labels sorted, values escaped.
func (s *Series) Key() string {
	if len(s.Labels) == 0 {
		return s.Name
	}
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteByte('{')
	for i, l := range s.Labels {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.Name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(l.Value))
	}
	b.WriteByte('}')
	return b.String()
}
