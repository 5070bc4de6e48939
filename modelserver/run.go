package modelserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// RunOptions is what `infercost serve` asks for.
type RunOptions struct {
	// Addr is the host:port to listen on; port 0 picks a free one.
	Addr   string
	Preset Preset
	Config Config
	// DrainTimeout bounds the drain after ctx ends.
	DrainTimeout time.Duration
	// CacheDir overrides where cached presets live ("" = DefaultCacheDir).
	CacheDir string
	// Out receives the start-up and shutdown lines.
	Out io.Writer
}

// ListenLinePrefix starts the one line Run prints once the server answers
// ready: "listening on http://HOST:PORT", then a space or the end of the
// line. Programs that start `infercost serve` as a child wait for it.
const ListenLinePrefix = "listening on "

// BindError is returned by Run when it cannot listen on the address.
type BindError struct{ Err error }

func (e *BindError) Error() string { return e.Err.Error() }
func (e *BindError) Unwrap() error { return e.Err }

// Run serves the model until ctx ends, then drains: it binds the address
// first (so a taken port fails at once), loads the model, starts serving,
// checks its own readiness endpoint, and only then prints the listening
// line. When ctx ends it drains within opts.DrainTimeout; it returns nil
// when every accepted request was answered.
func Run(ctx context.Context, opts RunOptions) error {
	start := time.Now()
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	if err := opts.Config.Validate(); err != nil {
		return err
	}
	l, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return &BindError{Err: fmt.Errorf("cannot listen on %s: %w", opts.Addr, err)}
	}
	defer l.Close()

	model, err := Load(ctx, opts.Preset, LoadOptions{CacheDir: opts.CacheDir, Log: out})
	if err != nil {
		return err
	}
	srv, err := New(opts.Config, model)
	if err != nil {
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()

	url := "http://" + DialAddr(l.Addr())
	if err := WaitReady(ctx, url+"/v2/health/ready"); err != nil {
		srv.Shutdown(context.Background()) //nolint:errcheck // nothing was accepted yet
		return err
	}
	printStartup(out, opts, model.Info(), url, time.Since(start))

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintf(out, "draining: no new connections; finishing accepted requests (up to %v)\n", opts.DrainTimeout)
	drainCtx, cancel := context.WithTimeout(context.Background(), opts.DrainTimeout)
	defer cancel()
	drainErr := srv.Shutdown(drainCtx)
	st := srv.Stats()
	fmt.Fprintf(out, "drained: %d infer requests accepted, %d answered\n", st.Accepted, st.Answered)
	if drainErr != nil {
		return fmt.Errorf("%w (%d of %d accepted requests unanswered)", drainErr, st.Accepted-st.Answered, st.Accepted)
	}
	return nil
}

// printStartup writes the human start-up lines, then the listening line.
func printStartup(out io.Writer, opts RunOptions, info ModelInfo, url string, took time.Duration) {
	source := fmt.Sprintf("trained in %.1f s", info.LoadTime.Seconds())
	if info.FromCache {
		source = fmt.Sprintf("loaded from %s in %.1f s", info.CachePath, info.LoadTime.Seconds())
	}
	layers := make([]string, len(info.Layers))
	for i, w := range info.Layers {
		layers[i] = fmt.Sprint(w)
	}
	c := opts.Config
	fmt.Fprintf(out, "model %q: preset %s, MLP %s, %d parameters (%d weight bytes, float32), %s\n",
		c.ModelName, info.Preset, strings.Join(layers, "-"), info.ParameterCount, info.WeightBytes, source)
	fmt.Fprintf(out, "held-out accuracy: %.2f%% of %d digits\n", 100*info.Accuracy, info.HeldOutRows)
	fmt.Fprintf(out, "batching: max batch size %d, max queue delay %v, %d instance(s), max queue %d requests, max body %d bytes\n",
		c.MaxBatchSize, c.MaxQueueDelay, c.Instances, c.MaxQueue, c.MaxBodyBytes)
	fmt.Fprintf(out, "started in %.2f s; infer: POST %s/v2/models/%s/infer; metrics: %s/metrics\n", took.Seconds(), url, c.ModelName, url)
	fmt.Fprintf(out, "%s%s\n", ListenLinePrefix, url)
	// os.Stdout is unbuffered, so the line is out once Fprintf returns; a
	// buffered writer handed in by a caller is flushed here.
	if f, ok := out.(interface{ Flush() error }); ok {
		f.Flush() //nolint:errcheck // nothing better to do than carry on
	}
}

// DialAddr is the address a client on this host reaches a listener at:
// an unspecified IP (0.0.0.0, ::) is reached through loopback.
func DialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		if ip.To4() != nil {
			ip = net.IPv4(127, 0, 0, 1)
		} else {
			ip = net.IPv6loopback
		}
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// WaitReady asks a server starting on this host for url (its readiness
// endpoint) until it says 200; the language model's server uses it too.
func WaitReady(ctx context.Context, url string) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return errors.Join(fmt.Errorf("the server did not answer ready at %s", url), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
