package agent

import (
	"context"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
)

// The host, under node_exporter's names (collector/cpu_linux.go,
// collector/meminfo.go), read with gopsutil at each scrape.
var (
	nodeCPUDesc = prometheus.NewDesc("node_cpu_seconds_total",
		"Seconds the CPUs spent in each mode.", []string{"cpu", "mode"}, nil)
	nodeGuestDesc = prometheus.NewDesc("node_cpu_guest_seconds_total",
		"Seconds the CPUs spent in guests (VMs) for each mode.", []string{"cpu", "mode"}, nil)
	memTotalDesc = prometheus.NewDesc("node_memory_MemTotal_bytes",
		"Memory information field MemTotal_bytes.", nil, nil)
	memAvailDesc = prometheus.NewDesc("node_memory_MemAvailable_bytes",
		"Memory information field MemAvailable_bytes.", nil, nil)
)

type hostCollector struct{}

// Describe sends nothing: the collector is unchecked (its series depend on
// the machine).
func (*hostCollector) Describe(chan<- *prometheus.Desc) {}

func (*hostCollector) Collect(ch chan<- prometheus.Metric) {
	ctx := context.Background()
	if times, err := cpu.TimesWithContext(ctx, true); err == nil {
		for _, t := range times {
			c := strings.TrimPrefix(t.CPU, "cpu")
			for _, m := range []struct {
				mode string
				v    float64
			}{{"user", t.User}, {"nice", t.Nice}, {"system", t.System}, {"idle", t.Idle}, {"iowait", t.Iowait},
				{"irq", t.Irq}, {"softirq", t.Softirq}, {"steal", t.Steal}} {
				ch <- prometheus.MustNewConstMetric(nodeCPUDesc, prometheus.CounterValue, m.v, c, m.mode)
			}
			ch <- prometheus.MustNewConstMetric(nodeGuestDesc, prometheus.CounterValue, t.Guest, c, "user")
			ch <- prometheus.MustNewConstMetric(nodeGuestDesc, prometheus.CounterValue, t.GuestNice, c, "nice")
		}
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(memTotalDesc, prometheus.GaugeValue, float64(vm.Total))
		ch <- prometheus.MustNewConstMetric(memAvailDesc, prometheus.GaugeValue, float64(vm.Available))
	}
}
