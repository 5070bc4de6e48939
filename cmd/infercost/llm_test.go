package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/loadgen/openaitest"
	"github.com/infercost/infercost/result"
)

// profile --protocol openai against an OpenAI-compatible server writes the
// token figures, with TTFT and ITL matching what the server was built to
// do (issue 11's "done when").
func TestProfileOpenAIEndpoint(t *testing.T) {
	srv := openaitest.NewServer(openaitest.Config{TTFT: 100 * time.Millisecond, ITL: 20 * time.Millisecond, TokensPerWord: 1.3, TemplateTokens: 9})
	defer srv.Close()
	out := t.TempDir()
	res := runBinary(t, nil, "profile", "--target", srv.URL, "--protocol", "openai", "--model", "test-llm", "--concurrency", "4",
		"--prompt-tokens", "100", "--output-tokens", "40", "--duration", "3s", "--warmup", "500ms", "--label", "model_version=v7", "--out", out)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"TTFT p50", "(tok/s)", "counted by the server (usage)", "out tok/s"} {
		if !strings.Contains(res.stdout+res.stderr, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, res.stdout, res.stderr)
		}
	}
	run, err := result.Read(onlyRun(t, out))
	if err != nil {
		t.Fatal(err)
	}
	st := run.Steps[0]
	if run.Spec.Protocol != result.ProtocolOpenAI || run.Spec.LLM == nil || !run.Spec.LLM.TokenizerCalibrated || run.Spec.Labels["model_version"] != "v7" {
		t.Errorf("spec: protocol %q, llm %+v, labels %v", run.Spec.Protocol, run.Spec.LLM, run.Spec.Labels)
	}
	if st.Unit != result.UnitOutputToken || st.BatchSize != 1 || st.TTFTMS == nil || st.ITLMS == nil || st.TPOTMS == nil {
		t.Fatalf("step is not an LLM step: unit %q batch %d", st.Unit, st.BatchSize)
	}
	if !within(st.TTFTMS.P50, 100, 0.10) || !within(st.ITLMS.P50, 20, 0.10) {
		t.Errorf("TTFT p50 %.1f ms (dialled 100), ITL p50 %.1f ms (dialled 20)", st.TTFTMS.P50, st.ITLMS.P50)
	}
	if *st.OutputTokensPerRequest != 40 || !within(*st.InputTokensPerRequest, 100, 0.05) || *st.TokenCountSource != result.TokensFromUsage {
		t.Errorf("tokens per request: %.1f out, %.1f in (want 40 and about 100), from %s", *st.OutputTokensPerRequest, *st.InputTokensPerRequest, *st.TokenCountSource)
	}
	if st.Files.Histograms == "" || st.GoodputRPS == nil || *st.GoodputRPS != st.SuccessfulRPS {
		t.Errorf("histograms %q, goodput %v (want successes/s with no SLO)", st.Files.Histograms, st.GoodputRPS)
	}
}

