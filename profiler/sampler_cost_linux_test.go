//go:build linux

package profiler

import (
	"context"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkSamplerTick is the cost of one sample (host, target process,
// generator; no GPU): at interval I, the samplers use tick/I of a core.
//
//	go test -run '^$' -bench SamplerTick -count 5 ./profiler/
func BenchmarkSamplerTick(b *testing.B) {
	now := time.Now()
	r := &machineReader{self: procReader{pid: int32(os.Getpid())}}
	if _, err := r.prime(now, int32(os.Getppid())); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now = now.Add(250 * time.Millisecond)
		r.read(now, int32(os.Getppid()))
	}
}

// BenchmarkSamplerCost runs the samplers at the default 250 ms for 10 s per
// iteration, watching a real process (the go command, this test's parent),
// and reports what Stop reports (cpu_%_of_core: the sampling thread's CPU
// time, from RUSAGE_THREAD) beside this whole process's CPU over the same
// time (process_cpu_%_of_core: it adds the Go runtime's share, GC and timer
// wake-ups, and the idle test binary's own noise, so it is an upper bound).
//
//	go test -run '^$' -bench SamplerCost -benchtime 1x -count 5 ./profiler/
func BenchmarkSamplerCost(b *testing.B) {
	const watch = 10 * time.Second
	for i := 0; i < b.N; i++ {
		var ru0, ru1 unix.Rusage
		unix.Getrusage(unix.RUSAGE_SELF, &ru0)
		t0 := time.Now()
		s, err := StartSampler(context.Background(), SamplerConfig{TargetPID: int32(os.Getppid())})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(watch)
		cost := s.Stop()
		wall := time.Since(t0)
		unix.Getrusage(unix.RUSAGE_SELF, &ru1)
		proc := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
		b.ReportMetric(cost.CPUPercentOfCore, "cpu_%_of_core")
		b.ReportMetric(float64(proc)/float64(wall)*100, "process_cpu_%_of_core")
		b.ReportMetric(float64(cost.Samples), "samples")
	}
}
