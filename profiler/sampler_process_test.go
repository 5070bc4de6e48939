//go:build linux

package profiler

import (
	"context"
	"math"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// waitSamples waits until at least n samples were taken after from.
func waitSamples(t *testing.T, s *Sampler, from time.Time, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s.Summarize(from, time.Now()).Host.Samples >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("fewer than %d samples within 15s", n)
}

func TestSamplerProcessBurningOneCore(t *testing.T) {
	c := startChild(t, "burn")
	s, err := StartSampler(context.Background(), SamplerConfig{Interval: 100 * time.Millisecond, TargetPID: c.pid()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	cpu0, from := c.cpuTime(t), time.Now()
	waitSamples(t, s, from, 20)
	to := time.Now()
	cpu1, end := c.cpuTime(t), time.Now()
	m := s.Summarize(from, to)

	// The child's own account of its CPU time (getrusage) over the same
	// window is the reference: on a loaded machine the child may get less
	// than a core, and the sampler must still agree with the kernel.
	truth := float64(cpu1-cpu0) / float64(end.Sub(from)) * 100

	p := m.Process
	t.Logf("process CPU mean %.1f%% p95 %.1f%% max %.1f%% over %d samples; kernel: %.1f%%", p.CPUPercentMean, p.CPUPercentP95, p.CPUPercentMax, p.Samples, truth)
	if !p.Available || p.PID != c.pid() || p.Samples < 15 {
		t.Fatalf("process summary = %+v, want available for PID %d with >= 15 samples", p, c.pid())
	}
	if math.Abs(p.CPUPercentMean-truth) > 20 {
		t.Errorf("sampled CPU mean %.1f%%, kernel says %.1f%%: more than 20 points apart", p.CPUPercentMean, truth)
	}
	switch {
	case truth < 90:
		t.Logf("busy machine: the child got %.0f%% of a core, so only agreement with the kernel is checked", truth)
	case p.CPUPercentMean < 80 || p.CPUPercentMean > 120:
		t.Errorf("CPU mean of a child burning one core = %.1f%%, want 80-120%%", p.CPUPercentMean)
	}
	if p.CPUPercentMax < p.CPUPercentP95 || p.CPUPercentP95 < 0 {
		t.Errorf("max %.1f < p95 %.1f", p.CPUPercentMax, p.CPUPercentP95)
	}
	if h := m.Host; h.CPUPercentMean <= 0 || h.CPUPercentMax > 100 || h.MemoryUsedBytesMax <= 0 || h.MemoryTotalBytes == 0 {
		t.Errorf("host summary = %+v, want busy CPU within 0-100%% and memory", h)
	}
	if g := m.Generator; g.Samples < 15 || g.CPUPercentMean < 0 || g.RSSBytesMax <= 0 || g.Saturated {
		t.Errorf("generator summary = %+v", g)
	}
	if len(m.GPUs) != 0 || m.GPUs == nil {
		t.Errorf("GPUs = %#v, want [] without a GPU source", m.GPUs)
	}
}

func TestSamplerProcessRSSOf200MB(t *testing.T) {
	c := startChild(t, "hold")
	s, err := StartSampler(context.Background(), SamplerConfig{Interval: 50 * time.Millisecond, TargetPID: c.pid()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	t0 := time.Now()
	waitSamples(t, s, t0, 3)
	before := s.Summarize(t0, time.Now()).Process
	if _, err := c.stdin.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	c.expect(t, "held")
	t1 := time.Now()
	waitSamples(t, s, t1, 5)
	after := s.Summarize(t1, time.Now()).Process

	grown := after.RSSBytesMean - before.RSSBytesMax
	t.Logf("RSS before %.1f MiB, holding %.1f MiB (mean), %.1f MiB (max): grew %.1f MiB",
		before.RSSBytesMax/(1<<20), after.RSSBytesMean/(1<<20), after.RSSBytesMax/(1<<20), grown/(1<<20))
	if !before.Available || !after.Available {
		t.Fatalf("process not available: before %+v after %+v", before, after)
	}
	if math.Abs(grown-holdBytes) > 0.1*holdBytes {
		t.Errorf("RSS grew by %.1f MiB holding 200 MiB: off by more than 10%%", grown/(1<<20))
	}
	if after.RSSBytesMean < holdBytes {
		t.Errorf("RSS %.1f MiB while holding 200 MiB", after.RSSBytesMean/(1<<20))
	}
}

// A target that exits mid-run leaves a partial summary, and windows after
// its exit report it unavailable; nothing fails. Reaped and zombie (exited,
// not yet reaped) children both count as gone.
func TestSamplerProcessExitingMidRun(t *testing.T) {
	for _, reap := range []bool{true, false} {
		name := "zombie"
		if reap {
			name = "reaped"
		}
		t.Run(name, func(t *testing.T) {
			c := startChild(t, "exit")
			s, err := StartSampler(context.Background(), SamplerConfig{Interval: 25 * time.Millisecond, TargetPID: c.pid()})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Stop()
			from := time.Now()
			exited := make(chan time.Time, 1)
			if reap {
				go func() { c.cmd.Wait(); exited <- time.Now() }()
			} else {
				go func() { // wait for the exit without reaping
					var info unix.Siginfo
					unix.Waitid(unix.P_PID, int(c.pid()), &info, unix.WEXITED|unix.WNOWAIT, nil)
					exited <- time.Now()
				}()
			}
			var gone time.Time
			select {
			case gone = <-exited:
			case <-time.After(15 * time.Second):
				t.Fatal("child did not exit")
			}
			waitSamples(t, s, gone.Add(10*time.Millisecond), 4)
			to := time.Now()

			whole := s.Summarize(from, to).Process
			all := s.Summarize(from, to).Host.Samples
			if !whole.Available || whole.Samples == 0 || whole.Samples >= all || whole.PID != c.pid() {
				t.Errorf("summary over the exit = %+v (of %d samples), want a partial one for PID %d", whole, all, c.pid())
			}
			afterExit := s.Summarize(gone.Add(10*time.Millisecond), to).Process
			if afterExit.Available || afterExit.Samples != 0 {
				t.Errorf("summary after the exit = %+v, want unavailable", afterExit)
			}
			last, ok := s.Latest()
			if !ok || last.ProcessCPUPercent != -1 || last.ProcessRSSBytes != -1 {
				t.Errorf("last sample = %+v, want process fields -1", last)
			}
		})
	}
}