// A sweep over concurrency with token SLOs finds the sweet spot in output
// tokens/s.
func TestSweepOpenAIConcurrency(t *testing.T) {
	// The test server serves every stream at once, at the same pace: output
	// tokens/s grows with concurrency and every level meets the SLO.
	srv := openaitest.NewServer(openaitest.Config{TTFT: 60 * time.Millisecond, ITL: 10 * time.Millisecond})
	defer srv.Close()
	out := t.TempDir()
	res := runBinary(t, nil, "sweep", "--target", srv.URL, "--protocol", "openai", "--model", "test-llm", "--concurrency", "1,2,4",
		"--output-tokens", "10", "--slo", "ttft_p95=500ms,itl_p95=50ms", "--duration", "1500ms", "--warmup", "300ms", "--out", out)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	run, err := result.Read(onlyRun(t, out))
	if err != nil {
		t.Fatal(err)
	}
	sw := run.Sweep
	if sw == nil || sw.Unit != result.UnitOutputToken || len(sw.Curve) != 1 || len(run.Steps) != 3 {
		t.Fatalf("sweep %+v with %d steps", sw, len(run.Steps))
	}
	// The server does not slow down with concurrency: c=4 carries about 4x
	// c=1, and the sweet spot is the step meeting the SLO with the most
	// output tokens/s (c=4 unless a busy box flagged it).
	if c1, c4 := run.Steps[0].Throughput(), run.Steps[2].Throughput(); c4 < 3*c1 {
		t.Errorf("c=4 carried %.1f out tok/s, c=1 %.1f: want about 4x", c4, c1)
	}
	best := -1
	for i := range run.Steps {
		if result.MeetsSLO(&run.Steps[i], sw.SLO, sw.MaxErrorRate) && (best < 0 || run.Steps[i].Throughput() > run.Steps[best].Throughput()) {
			best = i
		}
	}
	if best < 0 {
		t.Skipf("no step met the SLO on this busy box: %+v", run.Steps[0].Flags)
	}
	if sw.Realtime.Step != best || sw.Realtime.Concurrency != run.Steps[best].Concurrency || sw.Realtime.UnitsPerS != run.Steps[best].Throughput() {
		t.Errorf("sweet spot step %d (c=%d, %.1f out tok/s), want step %d, the SLO-meeting step with the most", sw.Realtime.Step,
			sw.Realtime.Concurrency, sw.Realtime.UnitsPerS, best)
	}
	if !strings.Contains(res.stdout, "out tok/s") || !strings.Contains(res.stdout, fmt.Sprintf("concurrency %d", sw.Realtime.Concurrency)) {
		t.Errorf("sweep summary not in output tokens:\n%s", res.stdout)
	}
	if files, _ := filepath.Glob(filepath.Join(onlyRun(t, out), "steps", "*.hlog")); len(files) != 3 {
		t.Errorf("%d step histogram files, want 3", len(files))
	}
}

func within(got, want, tol float64) bool { return got >= want*(1-tol) && got <= want*(1+tol) }

// demo --llm profiles the built-in language model at a few concurrencies
// and ends with what its output tokens cost per million (issue 12).
func TestDemoLLM(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the built-in language model on first use (about a minute), then profiles it")
	}
	out := t.TempDir()
	res := runBinary(t, nil, "demo", "--llm", "--concurrency", "1,4", "--duration", "4s", "--warmup", "500ms", "--out", out)
	if res.code == ExitNoCapacity && strings.Contains(res.stdout, "never settled") && !strings.Contains(res.stdout, "  ok") {
		// Every step unsettled: the box was saturated (go test runs other
		// packages beside this one, the language model's training among
		// them), which the demo reports honestly; nothing here to judge.
		t.Skipf("every step was flagged unstable on a saturated box:\n%s", res.stdout)
	}
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"$/M OUT TOKENS", "per million output tokens", "all GPU time is charged to the tokens", "TTFT p95"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("demo --llm output lacks %q:\n%s", want, res.stdout)
		}
	}
	run, err := result.Read(onlyRun(t, out))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Steps) != 2 || run.Unit() != result.UnitOutputToken || run.Spec.Server == nil || !run.Spec.Server.IsLM() ||
		run.Spec.Protocol != result.ProtocolOpenAI {
		t.Errorf("%d steps, unit %q, server %+v, protocol %q", len(run.Steps), run.Unit(), run.Spec.Server, run.Spec.Protocol)
	}
	for _, st := range run.Steps {
		if *st.TokenCountSource != result.TokensFromUsage || *st.OutputTokensPerRequest != 32 {
			t.Errorf("step %s: tokens from %s, %.1f out per request (want usage and 32)", st.Name, *st.TokenCountSource, *st.OutputTokensPerRequest)
		}
	}
	if st := run.Steps[0]; st.Process.Available {
		assertGone(t, st.Process.PID)
	}
}
