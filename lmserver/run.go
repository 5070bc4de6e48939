package lmserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"time"

	"github.com/infercost/infercost/modelserver"
)

// RunOptions is what `infercost serve --preset lm` asks for.
type RunOptions struct {
	// Addr is the host:port to listen on; port 0 picks a free one.
	Addr string
	// Preset is the model to serve (the zero value means DefaultPreset).
	Preset Preset
	Config Config
	// DrainTimeout bounds the drain after ctx ends.
	DrainTimeout time.Duration
	// CacheDir overrides where cached presets live ("" = DefaultCacheDir).
	CacheDir string
	// Out receives the start-up and shutdown lines.
	Out io.Writer
}

// Run serves the model until ctx ends, then drains, as modelserver.Run
// does for the digits model: it binds the address first (a taken port
// fails at once with a *modelserver.BindError), loads or trains the model,
// starts serving, checks its own /health, and only then prints the line
// "listening on http://HOST:PORT" (modelserver.ListenLinePrefix) that
// programs starting `infercost serve` as a child wait for. When ctx ends it
// stops accepting and lets every request and stream in flight finish,
// within opts.DrainTimeout; it returns nil when they all did.
func Run(ctx context.Context, opts RunOptions) error {
	start := time.Now()
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	if opts.Preset.Name == "" {
		p, err := LookupPreset(DefaultPreset)
		if err != nil {
			return err
		}
		opts.Preset = p
	}
	if err := opts.Config.Validate(); err != nil {
		return err
	}
	l, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return &modelserver.BindError{Err: fmt.Errorf("cannot listen on %s: %w", opts.Addr, err)}
	}
	defer l.Close()

	model, err := Load(ctx, opts.Preset, LoadOptions{CacheDir: opts.CacheDir, Log: out})
	if err != nil {
		return err
	}
	// Training and the held-out evaluation left large buffers behind
	// (lm-large's evaluation alone, hundreds of MiB): hand them back now,
	// so that the server's resident memory is what serving holds.
	debug.FreeOSMemory()
	srv, err := New(opts.Config, model)
	if err != nil {
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()

	url := "http://" + modelserver.DialAddr(l.Addr())
	if err := modelserver.WaitReady(ctx, url+"/health"); err != nil {
		srv.Shutdown(context.Background()) //nolint:errcheck // nothing was accepted yet
		return err
	}
	printStartup(out, opts, srv, url, time.Since(start))

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintf(out, "draining: no new connections; finishing the requests and streams in flight (up to %v)\n", opts.DrainTimeout)
	drainCtx, cancel := context.WithTimeout(context.Background(), opts.DrainTimeout)
	defer cancel()
	drainErr := srv.Shutdown(drainCtx)
	st := srv.Stats()
	fmt.Fprintf(out, "drained: %d generation requests accepted, %d answered in full\n", st.Accepted, st.Answered)
	if drainErr != nil {
		return fmt.Errorf("%w (%d of %d accepted requests were still running)", drainErr, st.Accepted-st.Completed, st.Accepted)
	}
	return nil
}

// printStartup writes the human start-up lines, then the listening line.
func printStartup(out io.Writer, opts RunOptions, srv *Server, url string, took time.Duration) {
	info := srv.model.Info()
	source := fmt.Sprintf("trained in %.1f s", info.LoadTime.Seconds())
	if info.FromCache {
		source = fmt.Sprintf("loaded from %s in %.2f s (trained in %.1f s)", info.CachePath, info.LoadTime.Seconds(), info.TrainTime.Seconds())
	}
	if info.WidenedFrom != "" {
		base := fmt.Sprintf("trained in %.1f s", info.TrainTime.Seconds())
		if info.FromCache {
			base += ", loaded from " + info.CachePath
		}
		source = fmt.Sprintf("preset %s (%s) widened in %.1f s", info.WidenedFrom, base, info.WidenTime.Seconds())
	}
	c, s := opts.Config, info.Shape
	fmt.Fprintf(out, "model %q: preset %s, transformer dim %d, %d layers, %d heads, context %d, %d parameters (%d weight bytes, float32), %s\n",
		c.ModelName, info.Preset, s.Dim, s.Layers, s.Heads, s.Context, info.ParameterCount, info.WeightBytes, source)
	fmt.Fprintf(out, "held-out loss: %.3f nats/token (perplexity %.2f) on %d tokens of Opticks; unigram baseline %.3f (%.3f better)\n",
		info.HeldOutLoss, info.Perplexity, info.HeldOutTokens, info.UnigramLoss, info.UnigramLoss-info.HeldOutLoss)
	e := c.Engine
	fmt.Fprintf(out, "engine: continuous batching, max %d sequences, %d tokens per step, %d waiting; KV cache %d x %d tokens = %.1f MiB preallocated; max body %d bytes\n",
		e.MaxNumSeqs, e.MaxNumBatchedTokens, e.MaxWaiting, e.MaxNumSeqs, s.Context, float64(srv.engine.KVCacheBytes())/(1<<20), c.MaxBodyBytes)
	fmt.Fprintf(out, "started in %.2f s; POST %s/v1/chat/completions and %s/v1/completions; models: %s/v1/models; metrics: %s/metrics\n",
		took.Seconds(), url, url, url, url)
	fmt.Fprintf(out, "%s%s\n", modelserver.ListenLinePrefix, url)
	if f, ok := out.(interface{ Flush() error }); ok {
		f.Flush() //nolint:errcheck // nothing better to do than carry on
	}
}
