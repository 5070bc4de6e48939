// Package runs reads run directories for the commands that report on runs
// already measured (infercost report, check, the HTML report): run.json,
// and, where the profiler wrote them, each step's HdrHistogram log
// (steps/NNN-name.hlog), from which every quantile is recomputed exactly.
//
// Why recompute what run.json already says: the histograms are the
// measurement and run.json's quantiles are a summary of them. Reading the
// histograms is what lets several runs' steps be merged exactly (package
// merge) and lets a report say where its figures came from. Runs without
// histogram files (the golden runs in testdata/runs, or a run.json copied
// alone) fall back to run.json's figures, and the Dir says so.
package runs
