package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// infercostBinary builds the real binary once per test run: the measuring
// commands start it again as `serve` for --target builtin.
func infercostBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "infercost-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "infercost")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type cliResult struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func runBinary(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(infercostBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run infercost: %v", err)
	}
	return res
}

// onlyRun returns the single run directory under out.
func onlyRun(t *testing.T, out string) string {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 1 {
		t.Fatalf("want one run directory in %s, got %d (%v)", out, len(entries), err)
	}
	return filepath.Join(out, entries[0].Name())
}

var quickFlags = []string{"--duration", "900ms", "--warmup", "200ms", "--min-requests", "10", "--sample-interval", "100ms"}

// profile against the built-in server writes run.json with the contract,
// prints the table with units, and stops its child.
func TestProfileBuiltin(t *testing.T) {
	out := t.TempDir()
	args := append([]string{"profile", "--target", "builtin", "--rate", "100", "--batch", "4", "--out", out}, quickFlags...)
	res := runBinary(t, nil, args...)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"(req/s)", "(infer/s)", "(ms)", "p99 uncorr.", "no GPU detected", "b4-r100"} {
		if !strings.Contains(res.stdout, want) && !strings.Contains(res.stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	dir := onlyRun(t, out)
	run, err := result.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != result.StatusComplete || len(run.Steps) != 1 {
		t.Fatalf("status %s, %d steps", run.Status, len(run.Steps))
	}
	st := run.Steps[0]
	if st.Requests < 50 || st.SuccessRatio != 1 {
		t.Errorf("requests %d success ratio %g", st.Requests, st.SuccessRatio)
	}
	if !st.Process.Available || st.Process.RSSBytesMax <= 0 {
		t.Errorf("the built-in server's process was not sampled: %+v", st.Process)
	}
	if !run.Environment.TargetIsLocal || run.Spec.Server == nil {
		t.Errorf("built-in target: local %v, server config %v", run.Environment.TargetIsLocal, run.Spec.Server)
	}
	var meta map[string]any
	json.Unmarshal(run.Environment.Model, &meta)
	if meta["name"] != "digits" {
		t.Errorf("model metadata not recorded: %s", run.Environment.Model)
	}
	assertGone(t, st.Process.PID)
}

// assertGone fails when a process still runs (a child left behind).
func assertGone(t *testing.T, pid int32) {
	t.Helper()
	if pid <= 0 {
		t.Fatal("no PID recorded")
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := syscall.Kill(int(pid), 0)
		if err == syscall.ESRCH {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the built-in server (PID %d) is still running", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An unreachable target fails preflight within 5 s with exit code 3.
func TestProfileUnreachableTarget(t *testing.T) {
	res := runBinary(t, nil, "profile", "--target", "http://127.0.0.1:1", "--model", "m", "--rate", "10", "--out", t.TempDir())
	if res.code != ExitTarget {
		t.Fatalf("exit %d, want %d\n%s", res.code, ExitTarget, res.stderr)
	}
	if res.elapsed > 5*time.Second {
		t.Errorf("took %s to report an unreachable target", res.elapsed)
	}
	if !strings.Contains(res.stderr, "127.0.0.1:1") {
		t.Errorf("message does not name the target: %s", res.stderr)
	}
}

// Bad flags are usage errors (exit 2) naming the flag.
func TestProfileUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"profile", "--rate", "10"}, "--target"},
		{[]string{"profile", "--target", "http://x:1", "--rate", "10"}, "--model"},
		{[]string{"profile", "--target", "builtin"}, "--rate"},
		{[]string{"profile", "--target", "builtin", "--rate", "10", "--concurrency", "2"}, "not both"},
		{[]string{"profile", "--target", "builtin", "--rate", "10", "--windows", "0"}, "--windows"},
		{[]string{"profile", "--target", "builtin", "--rate", "10", "--arrival", "zigzag"}, "--arrival"},
		{[]string{"sweep", "--target", "builtin"}, "--slo"},
		{[]string{"sweep", "--target", "builtin", "--slo", "p97=5ms"}, "p97"},
	} {
		res := runBinary(t, nil, tc.args...)
		if res.code != ExitUsage || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %s", tc.args, res.code, res.stderr, tc.want)
		}
	}
}

