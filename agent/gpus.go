package agent

import (
	"math"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/infercost/infercost/gpu"
)

// Every GPU, under dcgm-exporter's names, units and help strings
// (etc/default-counters.csv), with its labels (gpu, UUID, device,
// modelName, Hostname). A figure the board cannot report is left out for
// that GPU (dcgm-exporter would serve DCGM's blank value).
var gpuLabels = []string{"gpu", "UUID", "device", "modelName", "Hostname"}

var (
	gpuUtilDesc  = prometheus.NewDesc("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", gpuLabels, nil)
	fbUsedDesc   = prometheus.NewDesc("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", gpuLabels, nil)
	fbFreeDesc   = prometheus.NewDesc("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).", gpuLabels, nil)
	powerDesc    = prometheus.NewDesc("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", gpuLabels, nil)
	tempDesc     = prometheus.NewDesc("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", gpuLabels, nil)
	smClockDesc  = prometheus.NewDesc("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", gpuLabels, nil)
	bytesPerMiB  = float64(1 << 20)
	gpuValueKind = prometheus.GaugeValue
)

type gpuCollector struct {
	src      gpu.Source
	devs     []gpu.Device
	hostname string
}

func (*gpuCollector) Describe(chan<- *prometheus.Desc) {}

func (c *gpuCollector) Collect(ch chan<- prometheus.Metric) {
	readings, err := c.src.Read()
	if err != nil {
		return // every figure failed: serve none rather than guesses
	}
	for _, r := range readings {
		d := gpu.Device{Index: r.Index}
		for _, x := range c.devs {
			if x.Index == r.Index {
				d = x
			}
		}
		labels := []string{strconv.Itoa(d.Index), d.UUID, "nvidia" + strconv.Itoa(d.Index), d.Name, c.hostname}
		put := func(desc *prometheus.Desc, v float64) {
			if !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 {
				ch <- prometheus.MustNewConstMetric(desc, gpuValueKind, v, labels...)
			}
		}
		put(gpuUtilDesc, r.UtilizationPercent)
		put(fbUsedDesc, r.MemoryUsedBytes/bytesPerMiB)
		put(fbFreeDesc, (r.MemoryTotalBytes-r.MemoryUsedBytes)/bytesPerMiB)
		put(powerDesc, r.PowerWatts)
		put(tempDesc, r.TemperatureC)
		put(smClockDesc, r.SMClockMHz)
	}
}
