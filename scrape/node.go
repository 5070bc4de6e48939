package scrape

// mapNode reads node_exporter's host figures.
//
// CPU: node_cpu_seconds_total{cpu,mode} counts the seconds each CPU spent
// in each mode. The host's CPU % over an interval is the busy share of all
// CPUs' time: busy = every mode but idle and iowait, over all modes. This
// is the count the local samplers use (gopsutil, htop, iostat): iowait is
// time a CPU sat idle while I/O was outstanding, so it is idle time, and
// steal (time the hypervisor gave the vCPU to someone else) stays in both
// the busy and the total time. Guest time is already inside user time on
// Linux; node_exporter reports it separately (node_cpu_guest_seconds_total),
// and an old exporter's mode="guest"/"guest_nice" series are skipped so it
// is not counted twice. An interval in which any of these counters went
// down (a reboot) is left out.
//
// Memory: used = MemTotal - MemAvailable, as gopsutil v4 and the samplers
// count it (node_memory_MemTotal_bytes, node_memory_MemAvailable_bytes).
func mapNode(p *Parsed, c *counters, r *reading, u used) {
	if cpu := u.take(p, "node_cpu_seconds_total"); len(cpu) > 0 {
		r.exporters |= hasNode
		var busy, all float64
		compared := 0
		for i := range cpu {
			mode := cpu[i].Label("mode")
			if mode == "guest" || mode == "guest_nice" {
				continue
			}
			d, ok, reset := c.delta(cpu[i].Key(), cpu[i].Value)
			if reset {
				r.cpuReset = true
			}
			if !ok {
				continue
			}
			compared++
			all += d
			if mode != "idle" && mode != "iowait" {
				busy += d
			}
		}
		if compared > 0 && !r.cpuReset {
			r.cpuBusy, r.cpuAll = busy, all
		}
	}
	total := firstValue(u.take(p, "node_memory_MemTotal_bytes"))
	avail := firstValue(u.take(p, "node_memory_MemAvailable_bytes"))
	if finite(total) {
		r.exporters |= hasNode
		r.memTotal = total
		if finite(avail) {
			r.memUsed = total - avail
		}
	}
}
