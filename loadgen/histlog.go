package loadgen

import (
	"errors"
	"fmt"
	"io"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Tags of the three histograms in a histogram log.
const (
	TagCorrected   = "corrected"
	TagUncorrected = "uncorrected"
	TagSendLag     = "send_lag"
)

// WriteHistogramLog writes the interval's three histograms (microseconds) in
// the HdrHistogram log format, tagged "corrected", "uncorrected" and
// "send_lag", stamped with the interval's start and end.
func WriteHistogramLog(w io.Writer, iv *Interval) error {
	lw := hdrhistogram.NewHistogramLogWriter(w)
	if err := lw.OutputLogFormatVersion(); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	if err := lw.OutputComment("[values in microseconds; tags: corrected, uncorrected, send_lag]"); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	if err := lw.OutputStartTime(iv.Start.UnixMilli()); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	if err := lw.OutputLegend(); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	for _, th := range []struct {
		tag string
		h   *hdrhistogram.Histogram
	}{{TagCorrected, iv.Corrected}, {TagUncorrected, iv.Uncorrected}, {TagSendLag, iv.SendLag}} {
		h := NewHistogram()
		if th.h != nil {
			h = th.h.Clone()
		}
		h.SetTag(th.tag)
		h.SetStartTimeMs(iv.Start.UnixMilli())
		h.SetEndTimeMs(iv.End.UnixMilli())
		if err := lw.OutputIntervalHistogram(h); err != nil {
			return fmt.Errorf("write histogram log (%s): %w", th.tag, err)
		}
	}
	return nil
}

// ReadHistogramLog reads what WriteHistogramLog wrote. Histograms with the
// same tag are merged, so concatenated logs (several windows, several runs)
// read as their union; histograms with other tags are ignored.
func ReadHistogramLog(r io.Reader) (corrected, uncorrected, sendLag *hdrhistogram.Histogram, err error) {
	lr := hdrhistogram.NewHistogramLogReader(r)
	found := map[string]*hdrhistogram.Histogram{}
	for n := 1; ; n++ {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read histogram log: histogram %d: %w", n, err)
		}
		if h == nil {
			break
		}
		switch tag := h.Tag(); tag {
		case TagCorrected, TagUncorrected, TagSendLag:
			if found[tag] == nil {
				found[tag] = NewHistogram()
			}
			if dropped := found[tag].Merge(h); dropped > 0 {
				return nil, nil, nil, fmt.Errorf("read histogram log: %d %s values outside 1 us to 1 h", dropped, tag)
			}
		}
	}
	var missing []error
	for _, tag := range []string{TagCorrected, TagUncorrected, TagSendLag} {
		if found[tag] == nil {
			missing = append(missing, fmt.Errorf("no %q histogram", tag))
		}
	}
	if len(missing) > 0 {
		return nil, nil, nil, fmt.Errorf("read histogram log: %w", errors.Join(missing...))
	}
	return found[TagCorrected], found[TagUncorrected], found[TagSendLag], nil
}
