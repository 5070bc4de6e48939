//go:build linux

package profiler

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The sampler tests watch real processes: this test binary run again as a
// child (the os/exec helper-process pattern, so no external program is
// needed). The parent starts it with samplerChildEnv set to a role; run
// normally, TestSamplerHelperProcess does nothing.
const samplerChildEnv = "INFERCOST_SAMPLER_CHILD"

// childMaxLife bounds every child, whatever happens to the parent.
const childMaxLife = 30 * time.Second

const holdBytes = 200 << 20

func TestSamplerHelperProcess(t *testing.T) {
	role := os.Getenv(samplerChildEnv)
	if role == "" {
		return
	}
	lines := make(chan string, 1)
	go func() { // the one reader of stdin: exit when the parent closes it or dies
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			lines <- in.Text()
		}
		os.Exit(0)
	}()
	go func() { time.Sleep(childMaxLife); os.Exit(3) }()
	switch role {
	case "burn": // keep one core busy; answer "cpu" with its CPU time in ns
		go func() {
			for line := range lines {
				if line == "cpu" {
					var ru unix.Rusage
					unix.Getrusage(unix.RUSAGE_SELF, &ru)
					fmt.Println(ru.Utime.Nano() + ru.Stime.Nano())
				}
			}
		}()
		fmt.Println("ready")
		for start := time.Now(); time.Since(start) < childMaxLife; {
		}
	case "hold": // on "go", hold holdBytes of touched memory
		fmt.Println("ready")
		if line := <-lines; strings.TrimSpace(line) != "go" {
			os.Exit(4)
		}
		// Anonymous mmap, outside the Go heap: the race detector keeps no
		// shadow memory for it, so the RSS added is the 200 MB alone.
		mem, err := unix.Mmap(-1, 0, holdBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
		if err != nil {
			fmt.Println("mmap:", err)
			os.Exit(5)
		}
		for i := 0; i < len(mem); i += os.Getpagesize() {
			mem[i] = 1
		}
		fmt.Println("held")
		time.Sleep(childMaxLife)
	case "exit": // live briefly, then exit
		fmt.Println("ready")
		time.Sleep(400 * time.Millisecond)
		os.Exit(0)
	default:
		os.Exit(2)
	}
}

// child is a running helper process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	start time.Time
}

// startChild runs the test binary as a child in the given role and waits
// for its "ready" line. Cleanup kills and reaps it.
func startChild(t *testing.T, role string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSamplerHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), samplerChildEnv+"="+role)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout), start: time.Now()}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	c.expect(t, "ready")
	return c
}

// expect reads the child's next line and fails unless it is want.
func (c *child) expect(t *testing.T, want string) {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		line, _ := c.out.ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case line := <-got:
		if line != want {
			t.Fatalf("child said %q, want %q", line, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("child did not say %q within 20s", want)
	}
}

func (c *child) pid() int32 { return int32(c.cmd.Process.Pid) }

// cpuTime asks a "burn" child for its own CPU time (getrusage), the
// kernel's account the sampler's figures are checked against.
func (c *child) cpuTime(t *testing.T) time.Duration {
	t.Helper()
	if _, err := c.stdin.Write([]byte("cpu\n")); err != nil {
		t.Fatal(err)
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		t.Fatalf("child CPU time: %v", err)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil {
		t.Fatalf("child CPU time %q: %v", line, err)
	}
	return time.Duration(ns)
}
