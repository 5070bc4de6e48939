package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ModelMetadata is a model's KServe v2 metadata (GET /v2/models/{name}).
type ModelMetadata struct {
	Name     string           `json:"name"`
	Versions []string         `json:"versions"`
	Platform string           `json:"platform"`
	Inputs   []TensorMetadata `json:"inputs"`
	Outputs  []TensorMetadata `json:"outputs"`
	// Raw is the body exactly as the target sent it (for run.json).
	Raw json.RawMessage `json:"-"`
}

// TensorMetadata describes one input or output; -1 in Shape is a variable
// dimension.
type TensorMetadata struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
}

// Preflight error kinds.
const (
	PreflightUnreachable    = "unreachable"
	PreflightNotLive        = "not_live"
	PreflightNotReady       = "not_ready"
	PreflightUnknownModel   = "unknown_model"
	PreflightRequestRefused = "request_refused"
	PreflightBadResponse    = "bad_response"
)

// PreflightError says why a target cannot be measured. Kind is one of the
// Preflight* constants.
type PreflightError struct {
	Kind string
	Err  error
}

var preflightAdvice = map[string]string{
	PreflightUnreachable:    "check --target, that the server is running, and --cacert/--insecure for https",
	PreflightNotLive:        "the server answers but is not live; check that it is a KServe v2 (Open Inference Protocol) server and look at its logs",
	PreflightNotReady:       "wait until the server and model are loaded, then run again",
	PreflightUnknownModel:   "check --model: it must be the model's name as the server knows it",
	PreflightRequestRefused: "check --header (credentials), --batch and --data against what the model accepts",
	PreflightBadResponse:    "the target does not answer as a KServe v2 server should; check --target and the server's logs",
}

func (e *PreflightError) Error() string {
	advice := preflightAdvice[e.Kind]
	if advice == "" {
		return fmt.Sprintf("target check failed (%s): %v", e.Kind, e.Err)
	}
	return fmt.Sprintf("target check failed (%s): %v; %s", e.Kind, e.Err, advice)
}

func (e *PreflightError) Unwrap() error { return e.Err }

