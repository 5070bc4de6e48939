// Command lm measures the built-in language model server (infercost serve
// --preset lm, or -preset lm-large) the way its issue asks: aggregate output tokens/s at 1, 2,
// 4, ... concurrent streams up to --max-num-seqs (continuous batching
// should make 8 streams carry at least 3x the tokens of one), time to
// first token against prompt length, inter-token latency against the
// number of active sequences, and the server's memory with every slot
// busy. It starts `infercost serve --preset lm` as a child on a free
// loopback port (as the profiler does) and drives it with plain Go HTTP
// clients streaming completions; it prints Markdown tables of medians
// over the trials.
//
//	go build -o bin/infercost ./cmd/infercost && go run ./bench/lm -infercost bin/infercost
//
// Tokens per second come from the server's own counter
// (vllm:generation_tokens_total) over the measured window; latencies from
// the clients' clocks (TTFT from the request's send to its first text,
// ITL the gaps between consecutive chunks, one token each unless a client
// falls behind). The clients share the machine with the server.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("infercost", "bin/infercost", "the infercost binary")
	preset := flag.String("preset", "lm", "the server's --preset: lm, or lm-large (lm widened 4-fold, where batching pays)")
	levels := flag.String("concurrency", "1,2,4,8,16", "concurrent streams, comma-separated (at most --max-num-seqs)")
	maxNumSeqs := flag.Int("max-num-seqs", 16, "the server's --max-num-seqs")
	trials := flag.Int("trials", 3, "rounds: each measures every concurrency and prompt length once (medians are reported)")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured start of each trial")
	window := flag.Duration("window", 8*time.Second, "measured time of each trial")
	promptLen := flag.Int("prompt", 64, "prompt length in tokens (bytes) of the throughput runs")
	maxTokens := flag.Int("max-tokens", 128, "max_tokens of each request of the throughput runs (ignore_eos: every request writes them all)")
	ttftLens := flag.String("ttft-prompts", "16,64,128,256", "prompt lengths of the TTFT runs (one stream, max_tokens 1)")
	ttftRequests := flag.Int("ttft-requests", 30, "requests per prompt length")
	flag.Parse()
	if err := run(*bin, *preset, *levels, *ttftLens, *maxNumSeqs, *trials, *promptLen, *maxTokens, *ttftRequests, *warmup, *window); err != nil {
		fmt.Fprintln(os.Stderr, "bench/lm:", err)
		os.Exit(1)
	}
}

func run(bin, preset, levelList, ttftList string, maxNumSeqs, trials, promptLen, maxTokens, ttftRequests int, warmup, window time.Duration) error {
	levels, err := ints(levelList)
	if err != nil {
		return err
	}
	ttftLens, err := ints(ttftList)
	if err != nil {
		return err
	}
	loadBefore := loadAverage()
	srv, err := startServer(bin, preset, maxNumSeqs)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(os.Stderr, "server pid %d at %s\n", srv.cmd.Process.Pid, srv.base)

	// Rounds outside, levels inside: every level is measured once per
	// round, so that when the machine's other load drifts (it is shared)
	// each level sees the same drift, and the ratios hold.
	for _, c := range levels {
		if c > maxNumSeqs {
			return fmt.Errorf("concurrency %d is over --max-num-seqs %d", c, maxNumSeqs)
		}
	}
	trialsAt := map[int][]trialResult{}
	ttftAt := map[int][]ttftResult{}
	for round := range trials {
		for _, c := range levels {
			r, err := srv.throughput(c, promptLen, maxTokens, warmup, window)
			if err != nil {
				return fmt.Errorf("concurrency %d, round %d: %w", c, round+1, err)
			}
			fmt.Fprintf(os.Stderr, "round %d c=%d: %.0f tokens/s, ITL p50 %.2f ms, %.2f sequences per step, RSS peak %.1f MiB (load %s)\n",
				round+1, c, r.tokensPerSec, r.itlP50*1e3, r.seqsPerStep, float64(r.rssPeak)/(1<<20), loadAverage())
			trialsAt[c] = append(trialsAt[c], r)
		}
		for _, n := range ttftLens {
			r, err := srv.ttft(n, ttftRequests)
			if err != nil {
				return fmt.Errorf("TTFT at %d tokens: %w", n, err)
			}
			fmt.Fprintf(os.Stderr, "round %d prompt %d: TTFT p50 %.2f ms\n", round+1, n, r.p50*1e3)
			ttftAt[n] = append(ttftAt[n], r)
		}
	}
	var rows []levelResult
	for _, c := range levels {
		rows = append(rows, summarize(c, trialsAt[c]))
	}
	var ttft []ttftResult
	for _, n := range ttftLens {
		var p50, p90 []float64
		for _, r := range ttftAt[n] {
			p50, p90 = append(p50, r.p50), append(p90, r.p90)
		}
		ttft = append(ttft, ttftResult{promptLen: n, p50: median(p50), p90: median(p90)})
	}
	hwm, _ := procStatus(srv.cmd.Process.Pid, "VmHWM")
	printReport(os.Stdout, srv.startup, rows, ttft, hwm, promptLen, maxTokens, trials, warmup, window)
	fmt.Printf("Load average (1 min) of the machine: %s before the run, %s after.\n", loadBefore, loadAverage())
	return nil
}

func ints(list string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad number %q in %q", p, list)
		}
		out = append(out, n)
	}
	return out, nil
}

// server is the child `infercost serve --preset lm`.
type server struct {
	cmd     *exec.Cmd
	base    string
	startup []string
}

var listenLine = regexp.MustCompile(`^listening on (http://\S+)`)

func startServer(bin, preset string, maxNumSeqs int) (*server, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("%v (build it: go build -o bin/infercost ./cmd/infercost)", err)
	}
	cmd := exec.Command(abs, "serve", "--preset", preset, "--addr", "127.0.0.1:0", "--max-num-seqs", strconv.Itoa(maxNumSeqs),
		"--max-num-batched-tokens", strconv.Itoa(max(256, maxNumSeqs)))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := lines.Text()
		fmt.Fprintln(os.Stderr, "  server:", line)
		s.startup = append(s.startup, line)
		if m := listenLine.FindStringSubmatch(line); m != nil {
			s.base = m[1]
			break
		}
	}
	if s.base == "" {
		cmd.Process.Kill() //nolint:errcheck // it failed anyway
		cmd.Wait()         //nolint:errcheck // idem
		return nil, fmt.Errorf("the server printed no listening line")
	}
	go func() { // keep draining its output
		for lines.Scan() {
			fmt.Fprintln(os.Stderr, "  server:", lines.Text())
		}
	}()
	return s, nil
}

// stop drains the server with SIGTERM, as a user's Ctrl-C would.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may be gone
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }() //nolint:errcheck // exit status reported by the server itself
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill() //nolint:errcheck // last resort
		<-done
	}
}

// procStatus reads a memory field (kB) of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// median of vs (0 for none).
func median(vs []float64) float64 { return quantile(vs, 0.5) }

func quantile(vs []float64, q float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// waitIdle waits until the server reports no running or waiting sequence.
func (s *server) waitIdle(ctx context.Context) error {
	for {
		m, err := scrape(ctx, s.base)
		if err != nil {
			return err
		}
		if m["vllm:num_requests_running"] == 0 && m["vllm:num_requests_waiting"] == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// loadAverage is the machine's 1-minute load average, as /proc/loadavg
// has it ("?" where there is none): the benchmark shares the machine.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
