package loadgen

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/infercost/infercost/result"
)

// Histogram range: 1 us to 1 h, 3 significant digits (DESIGN invariant 2).
const (
	histLowestUS  = 1
	histHighestUS = int64(time.Hour / time.Microsecond)
	histDigits    = 3
)

// NewHistogram returns an empty histogram of the geometry every loadgen
// histogram uses (values in microseconds, 1 us to 1 h, 3 significant
// digits).
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowestUS, histHighestUS, histDigits)
}

// recordUS records d in microseconds, clamped into the histogram's range.
func recordUS(h *hdrhistogram.Histogram, d time.Duration) {
	us := int64(d / time.Microsecond)
	if us < 0 {
		us = 0
	}
	if us > histHighestUS {
		us = histHighestUS
	}
	_ = h.RecordValue(us) // cannot fail inside the range
}

// Interval is what the recorder saw between two cuts. Completed requests
// belong to the interval current when the recorder took them in; Offered
// counts the schedule's slots whose intended time falls inside it, Sent the
// sends that left inside it.
type Interval struct {
	Start, End time.Time
	// Offered: intended sends (open loop); equal to Sent in a closed loop.
	Offered int64
	// Sent: requests sent.
	Sent int64
	// Completed: responses and failures taken in (Successes + all Errors).
	Completed int64
	Successes int64
	// Late: sends later than the late threshold against their intended
	// time. Late = InflightCapped + LateUncapped.
	Late int64
	// InflightCapped: late sends that found every --max-inflight slot busy
	// at some moment between their intended time and their send: late
	// because the target held every slot.
	InflightCapped int64
	// LateUncapped: late sends that never found the slots full: late for
	// the generator's own reasons (timers, CPU).
	LateUncapped int64
	// PeakInflight is the most requests in flight at once (open or closed
	// loop); memory grows with it (about 50 KB each for HTTP/1.1).
	PeakInflight int64
	// Errors by kind; keys are result.ErrorKinds, all present.
	Errors map[string]int64
	// BytesIn and BytesOut sum response and request body bytes over
	// completed requests, as the client sees them.
	BytesIn, BytesOut int64
	// Corrected and Uncorrected latency of successful requests, and SendLag
	// of every send, in microseconds (1 us to 1 h, 3 significant digits).
	Corrected, Uncorrected, SendLag *hdrhistogram.Histogram
	// Goodput counts the successes that met every per-request bound of
	// Config.Goodput (every success when there are none).
	Goodput int64
	// Tokens holds what streamed responses carried (zero otherwise).
	Tokens TokenFigures

	// measured is the measured time when it is not End-Start (merged
	// intervals that were not contiguous).
	measured time.Duration
}

func newInterval(start time.Time) *Interval {
	return &Interval{
		Start:       start,
		End:         start,
		Errors:      newErrorCounts(),
		Corrected:   NewHistogram(),
		Uncorrected: NewHistogram(),
		SendLag:     NewHistogram(),
		Tokens:      newTokenFigures(),
	}
}

func newErrorCounts() map[string]int64 {
	m := make(map[string]int64, len(result.ErrorKinds))
	for _, k := range result.ErrorKinds {
		m[k] = 0
	}
	return m
}

// Duration is the interval's measured time: End-Start, or the sum of the
// merged intervals' durations.
func (iv *Interval) Duration() time.Duration {
	if iv.measured > 0 {
		return iv.measured
	}
	if d := iv.End.Sub(iv.Start); d > 0 {
		return d
	}
	return 0
}

// ErrorCount is the number of failed requests, all kinds together.
func (iv *Interval) ErrorCount() int64 {
	var n int64
	for _, c := range iv.Errors {
		n += c
	}
	return n
}