func preflightErrorf(kind, format string, args ...any) *PreflightError {
	return &PreflightError{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// PreflightBudget bounds Preflight as a whole, so it answers within 5 s even
// for a target that never answers.
const PreflightBudget = 4500 * time.Millisecond

// Preflight checks a KServe v2 target before any load: the server is live
// (/v2/health/live), the server or the model is ready (/v2/health/ready, or
// /v2/models/{model}/ready), and the model's metadata reads. It answers
// within PreflightBudget. A bad URL or options is a plain error; what is
// wrong with the target is a *PreflightError.
func Preflight(ctx context.Context, baseURL, model string, conn ConnOptions) (*ModelMetadata, error) {
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(model) == "" {
		return nil, fmt.Errorf("no model name given (--model)")
	}
	ctx, cancel := context.WithTimeout(ctx, PreflightBudget)
	defer cancel()
	tracker := newConnTracker()
	defer tracker.abort()
	client, err := newHTTPClient(conn, base.Scheme, 2, tracker)
	if err != nil {
		return nil, err
	}
	p := &prober{ctx: ctx, client: client, base: base, header: conn.Headers}
	modelPath := "/v2/models/" + url.PathEscape(model)

	// Live: anything but 200 says no; a transport failure is unreachable.
	code, body, err := p.get("/v2/health/live")
	if err != nil {
		return nil, &PreflightError{Kind: PreflightUnreachable, Err: err}
	}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, p.refusal(PreflightRequestRefused, "/v2/health/live", code, body)
	case code != http.StatusOK:
		return nil, p.refusal(PreflightNotLive, "/v2/health/live", code, body)
	}

	// Ready: the server, or at least the model.
	code, body, err = p.get("/v2/health/ready")
	if err != nil {
		return nil, &PreflightError{Kind: PreflightBadResponse, Err: err}
	}
	if code != http.StatusOK {
		if code == http.StatusUnauthorized || code == http.StatusForbidden {
			return nil, p.refusal(PreflightRequestRefused, "/v2/health/ready", code, body)
		}
		mcode, mbody, err := p.get(modelPath + "/ready")
		if err != nil {
			return nil, &PreflightError{Kind: PreflightBadResponse, Err: err}
		}
		if mcode != http.StatusOK && !isUnknownModel(mcode, mbody) {
			return nil, p.refusal(PreflightNotReady, modelPath+"/ready", mcode, mbody)
		}
	}

	// Metadata.
	code, body, err = p.get(modelPath)
	if err != nil {
		return nil, &PreflightError{Kind: PreflightBadResponse, Err: err}
	}
	switch {
	case isUnknownModel(code, body):
		return nil, preflightErrorf(PreflightUnknownModel, "the target does not serve a model named %q (GET %s: %s)",
			model, modelPath, statusAndMessage(code, body))
	case code >= 400 && code < 500:
		return nil, p.refusal(PreflightRequestRefused, modelPath, code, body)
	case code != http.StatusOK:
		return nil, p.refusal(PreflightBadResponse, modelPath, code, body)
	}
	meta, err := ParseModelMetadata(body)
	if err != nil {
		return nil, &PreflightError{Kind: PreflightBadResponse, Err: fmt.Errorf("GET %s: %w", modelPath, err)}
	}
	return meta, nil
}

// ParseModelMetadata reads a KServe v2 model metadata body.
func ParseModelMetadata(body []byte) (*ModelMetadata, error) {
	var meta ModelMetadata
	if err := json.Unmarshal(body, &meta); err != nil {
		return nil, fmt.Errorf("model metadata is not valid JSON: %w", err)
	}
	if meta.Name == "" {
		return nil, fmt.Errorf("model metadata has no name")
	}
	if len(meta.Inputs) == 0 {
		return nil, fmt.Errorf("model metadata lists no inputs")
	}
	for _, in := range meta.Inputs {
		if in.Name == "" || in.Datatype == "" {
			return nil, fmt.Errorf("model metadata: an input lacks a name or datatype")
		}
	}
	meta.Raw = append(json.RawMessage(nil), body...)
	return &meta, nil
}

// isUnknownModel recognizes "no such model" answers: 404, or a 400 whose
// message says the model is unknown or not found (Triton's way).
func isUnknownModel(code int, body []byte) bool {
	if code == http.StatusNotFound {
		return true
	}
	if code != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(serverMessage(body))
	return strings.Contains(msg, "unknown model") || strings.Contains(msg, "not found")
}

// prober runs the preflight GETs within the preflight context.
type prober struct {
	ctx    context.Context
	client *http.Client
	base   *url.URL
	header http.Header
}

// get returns the status and up to 64 KiB of body; err is a transport
// failure (no answer), already worded for a user.
func (p *prober) get(path string) (int, []byte, error) {
	u := *p.base
	u.Path = p.base.Path + path
	req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, fmt.Errorf("GET %s: %v", path, redactURLError(err))
	}
	for k, vs := range p.header {
		req.Header[k] = vs
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, transportProblem(p.ctx, "GET "+p.base.Redacted()+path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, nil, transportProblem(p.ctx, "GET "+p.base.Redacted()+path+" (reading the body)", err)
	}
	return resp.StatusCode, body, nil
}

func (p *prober) refusal(kind, path string, code int, body []byte) *PreflightError {
	return preflightErrorf(kind, "GET %s: %s", path, statusAndMessage(code, body))
}

// transportProblem words a failed request for a user, without the URL's
// credentials.
func transportProblem(ctx context.Context, what string, err error) error {
	err = redactURLError(err)
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer within %v", what, PreflightBudget)
	}
	return fmt.Errorf("%s: %v", what, err)
}

// statusAndMessage is "404 Not Found: <the server's message>".
func statusAndMessage(code int, body []byte) string {
	s := fmt.Sprintf("%d %s", code, http.StatusText(code))
	if msg := serverMessage(body); msg != "" {
		s += ": " + msg
	}
	return s
}

// serverMessage extracts a server's error message from a body: the "error"
// field of a JSON object, or the text itself, on one line, at most 300
// characters.
func serverMessage(body []byte) string {
	var obj struct {
		Error any `json:"error"`
	}
	msg := string(body)
	if json.Unmarshal(body, &obj) == nil && obj.Error != nil {
		if s, ok := obj.Error.(string); ok {
			msg = s
		} else if b, err := json.Marshal(obj.Error); err == nil {
			msg = string(b)
		}
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}
