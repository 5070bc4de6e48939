package loadgen

import (
	"errors"
	"fmt"
	"io"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Tags of the histograms in a histogram log: the three every step has,
// and the four of a step of streamed responses.
const (
	TagCorrected       = "corrected"
	TagUncorrected     = "uncorrected"
	TagSendLag         = "send_lag"
	TagTTFT            = "ttft"
	TagTTFTUncorrected = "ttft_uncorrected"
	TagITL             = "itl"
	TagTPOT            = "tpot"
)

// tagged is one histogram of a log with its tag.
type tagged struct {
	tag string
	h   *hdrhistogram.Histogram
}

// histograms lists an interval's histograms by tag: the token latencies
// only when it holds streamed responses.
func (iv *Interval) histograms() []tagged {
	out := []tagged{{TagCorrected, iv.Corrected}, {TagUncorrected, iv.Uncorrected}, {TagSendLag, iv.SendLag}}
	if t := &iv.Tokens; t.Streams > 0 {
		out = append(out, tagged{TagTTFT, t.TTFT}, tagged{TagTTFTUncorrected, t.TTFTUncorrected}, tagged{TagITL, t.ITL}, tagged{TagTPOT, t.TPOT})
	}
	return out
}

// WriteHistogramLog writes the interval's histograms (microseconds) in the
// HdrHistogram log format, tagged "corrected", "uncorrected" and
// "send_lag", and for streamed responses "ttft", "ttft_uncorrected", "itl"
// and "tpot", stamped with the interval's start and end.
func WriteHistogramLog(w io.Writer, iv *Interval) error {
	lw := hdrhistogram.NewHistogramLogWriter(w)
	if err := lw.OutputLogFormatVersion(); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	if err := lw.OutputComment("[values in microseconds; tags: corrected, uncorrected, send_lag, and for streams ttft, ttft_uncorrected, itl, tpot]"); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	if err := lw.OutputStartTime(iv.Start.UnixMilli()); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	if err := lw.OutputLegend(); err != nil {
		return fmt.Errorf("write histogram log: %w", err)
	}
	for _, th := range iv.histograms() {
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

// ReadHistogramLog reads the three histograms every step's log holds.
// Histograms with the same tag are merged, so concatenated logs (several
// windows, several runs) read as their union.
func ReadHistogramLog(r io.Reader) (corrected, uncorrected, sendLag *hdrhistogram.Histogram, err error) {
	set, err := ReadHistogramSet(r)
	if err != nil {
		return nil, nil, nil, err
	}
	var missing []error
	for _, tag := range []string{TagCorrected, TagUncorrected, TagSendLag} {
		if set[tag] == nil {
			missing = append(missing, fmt.Errorf("no %q histogram", tag))
		}
	}
	if len(missing) > 0 {
		return nil, nil, nil, fmt.Errorf("read histogram log: %w", errors.Join(missing...))
	}
	return set[TagCorrected], set[TagUncorrected], set[TagSendLag], nil
}

// ReadHistogramSet reads every tagged histogram of a log, merging those
// with the same tag; untagged histograms are ignored.
func ReadHistogramSet(r io.Reader) (map[string]*hdrhistogram.Histogram, error) {
	lr := hdrhistogram.NewHistogramLogReader(r)
	found := map[string]*hdrhistogram.Histogram{}
	for n := 1; ; n++ {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			return nil, fmt.Errorf("read histogram log: histogram %d: %w", n, err)
		}
		if h == nil {
			return found, nil
		}
		tag := h.Tag()
		if tag == "" {
			continue
		}
		if found[tag] == nil {
			found[tag] = NewHistogram()
		}
		if dropped := found[tag].Merge(h); dropped > 0 {
			return nil, fmt.Errorf("read histogram log: %d %s values outside 1 us to 1 h", dropped, tag)
		}
	}
}
