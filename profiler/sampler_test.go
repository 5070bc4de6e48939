package profiler

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSamplerConfigChecks(t *testing.T) {
	cases := []struct {
		cfg  SamplerConfig
		want string
	}{
		{SamplerConfig{Interval: time.Millisecond}, "sample interval 1ms: must be at least 10ms"},
		{SamplerConfig{Interval: -time.Second}, "sample interval -1s: must be at least 10ms"},
		{SamplerConfig{TargetPID: -3}, "target PID -3: must be positive (0 = unknown)"},
		{SamplerConfig{MaxSamples: 2}, "max samples 2: must be at least 4"},
	}
	for _, c := range cases {
		s, err := StartSampler(context.Background(), c.cfg)
		if err == nil {
			s.Stop()
			t.Errorf("StartSampler(%+v) succeeded, want %q", c.cfg, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("StartSampler(%+v) = %q, want %q", c.cfg, err, c.want)
		}
	}
}

// Samples are tagged with the step set when they were taken, in one run
// of -1, then the step, then -1 again.
func TestSamplerStepTagging(t *testing.T) {
	s, err := StartSampler(context.Background(), SamplerConfig{Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	before := time.Now()
	waitFor(t, func() bool { return s.Summarize(before, time.Now()).Host.Samples >= 2 })
	from := time.Now()
	s.SetStep(7)
	waitFor(t, func() bool {
		n := 0
		for _, x := range s.Samples() {
			if x.Step == 7 {
				n++
			}
		}
		return n >= 5
	})
	s.SetStep(-1)
	after := time.Now()
	waitFor(t, func() bool { return s.Summarize(after, time.Now()).Host.Samples >= 2 })
	cost := s.Stop()

	samples := s.Samples()
	var runs []int // the step of each run of equal tags
	tagged := 0
	for i, x := range samples {
		if i == 0 || x.Step != samples[i-1].Step {
			runs = append(runs, x.Step)
		}
		if x.Step == 7 {
			tagged++
			if x.Time.Before(from) || x.Time.After(after) {
				t.Errorf("sample at %v tagged 7 outside the step [%v, %v]", x.Time, from, after)
			}
		}
		if len(x.GPUs) != 0 || x.ProcessCPUPercent != -1 || x.ProcessRSSBytes != -1 {
			t.Errorf("sample %d = %+v, want no GPU and process fields -1 (no target)", i, x)
		}
		if x.GeneratorRSSBytes <= 0 || x.HostMemoryUsedBytes <= 0 {
			t.Errorf("sample %d = %+v, want generator RSS and host memory", i, x)
		}
	}
	if len(runs) != 3 || runs[0] != -1 || runs[1] != 7 || runs[2] != -1 {
		t.Errorf("step tags ran %v, want [-1 7 -1]", runs)
	}
	if tagged < 5 {
		t.Errorf("%d samples tagged 7, want >= 5", tagged)
	}
	if cost.Samples != int64(len(samples)) || cost.IntervalMS != 10 {
		t.Errorf("cost = %+v, want %d samples at 10 ms", cost, len(samples))
	}
	if cost.CPUPercentOfCore <= 0 || cost.CPUPercentOfCore > 100 {
		t.Errorf("sampler CPU = %v%% of a core, want a measured figure in (0, 100]", cost.CPUPercentOfCore)
	}
	if again := s.Stop(); again != cost {
		t.Errorf("second Stop = %+v, want %+v", again, cost)
	}
}

func TestSamplerSetTargetPIDSwitchesProcess(t *testing.T) {
	s, err := StartSampler(context.Background(), SamplerConfig{Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	t0 := time.Now()
	waitFor(t, func() bool { return s.Summarize(t0, time.Now()).Host.Samples >= 2 })
	if p := s.Summarize(t0, time.Now()).Process; p.Available {
		t.Fatalf("process available with no PID: %+v", p)
	}
	self := int32(selfPID())
	s.SetTargetPID(self)
	t1 := time.Now()
	waitFor(t, func() bool { return s.Summarize(t1, time.Now()).Process.Samples >= 3 })
	p := s.Summarize(t1, time.Now()).Process
	if !p.Available || p.PID != self || p.RSSBytesMax <= 0 || p.CPUPercentMax < 0 {
		t.Errorf("process after SetTargetPID(%d) = %+v", self, p)
	}
}

// The sampler ends when its context does; Stop still reports.
func TestSamplerStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := StartSampler(ctx, SamplerConfig{Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		t.Fatal("sampler still running 5s after its context ended")
	}
	if c := s.Stop(); c.IntervalMS != 10 {
		t.Errorf("cost = %+v", c)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// With no readable /proc (gopsutil honours HOST_PROC), StartSampler fails
// with the reason, and starts nothing.
func TestSamplerFailsWithoutHost(t *testing.T) {
	t.Setenv("HOST_PROC", t.TempDir())
	s, err := StartSampler(context.Background(), SamplerConfig{})
	if err == nil {
		s.Stop()
		t.Fatal("StartSampler without /proc succeeded")
	}
	if !errors.Is(err, errNoHost) || err.Error() != "cannot read host CPU and memory: no CPU times found" {
		t.Errorf("err = %q", err)
	}
}

// However long the run, the samples kept stay within MaxSamples while the
// count in SamplerCost is of every sample taken.
func TestSamplerKeepsAtMostMaxSamples(t *testing.T) {
	s, err := StartSampler(context.Background(), SamplerConfig{Interval: 10 * time.Millisecond, MaxSamples: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	waitFor(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.taken >= 30
	})
	cost := s.Stop()
	kept := s.Samples()
	if len(kept) > 8 || len(kept) < 4 || cost.Samples < 30 {
		t.Errorf("kept %d samples of %d taken, want 4-8 of >= 30", len(kept), cost.Samples)
	}
	for i := 1; i < len(kept); i++ {
		if !kept[i].Time.After(kept[i-1].Time) {
			t.Errorf("kept samples out of order at %d", i)
		}
	}
}
