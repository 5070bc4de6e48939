// Package loadgen drives a target over HTTP with vegeta and records what it
// saw in a way that can be trusted (DESIGN invariants 1-3 and 5).
//
// Arrivals are open-loop schedules with exact intended send times (hit i at
// i/rate for a constant rate, not vegeta's (i+1)/rate). The recorder measures
// each request's latency twice: corrected, from its intended send time, so a
// stalled server cannot hide behind the client's own waiting (coordinated
// omission); and uncorrected, from the actual send, reported beside it. Both
// go into HDR histograms; errors never do. --max-inflight caps the requests
// in flight: sends beyond it go out late, never dropped, and their lateness
// lands in the corrected figure. Late sends are counted in two parts: those
// that found every slot busy (the target held them) and the rest (the
// generator could not keep its schedule), so the profiler can tell a target
// at capacity from a starved generator.
//
// The KServe v2 adapter reads a model's metadata, builds a pool of request
// bodies before the attack (synthesized from the metadata or read from a
// JSONL file) and validates every response.
//
// Memory stays flat however long a run is: per-request data lives only in
// histograms and per-second rows.
package loadgen
