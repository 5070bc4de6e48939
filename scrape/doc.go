// Package scrape reads Prometheus text and OpenMetrics endpoints while a
// run measures (--scrape NAME=URL): the machine a remote target runs on
// (node_exporter, dcgm-exporter, `infercost agent`) and the model server's
// own figures (Triton, vLLM, infercost's built-in servers). It parses with
// the ecosystem's own parser (prometheus/common expfmt), maps the series it
// knows into run.json's figures (result.ScrapeSummary, scraped GPUs as
// result.GPUSummary with source "scrape:NAME"), and keeps the rest raw
// when asked (--scrape-keep).
//
// Counters become rates between consecutive scrapes (a counter that goes
// down was reset, and its increase is its new value, as Prometheus counts
// it); gauges are averaged over a step. A scrape that fails, times out,
// returns something that is not Prometheus text or more than MaxBytes is a
// gap with a note, never a crash, a stalled run or unbounded memory.
//
// Each endpoint is read by its own goroutine, locked to an OS thread so
// that thread's CPU time is what scraping cost (Stop).
package scrape
