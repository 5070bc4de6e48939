package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/infercost/infercost/modelserver"
	"github.com/spf13/cobra"
)

func init() { register(newServeCmd) }

func newServeCmd() *cobra.Command {
	cfg := modelserver.DefaultConfig()
	var (
		addr         string
		preset       string
		maxBody      = byteSize(cfg.MaxBodyBytes)
		drainTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the built-in digits model over the KServe v2 HTTP API",
		Long: `serve runs the built-in reference endpoint: a multilayer perceptron trained at
start-up (by infercost's own Go code, fixed seed) on the embedded UCI handwritten
digits set, served over the KServe v2 / Open Inference Protocol HTTP/JSON API with
a dynamic batcher in front of it.

Endpoints: GET /v2/health/live, GET /v2/health/ready, GET /v2/models/{name},
GET /v2/models/{name}/ready, POST /v2/models/{name}/infer (input "input", FP32
[N,64], pixels 0..16; outputs "probabilities" FP32 [N,10] and "label" INT64 [N]),
GET /metrics (Prometheus).

Presets: small (default; trains in about a second) and large (about 17 M
parameters, so a batch-1 pass costs milliseconds and batching pays; trained once
and cached under the user cache directory).

Once the server answers ready it prints one line "listening on http://HOST:PORT".
On SIGTERM or SIGINT it stops accepting, answers every accepted request (up to
--drain-timeout) and exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := modelserver.LookupPreset(preset)
			if err != nil {
				return usageErrorf("--preset: %v", err)
			}
			cfg.MaxBodyBytes = int64(maxBody)
			if err := cfg.Validate(); err != nil {
				return usageErrorf("%v", err)
			}
			if drainTimeout < 0 {
				return usageErrorf("--drain-timeout %v: want >= 0", drainTimeout)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			err = modelserver.Run(ctx, modelserver.RunOptions{
				Addr: addr, Preset: p, Config: cfg, DrainTimeout: drainTimeout, Out: cmd.OutOrStdout(),
			})
			if err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return withCode(ExitInterrupted, fmt.Errorf("serve: interrupted before the server was ready: %w", err))
			}
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8000", "host:port to listen on (port 0 picks a free one)")
	f.StringVar(&preset, "preset", modelserver.DefaultPreset, "model preset: "+strings.Join(modelserver.PresetNames(), " or "))
	f.StringVar(&cfg.ModelName, "model-name", cfg.ModelName, "name the model is served under")
	f.IntVar(&cfg.MaxBatchSize, "max-batch-size", cfg.MaxBatchSize, "most inputs merged into one forward pass (1 turns batching off)")
	f.DurationVar(&cfg.MaxQueueDelay, "max-queue-delay", cfg.MaxQueueDelay, "longest wait, from the oldest queued request, for a batch to fill")
	f.IntVar(&cfg.Instances, "instances", cfg.Instances, "model instances running batches in parallel")
	f.IntVar(&cfg.MaxQueue, "max-queue", cfg.MaxQueue, "most requests waiting; beyond it the server answers 503 at once")
	f.Var(&maxBody, "max-body", "largest infer request body (bytes, or with a KiB/MiB/GiB suffix)")
	f.DurationVar(&drainTimeout, "drain-timeout", 30*time.Second, "longest drain on SIGTERM/SIGINT")
	return cmd
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
