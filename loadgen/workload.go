package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/infercost/infercost/result"
)

// Response body limits: how much of each response is read. A KServe
// response must be read whole to be validated; a streamed response leaves a
// digest of at most this size in place of its body (stream.go); a raw
// workload only needs its status.
const (
	MaxKServeResponseBytes = 16 << 20
	maxDigestBytes         = 4 << 20
	maxRawResponseBytes    = 64 << 10
)

// Workload is what every request of an attack carries: method, URL, headers
// (connection headers are added at Start), a pool of bodies encoded before
// the attack, and how a response is judged. A protocol's Target builds it.
type Workload struct {
	method  string
	url     string
	header  http.Header
	bodies  [][]byte
	batch   int
	maxBody int64
	// judge reads a 2xx body into a verdict; nil: a 2xx is success.
	judge judge
	// stream: the response is a stream whose chunks are timed as they
	// arrive (stream.go); each body's request carries its index.
	stream bool
	// unit is what the work is counted in (result.UnitInference or
	// result.UnitOutputToken).
	unit string
}

// NewRawWorkload sends one fixed body to url; a 2xx status is success. For
// trivial endpoints and the benchmark.
func NewRawWorkload(method, url string, body []byte) *Workload {
	return &Workload{
		method:  method,
		url:     url,
		header:  http.Header{},
		bodies:  [][]byte{append([]byte(nil), body...)},
		batch:   1,
		maxBody: maxRawResponseBytes,
		unit:    result.UnitInference,
	}
}

// BatchSize is the number of inferences each request carries.
func (w *Workload) BatchSize() int { return w.batch }

// Unit is what the workload's work is counted in: result.UnitInference or
// result.UnitOutputToken.
func (w *Workload) Unit() string { return w.unit }

// readLimit is vegeta's MaxBody for this workload: one byte more than is
// judged tells an oversized response from a full one.
func (w *Workload) readLimit() int64 {
	if w.judge != nil {
		return w.maxBody + 1
	}
	return w.maxBody
}

// URL is where requests go.
func (w *Workload) URL() string { return w.url }

// PoolSize is the number of distinct request bodies.
func (w *Workload) PoolSize() int { return len(w.bodies) }

// MeanBodyBytes is the mean size of the request bodies.
func (w *Workload) MeanBodyBytes() float64 {
	var n int
	for _, b := range w.bodies {
		n += len(b)
	}
	return ratio(float64(n), float64(len(w.bodies)))
}

// String describes the workload (never a header value).
func (w *Workload) String() string {
	return fmt.Sprintf("%s %s, batch %d, %d bodies", w.method, w.url, w.batch, len(w.bodies))
}

// requestHeader merges the workload's headers and the connection's.
func (w *Workload) requestHeader(conn ConnOptions) http.Header {
	h := w.header.Clone()
	for k, vs := range conn.Headers {
		h[k] = append([]string(nil), vs...)
	}
	return h
}

// bodyHeaders are the headers of each body's requests, built before the
// attack: one set for all, or, for a stream, one per body naming its index
// for the stream reader (which removes it before the request leaves).
func (w *Workload) bodyHeaders(conn ConnOptions) []http.Header {
	h := w.requestHeader(conn)
	if !w.stream {
		return []http.Header{h}
	}
	out := make([]http.Header, len(w.bodies))
	for i := range out {
		out[i] = h.Clone()
		out[i].Set(bodyIndexHeader, strconv.Itoa(i))
	}
	return out
}

// TestRequest sends one request through conn and judges it as the attack
// would. The target refusing it (4xx) is a *PreflightError of kind
// "request_refused" quoting the server's message; other failures are
// "unreachable" or "bad_response".
func (w *Workload) TestRequest(ctx context.Context, conn ConnOptions) error {
	_, err := w.testRequest(ctx, conn, 0)
	return err
}

// testRequest sends body i and returns the verdict on a 2xx answer.
func (w *Workload) testRequest(ctx context.Context, conn ConnOptions, i int) (verdict, error) {
	if len(w.bodies) == 0 {
		return verdict{}, fmt.Errorf("no workload (build one with a protocol's Target or NewRawWorkload)")
	}
	u, err := url.Parse(w.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return verdict{}, fmt.Errorf("request URL is not an http(s) URL")
	}
	tracker := newConnTracker()
	defer tracker.abort()
	client, err := newHTTPClient(conn, u.Scheme, 2, tracker)
	if err != nil {
		return verdict{}, err
	}
	if w.stream {
		client.Transport = &streamTransport{base: client.Transport, start: time.Now()}
	}
	req, err := http.NewRequestWithContext(ctx, w.method, w.url, bytes.NewReader(w.bodies[i]))
	if err != nil {
		return verdict{}, fmt.Errorf("test request: %v", redactURLError(err))
	}
	headers := w.bodyHeaders(conn)
	req.Header = headers[i%len(headers)]
	what := w.method + " " + u.Redacted()
	resp, err := client.Do(req)
	if err != nil {
		return verdict{}, &PreflightError{Kind: PreflightUnreachable, Err: fmt.Errorf("test request %s: %v", what, redactURLError(err))}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, w.maxBody+1))
	if err != nil {
		return verdict{}, &PreflightError{Kind: PreflightBadResponse, Err: fmt.Errorf("test request %s: reading the response: %v", what, redactURLError(err))}
	}
	switch code := resp.StatusCode; {
	case code >= 400 && code < 500:
		return verdict{}, preflightErrorf(PreflightRequestRefused, "the target refused the test request %s: %s", what, statusAndMessage(code, body))
	case code < 200 || code >= 300:
		return verdict{}, preflightErrorf(PreflightBadResponse, "test request %s: %s", what, statusAndMessage(code, body))
	}
	if w.judge == nil {
		return verdict{}, nil
	}
	v := w.judge.judge(body)
	if v.kind != "" {
		return v, preflightErrorf(PreflightBadResponse, "test request %s: %s (%s)", what, v.detail, v.kind)
	}
	return v, nil
}
