// Package agent is `infercost agent`: a small read-only process for the
// machine a model is served on. It serves that machine's readings at
// /metrics in the Prometheus text format, under the names the ecosystem's
// own exporters use where they overlap, so that `--scrape
// gpu=http://gpubox:9400/metrics` reads it and dcgm-exporter or
// node_exporter alike:
//
//   - every GPU (NVML, through package gpu) as dcgm-exporter names them:
//     DCGM_FI_DEV_GPU_UTIL, DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_FB_FREE (MiB),
//     DCGM_FI_DEV_POWER_USAGE (W), DCGM_FI_DEV_GPU_TEMP (C) and
//     DCGM_FI_DEV_SM_CLOCK (MHz), labelled gpu, UUID, device, modelName and
//     Hostname;
//   - the host as node_exporter names it: node_cpu_seconds_total{cpu,mode}
//     and node_memory_MemTotal_bytes, node_memory_MemAvailable_bytes
//     (gopsutil);
//   - optionally one process (--pid or --process-name) as client libraries
//     name their own: process_cpu_seconds_total and
//     process_resident_memory_bytes, with infercost_agent_process_info
//     saying which process they describe;
//   - infercost_agent_info{version,hostname,gpu_status} and
//     infercost_agent_gpus: what the agent found.
//
// With no GPU or no NVML it still serves the host and says so (a log line
// and gpu_status). NVML is touched only after a successful Init (DESIGN
// invariant 6: package gpu guarantees it).
package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/infercost/infercost/gpu"
)

// DefaultAddr is --addr's default: loopback, dcgm-exporter's port.
const DefaultAddr = "127.0.0.1:9400"

// Config says what the agent watches.
type Config struct {
	// GPU is the opened NVML source; nil when there is none. The agent
	// does not close it.
	GPU gpu.Source
	// GPUStatus says what GPU detection found, in words
	// (gpu.Describe): "1 GPU: NVIDIA A10G", "no GPU detected (...)".
	GPUStatus string
	// PID or ProcessName name one process to watch (PID wins); neither:
	// no process series.
	PID         int32
	ProcessName string
	// Hostname labels the GPU series (dcgm-exporter's Hostname); default
	// os.Hostname.
	Hostname string
}

// Handler serves /metrics (GET or HEAD) and a short page at /; it refuses
// every other method, for the agent is read-only.
func Handler(cfg Config) http.Handler {
	if cfg.Hostname == "" {
		cfg.Hostname, _ = os.Hostname()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(&hostCollector{}, &infoCollector{cfg: cfg})
	if cfg.GPU != nil {
		reg.MustRegister(&gpuCollector{src: cfg.GPU, devs: cfg.GPU.Devices(), hostname: cfg.Hostname})
	}
	if cfg.PID > 0 || cfg.ProcessName != "" {
		reg.MustRegister(&processCollector{pid: cfg.PID, name: cfg.ProcessName})
	}
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "infercost agent: metrics at /metrics (GPUs: %s)\n", cfg.GPUStatus)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "read-only: GET /metrics", http.StatusMethodNotAllowed)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// RunOptions configure Run.
type RunOptions struct {
	Config
	// Addr is host:port to listen on; port 0 picks a free one.
	Addr string
	// Out gets the notices and, once the agent accepts connections, one
	// line "listening on http://HOST:PORT".
	Out io.Writer
	// ShutdownTimeout bounds the graceful stop (default 5s).
	ShutdownTimeout time.Duration
}

// Run serves until ctx ends (SIGTERM, SIGINT), then stops gracefully:
// it stops accepting and lets the scrapes in progress finish.
func Run(ctx context.Context, o RunOptions) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 5 * time.Second
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	srv := &http.Server{Handler: Handler(o.Config), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(o.Out, "listening on http://%s\n", ln.Addr())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
