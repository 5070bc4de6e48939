package agent

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/infercost/infercost/version"
)

var (
	infoDesc = prometheus.NewDesc("infercost_agent_info",
		"infercost agent: its version, the host, and what GPU detection found.", []string{"version", "hostname", "gpu_status"}, nil)
	gpusDesc = prometheus.NewDesc("infercost_agent_gpus",
		"GPUs the agent reads through NVML (0: none, or no NVML).", nil, nil)
)

type infoCollector struct{ cfg Config }

func (*infoCollector) Describe(chan<- *prometheus.Desc) {}

func (c *infoCollector) Collect(ch chan<- prometheus.Metric) {
	n := 0
	if c.cfg.GPU != nil {
		n = len(c.cfg.GPU.Devices())
	}
	ch <- prometheus.MustNewConstMetric(infoDesc, prometheus.GaugeValue, 1, version.String(), c.cfg.Hostname, c.cfg.GPUStatus)
	ch <- prometheus.MustNewConstMetric(gpusDesc, prometheus.GaugeValue, float64(n))
}
