package summary

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/infercost/infercost/result"
)

// WriteSweep writes a sweep's curve and answers: the peak at the SLO for
// each batch size, the sweet spot, the knee, and the realtime and offline
// operating points.
func WriteSweep(w io.Writer, run *result.Run) {
	sw := run.Sweep
	unit := UnitRate(sw.Unit)
	fmt.Fprintf(w, "sweep: SLO %s (corrected latency), max error rate %g, search %s, %d probes\n",
		result.FormatSLO(sw.SLO), sw.MaxErrorRate, sw.Search, sw.Probes)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "batch\tserver\tpeak at SLO\tpeak at SLO\tp50\tp95\tp99\tmax, no SLO\tprobes\t\t")
	fmt.Fprintf(tw, "(inputs)\t\t(%s)\t(req/s)\t(ms)\t(ms)\t(ms)\t(%s)\t\t\t\n", unit, unit)
	for _, p := range sw.Curve {
		mark := ""
		if p.BatchSize == sw.BestBatchSize && p.MaxUnitsPerSAtSLO > 0 && sameServer(p.Server, sw.Realtime.Server) {
			mark = "<- sweet spot"
		} else if p.BatchSize == sw.KneeBatchSize && p.MaxUnitsPerSAtSLO > 0 && sameServer(p.Server, sw.Realtime.Server) {
			mark = "<- knee"
		}
		peak, rps, p50, p95, p99 := "0 (none met the SLO)", "-", "-", "-", "-"
		if p.Incomplete && p.MaxUnitsPerSAtSLO <= 0 {
			peak = "incomplete (interrupted)"
		}
		if p.MaxUnitsPerSAtSLO > 0 {
			peak, rps = Num(p.MaxUnitsPerSAtSLO), Num(p.MaxRPSAtSLO)
			p50, p95, p99 = Num(p.LatencyMSAtPeak.P50), Num(p.LatencyMSAtPeak.P95), Num(p.LatencyMSAtPeak.P99)
		}
		if p.Incomplete && p.MaxUnitsPerSAtSLO > 0 {
			peak += " (incomplete)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n", p.BatchSize, ServerLabel(p.Server), peak, rps, p50, p95, p99,
			Num(p.MaxUnitsPerS), p.Probes, mark)
	}
	tw.Flush()
	fmt.Fprintln(w)
	provisional := ""
	if sw.Provisional {
		provisional = " (provisional: the sweep was interrupted; resume it with --resume)"
	}
	if sw.BestBatchSize == 0 {
		fmt.Fprintf(w, "no batch size met the SLO %s: see each step's latency and flags above%s\n", result.FormatSLO(sw.SLO), provisional)
	} else {
		rt := sw.Realtime
		fmt.Fprintf(w, "realtime (within the SLO): batch %d%s%s, %s %s at %s req/s, p95 %s ms%s\n",
			rt.BatchSize, concurrencySuffix(rt), serverSuffix(rt.Server), Num(rt.UnitsPerS), unit, Num(rt.RPS), Num(rt.LatencyMS.P95), provisional)
		if len(sw.Curve) > 1 {
			fmt.Fprintf(w, "knee: batch %d is the smallest reaching 90%% of the best\n", sw.KneeBatchSize)
		}
	}
	if sw.Offline.Step >= 0 {
		of := sw.Offline
		fmt.Fprintf(w, "offline (no latency bound): batch %d%s%s, %s %s (p95 %s ms)%s\n", of.BatchSize, concurrencySuffix(of), serverSuffix(of.Server),
			Num(of.UnitsPerS), unit, Num(of.LatencyMS.P95), provisional)
	}
	if len(sw.ServerConfigs) > 0 {
		fmt.Fprintln(w, "\nbuilt-in server batcher configurations:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range sw.ServerConfigs {
			win := ""
			if c.Winner {
				win = "<- wins"
			}
			fmt.Fprintf(tw, "  %s\tbest batch %d\t%s infer/s at the SLO\t%s\n", ServerLabel(&c.Server), c.BestBatchSize, Num(c.MaxInferencesPerSAtSLO), win)
		}
		tw.Flush()
	}
}

// UnitRate is the short name of a throughput in a unit: "infer/s" or
// "out tok/s".
func UnitRate(unit string) string {
	if unit == result.UnitOutputToken {
		return "out tok/s"
	}
	return "infer/s"
}

// concurrencySuffix names the concurrency of a closed-loop operating point.
func concurrencySuffix(op result.OperatingPoint) string {
	if op.Concurrency > 0 {
		return fmt.Sprintf(", concurrency %d", op.Concurrency)
	}
	return ""
}

// ServerLabel names a built-in server configuration, "-" for none.
func ServerLabel(s *result.ServerConfig) string {
	if s == nil {
		return "-"
	}
	if s.IsLM() {
		return fmt.Sprintf("lm, max-num-seqs %d", s.MaxNumSeqs)
	}
	return fmt.Sprintf("max-batch %d, delay %gms", s.MaxBatchSize, s.MaxQueueDelayMS)
}

func serverSuffix(s *result.ServerConfig) string {
	if s == nil {
		return ""
	}
	return " (server " + ServerLabel(s) + ")"
}

func sameServer(a, b *result.ServerConfig) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
