package main

import (
	"context"
	"fmt"
	"time"

	"github.com/infercost/infercost/lmserver"
	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/profiler"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
)

// The LLM demo's prompt plan: short enough that prompt and reply fit the
// built-in model's 256-token context together, long enough that prefill
// shows in the time to the first token.
const (
	demoLLMPromptTokens = 64
	demoLLMOutputTokens = 32
	demoLLMDuration     = 6 * time.Second
)

// runDemoLLM profiles the built-in language model at a few concurrencies
// (closed loops: an LLM server batches continuously, so concurrency is its
// knob) and ends with what its output tokens cost per million.
func runDemoLLM(cmd *cobra.Command, f *demoFlags) error {
	fs := cmd.Flags()
	for _, name := range []string{"batch", "preset"} {
		if fs.Changed(name) {
			return usageErrorf("--%s configures the digits demo; demo --llm varies --concurrency", name)
		}
	}
	sloText := f.slo
	if !fs.Changed("slo") {
		sloText = costDemoLLMSLO
	}
	slo, err := parseSLOFlag(sloText)
	if err != nil {
		return err
	}
	levels, err := parseInts(f.concurrency, "--concurrency")
	if err != nil {
		return err
	}
	if !fs.Changed("duration") {
		// A stream takes tens of milliseconds and a window must hold enough
		// of them to agree with the next: longer windows than the digits'.
		f.set.Duration = demoLLMDuration
	}
	// A step of streams settles more slowly than one of small requests: as
	// many windows to agree in as any profile gets.
	f.set.MaxWindows = profiler.DefaultSettings().MaxWindows
	if err := f.set.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	if err := checkMeasureFormat(f.format); err != nil {
		return err
	}
	lm := lmserver.DefaultConfig()
	server := result.ServerConfig{Preset: result.PresetLM, MaxNumSeqs: lm.Engine.MaxNumSeqs,
		MaxNumBatchedTokens: lm.Engine.MaxNumBatchedTokens, MaxWaiting: lm.Engine.MaxWaiting}
	proto := loadgen.NewOpenAI(loadgen.OpenAIOptions{Model: lmserver.DefaultModelName, API: loadgen.APIChat,
		PromptTokens: result.TokenDist{Mean: demoLLMPromptTokens}, OutputTokens: result.TokenDist{Mean: demoLLMOutputTokens},
		Seed: 1, ForceOutputLength: true})
	tc := profiler.TargetConfig{URL: profiler.BuiltinTarget, Model: lmserver.DefaultModelName, Seed: 1, GPUs: 1,
		Builtin: profiler.BuiltinConfig{Server: server}, Protocol: proto}
	if tc.Labels, err = parseLabels(f.labels); err != nil {
		return err
	}
	if tc.Scrape, err = f.scrape.resolve(true); err != nil {
		return err
	}
	tc.Conn.Timeout = 30 * time.Second
	cfg := profiler.Config{Command: "demo", Name: "infercost-lm-demo", OutDir: f.out, Target: tc, Settings: f.set,
		Spec:          result.Spec{Mode: result.ModeConcurrency, Arrival: "closed-loop", BatchSizes: []int{1}, Concurrency: levels, SLO: slo, MaxErrorRate: result.DefaultMaxErrorRate},
		TestBatchSize: 1, Observer: newProgress(cmd.ErrOrStderr(), len(levels))}
	errw := cmd.ErrOrStderr()
	started := time.Now()
	return measureSession(cmd, cfg, f.format, func(ctx context.Context, s *profiler.Session) error {
		for _, c := range levels {
			if _, err := s.RunStep(ctx, profiler.Load{Mode: result.ModeConcurrency, Concurrency: c, BatchSize: 1}); err != nil {
				return err
			}
		}
		fmt.Fprintf(errw, "profiled in %s\n", time.Since(started).Round(time.Second))
		return nil
	}, func(run *result.Run, dir string, format string) (any, error) {
		return demoCost(cmd, run, dir, slo, format)
	})
}