// Merge adds o into iv: counts and histograms add up exactly, Start and End
// widen to cover both, and Duration becomes the sum of both durations. A
// zero Interval is a valid starting point.
func (iv *Interval) Merge(o *Interval) {
	if o == nil {
		return
	}
	d := iv.Duration() + o.Duration()
	if iv.Start.IsZero() || (!o.Start.IsZero() && o.Start.Before(iv.Start)) {
		iv.Start = o.Start
	}
	if o.End.After(iv.End) {
		iv.End = o.End
	}
	iv.measured = d
	iv.Offered += o.Offered
	iv.Sent += o.Sent
	iv.Completed += o.Completed
	iv.Successes += o.Successes
	iv.Late += o.Late
	iv.InflightCapped += o.InflightCapped
	iv.LateUncapped += o.LateUncapped
	iv.PeakInflight = max(iv.PeakInflight, o.PeakInflight)
	iv.BytesIn += o.BytesIn
	iv.BytesOut += o.BytesOut
	if iv.Errors == nil {
		iv.Errors = newErrorCounts()
	}
	for k, c := range o.Errors {
		iv.Errors[k] += c
	}
	iv.Corrected = mergeHist(iv.Corrected, o.Corrected)
	iv.Uncorrected = mergeHist(iv.Uncorrected, o.Uncorrected)
	iv.SendLag = mergeHist(iv.SendLag, o.SendLag)
	iv.Goodput += o.Goodput
	iv.Tokens.merge(&o.Tokens)
}

func mergeHist(into, from *hdrhistogram.Histogram) *hdrhistogram.Histogram {
	if into == nil {
		into = NewHistogram()
	}
	if from != nil {
		into.Merge(from)
	}
	return into
}

// Fill writes the interval's load figures into a step: duration_s,
// requests, successes, sent, offered, achieved_rps, successful_rps,
// inferences_per_s (successful_rps x st.BatchSize, so set BatchSize first),
// success_ratio, error_ratio, errors (every kind), latency_ms (corrected
// and uncorrected), send_lag_ms, late_send_ratio, inflight_capped_ratio,
// bytes per request, goodput, and, for a step whose Unit is output tokens,
// the token figures (TTFT, ITL, TPOT, tokens/s). It sets no flags.
func (iv *Interval) Fill(st *result.Step) {
	dur := iv.Duration().Seconds()
	st.DurationS = dur
	st.Requests = iv.Completed
	st.Successes = iv.Successes
	st.Sent = iv.Sent
	st.Offered = iv.Offered
	st.AchievedRPS = ratio(float64(iv.Completed), dur)
	st.SuccessfulRPS = ratio(float64(iv.Successes), dur)
	st.InferencesPerS = st.SuccessfulRPS * float64(st.BatchSize)
	st.SuccessRatio = ratio(float64(iv.Successes), float64(iv.Completed))
	st.ErrorRatio = ratio(float64(iv.ErrorCount()), float64(iv.Completed))
	st.Errors = newErrorCounts()
	for k, c := range iv.Errors {
		st.Errors[k] += c
	}
	st.LatencyMS = result.Latency{Corrected: QuantilesMS(iv.Corrected), Uncorrected: QuantilesMS(iv.Uncorrected)}
	lag := QuantilesMS(iv.SendLag)
	st.SendLagMS = result.SendLag{P50: lag.P50, P99: lag.P99, Max: lag.Max}
	st.LateSendRatio = ratio(float64(iv.Late), float64(iv.Sent))
	st.InflightCappedRatio = ratio(float64(iv.InflightCapped), float64(iv.Sent))
	st.BytesInPerRequest = ratio(float64(iv.BytesIn), float64(iv.Completed))
	st.BytesOutPerRequest = ratio(float64(iv.BytesOut), float64(iv.Completed))
	st.GoodputRPS = ptr(ratio(float64(iv.Goodput), dur))
	st.LLMFigures = result.LLMFigures{}
	if st.Unit == result.UnitOutputToken {
		iv.Tokens.fill(st, dur)
	}
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

func usToMS(us int64) float64 { return float64(us) / 1000 }

// QuantilesMS reads a microsecond histogram as millisecond quantiles, the
// way every run.json figure is made (so a figure recomputed from a step's
// log equals the one written); all zero when it is empty or nil.
func QuantilesMS(h *hdrhistogram.Histogram) result.Quantiles {
	if h == nil || h.TotalCount() == 0 {
		return result.Quantiles{}
	}
	return result.Quantiles{
		Count: h.TotalCount(),
		Min:   usToMS(h.Min()),
		Mean:  h.Mean() / 1000,
		P50:   usToMS(h.ValueAtQuantile(50)),
		P90:   usToMS(h.ValueAtQuantile(90)),
		P95:   usToMS(h.ValueAtQuantile(95)),
		P99:   usToMS(h.ValueAtQuantile(99)),
		P999:  usToMS(h.ValueAtQuantile(99.9)),
		Max:   usToMS(h.Max()),
	}
}
