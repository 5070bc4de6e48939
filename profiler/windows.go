package profiler

import (
	"context"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// windowLength is --duration / --windows, lengthened at a low rate so the
// windows together hold --min-requests: a window of three requests can
// agree with nothing.
func windowLength(set StepSettings, load Load) time.Duration {
	w := set.Duration / time.Duration(set.Windows)
	if load.Mode == result.ModeRate && load.RPS > 0 {
		need := time.Duration(float64(set.MinRequests) / float64(set.Windows) / load.RPS * float64(time.Second))
		w = max(w, need)
	}
	return w
}

// wait sleeps for d unless ctx is cancelled (false) or the attack ended.
func wait(ctx context.Context, done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

func figuresOf(iv *loadgen.Interval) windowFigures {
	var st result.Step
	st.BatchSize = 1
	iv.Fill(&st)
	c := st.LatencyMS.Corrected
	return windowFigures{successfulRPS: st.SuccessfulRPS, p95MS: c.P95, p50MS: c.P50, successes: st.Successes}
}

// trailingRequests counts the requests of the last n windows.
func trailingRequests(ws []*loadgen.Interval, n int) int64 {
	var sum int64
	for _, w := range ws[len(ws)-n:] {
		sum += w.Completed
	}
	return sum
}

// keptWindows is what a step reports: the last --windows windows (the ones
// the stability rule judged), reaching further back when they hold fewer
// than --min-requests requests.
func keptWindows(ws []*loadgen.Interval, n int, minRequests int64) []*loadgen.Interval {
	if len(ws) <= n {
		return ws
	}
	k := n
	for k < len(ws) && trailingRequests(ws, k) < minRequests {
		k++
	}
	return ws[len(ws)-k:]
}

func mergeIntervals(ws []*loadgen.Interval) *loadgen.Interval {
	if len(ws) == 0 {
		return &loadgen.Interval{Start: time.Now(), End: time.Now()}
	}
	m := ws[0]
	for _, w := range ws[1:] {
		m.Merge(w)
	}
	return m
}
