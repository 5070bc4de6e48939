package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/infercost/infercost/agent"
	"github.com/infercost/infercost/gpu"
)

func init() { register(newAgentCmd) }

func newAgentCmd() *cobra.Command {
	var (
		addr     string
		pid      int32
		procName string
	)
	cmd := &cobra.Command{
		Use:   "agent [--addr HOST:PORT] [--pid PID | --process-name NAME]",
		Short: "Serve this machine's GPUs, CPU and memory at /metrics for a remote infercost to scrape",
		Long: `agent runs on the machine a model is served on and serves, read-only, what
infercost cannot see from elsewhere, at /metrics in the Prometheus text format:

  - every GPU (NVML) under dcgm-exporter's names and labels:
    DCGM_FI_DEV_GPU_UTIL (%), DCGM_FI_DEV_FB_USED and DCGM_FI_DEV_FB_FREE (MiB),
    DCGM_FI_DEV_POWER_USAGE (W), DCGM_FI_DEV_GPU_TEMP (C), DCGM_FI_DEV_SM_CLOCK
    (MHz), labelled gpu, UUID, device, modelName, Hostname;
  - host CPU and memory under node_exporter's names: node_cpu_seconds_total,
    node_memory_MemTotal_bytes, node_memory_MemAvailable_bytes;
  - with --pid or --process-name, that process's CPU and RSS
    (process_cpu_seconds_total, process_resident_memory_bytes).

So the machine doing the load reads it as it reads dcgm-exporter or
node_exporter: infercost profile ... --scrape gpu=http://gpubox:9400/metrics.
With no GPU or no NVML driver the agent still serves the host and says so.

It listens on loopback unless --addr says otherwise (it has no
authentication: expose it only on a network you trust). Once it accepts
connections it prints one line "listening on http://HOST:PORT"; SIGTERM or
SIGINT stops it gracefully.`,
		Example: `  infercost agent                                  # 127.0.0.1:9400
  infercost agent --addr 0.0.0.0:9400 --process-name tritonserver`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pid < 0 {
				return usageErrorf("--pid must be positive, got %d", pid)
			}
			if pid > 0 && procName != "" {
				return usageErrorf("give --pid or --process-name, not both")
			}
			if err := checkListenAddr(addr); err != nil {
				return err
			}
			errw := cmd.ErrOrStderr()
			src, gerr := gpu.Open()
			var devs []gpu.Device
			if src != nil {
				devs = src.Devices()
				defer src.Close()
			}
			status := gpu.Describe(devs, gerr)
			if src == nil {
				fmt.Fprintf(errw, "agent: %s: serving host CPU and memory only\n", status)
			} else {
				fmt.Fprintf(errw, "agent: %s\n", status)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg := agent.Config{GPUStatus: status, PID: pid, ProcessName: procName}
			if src != nil {
				cfg.GPU = src
			}
			err := agent.Run(ctx, agent.RunOptions{Config: cfg, Addr: addr, Out: cmd.OutOrStdout()})
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("agent: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", agent.DefaultAddr, "host:port to listen on (loopback by default; 0.0.0.0:9400 to expose it; port 0 picks a free one)")
	f.Int32Var(&pid, "pid", 0, "also serve this process's CPU and RSS (the model server's)")
	f.StringVar(&procName, "process-name", "", "also serve the CPU and RSS of the process with this name (the lowest PID of that name)")
	return cmd
}
