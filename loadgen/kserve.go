package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/infercost/infercost/result"
)

// KServeOptions configure the KServe v2 adapter.
type KServeOptions struct {
	// Model is the served model's name.
	Model string
	// DataFile is a JSONL file of examples ("" synthesizes inputs from the
	// model's metadata).
	DataFile string
	// Seed fixes synthesized inputs.
	Seed int64
}

// NewKServe is the KServe v2 / Open Inference Protocol adapter (HTTP/JSON):
// Triton, KServe, Seldon MLServer, TorchServe's v2 API and infercost's own
// digits server speak it. A request carries batch inputs; its work is batch
// inferences.
func NewKServe(o KServeOptions) Protocol { return &kserveProtocol{o: o} }

type kserveProtocol struct{ o KServeOptions }

func (p *kserveProtocol) Name() string { return result.ProtocolKServe }

func (p *kserveProtocol) Preflight(ctx context.Context, baseURL string, conn ConnOptions) (Target, error) {
	meta, err := Preflight(ctx, baseURL, p.o.Model, conn)
	if err != nil {
		return nil, err
	}
	return &kserveTarget{base: baseURL, meta: meta, o: p.o}, nil
}

// kserveTarget is a KServe v2 model that passed preflight.
type kserveTarget struct {
	base string
	meta *ModelMetadata
	o    KServeOptions
}

func (t *kserveTarget) Metadata() json.RawMessage { return t.meta.Raw }

func (t *kserveTarget) Workload(batch int) (*Workload, error) {
	return NewKServeWorkload(t.base, t.meta, batch, t.o.DataFile, t.o.Seed)
}

func (t *kserveTarget) Record(spec *result.Spec) {
	spec.Protocol, spec.LLM = result.ProtocolKServe, nil
}

// DataError is a --data file that cannot be used (missing, unreadable,
// malformed, not matching the model): bad input, not a failure of the
// target.
type DataError struct{ Err error }

func (e *DataError) Error() string { return e.Err.Error() }
func (e *DataError) Unwrap() error { return e.Err }

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
	kj := &kserveJudge{maxBody: MaxKServeResponseBytes}
	w := &Workload{
		method:  http.MethodPost,
		url:     u.String(),
		header:  http.Header{"Content-Type": {"application/json"}},
		bodies:  bodies,
		batch:   batch,
		maxBody: MaxKServeResponseBytes,
		judge:   kj,
		unit:    result.UnitInference,
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
		kj.outputs = append(kj.outputs, oc)
	}
	return w, nil
}

func readDataFile(path string, specs []inputSpec, batch int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &DataError{Err: fmt.Errorf("--data: %w", err)}
	}
	defer f.Close()
	examples, err := readExamples(f, path, specs)
	if err != nil {
		return nil, &DataError{Err: err}
	}
	bodies, err := dataBodies(examples, specs, batch, path)
	if err != nil {
		return nil, &DataError{Err: err}
	}
	return bodies, nil
}

// outputCheck is one declared output a response must hold; dim0 is the
// first dimension it must have, or -1 for no check.
type outputCheck struct {
	name string
	dim0 int64
}

// kserveJudge validates KServe v2 inference responses: 2xx JSON holding
// every declared output, its batch dimension the request's.
type kserveJudge struct {
	maxBody int64
	outputs []outputCheck
}

func (k *kserveJudge) judge(body []byte) verdict {
	if err := k.check(body); err != nil {
		return verdict{kind: result.ErrBadBody, detail: err.Error()}
	}
	return verdict{}
}

// check says what is wrong with a 2xx response body; nil means success.
func (k *kserveJudge) check(body []byte) error {
	if int64(len(body)) > k.maxBody {
		return fmt.Errorf("response larger than %d bytes", k.maxBody)
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
	for _, want := range k.outputs {
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
