package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// buildServeBinary builds the real infercost binary, as the profiler and a
// user run it.
func buildServeBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "infercost")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveInferBody is a request for four rows of pixels.
func serveInferBody() []byte {
	data := make([]float32, 4*64)
	for i := range data {
		data[i] = float32(i % 17)
	}
	b, _ := json.Marshal(map[string]any{"inputs": []any{map[string]any{
		"name": "input", "shape": []int{4, 64}, "datatype": "FP32", "data": data,
	}}})
	return b
}

var listenLine = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+)( |$)`)

func TestServeBinary(t *testing.T) {
	bin := buildServeBinary(t)

	t.Run("drains on SIGTERM", func(t *testing.T) {
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--max-queue-delay", "5ms")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill() //nolint:errcheck // a no-op once it exited

		// Start-up: human lines, then exactly one listening line.
		lines := bufio.NewScanner(stdout)
		var startup []string
		var base string
		for base == "" && lines.Scan() {
			startup = append(startup, lines.Text())
			if m := listenLine.FindStringSubmatch(lines.Text()); m != nil {
				base = m[1]
			}
		}
		if base == "" {
			t.Fatalf("no listening line; stdout %q, stderr %s", startup, stderr.String())
		}
		text := strings.Join(startup, "\n")
		for _, want := range []string{"preset small", "parameters", "held-out accuracy", "started in"} {
			if !strings.Contains(text, want) {
				t.Errorf("start-up lines lack %q:\n%s", want, text)
			}
		}
		rest := make(chan string, 1)
		go func() {
			var b strings.Builder
			for lines.Scan() {
				b.WriteString(lines.Text() + "\n")
			}
			rest <- b.String()
		}()
		if resp, err := http.Get(base + "/v2/health/ready"); err != nil || resp.StatusCode != 200 {
			t.Fatalf("ready after the listening line: %v %v", resp, err)
		}

		// Load from 8 clients until the server goes away; SIGTERM mid-way.
		var ok, other atomic.Int64
		var wg sync.WaitGroup
		client := &http.Client{Timeout: 30 * time.Second}
		deadline := time.Now().Add(60 * time.Second)
		for range 8 {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					resp, err := client.Post(base+"/v2/models/digits/infer", "application/json", bytes.NewReader(serveInferBody()))
					if err != nil {
						return // not accepted: the listener is closed
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 && bytes.Contains(body, []byte(`"name":"label"`)) {
						ok.Add(1)
					} else {
						other.Add(1)
						t.Errorf("answer %d %s", resp.StatusCode, body)
					}
				}
			})
		}
		for ok.Load() < 50 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		err = cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); err != nil || code != 0 {
			t.Fatalf("exit %d (%v) after SIGTERM, want 0; stderr %s", code, err, stderr.String())
		}
		tail := <-rest
		m := regexp.MustCompile(`drained: (\d+) infer requests accepted, (\d+) answered`).FindStringSubmatch(tail)
		if m == nil {
			t.Fatalf("no drain line in %q", tail)
		}
		t.Logf("%d requests answered before and during the drain", ok.Load())
		want := fmt.Sprint(ok.Load())
		if m[1] != want || m[2] != want || other.Load() != 0 {
			t.Errorf("server accepted %s and answered %s; clients got %s answers of 200 and %d others", m[1], m[2], want, other.Load())
		}
	})

	t.Run("port taken", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, "serve", "--addr", l.Addr().String())
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err = cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != ExitFailure {
			t.Fatalf("run: %v, want exit %d", err, ExitFailure)
		}
		if msg := stderr.String(); !strings.Contains(msg, "cannot listen on "+l.Addr().String()) || !strings.Contains(msg, "address already in use") {
			t.Errorf("stderr %q, want it to say the address is taken", msg)
		}
		if strings.Contains(stdout.String(), "listening on") {
			t.Errorf("stdout %q claims to listen", stdout.String())
		}
	})
}

func TestServeRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "huge"}, `unknown preset "huge"`},
		{[]string{"--max-batch-size", "0"}, "--max-batch-size 0"},
		{[]string{"--instances", "0"}, "--instances 0"},
		{[]string{"--max-queue", "0"}, "--max-queue 0"},
		{[]string{"--max-queue-delay", "-1ms"}, "--max-queue-delay -1ms"},
		{[]string{"--model-name", "a/b"}, "--model-name"},
		{[]string{"--max-body", "12XB"}, "not a size in bytes"},
		{[]string{"--drain-timeout", "-1s"}, "--drain-timeout"},
		{[]string{"--preset", "lm", "--max-batch-size", "4"}, "--max-batch-size is a flag of the digits batcher"},
		{[]string{"--preset", "lm", "--max-queue-delay", "1ms"}, "--max-queue-delay is a flag of the digits batcher"},
		{[]string{"--preset", "lm", "--instances", "2"}, "--instances is a flag of the digits batcher"},
		{[]string{"--preset", "lm", "--max-queue", "9"}, "--max-queue is a flag of the digits batcher"},
		{[]string{"--max-num-seqs", "4"}, "--max-num-seqs is a flag of the language-model scheduler"},
		{[]string{"--preset", "large", "--max-waiting", "4"}, "--max-waiting is a flag of the language-model scheduler"},
		{[]string{"--max-num-batched-tokens", "64"}, "--max-num-batched-tokens is a flag of the language-model scheduler"},
		{[]string{"--preset", "lm", "--max-num-seqs", "0"}, "--max-num-seqs 0"},
		{[]string{"--preset", "lm", "--max-num-seqs", "8", "--max-num-batched-tokens", "4"}, "--max-num-batched-tokens 4"},
		{[]string{"--preset", "lm", "--max-waiting", "-1"}, "--max-waiting -1"},
		{[]string{"--preset", "lm", "--model-name", "a b"}, "--model-name"},
		{[]string{"--preset", "lm", "--drain-timeout", "-1s"}, "--drain-timeout"},
		{[]string{"--preset", "gpt"}, `unknown preset "gpt"`},
	} {
		root := newRootCmd()
		root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...))
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		err := root.Execute()
		if err == nil || exitCodeOf(err) != ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v (exit %d), want exit %d naming %q", tc.args, err, exitCodeOf(err), ExitUsage, tc.want)
		}
	}
}

func TestByteSizeFlag(t *testing.T) {
	for in, want := range map[string]int64{"8388608": 8 << 20, "8MiB": 8 << 20, "512KiB": 512 << 10, "1GiB": 1 << 30, "100B": 100} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "8MB", "1.5MiB", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) accepted %d", in, b)
		}
	}
	if b := byteSize(8 << 20); b.String() != "8MiB" {
		t.Errorf("String() = %q", b.String())
	}
}
