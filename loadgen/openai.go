package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/infercost/infercost/result"
)

// OpenAI APIs (OpenAIOptions.API).
const (
	APIChat        = "chat"
	APICompletions = "completions"
)

// OpenAIOptions configure the OpenAI-compatible adapter.
type OpenAIOptions struct {
	// Model is the served model's id, as GET /v1/models lists it.
	Model string
	// API is APIChat (POST /v1/chat/completions, the default) or
	// APICompletions (POST /v1/completions).
	API string
	// PromptTokens and OutputTokens plan synthetic prompts (and the output
	// length of data rows that do not give one).
	PromptTokens, OutputTokens result.TokenDist
	// DataFile holds prompts instead: JSONL ({"prompt": ...} or
	// {"messages": [...]}, each with an optional "output_tokens") or a
	// ShareGPT JSON file.
	DataFile string
	// Prompts is the size of the synthetic pool (default 256).
	Prompts int
	Seed    int64
	// ForceOutputLength sends ignore_eos and min_tokens with max_tokens, so
	// servers that accept them (vLLM, SGLang) generate the asked length.
	// They are dropped when the server refuses them.
	ForceOutputLength bool
}

// DefaultPrompts is the size of the synthetic prompt pool.
const DefaultPrompts = 256

// NewOpenAI is the OpenAI-compatible streaming adapter: vLLM, SGLang, TGI,
// llama.cpp's server, Triton's OpenAI frontend, Ollama and infercost's own
// language model speak it. Every request streams (stream: true, with
// stream_options.include_usage); its work is the output tokens it carried.
func NewOpenAI(o OpenAIOptions) Protocol {
	if o.API == "" {
		o.API = APIChat
	}
	if o.Prompts <= 0 {
		o.Prompts = DefaultPrompts
	}
	return &openaiProtocol{o: o}
}

type openaiProtocol struct{ o OpenAIOptions }

func (p *openaiProtocol) Name() string { return result.ProtocolOpenAI }

// Preflight reads GET /v1/models and refuses a model the server does not
// list (naming those it does), then calibrates the prompt plan against the
// server's own token counts (calibrate) with two short streamed requests,
// which also prove that streaming works.
func (p *openaiProtocol) Preflight(ctx context.Context, baseURL string, conn ConnOptions) (Target, error) {
	o := p.o
	if o.API != APIChat && o.API != APICompletions {
		return nil, fmt.Errorf("unknown --api %q (chat or completions)", o.API)
	}
	if strings.TrimSpace(o.Model) == "" {
		return nil, fmt.Errorf("no model name given (--model): the id GET /v1/models lists")
	}
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, PreflightBudget)
	defer cancel()
	meta, err := p.readModels(ctx, base, conn)
	if err != nil {
		return nil, err
	}
	t := &openaiTarget{o: o, base: base, meta: meta}
	if err := t.calibrate(ctx, conn); err != nil {
		return nil, err
	}
	return t, nil
}

// readModels checks that the server lists the model and returns its entry.
func (p *openaiProtocol) readModels(ctx context.Context, base *url.URL, conn ConnOptions) (json.RawMessage, error) {
	tracker := newConnTracker()
	defer tracker.abort()
	client, err := newHTTPClient(conn, base.Scheme, 2, tracker)
	if err != nil {
		return nil, err
	}
	pr := &prober{ctx: ctx, client: client, base: base, header: conn.Headers}
	code, body, err := pr.get("/v1/models")
	if err != nil {
		return nil, &PreflightError{Kind: PreflightUnreachable, Err: err}
	}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, pr.refusal(PreflightRequestRefused, "/v1/models", code, body)
	case code == http.StatusNotFound:
		return nil, preflightErrorf(PreflightBadResponse, "GET /v1/models: %s: the target does not serve the OpenAI API (a KServe v2 server? then use --protocol kserve)", statusAndMessage(code, body))
	case code != http.StatusOK:
		return nil, pr.refusal(PreflightBadResponse, "/v1/models", code, body)
	}
	var list struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, preflightErrorf(PreflightBadResponse, "GET /v1/models: not an OpenAI model list: %v", err)
	}
	var ids []string
	for _, raw := range list.Data {
		var m struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		if m.ID == p.o.Model {
			return raw, nil
		}
		ids = append(ids, m.ID)
	}
	sort.Strings(ids)
	served := "none"
	if len(ids) > 0 {
		served = quoteList(ids)
	}
	return nil, preflightErrorf(PreflightUnknownModel, "the target does not serve a model named %q (GET /v1/models lists: %s)", p.o.Model, served)
}

