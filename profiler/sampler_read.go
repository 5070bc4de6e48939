package profiler

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/infercost/infercost/gpu"
	"github.com/infercost/infercost/result"
)

func init() {
	// Without the cache, every process CPU-time read also re-reads the boot
	// time from /proc/stat: a second file per process per tick. Boot time
	// does not change; set it before any goroutine can read it.
	process.EnableBootTimeCache(true)
}

func selfPID() int { return os.Getpid() }

// unavailable marks a figure that could not be read in a sample.
const unavailable = -1

// machineReader reads every figure of one sample. It is used by the
// sampling goroutine only.
type machineReader struct {
	hostPrev cpu.TimesStat
	hostOK   bool
	target   procReader
	self     procReader
	gpu      gpu.Source
	gpuDevs  []gpu.Device
}

// prime takes the first readings CPU % is computed against and returns the
// host's total memory. It fails when the host cannot be read.
func (r *machineReader) prime(now time.Time, pid int32) (uint64, error) {
	t, err := hostCPUTimes()
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errNoHost, err)
	}
	r.hostPrev, r.hostOK = t, true
	vm, err := mem.VirtualMemoryWithContext(context.Background())
	if err != nil {
		return 0, fmt.Errorf("%w: memory: %v", errNoHost, err)
	}
	r.self.reset(r.self.pid, now)
	r.target.reset(pid, now)
	return vm.Total, nil
}

// read takes one sample.
func (r *machineReader) read(now time.Time, pid int32) record {
	if pid != r.target.pid {
		r.target.reset(pid, now)
	}
	rec := record{Sample: result.Sample{Time: now, Step: -1,
		HostCPUPercent: unavailable, HostMemoryUsedBytes: unavailable}, pid: pid}
	if t, err := hostCPUTimes(); err == nil {
		if r.hostOK {
			rec.HostCPUPercent = hostBusyPercent(r.hostPrev, t)
		}
		r.hostPrev, r.hostOK = t, true
	}
	if vm, err := mem.VirtualMemoryWithContext(context.Background()); err == nil {
		rec.HostMemoryUsedBytes = float64(vm.Used) // Total - Available in gopsutil v4
	}
	rec.ProcessCPUPercent, rec.ProcessRSSBytes = r.target.read(now)
	rec.GeneratorCPUPercent, rec.GeneratorRSSBytes = r.self.read(now)
	if len(r.gpuDevs) > 0 {
		rec.GPUs = r.readGPUs()
	}
	return rec
}

// readGPUs returns one GPUSample per device, in device order, with -1 for
// figures that could not be read (a failed Read gives all -1: the sample
// stays, only its GPU figures are missing).
func (r *machineReader) readGPUs() []result.GPUSample {
	out := make([]result.GPUSample, len(r.gpuDevs))
	for i, d := range r.gpuDevs {
		out[i] = result.GPUSample{Index: d.Index, UtilizationPercent: unavailable, MemoryUsedBytes: unavailable,
			MemoryTotalBytes: unavailable, PowerWatts: unavailable, TemperatureC: unavailable, SMClockMHz: unavailable}
	}
	readings, err := r.gpu.Read()
	if err != nil {
		return out
	}
	for i := range out {
		for _, g := range readings {
			if g.Index != out[i].Index {
				continue
			}
			out[i] = result.GPUSample{Index: g.Index, UtilizationPercent: orUnavailable(g.UtilizationPercent),
				MemoryUsedBytes: orUnavailable(g.MemoryUsedBytes), MemoryTotalBytes: orUnavailable(g.MemoryTotalBytes),
				PowerWatts: orUnavailable(g.PowerWatts), TemperatureC: orUnavailable(g.TemperatureC),
				SMClockMHz: orUnavailable(g.SMClockMHz)}
			break
		}
	}
	return out
}

func orUnavailable(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return unavailable
	}
	return v
}

func hostCPUTimes() (cpu.TimesStat, error) {
	ts, err := cpu.TimesWithContext(context.Background(), false)
	if err != nil {
		return cpu.TimesStat{}, err
	}
	if len(ts) == 0 {
		return cpu.TimesStat{}, fmt.Errorf("no CPU times found")
	}
	return ts[0], nil
}

// hostBusyPercent is the busy share of all CPUs between two readings, 0-100
// (the whole machine). Guest time is already inside user time on Linux, so
// it is taken out of the total, as gopsutil's own cpu.Percent does.
func hostBusyPercent(a, b cpu.TimesStat) float64 {
	allA, busyA := busyOf(a)
	allB, busyB := busyOf(b)
	if allB <= allA {
		return 0
	}
	return math.Min(100, math.Max(0, (busyB-busyA)/(allB-allA)*100))
}

func busyOf(t cpu.TimesStat) (all, busy float64) {
	all = t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
	return all, all - t.Idle - t.Iowait
}

// procReader reads one process's CPU % (of one core) and RSS. A process
// that is unknown (pid 0), gone, or a zombie (RSS 0: exited, not yet
// reaped) reads as unavailable.
type procReader struct {
	pid     int32
	proc    *process.Process
	lastCPU float64 // user+system seconds at lastAt; <0 when not primed
	lastAt  time.Time
}

// reset switches to pid and takes the reading the next CPU % is computed
// against.
func (p *procReader) reset(pid int32, now time.Time) {
	p.pid, p.proc, p.lastCPU = pid, nil, -1
	if pid <= 0 {
		return
	}
	p.proc = &process.Process{Pid: pid}
	if c, err := p.cpuSeconds(); err == nil {
		p.lastCPU, p.lastAt = c, now
	}
}

func (p *procReader) cpuSeconds() (float64, error) {
	t, err := p.proc.TimesWithContext(context.Background())
	if err != nil {
		return 0, err
	}
	return t.User + t.System, nil
}

func (p *procReader) read(now time.Time) (cpuPercent, rssBytes float64) {
	if p.proc == nil {
		return unavailable, unavailable
	}
	m, err := p.proc.MemoryInfoWithContext(context.Background())
	if err != nil || m.RSS == 0 {
		p.lastCPU = -1
		return unavailable, unavailable
	}
	rssBytes, cpuPercent = float64(m.RSS), unavailable
	c, err := p.cpuSeconds()
	if err != nil {
		p.lastCPU = -1
		return unavailable, rssBytes
	}
	// CPU time going backwards means the PID now names another process:
	// start again from this reading.
	if p.lastCPU >= 0 && c >= p.lastCPU && now.After(p.lastAt) {
		cpuPercent = (c - p.lastCPU) / now.Sub(p.lastAt).Seconds() * 100
	}
	p.lastCPU, p.lastAt = c, now
	return cpuPercent, rssBytes
}
