package scrape

// mapInfercost reads infercost's own endpoints: the built-in model server
// (modelserver/metrics.go: infercost_server_queue_depth, requests waiting;
// infercost_server_requests_total{handler="infer"}, every code;
// infercost_server_inferences_total; the queue time histogram
// infercost_server_queue_seconds) and `infercost agent`
// (infercost_agent_info; infercost_agent_process_info says its process_*
// series describe the watched target, not the agent).
func mapInfercost(p *Parsed, c *counters, r *reading, u used) {
	if len(u.take(p, "infercost_agent_info")) > 0 {
		r.exporters |= hasInfercost
	}
	if len(u.take(p, "infercost_agent_process_info")) > 0 {
		r.exporters |= hasInfercost
		r.hasProcInfo = true
	}
	depth := u.take(p, "infercost_server_queue_depth")
	reqs := u.take(p, "infercost_server_requests_total")
	infs := u.take(p, "infercost_server_inferences_total")
	qSum := u.take(p, "infercost_server_queue_seconds_sum")
	qCount := u.take(p, "infercost_server_queue_seconds_count")
	if len(depth)+len(reqs)+len(infs)+len(qSum)+len(qCount) == 0 {
		return
	}
	r.exporters |= hasInfercost
	if len(depth) > 0 {
		r.waiting = sumValues(depth)
	}
	var infer []Series
	for _, s := range reqs {
		if s.Label("handler") == "infer" {
			infer = append(infer, s)
		}
	}
	counterIncrease(c, infer, &r.requests)
	counterIncrease(c, infs, &r.inferences)
	var qs, qc float64 = nan(), nan()
	counterIncrease(c, qSum, &qs)
	counterIncrease(c, qCount, &qc)
	if finite(qs) && finite(qc) {
		r.queueSec, r.queueCount = qs, qc
	}
}

// mapProcess reads process_cpu_seconds_total and
// process_resident_memory_bytes (client libraries' standard process
// metrics) as the target process's, only where they describe it: on a
// model server's own endpoint (vLLM, the built-in server) or an agent
// watching a process. Elsewhere (node_exporter, dcgm-exporter) they are
// the exporter's own and are left alone.
func mapProcess(p *Parsed, c *counters, r *reading, u used) {
	server := r.exporters&hasVLLM != 0 || r.hasProcInfo || p.Has("infercost_server_requests_total")
	if !server {
		return
	}
	cpu := u.take(p, "process_cpu_seconds_total")
	rss := u.take(p, "process_resident_memory_bytes")
	counterIncrease(c, cpu, &r.procCPU)
	if len(rss) > 0 {
		r.procRSS = firstValue(rss)
	}
}
