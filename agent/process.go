package agent

import (
	"context"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/shirou/gopsutil/v4/process"
)

// One process, under the names client libraries give their own process
// (process_cpu_seconds_total, process_resident_memory_bytes), and
// infercost_agent_process_info saying which one: a scraper maps process_*
// to the target only beside that info series, since elsewhere they are an
// exporter's own.
var (
	procCPUDesc = prometheus.NewDesc("process_cpu_seconds_total",
		"Total user and system CPU time spent in seconds, by the watched process.", nil, nil)
	procRSSDesc = prometheus.NewDesc("process_resident_memory_bytes",
		"Resident memory size in bytes, of the watched process.", nil, nil)
	procInfoDesc = prometheus.NewDesc("infercost_agent_process_info",
		"The process whose process_* series the agent serves (--pid or --process-name).", []string{"pid", "name"}, nil)
	procUpDesc = prometheus.NewDesc("infercost_agent_process_up",
		"1 when the watched process was found at this scrape, else 0.", nil, nil)
)

type processCollector struct {
	pid  int32
	name string

	mu   sync.Mutex
	proc *process.Process // by name: the one found last, until it is gone
}

func (*processCollector) Describe(chan<- *prometheus.Desc) {}

func (c *processCollector) Collect(ch chan<- prometheus.Metric) {
	ctx := context.Background()
	p := c.find(ctx)
	up := 0.0
	if p != nil {
		times, terr := p.TimesWithContext(ctx)
		mem, merr := p.MemoryInfoWithContext(ctx)
		if terr == nil && merr == nil {
			up = 1
			name, _ := p.NameWithContext(ctx)
			ch <- prometheus.MustNewConstMetric(procInfoDesc, prometheus.GaugeValue, 1, strconv.Itoa(int(p.Pid)), name)
			ch <- prometheus.MustNewConstMetric(procCPUDesc, prometheus.CounterValue, times.User+times.System)
			ch <- prometheus.MustNewConstMetric(procRSSDesc, prometheus.GaugeValue, float64(mem.RSS))
		}
	}
	ch <- prometheus.MustNewConstMetric(procUpDesc, prometheus.GaugeValue, up)
}

// find returns the watched process, or nil. By name, the lowest PID of
// that name is taken, and kept while it lives.
func (c *processCollector) find(ctx context.Context) *process.Process {
	if c.pid > 0 {
		return &process.Process{Pid: c.pid}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != nil {
		if n, err := c.proc.NameWithContext(ctx); err == nil && n == c.name {
			return c.proc
		}
		c.proc = nil
	}
	procs, err := process.ProcessesWithContext(ctx)
	if err != nil {
		return nil
	}
	for _, p := range procs {
		if c.proc != nil && p.Pid > c.proc.Pid {
			continue
		}
		if n, err := p.NameWithContext(ctx); err == nil && n == c.name {
			c.proc = p
		}
	}
	return c.proc
}
