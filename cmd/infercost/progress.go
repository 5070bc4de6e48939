package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/infercost/infercost/report/summary"
	"github.com/infercost/infercost/result"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows which step runs and how long it has left: a progress bar
// on a terminal, plain lines otherwise (CI logs, pipes).
type progress struct {
	w     io.Writer
	tty   bool
	total int // planned steps; 0 when a search decides as it goes

	mu   sync.Mutex
	bar  *progressbar.ProgressBar
	stop chan struct{}
	done sync.WaitGroup
}

func newProgress(w io.Writer, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, total: total}
}

func (p *progress) label(index int, name string, trial, trials int) string {
	s := fmt.Sprintf("step %d", (&result.Step{Index: index}).Number())
	if p.total > 0 {
		s += fmt.Sprintf("/%d", p.total)
	}
	s += " " + name
	if trials > 1 {
		s += fmt.Sprintf(" (trial %d/%d)", trial, trials)
	}
	return s
}

// StepStarted implements profiler.Observer.
func (p *progress) StepStarted(index int, name string, trial, trials int, planned time.Duration) {
	p.finishBar()
	label := p.label(index, name, trial, trials)
	if !p.tty {
		fmt.Fprintf(p.w, "%s: measuring (about %s)\n", label, planned.Round(time.Second))
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	max := planned.Milliseconds()
	p.bar = progressbar.NewOptions64(max, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(label),
		progressbar.OptionSetWidth(30), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond))
	p.stop = make(chan struct{})
	bar, stop, start := p.bar, p.stop, time.Now()
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				// A step that does not settle runs past its plan: hold the
				// bar short of full until it ends.
				bar.Set64(min(time.Since(start).Milliseconds(), max-1))
			}
		}
	}()
}

// StepFinished implements profiler.Observer.
func (p *progress) StepFinished(st *result.Step) {
	p.finishBar()
	c := st.LatencyMS.Corrected
	if st.IsLLM() {
		fmt.Fprintf(p.w, "  %s: %s out tok/s (%s req/s), TTFT p95 %s ms, ITL p95 %s ms, e2e p95 %s ms, errors %s%%, %s\n", st.Name,
			summary.Num(st.Throughput()), summary.Num(st.SuccessfulRPS), summary.Num(st.TTFTMS.P95), summary.Num(st.ITLMS.P95),
			summary.Num(c.P95), summary.Num(st.ErrorRatio*100), summary.Flags(st))
		return
	}
	fmt.Fprintf(p.w, "  %s: %s infer/s (%s req/s), p95 %s ms, errors %s%%, %s\n", st.Name, summary.Num(st.InferencesPerS),
		summary.Num(st.SuccessfulRPS), summary.Num(c.P95), summary.Num(st.ErrorRatio*100), summary.Flags(st))
}

func (p *progress) finishBar() {
	p.mu.Lock()
	bar, stop := p.bar, p.stop
	p.bar, p.stop = nil, nil
	p.mu.Unlock()
	if bar == nil {
		return
	}
	close(stop)
	p.done.Wait()
	bar.Finish()
}
