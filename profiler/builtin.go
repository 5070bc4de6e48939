package profiler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/infercost/infercost/result"
)

// BuiltinConfig says how to start the built-in model server as a child
// process (`infercost serve`), so that the profiler measures a separate
// process and imports no modelserver (DESIGN "Layout").
type BuiltinConfig struct {
	// Executable is the infercost binary; "" means this process's own.
	Executable string
	Server     result.ServerConfig
	ModelName  string
	// ExtraArgs are further `serve` flags, passed as given.
	ExtraArgs []string
	// LogPath receives the child's stdout and stderr; "" discards them.
	LogPath string
	// StartTimeout bounds the wait for the ready line. The large preset
	// trains for up to a minute on first use, so the default is generous.
	StartTimeout time.Duration
	// StopTimeout bounds the graceful drain after SIGTERM before SIGKILL.
	StopTimeout time.Duration
}

// readyPrefix starts the one stdout line `serve` prints once it is ready
// (modelserver.ListenLinePrefix; the profiler runs the server as a child
// and imports nothing of it, so the contract is this line).
const readyPrefix = "listening on http://"

// Child is a running built-in server.
type Child struct {
	URL string
	PID int32

	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
	stopWait time.Duration
	tail     *tailBuffer
	logFile  *os.File
}

// serveArgs turns a server configuration into `infercost serve` flags.
func serveArgs(cfg BuiltinConfig) []string {
	s := cfg.Server
	args := []string{"serve", "--addr", "127.0.0.1:0"}
	if s.Preset != "" {
		args = append(args, "--preset", s.Preset)
	}
	if cfg.ModelName != "" {
		args = append(args, "--model-name", cfg.ModelName)
	}
	if s.IsLM() {
		for _, f := range []struct {
			flag string
			v    int
		}{{"--max-num-seqs", s.MaxNumSeqs}, {"--max-num-batched-tokens", s.MaxNumBatchedTokens}, {"--max-waiting", s.MaxWaiting}} {
			if f.v > 0 {
				args = append(args, f.flag, strconv.Itoa(f.v))
			}
		}
		return append(args, cfg.ExtraArgs...)
	}
	if s.MaxBatchSize > 0 {
		args = append(args, "--max-batch-size", strconv.Itoa(s.MaxBatchSize))
	}
	if s.MaxBatchSize > 0 {
		// A configured server always names its delay: 0 (no waiting for a
		// batch to fill) is a setting, not an absence.
		args = append(args, "--max-queue-delay", time.Duration(s.MaxQueueDelayMS*float64(time.Millisecond)).String())
	}
	if s.Instances > 0 {
		args = append(args, "--instances", strconv.Itoa(s.Instances))
	}
	if s.MaxQueue > 0 {
		args = append(args, "--max-queue", strconv.Itoa(s.MaxQueue))
	}
	return append(args, cfg.ExtraArgs...)
}

// StartBuiltin starts `infercost serve` on a free loopback port and waits
// until it says it is ready. The child gets its own process group, so a
// Ctrl-C at the terminal reaches only infercost, which then stops the child
// itself; on Linux the child is also killed if infercost dies.
func StartBuiltin(ctx context.Context, cfg BuiltinConfig) (*Child, error) {
	exe := cfg.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("start built-in server: find own executable: %w", err)
		}
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 3 * time.Minute
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 10 * time.Second
	}
	cmd := exec.Command(exe, serveArgs(cfg)...)
	cmd.SysProcAttr = childProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start built-in server: %w", err)
	}
	c := &Child{cmd: cmd, exited: make(chan struct{}), stopWait: cfg.StopTimeout, tail: &tailBuffer{max: 20}}
	var sink io.Writer = c.tail
	if cfg.LogPath != "" {
		f, err := os.Create(cfg.LogPath)
		if err != nil {
			return nil, fmt.Errorf("start built-in server: %w", err)
		}
		c.logFile = f
		sink = io.MultiWriter(f, c.tail)
	}
	cmd.Stderr = sink
	if err := cmd.Start(); err != nil {
		c.closeLog()
		return nil, fmt.Errorf("start built-in server (%s serve): %w", exe, err)
	}
	c.PID = int32(cmd.Process.Pid)

	ready := make(chan string, 1)
	go c.readStdout(stdout, sink, ready)
	go func() {
		c.waitErr = cmd.Wait()
		c.closeLog()
		close(c.exited)
	}()

	timer := time.NewTimer(cfg.StartTimeout)
	defer timer.Stop()
	select {
	case url := <-ready:
		c.URL = url
		return c, nil
	case <-c.exited:
		return nil, fmt.Errorf("built-in server exited before it was ready (%v); its last output:\n%s", c.waitErr, c.tail.String())
	case <-timer.C:
		c.Stop()
		return nil, fmt.Errorf("built-in server not ready after %s; its last output:\n%s", cfg.StartTimeout, c.tail.String())
	case <-ctx.Done():
		c.Stop()
		return nil, fmt.Errorf("start built-in server: %w", ctx.Err())
	}
}

// readStdout copies the child's stdout to the log and reports the URL from
// its ready line. It keeps reading to the end so the child never blocks on
// a full pipe.
func (c *Child) readStdout(r io.Reader, sink io.Writer, ready chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	found := false
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(sink, line)
		if !found && strings.HasPrefix(line, readyPrefix) {
			url := strings.Fields(line)[2]
			found = true
			ready <- url
		}
	}
	io.Copy(io.Discard, r)
}

// Exited is closed when the child has exited.
func (c *Child) Exited() <-chan struct{} { return c.exited }

// Stop asks the child to drain (SIGTERM) and kills it if it has not exited
// within the stop timeout. It is safe to call more than once.
func (c *Child) Stop() error {
	c.stopOnce.Do(func() {
		select {
		case <-c.exited:
			return
		default:
		}
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(c.stopWait):
			_ = c.cmd.Process.Kill()
			<-c.exited
			c.stopErr = fmt.Errorf("built-in server did not drain within %s and was killed", c.stopWait)
		}
	})
	return c.stopErr
}

func (c *Child) closeLog() {
	if c.logFile != nil {
		c.logFile.Close()
	}
}

// tailBuffer keeps the last lines written to it, to explain a failed start.
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  string
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.part + string(p)
	parts := strings.Split(s, "\n")
	t.part = parts[len(parts)-1]
	for _, l := range parts[:len(parts)-1] {
		t.lines = append(t.lines, l)
		if len(t.lines) > t.max {
			t.lines = t.lines[1:]
		}
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := strings.Join(t.lines, "\n")
	if t.part != "" {
		out += "\n" + t.part
	}
	if strings.TrimSpace(out) == "" {
		return "(nothing)"
	}
	return out
}

var errChildGone = errors.New("built-in server exited during the run")