// kserveStub is a minimal KServe v2 endpoint that records request headers.
func kserveStub(t *testing.T, seen *sync.Map) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("Authorization"), true)
		switch r.URL.Path {
		case "/v2/health/live", "/v2/health/ready", "/v2/models/m/ready":
		case "/v2/models/m":
			fmt.Fprint(w, `{"name":"m","platform":"stub","inputs":[{"name":"x","datatype":"FP32","shape":[-1,2]}],"outputs":[{"name":"y","datatype":"FP32","shape":[-1,1]}]}`)
		case "/v2/models/m/infer":
			var req struct {
				Inputs []struct{ Shape []int } `json:"inputs"`
			}
			json.NewDecoder(r.Body).Decode(&req)
			n := req.Inputs[0].Shape[0]
			fmt.Fprintf(w, `{"outputs":[{"name":"y","datatype":"FP32","shape":[%d,1],"data":[%s]}]}`, n, strings.TrimSuffix(strings.Repeat("1,", n), ","))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Header values reach the target but never run.json or the terminal.
func TestHeaderValuesAreNotRecorded(t *testing.T) {
	var seen sync.Map
	srv := kserveStub(t, &seen)
	out := t.TempDir()
	secret := "Bearer s3cr3t-t0ken-value"
	args := append([]string{"profile", "--target", srv.URL + "/?token=qs-secret", "--model", "m", "--rate", "50",
		"--header", "Authorization: env:TEST_TOKEN", "--out", out}, quickFlags...)
	res := runBinary(t, []string{"TEST_TOKEN=" + secret}, args...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if _, ok := seen.Load(secret); !ok {
		t.Fatal("the header never reached the target")
	}
	for _, leak := range []string{"s3cr3t", "qs-secret"} {
		if strings.Contains(res.stdout+res.stderr, leak) {
			t.Errorf("%q printed on the terminal", leak)
		}
		filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(leak)) {
					t.Errorf("%q written to %s", leak, p)
				}
			}
			return nil
		})
	}
	run, _ := result.Read(onlyRun(t, out))
	if len(run.Spec.HeaderNames) != 1 || run.Spec.HeaderNames[0] != "Authorization" {
		t.Errorf("header names recorded: %v", run.Spec.HeaderNames)
	}
}

// SIGINT mid-run stops the load, keeps the finished steps in a valid
// run.json, prints the summary and exits 130; the child server is gone.
func TestInterruptMidRun(t *testing.T) {
	out := t.TempDir()
	args := append([]string{"sweep", "--target", "builtin", "--batch", "1", "--rates", "50,60,70,80,90",
		"--slo", "p95=500ms", "--out", out}, quickFlags...)
	cmd := exec.Command(infercostBinary(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Wait until a step has been written, then interrupt the next one.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no step finished in time\n%s", stderr.String())
		}
		if dirs, _ := os.ReadDir(out); len(dirs) == 1 {
			if run, err := result.Read(filepath.Join(out, dirs[0].Name())); err == nil && len(run.Steps) >= 1 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != ExitInterrupted {
		t.Fatalf("exit %v, want %d\n%s", err, ExitInterrupted, stderr.String())
	}
	run, err := result.Read(onlyRun(t, out))
	if err != nil {
		t.Fatalf("run.json after SIGINT: %v", err)
	}
	if run.Status != result.StatusInterrupted || len(run.Steps) < 2 {
		t.Fatalf("status %s with %d steps; want interrupted with the finished step and the one cut short", run.Status, len(run.Steps))
	}
	if run.Steps[0].Flags.Interrupted || !run.Steps[len(run.Steps)-1].Flags.Interrupted {
		t.Errorf("flags: first %+v last %+v", run.Steps[0].Flags, run.Steps[len(run.Steps)-1].Flags)
	}
	if !strings.Contains(stdout.String(), "throughput") {
		t.Errorf("no summary printed after the interrupt:\n%s", stdout.String())
	}
	assertGone(t, run.Steps[0].Process.PID)
}

// The demo profiles the built-in server, ends with a cost table and leaves
// no child process behind; every output numbers the steps the same way.
func TestDemo(t *testing.T) {
	out := t.TempDir()
	res := runBinary(t, nil, "demo", "--out", out, "--duration", "900ms", "--warmup", "200ms")
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"no GPU detected", "target CPU", "target RSS", "$/MILLION"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, res.stdout)
		}
	}
	dir := onlyRun(t, out)
	run, err := result.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(run.Steps); n < 8 || n > 12 {
		t.Errorf("%d steps, want 8 (2 batch sizes x (1 + 3 loads)) and at most 4 lower loads on a busy machine", n)
	}
	// One numbering (issue 10, point 12): step 5 is the fifth step in the
	// progress line, the table, the notes and its files.
	st := run.Steps[4]
	if !strings.Contains(res.stderr, fmt.Sprintf("step 5/%d %s", 8, st.Name)) {
		t.Errorf("progress does not call %s step 5:\n%s", st.Name, res.stderr)
	}
	if !regexp.MustCompile(`(?m)^\s*5\s+` + regexp.QuoteMeta(st.Name) + `\s`).MatchString(res.stdout) {
		t.Errorf("the table does not number %s 5:\n%s", st.Name, res.stdout)
	}
	if want := fmt.Sprintf("steps/005-%s.hlog", st.Name); st.Files.Histograms != want {
		t.Errorf("step 5's histograms are in %s, want %s", st.Files.Histograms, want)
	}
	for i := range run.Steps {
		if note := fmt.Sprintf("step %d %s:", i+1, run.Steps[i].Name); len(run.Steps[i].Notes) > 0 && !strings.Contains(res.stdout, note) {
			t.Errorf("notes of %s are not headed %q", run.Steps[i].Name, note)
		}
	}
	for _, st := range run.Steps {
		if st.Process.Available {
			assertGone(t, st.Process.PID)
			break
		}
	}
}

