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
	fmt.Fprintf(w, "sweep: SLO %s (corrected latency), max error rate %g, search %s, %d probes\n",
		result.FormatSLO(sw.SLO), sw.MaxErrorRate, sw.Search, sw.Probes)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "batch\tserver\tpeak at SLO\tpeak at SLO\tp50\tp95\tp99\tmax, no SLO\tprobes\t\t")
	fmt.Fprintln(tw, "(inputs)\t\t(infer/s)\t(req/s)\t(ms)\t(ms)\t(ms)\t(infer/s)\t\t\t")
	for _, p := range sw.Curve {
		mark := ""
		if p.BatchSize == sw.BestBatchSize && p.MaxInferencesPerSAtSLO > 0 && sameServer(p.Server, sw.Realtime.Server) {
			mark = "<- sweet spot"
		} else if p.BatchSize == sw.KneeBatchSize && p.MaxInferencesPerSAtSLO > 0 && sameServer(p.Server, sw.Realtime.Server) {
			mark = "<- knee"
		}
		peak, rps, p50, p95, p99 := "0 (none met the SLO)", "-", "-", "-", "-"
		if p.MaxInferencesPerSAtSLO > 0 {
			peak, rps = Num(p.MaxInferencesPerSAtSLO), Num(p.MaxRPSAtSLO)
			p50, p95, p99 = Num(p.LatencyMSAtPeak.P50), Num(p.LatencyMSAtPeak.P95), Num(p.LatencyMSAtPeak.P99)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n", p.BatchSize, ServerLabel(p.Server), peak, rps, p50, p95, p99,
			Num(p.MaxInferencesPerS), p.Probes, mark)
	}
	tw.Flush()
	fmt.Fprintln(w)
	if sw.BestBatchSize == 0 {
		fmt.Fprintf(w, "no batch size met the SLO %s: see each step's latency and flags above\n", result.FormatSLO(sw.SLO))
	} else {
		rt := sw.Realtime
		fmt.Fprintf(w, "realtime (within the SLO): batch %d%s, %s infer/s at %s req/s, p95 %s ms\n",
			rt.BatchSize, serverSuffix(rt.Server), Num(rt.InferencesPerS), Num(rt.RPS), Num(rt.LatencyMS.P95))
		fmt.Fprintf(w, "knee: batch %d is the smallest reaching 90%% of the best\n", sw.KneeBatchSize)
	}
	if sw.Offline.Step >= 0 {
		of := sw.Offline
		fmt.Fprintf(w, "offline (no latency bound): batch %d%s, %s infer/s (p95 %s ms)\n", of.BatchSize, serverSuffix(of.Server), Num(of.InferencesPerS), Num(of.LatencyMS.P95))
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

// ServerLabel names a built-in server configuration, "-" for none.
func ServerLabel(s *result.ServerConfig) string {
	if s == nil {
		return "-"
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
