package scrape

// mapVLLM reads vLLM's metrics (vllm/v1/metrics/loggers.py; also what
// infercost's built-in LLM server exposes): vllm:num_requests_running and
// vllm:num_requests_waiting (summed over engines), KV-cache use
// (vllm:kv_cache_usage_perc, or before it vllm:gpu_cache_usage_perc: a
// fraction, 1 = 100%, averaged over engines), vllm:request_success_total
// (requests finished, every finished_reason) and the queue time histogram
// vllm:request_queue_time_seconds (its _sum over its _count).
func mapVLLM(p *Parsed, c *counters, r *reading, u used) {
	running := u.take(p, "vllm:num_requests_running")
	waiting := u.take(p, "vllm:num_requests_waiting")
	kv := u.take(p, "vllm:kv_cache_usage_perc")
	oldKV := u.take(p, "vllm:gpu_cache_usage_perc")
	success := u.take(p, "vllm:request_success_total")
	qSum := u.take(p, "vllm:request_queue_time_seconds_sum")
	qCount := u.take(p, "vllm:request_queue_time_seconds_count")
	if len(running)+len(waiting)+len(kv)+len(oldKV)+len(success)+len(qSum)+len(qCount) == 0 {
		return
	}
	r.exporters |= hasVLLM
	if len(running) > 0 {
		r.running = sumValues(running)
	}
	if len(waiting) > 0 {
		r.waiting = sumValues(waiting)
	}
	if len(kv) == 0 {
		kv = oldKV
	}
	if v := meanValues(kv); finite(v) {
		r.kv = v * 100
	}
	counterIncrease(c, success, &r.requests)
	var qs, qc float64 = nan(), nan()
	counterIncrease(c, qSum, &qs)
	counterIncrease(c, qCount, &qc)
	if finite(qs) && finite(qc) {
		r.queueSec, r.queueCount = qs, qc
	}
}
