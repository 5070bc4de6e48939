package scrape

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/encoding/protodelim"
)

// Formats a response can be parsed as (Parsed.Format).
const (
	FormatText        = "text"
	FormatOpenMetrics = "openmetrics"
	FormatProtobuf    = "protobuf"
)

// Parsed is one response, parsed: every series once (the first of
// duplicates), sorted by name and key.
type Parsed struct {
	Series []Series
	// Duplicates counts series left out because an earlier line had the
	// same name and labels (Prometheus refuses such a scrape; we keep the
	// first and say so).
	Duplicates int
	// Format is how the body was read: FormatText, FormatOpenMetrics or
	// FormatProtobuf.
	Format string
	byName map[string][]int
}

// Named returns the series of one metric name.
func (p *Parsed) Named(name string) []Series {
	idx := p.byName[name]
	out := make([]Series, len(idx))
	for i, j := range idx {
		out[i] = p.Series[j]
	}
	return out
}

// Has reports whether any series has the name.
func (p *Parsed) Has(name string) bool { return len(p.byName[name]) > 0 }

// Parse reads a /metrics body. The decoder is chosen by the Content-Type
// (expfmt.ResponseFormat: delimited protobuf or the text format; an
// OpenMetrics type has its exemplars and timestamps dropped first, since
// the text parser knows neither), and a body the Content-Type misnames or
// does not name is read as text, so an exporter that says
// application/octet-stream or nothing still parses. It never panics on any
// input; an error names what is wrong.
func Parse(body []byte, contentType string) (*Parsed, error) {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if expfmt.ResponseFormat(h).FormatType() == expfmt.TypeProtoDelim {
		if fams, err := decodeProto(body); err == nil {
			return flatten(fams, FormatProtobuf), nil
		}
		// A wrong Content-Type: try the text format.
	}
	openMetrics := false
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/openmetrics-text" {
		openMetrics = true
	}
	if len(body) > 0 && body[len(body)-1] != '\n' {
		body = append(body[:len(body):len(body)], '\n') // the text parser needs every line ended
	}
	if openMetrics {
		if fams, err := parseText(normalizeOpenMetrics(body)); err == nil {
			return flatten(fams, FormatOpenMetrics), nil
		}
	}
	fams, err := parseText(body)
	if err == nil {
		return flatten(fams, FormatText), nil
	}
	// Misnamed OpenMetrics (exemplars, float timestamps, # EOF) reads as
	// text once normalized.
	if !openMetrics {
		if norm := normalizeOpenMetrics(body); !bytes.Equal(norm, body) {
			if fams, err2 := parseText(norm); err2 == nil {
				return flatten(fams, FormatOpenMetrics), nil
			}
		}
	}
	return nil, fmt.Errorf("not Prometheus text: %s", clip(err.Error(), 160))
}

func parseText(body []byte) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(bytes.NewReader(body))
}

// decodeProto reads delimited protobuf MetricFamily messages. It does not
// use expfmt's decoder: that one reads with no size limit (MaxSize -1), so
// a body of ten bytes declaring a terabyte-long message makes it allocate
// a terabyte (the fuzz target found it). No message can be longer than the
// body, which is already bounded.
func decodeProto(body []byte) (map[string]*dto.MetricFamily, error) {
	opts := protodelim.UnmarshalOptions{MaxSize: int64(len(body))}
	r := bufio.NewReader(bytes.NewReader(body))
	fams := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		err := opts.UnmarshalFrom(r, &mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !model.UTF8Validation.IsValidMetricName(mf.GetName()) {
			return nil, fmt.Errorf("invalid metric name %q", clip(mf.GetName(), 80))
		}
		if _, dup := fams[mf.GetName()]; dup {
			return nil, fmt.Errorf("metric family %q twice", clip(mf.GetName(), 80))
		}
		fams[mf.GetName()] = &mf
	}
	if len(fams) == 0 {
		return nil, errors.New("no metric families")
	}
	return fams, nil
}

// flatten turns metric families into series, the first of duplicates kept.
func flatten(fams map[string]*dto.MetricFamily, format string) *Parsed {
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	slices.Sort(names)
	p := &Parsed{Format: format, byName: map[string][]int{}}
	seen := map[string]bool{}
	add := func(name string, labels []Label, v float64, k Kind) {
		s := Series{Name: name, Labels: labels, Value: v, Kind: k}
		key := s.Key()
		if seen[key] {
			p.Duplicates++
			return
		}
		seen[key] = true
		p.Series = append(p.Series, s)
	}
	for _, n := range names {
		mf := fams[n]
		for _, m := range mf.GetMetric() {
			if m == nil {
				continue
			}
			labels := labelsOf(m)
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				if m.Counter != nil {
					add(n, labels, m.Counter.GetValue(), Counter)
				}
			case dto.MetricType_GAUGE:
				if m.Gauge != nil {
					add(n, labels, m.Gauge.GetValue(), Gauge)
				}
			case dto.MetricType_UNTYPED:
				if m.Untyped != nil {
					add(n, labels, m.Untyped.GetValue(), Untyped)
				}
			case dto.MetricType_SUMMARY:
				if m.Summary != nil {
					add(n+"_sum", labels, m.Summary.GetSampleSum(), Counter)
					add(n+"_count", labels, float64(m.Summary.GetSampleCount()), Counter)
				}
			case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
				if h := m.Histogram; h != nil {
					count := float64(h.GetSampleCount())
					if h.SampleCountFloat != nil {
						count = h.GetSampleCountFloat()
					}
					add(n+"_sum", labels, h.GetSampleSum(), Counter)
					add(n+"_count", labels, count, Counter)
				}
			}
		}
	}
	for i := range p.Series {
		p.byName[p.Series[i].Name] = append(p.byName[p.Series[i].Name], i)
	}
	return p
}

func labelsOf(m *dto.Metric) []Label {
	if len(m.GetLabel()) == 0 {
		return nil
	}
	out := make([]Label, 0, len(m.GetLabel()))
	for _, lp := range m.GetLabel() {
		if lp == nil {
			continue
		}
		out = append(out, Label{Name: lp.GetName(), Value: lp.GetValue()})
	}
	slices.SortStableFunc(out, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// finite reports whether v is a usable figure.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
