package loadgen

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// connTracker dials the target and remembers every open connection, so an
// interrupted attack can abort its requests in flight at once instead of
// waiting out the request timeout (vegeta's requests carry no context).
type connTracker struct {
	dialer    net.Dialer
	abortCtx  context.Context
	abortFunc context.CancelFunc

	mu    sync.Mutex
	conns map[*trackedConn]struct{}
}

func newConnTracker() *connTracker {
	ctx, cancel := context.WithCancel(context.Background())
	return &connTracker{
		dialer:    net.Dialer{KeepAlive: 30 * time.Second},
		abortCtx:  ctx,
		abortFunc: cancel,
		conns:     map[*trackedConn]struct{}{},
	}
}

func (t *connTracker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(t.abortCtx, cancel)
	defer stop()
	c, err := t.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, t: t}
	t.mu.Lock()
	t.conns[tc] = struct{}{}
	t.mu.Unlock()
	if t.abortCtx.Err() != nil {
		tc.Close()
	}
	return tc, nil
}

// abort closes every connection and fails dials in progress.
func (t *connTracker) abort() {
	t.abortFunc()
	t.mu.Lock()
	conns := make([]*trackedConn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	t    *connTracker
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.t.mu.Lock()
		delete(c.t.conns, c)
		c.t.mu.Unlock()
	})
	return c.Conn.Close()
}

// newHTTPClient builds the client for one target: TLS from the options,
// HTTP/2 on or off, no transparent compression (bytes are counted as they
// travel), up to maxIdle kept-alive connections.
func newHTTPClient(conn ConnOptions, scheme string, maxIdle int, tracker *connTracker) (*http.Client, error) {
	tlsCfg, err := conn.tlsConfig()
	if err != nil {
		return nil, err
	}
	var protos http.Protocols
	switch {
	case scheme == "https":
		protos.SetHTTP1(true)
		protos.SetHTTP2(conn.HTTP2)
	case conn.HTTP2:
		protos.SetUnencryptedHTTP2(true)
	default:
		protos.SetHTTP1(true)
	}
	if maxIdle < 2 {
		maxIdle = 2
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         tracker.dial,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        maxIdle,
		MaxIdleConnsPerHost: maxIdle,
		// Connections opened for a burst close after 30 s unused, so the
		// memory they hold (about 50 KB each) comes back.
		IdleConnTimeout:    30 * time.Second,
		DisableCompression: true,
		Protocols:          &protos,
	}
	return &http.Client{Transport: tr, Timeout: conn.timeout()}, nil
}
