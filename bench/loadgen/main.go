// Command loadgen benchmarks infercost's load engine against vegeta's own
// CLI: both drive the same trivial loopback endpoint (this program,
// re-executed as a separate process) at 1k to 30k requests/s for 5 s each,
// and it prints a side-by-side Markdown table of achieved/offered, late
// sends, p99 and the generator's CPU (from its rusage), plus a table of
// infercost with a small --max-inflight (-bounded). With -million it also
// runs a million requests and checks that the generator's RSS stays flat
// and under 100 MB (-only-million runs just that).
//
//	go run ./bench/loadgen [-rates 1000,5000,10000,20000,30000] [-duration 5s] [-trials 1]
//	    [-vegeta=true] [-bounded 256] [-max-inflight 10000] [-cpuprofile FILE]
//	    [-million] [-only-million] [-million-rate 10000] [-million-max-inflight 10000]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

func main() {
	if os.Getenv(serveEnv) == "1" {
		if err := serve(); err != nil {
			fmt.Fprintln(os.Stderr, "target:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	ratesFlag := flag.String("rates", "1000,5000,10000,20000,30000", "offered rates, requests/s, comma separated")
	duration := flag.Duration("duration", 5*time.Second, "time at each rate")
	trials := flag.Int("trials", 1, "runs of the whole table; medians are printed")
	withVegeta := flag.Bool("vegeta", true, "run vegeta's CLI at the same rates as the baseline")
	million := flag.Bool("million", false, "also send 1,000,000 requests and check that RSS stays flat under 100 MB")
	millionRate := flag.Int("million-rate", 10000, "rate of the -million run, requests/s")
	millionInflight := flag.Int("million-max-inflight", loadgen.DefaultMaxInflight, "--max-inflight of the -million run")
	onlyMillion := flag.Bool("only-million", false, "run only the -million check")
	maxInflight := flag.Int("max-inflight", loadgen.DefaultMaxInflight, "infercost's --max-inflight")
	bounded := flag.Int("bounded", 256, "also run infercost with this --max-inflight (0: skip) and print its table")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole benchmark process to this file")
	flag.Parse()
	rates, err := parseRates(*ratesFlag)
	if err != nil {
		return err
	}
	if *duration <= 0 || *duration > 10*time.Minute || *trials < 1 || *trials > 20 || *millionRate < 1 {
		return fmt.Errorf("want 0 < -duration <= 10m, 1 <= -trials <= 20, -million-rate >= 1")
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	tgt, err := startTarget()
	if err != nil {
		return err
	}
	defer tgt.stop()
	fmt.Printf("machine: %d logical CPUs, GOMAXPROCS %d, %s, load average at start %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())
	fmt.Printf("target: trivial endpoint in a separate process at %s\n\n", tgt.url)

	if !*onlyMillion {
		var vegetaBin string
		dir, err := os.MkdirTemp("", "infercost-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if *withVegeta {
			if vegetaBin, err = buildVegeta(dir); err != nil {
				return err
			}
		}
		rows := make([][]row, len(rates))
		for trial := 0; trial < *trials; trial++ {
			for i, rate := range rates {
				r := row{rate: rate}
				runs := []func() error{
					func() (err error) { r.ours, err = runInfercost(tgt, rate, *duration, *maxInflight); return err },
				}
				if vegetaBin != "" {
					runs = append(runs, func() (err error) {
						r.vegeta, err = runVegeta(vegetaBin, tgt, rate, *duration, dir)
						r.hasVegeta = err == nil
						return err
					})
				}
				if *bounded > 0 {
					runs = append(runs, func() (err error) {
						r.bounded, err = runInfercost(tgt, rate, *duration, *bounded)
						r.hasBounded = err == nil
						return err
					})
				}
				// Rotate who goes first, so no one always meets a warmer box.
				for k := range runs {
					if err := runs[(k+trial)%len(runs)](); err != nil {
						return err
					}
					time.Sleep(time.Second)
				}
				fmt.Fprintf(os.Stderr, "trial %d, %d req/s: infercost %.3f of offered, vegeta CLI %.3f, infercost --max-inflight %d %.3f\n",
					trial+1, rate, r.ours.achievedRPS/float64(rate), r.vegeta.achievedRPS/float64(rate), *bounded, r.bounded.achievedRPS/float64(rate))
				rows[i] = append(rows[i], r)
			}
		}
		printTable(rows, *trials, *duration)
		if *bounded > 0 {
			printBounded(rows, *bounded)
		}
	}
	if *million || *onlyMillion {
		return runMillion(tgt.url, *millionRate, *millionInflight)
	}
	return nil
}

func parseRates(s string) ([]int, error) {
	var rates []int
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || r < 1 || r > 1000000 {
			return nil, fmt.Errorf("-rates: %q is not a rate between 1 and 1000000 requests/s", f)
		}
		rates = append(rates, r)
	}
	return rates, nil
}

// ourRun is one infercost attack at one rate.
type ourRun struct {
	achievedRPS        float64 // successful requests/s
	lateRatio          float64
	lateUncappedRatio  float64
	p99CorrectedMS     float64
	p99UncorrectedMS   float64
	cpuPercent         float64 // of one core, from getrusage(RUSAGE_SELF)
	targetCPUPercent   float64 // the target process's, of one core
	errorRatio         float64
	generatorLimited   bool
	inflightCappedFrac float64
}

func runInfercost(tgt *target, rate int, d time.Duration, maxInflight int) (ourRun, error) {
	arr, err := loadgen.Constant(float64(rate))
	if err != nil {
		return ourRun{}, err
	}
	runtime.GC()
	cpu0, tcpu0, wall0 := cpuTime(), tgt.cpuTime(), time.Now()
	a, err := loadgen.Start(context.Background(), loadgen.Config{Workload: loadgen.NewRawWorkload("GET", tgt.url, nil), Arrival: arr, MaxInflight: maxInflight})
	if err != nil {
		return ourRun{}, err
	}
	time.Sleep(d)
	iv := a.Stop()
	cpu, tcpu, wall := cpuTime()-cpu0, tgt.cpuTime()-tcpu0, time.Since(wall0)
	st := result.Step{BatchSize: 1}
	iv.Fill(&st)
	r := ourRun{
		achievedRPS:        st.SuccessfulRPS,
		lateRatio:          st.LateSendRatio,
		lateUncappedRatio:  float64(iv.LateUncapped) / max(float64(iv.Sent), 1),
		p99CorrectedMS:     st.LatencyMS.Corrected.P99,
		p99UncorrectedMS:   st.LatencyMS.Uncorrected.P99,
		cpuPercent:         100 * cpu.Seconds() / wall.Seconds(),
		targetCPUPercent:   100 * tcpu.Seconds() / wall.Seconds(),
		errorRatio:         st.ErrorRatio,
		inflightCappedFrac: st.InflightCappedRatio,
	}
	// The profiler's rule (DESIGN invariant 3): over 1% of sends late for
	// the generator's own reasons, or its CPU saturated.
	r.generatorLimited = r.lateUncappedRatio > 0.01 || r.cpuPercent >= 90*float64(runtime.GOMAXPROCS(0))
	return r, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// row is one rate of one trial.
type row struct {
	rate       int
	ours       ourRun
	vegeta     vegetaRun
	hasVegeta  bool
	bounded    ourRun
	hasBounded bool
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func printTable(rows [][]row, trials int, d time.Duration) {
	what := "one run"
	if trials > 1 {
		what = fmt.Sprintf("medians of %d runs", trials)
	}
	fmt.Printf("%v at each rate, %s. infercost: successful req/s / offered; late = share of sends over 2 ms late; "+
		"p99 corrected from the intended send time, uncorrected from the actual send. vegeta CLI: its report's throughput / offered, "+
		"its p99 (from the actual send). CPU: the generator process, %% of one core.\n\n", d, what)
	fmt.Println("| offered req/s | infercost achieved/offered | late sends | capped sends | p99 corrected ms | p99 uncorrected ms | infercost CPU % (target %) | generator_limited | vegeta CLI achieved/offered | vegeta CLI p99 ms | vegeta CLI CPU % (target %) |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|")
	for _, rs := range rows {
		if len(rs) == 0 {
			continue
		}
		col := func(f func(row) float64) float64 {
			var xs []float64
			for _, r := range rs {
				xs = append(xs, f(r))
			}
			return median(xs)
		}
		rate := float64(rs[0].rate)
		flag := limitedFlag(rs, func(r row) bool { return r.ours.generatorLimited })
		theirs := "| n/a | n/a | n/a |"
		if rs[0].hasVegeta {
			theirs = fmt.Sprintf("| %.3f | %.1f | %.0f (%.0f) |",
				col(func(r row) float64 { return r.vegeta.achievedRPS })/rate,
				col(func(r row) float64 { return r.vegeta.p99MS }),
				col(func(r row) float64 { return r.vegeta.cpuPercent }),
				col(func(r row) float64 { return r.vegeta.targetCPU }))
		}
		fmt.Printf("| %d | %.3f | %.4f | %.4f | %.1f | %.1f | %.0f (%.0f) | %s %s\n", rs[0].rate,
			col(func(r row) float64 { return r.ours.achievedRPS })/rate,
			col(func(r row) float64 { return r.ours.lateRatio }),
			col(func(r row) float64 { return r.ours.inflightCappedFrac }),
			col(func(r row) float64 { return r.ours.p99CorrectedMS }),
			col(func(r row) float64 { return r.ours.p99UncorrectedMS }),
			col(func(r row) float64 { return r.ours.cpuPercent }),
			col(func(r row) float64 { return r.ours.targetCPUPercent }),
			flag, theirs)
	}
	fmt.Println()
}

// printBounded prints the runs with a small --max-inflight.
func printBounded(rows [][]row, maxInflight int) {
	fmt.Printf("infercost with --max-inflight %d (same runs, same medians):\n\n", maxInflight)
	fmt.Println("| offered req/s | achieved/offered | late sends | capped sends | p99 corrected ms | p99 uncorrected ms | CPU % (target %) | generator_limited |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|:---:|")
	for _, rs := range rows {
		if len(rs) == 0 || !rs[0].hasBounded {
			continue
		}
		col := func(f func(ourRun) float64) float64 {
			var xs []float64
			for _, r := range rs {
				xs = append(xs, f(r.bounded))
			}
			return median(xs)
		}
		fmt.Printf("| %d | %.3f | %.4f | %.4f | %.1f | %.1f | %.0f (%.0f) | %s |\n", rs[0].rate,
			col(func(r ourRun) float64 { return r.achievedRPS })/float64(rs[0].rate),
			col(func(r ourRun) float64 { return r.lateRatio }),
			col(func(r ourRun) float64 { return r.inflightCappedFrac }),
			col(func(r ourRun) float64 { return r.p99CorrectedMS }),
			col(func(r ourRun) float64 { return r.p99UncorrectedMS }),
			col(func(r ourRun) float64 { return r.cpuPercent }),
			col(func(r ourRun) float64 { return r.targetCPUPercent }),
			limitedFlag(rs, func(r row) bool { return r.bounded.generatorLimited }))
	}
	fmt.Println()
}

// limitedFlag is "**yes**" when most runs were generator-limited.
func limitedFlag(rs []row, limited func(row) bool) string {
	n := 0
	for _, r := range rs {
		if limited(r) {
			n++
		}
	}
	if n*2 > len(rs) {
		return "**yes**"
	}
	return "no"
}
