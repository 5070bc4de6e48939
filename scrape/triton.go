package scrape

import (
	"slices"
	"strconv"
)

// mapTriton reads Triton Inference Server's metrics (docs/user_guide/
// metrics.md): per model, nv_inference_request_success and _failure
// (requests), nv_inference_count (inferences), nv_inference_queue_duration_us
// (queue time, over successful requests as Triton's docs compare them) and
// nv_inference_pending_request_count (requests waiting), summed over
// models; per GPU (gpu_uuid label only), nv_gpu_utilization (0.0-1.0),
// nv_gpu_memory_used_bytes, nv_gpu_memory_total_bytes and
// nv_gpu_power_usage (W); for the host, nv_cpu_utilization (0.0-1.0) and
// nv_cpu_memory_used_bytes/total_bytes when node_exporter is not there.
// Triton's GPUs carry no index or model name: they are numbered in UUID
// order and named "".
func mapTriton(p *Parsed, c *counters, r *reading, u used) {
	success := u.take(p, "nv_inference_request_success")
	failure := u.take(p, "nv_inference_request_failure")
	count := u.take(p, "nv_inference_count")
	queue := u.take(p, "nv_inference_queue_duration_us")
	pending := u.take(p, "nv_inference_pending_request_count")
	if len(success)+len(failure)+len(count)+len(queue)+len(pending) > 0 {
		r.exporters |= hasTriton
	}
	// The queue mean needs its two counters compared over the same
	// interval: both are read before either is summed.
	var succInc, queueInc float64 = nan(), nan()
	counterIncrease(c, success, &succInc)
	counterIncrease(c, queue, &queueInc)
	if finite(succInc) && finite(queueInc) {
		r.queueSec, r.queueCount = queueInc/1e6, succInc
	}
	reqs := succInc
	counterIncrease(c, failure, &reqs)
	if finite(reqs) {
		r.requests = reqs
	}
	counterIncrease(c, count, &r.inferences)
	if len(pending) > 0 {
		r.waiting = sumValues(pending)
	}

	gpus := map[string]*gpuReading{}
	field := func(name string, set func(g *gpuReading, v float64)) {
		for _, s := range u.take(p, name) {
			r.exporters |= hasTriton
			id := s.Label("gpu_uuid")
			g := gpus[id]
			if g == nil {
				ng := newGPU(id)
				ng.uuid = id
				g = &ng
				gpus[id] = g
			}
			if finite(s.Value) && s.Value >= 0 {
				set(g, s.Value)
			}
		}
	}
	field("nv_gpu_utilization", func(g *gpuReading, v float64) { g.util = v * 100 })
	field("nv_gpu_memory_used_bytes", func(g *gpuReading, v float64) { g.memUsed = v })
	field("nv_gpu_memory_total_bytes", func(g *gpuReading, v float64) { g.memTotal = v })
	field("nv_gpu_power_usage", func(g *gpuReading, v float64) { g.power = v })
	if len(gpus) > 0 && r.exporters&hasDCGM == 0 {
		ids := make([]string, 0, len(gpus))
		for id := range gpus {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for i, id := range ids {
			g := gpus[id]
			g.index = i
			if g.id == "" {
				g.id = strconv.Itoa(i)
			}
			r.gpus = append(r.gpus, *g)
		}
	}

	if cpu := u.take(p, "nv_cpu_utilization"); len(cpu) > 0 {
		r.exporters |= hasTriton
		if r.exporters&hasNode == 0 {
			if v := firstValue(cpu); finite(v) {
				r.cpuGauge = v * 100
			}
		}
	}
	memUsed := firstValue(u.take(p, "nv_cpu_memory_used_bytes"))
	memTotal := firstValue(u.take(p, "nv_cpu_memory_total_bytes"))
	if r.exporters&hasNode == 0 {
		if finite(memTotal) {
			r.memTotal = memTotal
		}
		if finite(memUsed) {
			r.memUsed = memUsed
		}
	}
}
