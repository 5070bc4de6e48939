// Command sweep measures the peak search against a linear sweep on the
// built-in server (issue "Sweeps, peak search and the optimal batch
// size"): for each batch size, the search's peak rate within the SLO and
// its probe count, beside a linear sweep that measures every 5% step of
// the throughput ceiling (a closed loop at concurrency 64), in the same
// run. It prints a Markdown table.
//
//	go build -o bin/infercost ./cmd/infercost && go run ./bench/sweep -infercost bin/infercost
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/result"
)

func main() {
	bin := flag.String("infercost", "bin/infercost", "the infercost binary (it serves the built-in model)")
	batches := flag.String("batch", "1,8", "batch sizes, comma-separated")
	sloFlag := flag.String("slo", "p95=20ms", "the SLO")
	preset := flag.String("preset", "small", "built-in model preset")
	duration := flag.Duration("duration", 3*time.Second, "measured time of each probe")
	warmup := flag.Duration("warmup", time.Second, "warm-up of each probe")
	step := flag.Float64("step", 0.05, "linear sweep step, as a fraction of the throughput ceiling")
	late := flag.Duration("late-threshold", 20*time.Millisecond, "late-send threshold (the large preset holds a core for 5-60 ms at a time, so the co-located generator's timers slip; the lateness is in the corrected latency either way)")
	flag.Parse()
	if err := run(*bin, *batches, *sloFlag, *preset, *duration, *warmup, *late, *step); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sweep:", err)
		os.Exit(1)
	}
}

func run(bin, batchList, sloFlag, preset string, duration, warmup, late time.Duration, step float64) error {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("%v (build it: go build -o bin/infercost ./cmd/infercost)", err)
	}
	slo, err := result.ParseSLO(sloFlag)
	if err != nil {
		return err
	}
	var batches []int
	for _, p := range strings.Split(batchList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return fmt.Errorf("bad batch size %q", p)
		}
		batches = append(batches, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	set := profiler.DefaultSettings()
	set.Duration, set.Warmup, set.LateThreshold = duration, warmup, late
	out, err := os.MkdirTemp("", "infercost-bench-sweep-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	s, err := profiler.Open(ctx, profiler.Config{Command: "sweep", Name: "bench", OutDir: out, Settings: set,
		Target: profiler.TargetConfig{URL: profiler.BuiltinTarget, Model: "digits", Seed: 1,
			Conn:    loadgen.ConnOptions{Timeout: 10 * time.Second},
			Builtin: profiler.BuiltinConfig{Executable: abs, Server: result.ServerConfig{Preset: preset, MaxBatchSize: 32, MaxQueueDelayMS: 2, Instances: 1, MaxQueue: 1024}}},
		Log: os.Stderr})
	if err != nil {
		return err
	}
	defer s.Finish(result.StatusComplete)

	fmt.Fprintln(os.Stderr, "peak search...")
	sw, err := s.Sweep(ctx, profiler.SweepPlan{BatchSizes: batches, Search: profiler.SearchRate, Arrival: "constant",
		SLO: slo, MaxErrorRate: result.DefaultMaxErrorRate}, nil)
	if err != nil {
		return err
	}
	for _, st := range s.Run().Steps {
		fmt.Fprintf(os.Stderr, "  search probe %s: %.0f req/s, p95 %.1f ms, misses %v\n", st.Name, st.SuccessfulRPS, st.LatencyMS.Corrected.P95,
			result.SLOMisses(&st, slo, result.DefaultMaxErrorRate))
	}
	fmt.Printf("Peak search vs a linear sweep at %.0f%% steps of the throughput ceiling (closed loop, 64 in flight); built-in server (preset %s), SLO %s, probes of %s + %s warm-up, late threshold %s.\n\n",
		step*100, preset, sloFlag, duration, warmup, late)
	fmt.Println("| batch | search: peak (req/s) | search: probes | linear: peak (req/s) | linear: probes | peaks differ | probe ratio |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|")
	for _, p := range sw.Curve {
		// The linear sweep's scale is measured on its own: a closed loop
		// with enough requests in flight to saturate the target.
		cst, err := s.RunStep(ctx, profiler.Load{Mode: result.ModeConcurrency, Concurrency: 64, BatchSize: p.BatchSize,
			Name: fmt.Sprintf("ceiling-b%d", p.BatchSize)})
		if err != nil {
			return err
		}
		ceiling := cst.SuccessfulRPS
		if ceiling <= 0 {
			fmt.Printf("| %d | %.0f | %d | - | - | - | - |\n", p.BatchSize, p.MaxRPSAtSLO, p.Probes)
			continue
		}
		fmt.Fprintf(os.Stderr, "linear sweep of batch %d up to the ceiling %.0f req/s...\n", p.BatchSize, ceiling)
		linPeak, linProbes, err := linear(ctx, s, p.BatchSize, ceiling, step, slo)
		if err != nil {
			return err
		}
		diff := math.Abs(p.MaxRPSAtSLO-linPeak) / linPeak * 100
		fmt.Printf("| %d | %.0f | %d | %.0f | %d | %.1f%% | %.2f |\n", p.BatchSize, p.MaxRPSAtSLO, p.Probes, linPeak, linProbes, diff,
			float64(p.Probes)/float64(linProbes))
	}
	return nil
}

// linear measures every step of the ceiling (5%, 10%, ... 100%), as a
// linear sweep does, and returns the highest rate that met the SLO.
func linear(ctx context.Context, s *profiler.Session, batch int, ceiling, step float64, slo []result.SLOBound) (float64, int, error) {
	peak, probes := 0.0, 0
	for k := 1; float64(k)*step <= 1+1e-9; k++ {
		rate := math.Round(float64(k) * step * ceiling)
		probes++
		st, err := s.RunStep(ctx, profiler.Load{Mode: result.ModeRate, Arrival: "constant", RPS: rate, BatchSize: batch,
			Name: fmt.Sprintf("linear-b%d-r%g", batch, rate)})
		if err != nil {
			return peak, probes, err
		}
		if m := result.SLOMisses(st, slo, result.DefaultMaxErrorRate); len(m) > 0 {
			fmt.Fprintf(os.Stderr, "  linear probe %s failed: %v\n", st.Name, m)
			continue
		}
		peak = math.Max(peak, rate)
	}
	return peak, probes, nil
}
