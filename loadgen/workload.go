package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// Response body limits: how much of each response is read. A KServe
// response must be read whole to be validated; a raw workload only needs
// its status.
const (
	MaxKServeResponseBytes = 16 << 20
	maxRawResponseBytes    = 64 << 10
)

// Workload is what every request of an attack carries: method, URL, headers
// (connection headers are added at Start), a pool of bodies encoded before
// the attack, and how a response is judged.
type Workload struct {
	method   string
	url      string
	header   http.Header
	bodies   [][]byte
	batch    int
	maxBody  int64
	validate bool // judge the body as a KServe v2 inference response
	outputs  []outputCheck
}

// outputCheck is one declared output a response must hold; dim0 is the
// first dimension it must have, or -1 for no check.
type outputCheck struct {
	name string
	dim0 int64
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
	}
}

// NewKServeWorkload builds the KServe v2 inference workload for a model the
// target serves: POST {baseURL}/v2/models/{name}/infer with batch examples
// per request. The body pool is built here, before any attack: from
// dataFile (JSONL, one example per line: an object from input name to that
// example's values, flattened; examples are grouped batch at a time), or,
// when dataFile is "", synthesized from the metadata (each input's shape and
// datatype, the batch dimension filled with batch), seeded. Responses must
// be 2xx JSON holding every declared output, its batch dimension = batch.
func NewKServeWorkload(baseURL string, meta *ModelMetadata, batch int, dataFile string, seed int64) (*Workload, error) {
	if meta == nil {
		return nil, fmt.Errorf("no model metadata")
	}
	if batch < 1 {
		return nil, fmt.Errorf("batch size %d: must be at least 1", batch)
	}
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	specs, err := planInputs(meta, batch)
	if err != nil {
		return nil, fmt.Errorf("model %q: %w", meta.Name, err)
	}
	var bodies [][]byte
	if dataFile == "" {
		bodies, err = synthBodies(specs, batch, seed)
	} else {
		bodies, err = readDataFile(dataFile, specs, batch)
	}
	if err != nil {
		return nil, err
	}
	u := *base
	u.Path = base.Path + "/v2/models/" + url.PathEscape(meta.Name) + "/infer"
	w := &Workload{
		method:   http.MethodPost,
		url:      u.String(),
		header:   http.Header{"Content-Type": {"application/json"}},
		bodies:   bodies,
		batch:    batch,
		maxBody:  MaxKServeResponseBytes,
		validate: true,
	}
	batched := false
	for _, sp := range specs {
		batched = batched || sp.batched
	}
	for _, out := range meta.Outputs {
		oc := outputCheck{name: out.Name, dim0: -1}
		if len(out.Shape) > 0 {
			switch d := out.Shape[0]; {
			case d == -1 && batched:
				oc.dim0 = int64(batch)
			case d > 0:
				oc.dim0 = d
			}
		}
		w.outputs = append(w.outputs, oc)
	}
	return w, nil
}

func readDataFile(path string, specs []inputSpec, batch int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	defer f.Close()
	examples, err := readExamples(f, path, specs)
	if err != nil {
		return nil, err
	}
	return dataBodies(examples, specs, batch, path)
}

// BatchSize is the number of inferences each request carries.
func (w *Workload) BatchSize() int { return w.batch }

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

// check judges a 2xx response body; nil means success.
func (w *Workload) check(body []byte) error {
	if !w.validate {
		return nil
	}
	if int64(len(body)) > w.maxBody {
		return fmt.Errorf("response larger than %d bytes", w.maxBody)
	}
	var resp struct {
		Outputs []struct {
			Name  string   `json:"name"`
			Shape []int64  `json:"shape"`
			Data  presence `json:"data"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("response is not JSON: %v", err)
	}
	if len(resp.Outputs) == 0 {
		return fmt.Errorf("response has no outputs")
	}
	for _, want := range w.outputs {
		found := false
		for _, got := range resp.Outputs {
			if got.Name != want.name {
				continue
			}
			found = true
			switch {
			case len(got.Shape) == 0:
				return fmt.Errorf("output %q has no shape", want.name)
			case want.dim0 >= 0 && got.Shape[0] != want.dim0:
				return fmt.Errorf("output %q has shape %v: first dimension %d, want %d", want.name, got.Shape, got.Shape[0], want.dim0)
			case !bool(got.Data):
				return fmt.Errorf("output %q has no data", want.name)
			}
			break
		}
		if !found {
			return fmt.Errorf("output %q is missing", want.name)
		}
	}
	return nil
}

// presence records whether a JSON value was present and not null, without
// copying it.
type presence bool

func (p *presence) UnmarshalJSON(b []byte) error {
	*p = presence(len(b) > 0 && string(b) != "null")
	return nil
}

// TestRequest sends one request through conn and judges it as the attack
// would. The target refusing it (4xx) is a *PreflightError of kind
// "request_refused" quoting the server's message; other failures are
// "unreachable" or "bad_response".
func (w *Workload) TestRequest(ctx context.Context, conn ConnOptions) error {
	if len(w.bodies) == 0 {
		return fmt.Errorf("no workload (build one with NewKServeWorkload or NewRawWorkload)")
	}
	u, err := url.Parse(w.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("request URL is not an http(s) URL")
	}
	tracker := newConnTracker()
	defer tracker.abort()
	client, err := newHTTPClient(conn, u.Scheme, 2, tracker)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, w.method, w.url, bytes.NewReader(w.bodies[0]))
	if err != nil {
		return fmt.Errorf("test request: %v", redactURLError(err))
	}
	req.Header = w.requestHeader(conn)
	what := w.method + " " + u.Redacted()
	resp, err := client.Do(req)
	if err != nil {
		return &PreflightError{Kind: PreflightUnreachable, Err: fmt.Errorf("test request %s: %v", what, redactURLError(err))}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, w.maxBody+1))
	if err != nil {
		return &PreflightError{Kind: PreflightBadResponse, Err: fmt.Errorf("test request %s: reading the response: %v", what, redactURLError(err))}
	}
	switch code := resp.StatusCode; {
	case code >= 400 && code < 500:
		return preflightErrorf(PreflightRequestRefused, "the target refused the test request %s: %s", what, statusAndMessage(code, body))
	case code < 200 || code >= 300:
		return preflightErrorf(PreflightBadResponse, "test request %s: %s", what, statusAndMessage(code, body))
	}
	if err := w.check(body); err != nil {
		return preflightErrorf(PreflightBadResponse, "test request %s: %v", what, err)
	}
	return nil
}