// On a machine kept busy by two busy loops, the demo still answers (issue
// 10, point 15): when the planned steps are all flagged it measures lower
// loads until one meets the SLO. --format json puts the run and the cost
// answer on stdout and nothing else.
func TestDemoOnABusyMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("a demo beside two busy loops takes about a minute")
	}
	for i := 0; i < 2; i++ {
		busy := exec.Command("sh", "-c", "while :; do :; done")
		if err := busy.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { busy.Process.Kill(); busy.Wait() })
	}
	out := t.TempDir()
	res := runBinary(t, nil, "demo", "--out", out, "--format", "json")
	if res.code != 0 {
		t.Fatalf("exit %d beside two busy loops\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	var doc struct {
		RunDir string          `json:"run_dir"`
		Status string          `json:"status"`
		Run    result.Run      `json:"run"`
		Cost   json.RawMessage `json:"cost"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, res.stdout)
	}
	if doc.Status != result.StatusComplete || doc.RunDir == "" || len(doc.Run.Steps) < 8 || len(doc.Cost) < 10 {
		t.Errorf("JSON summary: status %q, run dir %q, %d steps, cost %s", doc.Status, doc.RunDir, len(doc.Run.Steps), doc.Cost)
	}
	if !strings.Contains(res.stderr, "run directory:") {
		t.Errorf("progress is not on stderr:\n%s", res.stderr)
	}
}

// When even the lower loads miss the SLO, the demo exits 4 and says the
// machine was busy. An SLO no machine meets stands in for a starved box.
func TestDemoExits4WhenNothingMeetsTheSLO(t *testing.T) {
	if testing.Short() {
		t.Skip("twelve demo steps")
	}
	out := t.TempDir()
	res := runBinary(t, nil, "demo", "--out", out, "--slo", "p95=1us", "--duration", "600ms", "--warmup", "100ms")
	if res.code != ExitNoCapacity {
		t.Fatalf("exit %d, want %d\n%s", res.code, ExitNoCapacity, res.stderr)
	}
	run, err := result.Read(onlyRun(t, out))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Steps) != 12 {
		t.Errorf("%d steps, want 8 planned and 4 lower loads", len(run.Steps))
	}
	if !strings.Contains(strings.Join(run.Warnings, "\n"), "the machine was busy") || !strings.Contains(res.stderr, "busy") {
		t.Errorf("no busy note: warnings %q\nstderr:\n%s", run.Warnings, res.stderr)
	}
}

// A sweep of the built-in server's batcher knobs restarts the child per
// configuration, records which configuration each step ran on, names the
// winner, and writes the sweep's plots.
func TestSweepServerKnobs(t *testing.T) {
	out := t.TempDir()
	args := append([]string{"sweep", "--target", "builtin", "--batch", "1,4", "--rates", "100,200", "--slo", "p95=500ms",
		"--server-max-batch-size", "1,16", "--server-max-queue-delay", "0ms", "--late-threshold", "20ms", "--out", out}, quickFlags...)
	res := runBinary(t, nil, args...)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	dir := onlyRun(t, out)
	run, err := result.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	sw := run.Sweep
	if sw == nil || len(sw.Curve) != 4 || len(sw.ServerConfigs) != 2 {
		t.Fatalf("sweep %+v: want 4 curve points over 2 server configurations", sw)
	}
	winners := 0
	for _, c := range sw.ServerConfigs {
		if c.Winner {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d winning configurations, want 1: %+v", winners, sw.ServerConfigs)
	}
	pids := map[int32]bool{}
	sizes := map[int]bool{}
	for _, st := range run.Steps {
		if st.Server == nil {
			t.Fatalf("step %s has no server configuration", st.Name)
		}
		sizes[st.Server.MaxBatchSize] = true
		pids[st.Process.PID] = true
		if !strings.Contains(st.Name, "-s") {
			t.Errorf("step %s does not name its server configuration", st.Name)
		}
	}
	if len(sizes) != 2 || len(pids) != 2 {
		t.Errorf("steps ran on server batch sizes %v in processes %v; want 2 of each (a restart per configuration)", sizes, pids)
	}
	for _, want := range []string{"built-in server batcher configurations", "<- wins", "sweet spot"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	for _, f := range []string{"batch-curve.png", "batch-curve.svg", "latency-vs-load.png", "utilization.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("plot missing: %v", err)
		}
	}
	for pid := range pids {
		assertGone(t, pid)
	}
}
