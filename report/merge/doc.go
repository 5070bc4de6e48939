// Package merge pools several runs of one setup into one run: each step
// measured in every run (the same batch size at the same load) becomes one
// step whose latency histograms are the runs' histograms added together,
// so its quantiles are exact, not averaged. It is what two halves of a
// measurement, repeated runs, or several load generators' runs need to be
// read as one (infercost report --merge).
//
// What is merged, and how (a step's fields in result.Step):
//
//   - histograms (corrected and uncorrected latency, send lag; TTFT, ITL
//     and TPOT for streams): added bucket by bucket, then every quantile,
//     min, mean and max recomputed. This needs every step's .hlog file; a
//     step without one (a golden run) is refused, never approximated.
//   - counts (requests, successes, sent, offered, every error kind, input
//     and output tokens) and duration_s: summed.
//   - rates (achieved, successful, inferences/s, goodput, tokens/s,
//     requests/s): the summed count over the summed duration, so the runs
//     are read as one longer measurement of the same load (repeats, or
//     the halves of one run). Load generators driving one target at the
//     same time offer the sum of their rates: pooled this way, the merged
//     rate is the mean of theirs, and the target's total is that times the
//     number of runs.
//   - ratios (success, error, late sends, in-flight capped) and per-request
//     means (bytes in and out, tokens per request, output tokens/s per
//     user): weighted by what they are ratios of (requests, sends,
//     streams).
//   - flags: a merged step is generator-limited, unstable, interrupted or
//     stopped early when any run's step was.
//   - trials: every run's trials are kept, one after another (a run's step
//     with no trial list counts as one trial of its own figures), and the
//     spread (min-max of throughput and p95) is taken over all of them, so
//     the runs' disagreement is the merged step's measured noise.
//   - stability: the worst of the runs (largest spreads; windows summed).
//   - notes: each run's, prefixed with the run.
//
// What is not merged: the sampler figures (host, target process,
// generator, GPUs, scrapes, energy) describe one machine over one span of
// time and cannot be pooled from their summaries; the merged step carries
// the first run's, and its notes say so. Nor is a sweep's answer (its
// search ran per run): the merged run has no sweep and is judged step by
// step. Spec and environment are the first run's; runs of different
// models, units or hardware are refused. Steps measured in only some of the
// runs are left out, each named in a note.
package merge
