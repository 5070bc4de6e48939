package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/infercost/infercost/lmserver"
	"github.com/infercost/infercost/modelserver"
	"github.com/spf13/cobra"
)

func init() { register(newServeCmd) }

// Flags that belong to one kind of preset: the digits model's dynamic
// batcher, or the language model's continuous-batching scheduler. Given
// explicitly with the other kind they are refused rather than ignored.
var (
	digitsOnlyFlags = []string{"max-batch-size", "max-queue-delay", "instances", "max-queue"}
	lmOnlyFlags     = []string{"max-num-seqs", "max-num-batched-tokens", "max-waiting"}
)

func newServeCmd() *cobra.Command {
	cfg := modelserver.DefaultConfig()
	lmCfg := lmserver.DefaultConfig()
	var (
		addr         string
		preset       string
		modelName    string
		maxBody      = byteSize(cfg.MaxBodyBytes)
		drainTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a built-in model: digits over the KServe v2 API, or a language model over the OpenAI API",
		Long: `serve runs a built-in reference endpoint, trained by infercost's own Go code
(fixed seed) on data embedded in the binary.

Digits presets (KServe v2 / Open Inference Protocol, HTTP/JSON, with a dynamic
batcher): a multilayer perceptron trained on the UCI handwritten digits set.
  small   the default; trains in about a second
  large   about 17 M parameters, so a batch-1 pass costs milliseconds and batching
          pays; trained once and cached under the user cache directory
Endpoints: GET /v2/health/live, GET /v2/health/ready, GET /v2/models/{name},
GET /v2/models/{name}/ready, POST /v2/models/{name}/infer (input "input", FP32
[N,64], pixels 0..16; outputs "probabilities" FP32 [N,10] and "label" INT64 [N]),
GET /metrics (Prometheus).

Language model preset (OpenAI-compatible API, as vLLM serves it, with continuous
batching):
  lm      a decoder-only transformer over bytes (context 256 tokens) trained on
          Isaac Newton's Opticks (Project Gutenberg, public domain): about a minute
          on a 2-core machine the first time, then cached; served as
          "infercost-lm" unless --model-name says otherwise
Endpoints: POST /v1/chat/completions and /v1/completions (streamed with
"stream": true, or not; max_tokens, max_completion_tokens, temperature, top_p,
seed, stop, ignore_eos, min_tokens, stream_options.include_usage), GET /v1/models,
GET /health, GET /metrics (vLLM's series: vllm:num_requests_running,
vllm:num_requests_waiting, vllm:kv_cache_usage_perc, vllm:time_to_first_token_seconds,
vllm:inter_token_latency_seconds, vllm:prompt_tokens_total,
vllm:generation_tokens_total, vllm:request_success_total, ...). One token is one
byte; chat messages become paragraphs and the reply is the next one. A prompt
longer than the context is refused (400); max_tokens may be anything (the window
slides). --max-num-seqs sequences are decoded together in one forward pass; a
request beyond them and --max-waiting queued ones gets 503 at once.

Flags of the digits batcher (--max-batch-size, --max-queue-delay, --instances,
--max-queue) and of the LM scheduler (--max-num-seqs, --max-num-batched-tokens,
--max-waiting) are refused with the other kind of preset.

Once the server answers ready it prints one line "listening on http://HOST:PORT".
On SIGTERM or SIGINT it stops accepting, answers every accepted request (streams
run to their end) up to --drain-timeout, and exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			isLM := slices.Contains(lmserver.PresetNames(), preset)
			for _, name := range digitsOnlyFlags {
				if isLM && f.Changed(name) {
					return usageErrorf("--%s is a flag of the digits batcher; the language-model preset %s takes --%s", name, preset, strings.Join(lmOnlyFlags, ", --"))
				}
			}
			for _, name := range lmOnlyFlags {
				if !isLM && f.Changed(name) {
					return usageErrorf("--%s is a flag of the language-model scheduler (--preset %s); the digits preset %s takes --%s", name, lmserver.DefaultPreset, preset, strings.Join(digitsOnlyFlags, ", --"))
				}
			}
			if drainTimeout < 0 {
				return usageErrorf("--drain-timeout %v: want >= 0", drainTimeout)
			}
			if err := checkListenAddr(addr); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var err error
			if isLM {
				err = runLMServer(ctx, cmd, preset, modelName, lmCfg, maxBody, f.Changed("max-body"), addr, drainTimeout)
			} else {
				err = runDigitsServer(ctx, cmd, preset, modelName, cfg, maxBody, addr, drainTimeout)
			}
			if err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return withCode(ExitInterrupted, fmt.Errorf("serve: interrupted before the server was ready: %w", err))
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8000", "host:port to listen on (port 0 picks a free one)")
	f.StringVar(&preset, "preset", modelserver.DefaultPreset, "model preset: "+strings.Join(modelserver.PresetNames(), " or ")+" (digits, KServe v2), "+
		strings.Join(lmserver.PresetNames(), " or ")+" (language model, OpenAI API)")
	f.StringVar(&modelName, "model-name", "", fmt.Sprintf("name the model is served under (default %q, or %q with --preset %s)", cfg.ModelName, lmserver.DefaultModelName, lmserver.DefaultPreset))
	f.IntVar(&cfg.MaxBatchSize, "max-batch-size", cfg.MaxBatchSize, "digits: most inputs merged into one forward pass (1 turns batching off)")
	f.DurationVar(&cfg.MaxQueueDelay, "max-queue-delay", cfg.MaxQueueDelay, "digits: longest wait, from the oldest queued request, for a batch to fill")
	f.IntVar(&cfg.Instances, "instances", cfg.Instances, "digits: model instances running batches in parallel")
	f.IntVar(&cfg.MaxQueue, "max-queue", cfg.MaxQueue, "digits: most requests waiting; beyond it the server answers 503 at once")
	f.IntVar(&lmCfg.Engine.MaxNumSeqs, "max-num-seqs", lmCfg.Engine.MaxNumSeqs, "lm: most sequences running (decoded together in one forward pass; one KV-cache slot each)")
	f.IntVar(&lmCfg.Engine.MaxNumBatchedTokens, "max-num-batched-tokens", lmCfg.Engine.MaxNumBatchedTokens, "lm: most tokens in one forward pass (a token per decoding sequence, then prompt chunks)")
	f.IntVar(&lmCfg.Engine.MaxWaiting, "max-waiting", lmCfg.Engine.MaxWaiting, "lm: most requests waiting for a slot; beyond it the server answers 503 at once")
	f.Var(&maxBody, "max-body", fmt.Sprintf("largest request body (bytes, or with a KiB/MiB/GiB suffix); %s with --preset %s unless given",
		(*byteSize)(&lmCfg.MaxBodyBytes).String(), lmserver.DefaultPreset))
	f.DurationVar(&drainTimeout, "drain-timeout", 30*time.Second, "longest drain on SIGTERM/SIGINT")
	return cmd
}

// runDigitsServer serves a digits preset (modelserver).
func runDigitsServer(ctx context.Context, cmd *cobra.Command, preset, modelName string, cfg modelserver.Config, maxBody byteSize, addr string, drainTimeout time.Duration) error {
	p, err := modelserver.LookupPreset(preset)
	if err != nil {
		return usageErrorf("--preset: %v (language model: %s)", err, strings.Join(lmserver.PresetNames(), ", "))
	}
	if modelName != "" {
		cfg.ModelName = modelName
	}
	cfg.MaxBodyBytes = int64(maxBody)
	if err := cfg.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	err = modelserver.Run(ctx, modelserver.RunOptions{
		Addr: addr, Preset: p, Config: cfg, DrainTimeout: drainTimeout, Out: cmd.OutOrStdout(),
	})
	if err != nil && !(errors.Is(err, context.Canceled) && ctx.Err() != nil) {
		return fmt.Errorf("serve: %w", err)
	}
	return err
}

// runLMServer serves a language-model preset (lmserver).
func runLMServer(ctx context.Context, cmd *cobra.Command, preset, modelName string, cfg lmserver.Config, maxBody byteSize, maxBodySet bool, addr string, drainTimeout time.Duration) error {
	p, err := lmserver.LookupPreset(preset)
	if err != nil {
		return usageErrorf("--preset: %v", err)
	}
	if modelName != "" {
		cfg.ModelName = modelName
	}
	if maxBodySet {
		cfg.MaxBodyBytes = int64(maxBody)
	}
	if err := cfg.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	err = lmserver.Run(ctx, lmserver.RunOptions{
		Addr: addr, Preset: p, Config: cfg, DrainTimeout: drainTimeout, Out: cmd.OutOrStdout(),
	})
	if err != nil && !(errors.Is(err, context.Canceled) && ctx.Err() != nil) {
		return fmt.Errorf("serve: %w", err)
	}
	return err
}

// checkListenAddr refuses an --addr that is not host:port with a port
// number (a bad flag, exit 2); a port already taken is found when binding.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--addr %q: want host:port, e.g. 127.0.0.1:8000 (port 0 picks a free one): %v", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usageErrorf("--addr %q: the port must be a number from 0 to 65535", addr)
	}
	return nil
}

// byteSize is a flag of bytes that also takes KiB, MiB and GiB suffixes.
type byteSize int64

func (b *byteSize) String() string {
	switch v := int64(*b); {
	case v > 0 && v%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", v>>30)
	case v > 0 && v%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", v>>20)
	case v > 0 && v%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", v>>10)
	default:
		return strconv.FormatInt(v, 10)
	}
}

func (b *byteSize) Set(s string) error {
	num, unit := s, int64(1)
	for _, u := range []struct {
		suffix string
		bytes  int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			num, unit = strings.TrimSuffix(s, u.suffix), u.bytes
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 1 || n > (1<<62)/unit {
		return fmt.Errorf("%q is not a size in bytes (e.g. 8388608, 512KiB, 8MiB)", s)
	}
	*b = byteSize(n * unit)
	return nil
}

func (b *byteSize) Type() string { return "size" }