// openaiTarget is an OpenAI-compatible model that passed preflight.
type openaiTarget struct {
	o    OpenAIOptions
	base *url.URL
	meta json.RawMessage
	// tok converts words to the server's tokens (calibrate).
	tok tokenizerFit
	// prompts is the pool, built once (LLM requests carry one prompt each,
	// whatever the batch size asked); format is its file's format ("" for
	// synthetic prompts, "jsonl" or "sharegpt").
	prompts []promptSpec
	format  string
}

func (t *openaiTarget) Metadata() json.RawMessage { return t.meta }

func (t *openaiTarget) path() string {
	if t.o.API == APICompletions {
		return "/v1/completions"
	}
	return "/v1/chat/completions"
}

// Workload builds the streamed requests. batch must be 1: an LLM server
// batches on its own (continuously), so its load knob is concurrency.
func (t *openaiTarget) Workload(batch int) (*Workload, error) {
	if batch != 1 {
		return nil, fmt.Errorf("--batch %d: an OpenAI-compatible endpoint takes one prompt per request (it batches continuously on its own); vary --concurrency instead", batch)
	}
	if t.prompts == nil {
		ps, err := t.promptPool()
		if err != nil {
			return nil, err
		}
		t.prompts = ps
	}
	return t.workload(t.prompts, t.o.ForceOutputLength), nil
}

// workload encodes the requests of a prompt pool.
func (t *openaiTarget) workload(prompts []promptSpec, force bool) *Workload {
	u := *t.base
	u.Path = t.base.Path + t.path()
	bodies := make([][]byte, len(prompts))
	estimates := make([]int64, len(prompts))
	for i, p := range prompts {
		bodies[i] = t.encode(p, force)
		estimates[i] = p.estimatedTokens
	}
	return &Workload{
		method:  http.MethodPost,
		url:     u.String(),
		header:  http.Header{"Content-Type": {"application/json"}, "Accept": {"text/event-stream"}},
		bodies:  bodies,
		batch:   1,
		maxBody: maxDigestBytes,
		judge:   &openaiJudge{estimates: estimates},
		stream:  true,
		unit:    result.UnitOutputToken,
	}
}

// encode writes one request body.
func (t *openaiTarget) encode(p promptSpec, force bool) []byte {
	req := map[string]any{
		"model":          t.o.Model,
		"max_tokens":     p.outputTokens,
		"stream":         true,
		"stream_options": map[string]any{"include_usage": true},
	}
	if force {
		req["ignore_eos"] = true
		req["min_tokens"] = p.outputTokens
	}
	if t.o.API == APICompletions {
		req["prompt"] = p.text
	} else if p.messages != nil {
		req["messages"] = p.messages
	} else {
		req["messages"] = []map[string]string{{"role": "user", "content": p.text}}
	}
	b, _ := json.Marshal(req) // maps of strings and numbers always encode
	return b
}

func (t *openaiTarget) Record(spec *result.Spec) {
	spec.Protocol = result.ProtocolOpenAI
	llm := &result.LLMSpec{API: t.o.API, PromptTokens: t.o.PromptTokens, OutputTokens: t.o.OutputTokens,
		DataFormat: t.format, Prompts: len(t.prompts), ForceOutputLength: t.o.ForceOutputLength,
		TokensPerWord: t.tok.perWord, PromptOverheadTokens: t.tok.overhead, TokenizerCalibrated: t.tok.calibrated}
	spec.LLM = llm
}

// openaiJudge reads stream digests.
type openaiJudge struct {
	// estimates are each prompt's estimated token count, used when the
	// server sent no usage.
	estimates []int64
}

func (j *openaiJudge) judge(body []byte) verdict {
	d, err := decodeDigest(body)
	if err != nil {
		return verdict{kind: result.ErrBadBody, detail: "the response was not read as a stream"}
	}
	v := verdict{kind: d.kind, detail: d.detail, stream: true, bytesIn: d.bytesIn, chunks: d.chunks, usage: d.usage,
		inputTokens: d.inputTokens, outputTokens: d.outputTokens}
	if !d.usage {
		v.outputTokens = d.chunkCount
		if d.index >= 0 && int(d.index) < len(j.estimates) {
			v.inputTokens = j.estimates[d.index]
		}
	}
	return v
}
