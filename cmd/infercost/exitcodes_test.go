package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Usage errors exit 2 before anything is measured and leave no run
// directory behind (issue 10, point 11). run() is the CLI's own entry
// point, so these need no built binary: none of them gets to start a
// server.
func TestUsageErrorsExit2(t *testing.T) {
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.jsonl")
	os.WriteFile(bad, []byte("not json\n"), 0o644)
	out := filepath.Join(tmp, "runs")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"profile", "stray", "--target", "builtin", "--rate", "10"}, `unknown command "stray"`},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--rate", "10", "--cacert", filepath.Join(tmp, "none.pem")}, "--cacert"},
		{[]string{"profile", "--target", "builtin", "--rate", "Inf"}, "--rate +Inf"},
		{[]string{"profile", "--target", "builtin", "--rate", "NaN"}, "--rate NaN"},
		{[]string{"profile", "--target", "builtin", "--rate", "1e12"}, "at most 1e+07"},
		{[]string{"profile", "--target", "builtin", "--rate", "10", "--server-max-batch-size", "0"}, "--server-max-batch-size 0"},
		{[]string{"profile", "--target", "builtin", "--rate", "10", "--server-instances", "0"}, "--server-instances 0"},
		{[]string{"profile", "--target", "builtin", "--concurrency", "2", "--arrival", "poisson"}, "--arrival shapes an open-loop"},
		{[]string{"profile", "--target", "builtin", "--rate", "5", "--ramp-to", "10"}, "--ramp-to is the final rate"},
		{[]string{"profile", "--target", "builtin", "--rate", "5", "--arrival", "ramp", "--ramp-to", "Inf"}, "--ramp-to +Inf"},
		{[]string{"profile", "--target", "builtin", "--rate", "5", "--steps", "10:1s"}, "--steps are the stages"},
		{[]string{"sweep", "--target", "builtin", "--slo", "p95=5ms", "--rates", "5,Inf"}, "--rates +Inf"},
		{[]string{"sweep", "--target", "builtin", "--slo", "p95=5ms", "--server-max-batch-size", "0"}, "--server-max-batch-size"},
		{[]string{"sweep", "--target", "builtin", "--slo", "p95=5ms", "--server-max-queue", "0"}, "--server-max-queue 0"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--protocol", "grpc", "--rate", "1"}, "--protocol must be kserve or openai"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--protocol", "openai", "--batch", "4", "--concurrency", "1"}, "one prompt per request"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--protocol", "openai", "--prompt-tokens", "0", "--concurrency", "1"}, "--prompt-tokens"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--protocol", "openai", "--output-tokens", "40:-1", "--concurrency", "1"}, "standard deviation"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--rate", "1", "--label", "novalue"}, "--label"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--rate", "1", "--gpus", "0"}, "--gpus"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--rate", "1", "--hardware", "NVIDIA A10GX"}, "A10G"},
		{[]string{"sweep", "--target", "http://127.0.0.1:1", "--model", "m", "--slo", "p95=5ms", "--hardware", "NVIDIA B300X"}, "--hardware"},
		{[]string{"profile", "--target", "http://127.0.0.1:1", "--model", "m", "--rate", "1", "--hardware-unpriced"}, "give the label too"},
		{[]string{"profile", "--target", "builtin", "--server-preset", "lm", "--server-max-batch-size", "8", "--concurrency", "1"}, "--server-max-num-seqs"},
		{[]string{"profile", "--target", "builtin", "--server-preset", "small", "--server-max-num-seqs", "4", "--rate", "1"}, "--server-max-batch-size"},
		{[]string{"profile", "--target", "builtin", "--server-preset", "lm", "--protocol", "kserve", "--concurrency", "1"}, "OpenAI API"},
		{[]string{"profile", "--target", "builtin", "--server-preset", "lm", "--server-max-num-seqs", "0", "--concurrency", "1"}, "--server-max-num-seqs 0"},
		{[]string{"profile", "--target", "builtin", "--server-preset", "medium", "--rate", "1"}, "small, large, lm or lm-large"},
		{[]string{"profile", "--target", "builtin", "--server-preset", "lm-large", "--server-max-batch-size", "8", "--concurrency", "1"}, "--server-max-num-seqs"},
		{[]string{"profile", "--target", "builtin", "--server-preset", "lm-large", "--protocol", "kserve", "--concurrency", "1"}, "lm-large is a language model over the OpenAI API"},
		{[]string{"sweep", "--target", "builtin", "--server-preset", "lm", "--slo", "ttft_p95=1s", "--server-max-queue-delay", "0ms,2ms"}, "--server-max-num-seqs"},
		{[]string{"demo", "--llm", "--batch", "4"}, "demo --llm varies --concurrency"},
		{[]string{"demo", "--concurrency", "4"}, "belongs to demo --llm"},
		{[]string{"serve", "--addr", "nope"}, "--addr \"nope\": want host:port"},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, "from 0 to 65535"},
		{[]string{"agent", "--addr", "localhost"}, "want host:port"},
	} {
		args := append(c.args, "--out", out)
		if c.args[0] == "bogus" || c.args[0] == "serve" || c.args[0] == "agent" {
			args = c.args // they have no --out
		}
		stderr := captureStderr(t, func() {
			if code := run(args); code != ExitUsage {
				t.Errorf("infercost %s: exit %d, want %d", strings.Join(c.args, " "), code, ExitUsage)
			}
		})
		if !strings.Contains(stderr, c.want) {
			t.Errorf("infercost %s: stderr %q lacks %q", strings.Join(c.args, " "), stderr, c.want)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Errorf("usage errors left %d run directories", len(entries))
	}
}

// captureStderr runs f with os.Stderr going to a pipe and returns what
// it wrote.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = old }()
	done := make(chan string)
	go func() {
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		done <- b.String()
	}()
	f()
	w.Close()
	return <-done
}

// A data file the model cannot use is bad input (exit 2), found at the
// preflight, with the file and line named.
func TestBadDataFileExits2(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the built-in server")
	}
	tmp := t.TempDir()
	for name, body := range map[string]string{"short.jsonl": `{"input": [1,2,3]}` + "\n", "garbage.jsonl": "not json\n",
		"empty.jsonl": "", "unknown.jsonl": `{"nope": [1]}` + "\n"} {
		path := filepath.Join(tmp, name)
		os.WriteFile(path, []byte(body), 0o644)
		res := runBinary(t, nil, "profile", "--target", "builtin", "--rate", "10", "--duration", "1s", "--data", path, "--out", filepath.Join(tmp, "runs"))
		if res.code != ExitUsage || !strings.Contains(res.stderr, name) {
			t.Errorf("--data %s: exit %d, stderr %q; want exit 2 naming the file", name, res.code, res.stderr)
		}
	}
}
