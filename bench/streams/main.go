// Command streams measures the load engine's own limit for streamed
// responses: how many concurrent streams one machine drives while its
// time-to-first-token and inter-token figures stay within 1 ms of what the
// server was built to do, and how much memory each stream costs the
// generator.
//
// The server is loadgen/openaitest in a child process (this program,
// re-executed), dialled to a fixed TTFT and ITL, so any excess the
// generator measures is the generator's (or the shared machine's). Run it
// with `go run ./bench/streams`; results go in the README.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/loadgen/openaitest"
	"github.com/infercost/infercost/result"
)

const serveEnv = "INFERCOST_BENCH_STREAMS_SERVE"

func main() {
	ttft := flag.Duration("ttft", 200*time.Millisecond, "the server's time to first token")
	itl := flag.Duration("itl", 50*time.Millisecond, "the server's inter-token latency")
	tokens := flag.Int("tokens", 20, "output tokens per stream")
	levels := flag.String("concurrency", "1,16,64,256,512,1024,2048", "concurrent streams to measure, comma separated")
	duration := flag.Duration("duration", 10*time.Second, "measured time at each level, after a warm-up of one stream's length")
	flag.Parse()
	if os.Getenv(serveEnv) == "1" {
		serve(*ttft, *itl)
		return
	}
	if err := run(*ttft, *itl, *tokens, *levels, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "streams:", err)
		os.Exit(1)
	}
}

// serve runs the dialled server until stdin closes.
func serve(ttft, itl time.Duration) {
	s := openaitest.NewServer(openaitest.Config{TTFT: ttft, ITL: itl})
	fmt.Printf("URL %s\n", s.URL)
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // ends with the parent
	s.Close()
}

func run(ttft, itl time.Duration, tokens int, levels string, duration time.Duration) error {
	url, stop, err := startServer(ttft, itl)
	if err != nil {
		return err
	}
	defer stop()
	tg, err := loadgen.NewOpenAI(loadgen.OpenAIOptions{Model: "test-llm", PromptTokens: result.TokenDist{Mean: 32},
		OutputTokens: result.TokenDist{Mean: float64(tokens)}, ForceOutputLength: true}).Preflight(context.Background(), url, loadgen.ConnOptions{Timeout: time.Minute})
	if err != nil {
		return err
	}
	wl, err := tg.Workload(1)
	if err != nil {
		return err
	}
	streamLen := ttft + time.Duration(tokens-1)*itl
	fmt.Printf("server: TTFT %v, ITL %v, %d tokens a stream (%v); %d CPUs shared by generator and server; %v measured at each level\n\n",
		ttft, itl, tokens, streamLen, runtime.NumCPU(), duration)
	fmt.Println("| streams | streams/s | TTFT p50 excess (ms) | TTFT p99 excess (ms) | ITL p50 excess (ms) | ITL p99 excess (ms) | generator RSS (MiB) | RSS per stream (KiB) | generator CPU (% of 1 core) | TTFT p50 within 1 ms |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
	idle := rssBytes()
	for _, part := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return fmt.Errorf("bad concurrency %q", part)
		}
		att, err := loadgen.Start(context.Background(), loadgen.Config{Workload: wl, Concurrency: n})
		if err != nil {
			return err
		}
		time.Sleep(streamLen + 500*time.Millisecond) // warm-up: every slot has streamed once
		att.Cut()
		cpu0, t0 := cpuTime(), time.Now()
		var peak int64
		for end := time.Now().Add(duration); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
			peak = max(peak, rssBytes())
		}
		iv := att.Cut()
		cpu := float64(cpuTime()-cpu0) / float64(time.Since(t0)) * 100
		att.Stop()
		st := result.Step{BatchSize: 1, Unit: result.UnitOutputToken}
		iv.Fill(&st)
		ex := func(q *result.Quantiles, p string, want time.Duration) float64 {
			return q.Value(p) - float64(want)/float64(time.Millisecond)
		}
		t50, t99 := ex(st.TTFTMS, "p50", ttft), ex(st.TTFTMS, "p99", ttft)
		i50, i99 := ex(st.ITLMS, "p50", itl), ex(st.ITLMS, "p99", itl)
		ok := "yes"
		if t50 > 1 || st.ErrorRatio > 0 {
			ok = "no"
		}
		perStream := "-" // below 64 streams the process's own baseline dominates
		if n >= 64 {
			perStream = fmt.Sprintf("%.1f", float64(peak-idle)/float64(n)/1024)
		}
		fmt.Printf("| %d | %.1f | %.2f | %.2f | %.2f | %.2f | %.1f | %s | %.0f | %s |\n", n, st.SuccessfulRPS, t50, t99, i50, i99,
			float64(peak)/(1<<20), perStream, cpu, ok)
		runtime.GC()
	}
	return nil
}

// startServer re-executes this program as the server.
func startServer(ttft, itl time.Duration) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-ttft", ttft.String(), "-itl", itl.String())
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "URL ")
	if !ok {
		cmd.Process.Kill()
		return "", nil, fmt.Errorf("the server did not report its URL (%q)", line)
	}
	return url, func() { stdin.Close(); cmd.Wait() }, nil
}

// rssBytes is this process's resident memory, from /proc (0 elsewhere).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuTime is this process's user+system CPU time, from /proc (0 elsewhere).
func cpuTime() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(fields[11], 10, 64)
	k, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(u+k) * time.Second / 100 // clock ticks, 100 a second on Linux
}
