package profiler

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// quickSettings keep steps short: the tests check behaviour, not speed.
// go test runs packages in parallel on a small box, under the race
// detector: timers oversleep by milliseconds and 30-request windows are
// noisy, so the late threshold and the stability tolerance are wide unless
// a test is about them.
func quickSettings() StepSettings {
	s := DefaultSettings()
	s.Duration, s.Warmup, s.Windows, s.MaxWindows = 900*time.Millisecond, 200*time.Millisecond, 3, 5
	s.MinRequests = 20
	s.SampleInterval = 100 * time.Millisecond
	s.LateThreshold, s.Tolerance = 25*time.Millisecond, 0.5
	return s
}

func openSession(t *testing.T, url string, mutate func(*Config)) *Session {
	t.Helper()
	cfg := Config{Command: "profile", Name: "test", OutDir: t.TempDir(), Settings: quickSettings(),
		Target: TargetConfig{URL: url, Model: "toy", Conn: loadgen.ConnOptions{Timeout: 5 * time.Second}}}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Finish(result.StatusComplete) })
	return s
}

// Every key of the run.json contract is present, with [] for no GPUs.
func TestRunJSONKeepsTheContract(t *testing.T) {
	_, srv := newFakeKServe(t, 4, func(n int) time.Duration { return time.Millisecond })
	s := openSession(t, srv.URL, nil)
	if _, err := s.RunStep(context.Background(), Load{Mode: result.ModeRate, Arrival: "constant", RPS: 100, BatchSize: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(result.StatusComplete); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(s.Dir(), result.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	env := doc["environment"].(map[string]any)
	for _, k := range []string{"hostname", "os", "cpu_model", "cpu_cores", "memory_bytes", "infercost_version", "target_url", "target_is_local", "model", "gpus", "hardware"} {
		if _, ok := env[k]; !ok {
			t.Errorf("environment.%s missing", k)
		}
	}
	if gpus, ok := env["gpus"].([]any); !ok || gpus == nil {
		t.Errorf("environment.gpus = %v, want a list ([] with no GPU)", env["gpus"])
	}
	if env["target_is_local"] != true {
		t.Errorf("a loopback target is local, got %v", env["target_is_local"])
	}
	if m := env["model"].(map[string]any); m["name"] != "toy" {
		t.Errorf("environment.model = %v, want the target's metadata", m)
	}
	steps := doc["steps"].([]any)
	if len(steps) != 1 {
		t.Fatalf("%d steps", len(steps))
	}
	st := steps[0].(map[string]any)
	for _, k := range []string{"name", "mode", "batch_size", "offered_rps", "concurrency", "duration_s", "requests", "achieved_rps",
		"inferences_per_s", "success_ratio", "errors", "latency_ms", "send_lag_ms", "late_send_ratio", "bytes_in_per_request",
		"bytes_out_per_request", "flags", "host", "process", "generator", "gpus", "trials"} {
		if _, ok := st[k]; !ok {
			t.Errorf("steps[0].%s missing", k)
		}
	}
	for _, k := range []string{"generator_limited", "interrupted", "unstable"} {
		if _, ok := st["flags"].(map[string]any)[k]; !ok {
			t.Errorf("steps[0].flags.%s missing", k)
		}
	}
	for _, k := range []string{"min", "mean", "p50", "p90", "p95", "p99", "p999", "max"} {
		for _, view := range []string{"corrected", "uncorrected"} {
			if _, ok := st["latency_ms"].(map[string]any)[view].(map[string]any)[k]; !ok {
				t.Errorf("steps[0].latency_ms.%s.%s missing", view, k)
			}
		}
	}
	step := s.Run().Steps[0]
	if step.InferencesPerS < 150 || step.InferencesPerS > 250 {
		t.Errorf("inferences/s = %g at 100 req/s x batch 2, want about 200", step.InferencesPerS)
	}
	for _, f := range []string{step.Files.Histograms, step.Files.Series, result.SamplesFile} {
		if fi, err := os.Stat(filepath.Join(s.Dir(), f)); err != nil || fi.Size() == 0 {
			t.Errorf("run file %q: %v", f, err)
		}
	}
}

// A target that alternates fast and slow seconds never settles: the step
// is kept and flagged unstable, after --max-windows windows.
func TestUnstableTargetIsFlagged(t *testing.T) {
	f, srv := newFakeKServe(t, 64, func(int) time.Duration { return time.Millisecond })
	// Slow for 0.5 s in every 1.5 s: any three consecutive 0.5 s windows
	// cover one whole period, so one of them is all fast and another at
	// least half slow, whatever the phase.
	f.extra = func(since time.Duration) time.Duration {
		if math.Mod(since.Seconds(), 1.5) >= 1.0 {
			return 40 * time.Millisecond
		}
		return 0
	}
	s := openSession(t, srv.URL, func(c *Config) {
		c.Settings.Duration, c.Settings.Windows, c.Settings.MaxWindows = 1500*time.Millisecond, 3, 4
		c.Settings.Tolerance = 0.1
	})
	st, err := s.RunStep(context.Background(), Load{Mode: result.ModeRate, Arrival: "constant", RPS: 60, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Flags.Unstable {
		t.Fatalf("alternating target not flagged unstable: stability %+v", st.Stability)
	}
	if len(st.Notes) == 0 || !strings.Contains(strings.Join(st.Notes, " "), "never agreed") {
		t.Errorf("unstable step has no note saying why: %v", st.Notes)
	}
	if result.MeetsSLO(st, []result.SLOBound{{Percentile: "p95", BoundMS: 1000}}, 0.01) {
		t.Error("an unstable step met an SLO")
	}
}

// A cancelled context (the signal) mid-step keeps the finished steps and
// the step in progress, flagged interrupted, in a valid run.json.
func TestInterruptKeepsFinishedSteps(t *testing.T) {
	_, srv := newFakeKServe(t, 8, func(int) time.Duration { return time.Millisecond })
	s := openSession(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := s.RunStep(ctx, Load{Mode: result.ModeRate, Arrival: "constant", RPS: 80, BatchSize: 1}); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(600*time.Millisecond, cancel)
	st, err := s.RunStep(ctx, Load{Mode: result.ModeRate, Arrival: "constant", RPS: 120, BatchSize: 1})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	if st == nil || !st.Flags.Interrupted {
		t.Fatalf("step in progress not flagged interrupted: %+v", st)
	}
	if err := s.Finish(result.StatusInterrupted); err != nil {
		t.Fatal(err)
	}
	run, err := result.Read(s.Dir())
	if err != nil {
		t.Fatalf("run.json after interrupt: %v", err)
	}
	if run.Status != result.StatusInterrupted || len(run.Steps) != 2 {
		t.Fatalf("status %q with %d steps, want interrupted with 2", run.Status, len(run.Steps))
	}
	if run.Steps[0].Flags.Interrupted || run.Steps[0].Requests < 20 {
		t.Errorf("finished step damaged: %+v", run.Steps[0].Flags)
	}
}

// --trials reports the median trial and the spread.
func TestTrialsReportMedianAndSpread(t *testing.T) {
	_, srv := newFakeKServe(t, 8, func(int) time.Duration { return time.Millisecond })
	s := openSession(t, srv.URL, func(c *Config) { c.Settings.Trials = 3; c.Settings.Duration = 600 * time.Millisecond })
	st, err := s.RunStep(context.Background(), Load{Mode: result.ModeRate, Arrival: "constant", RPS: 100, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Trials) != 3 {
		t.Fatalf("%d trials recorded, want 3", len(st.Trials))
	}
	if st.Spread.InferencesPerSMin > st.InferencesPerS || st.Spread.InferencesPerSMax < st.InferencesPerS {
		t.Errorf("median %g outside the spread %+v", st.InferencesPerS, st.Spread)
	}
}

// The preflight refuses an unknown model with a PreflightError, and leaves
// no run directory behind.
func TestPreflightUnknownModel(t *testing.T) {
	_, srv := newFakeKServe(t, 1, func(int) time.Duration { return 0 })
	out := t.TempDir()
	_, err := Open(context.Background(), Config{Command: "profile", Name: "x", OutDir: out, Settings: quickSettings(),
		Target: TargetConfig{URL: srv.URL, Model: "nope", Conn: loadgen.ConnOptions{Timeout: time.Second}}})
	var pe *loadgen.PreflightError
	if !errors.As(err, &pe) || pe.Kind != "unknown_model" {
		t.Fatalf("err = %v, want an unknown_model PreflightError", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed preflight left %d run directories", len(entries))
	}
}
