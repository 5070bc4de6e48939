package loadgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// maxElementsPerBody bounds one request's tensor elements, so a metadata
// typo cannot allocate gigabytes.
const maxElementsPerBody = 1 << 27

// datatypes are the KServe v2 tensor datatypes: kind is how their values
// are written in JSON, bits the integer width.
var datatypes = map[string]struct {
	kind string // "bool", "int", "uint", "float", "bytes"
	bits int
}{
	"BOOL": {"bool", 0}, "BYTES": {"bytes", 0},
	"INT8": {"int", 8}, "INT16": {"int", 16}, "INT32": {"int", 32}, "INT64": {"int", 64},
	"UINT8": {"uint", 8}, "UINT16": {"uint", 16}, "UINT32": {"uint", 32}, "UINT64": {"uint", 64},
	"FP16": {"float", 0}, "BF16": {"float", 0}, "FP32": {"float", 0}, "FP64": {"float", 0},
}

// inputSpec is one model input as a request will carry it.
type inputSpec struct {
	name     string
	datatype string
	kind     string
	bits     int
	// batched: the first dimension is the batch dimension (declared -1, or
	// fixed and equal to --batch). Otherwise the declared shape is sent
	// whole, as one example (only with --batch 1).
	batched bool
	// exampleDims are the dimensions of one example (the shape without the
	// batch dimension when batched); varDim indexes a -1 among them, or -1.
	exampleDims []int64
	varDim      int
	// fixedElems is the product of exampleDims except varDim.
	fixedElems int64
}

// planInputs turns the metadata's inputs into request plans for --batch N.
func planInputs(meta *ModelMetadata, batch int) ([]inputSpec, error) {
	if len(meta.Inputs) == 0 {
		return nil, fmt.Errorf("model %q lists no inputs", meta.Name)
	}
	specs := make([]inputSpec, 0, len(meta.Inputs))
	seen := map[string]bool{}
	for _, in := range meta.Inputs {
		if seen[in.Name] {
			return nil, fmt.Errorf("model %q lists input %q twice", meta.Name, in.Name)
		}
		seen[in.Name] = true
		dt, ok := datatypes[in.Datatype]
		if !ok {
			return nil, fmt.Errorf("input %q: unknown datatype %q", in.Name, in.Datatype)
		}
		sp := inputSpec{name: in.Name, datatype: in.Datatype, kind: dt.kind, bits: dt.bits, varDim: -1}
		dims := in.Shape
		switch {
		case len(dims) > 0 && dims[0] == -1:
			sp.batched, dims = true, dims[1:]
		case len(dims) > 0 && dims[0] > 0 && int64(batch) == dims[0]:
			sp.batched, dims = true, dims[1:]
		case batch == 1:
			// A fixed shape sent as declared: one request, one example.
		case len(dims) == 0:
			return nil, fmt.Errorf("input %q is a scalar with no batch dimension: only --batch 1 fits", in.Name)
		default:
			return nil, fmt.Errorf("input %q has the fixed shape %v (no variable batch dimension): --batch %d does not fit; use --batch %d, or --batch 1",
				in.Name, in.Shape, batch, dims[0])
		}
		sp.exampleDims = append([]int64(nil), dims...)
		sp.fixedElems = 1
		for k, d := range dims {
			switch {
			case d == -1 && sp.varDim >= 0:
				return nil, fmt.Errorf("input %q has more than one variable dimension besides the batch (shape %v); infercost cannot size it", in.Name, in.Shape)
			case d == -1:
				sp.varDim = k
			case d <= 0:
				return nil, fmt.Errorf("input %q: dimension %d in shape %v is not a size", in.Name, d, in.Shape)
			default:
				if sp.fixedElems > maxElementsPerBody/d {
					return nil, fmt.Errorf("input %q: shape %v is too large (over %d elements)", in.Name, in.Shape, maxElementsPerBody)
				}
				sp.fixedElems *= d
			}
		}
		if sp.fixedElems*int64(batch) > maxElementsPerBody {
			return nil, fmt.Errorf("input %q: shape %v at --batch %d is too large (over %d elements)", in.Name, in.Shape, batch, maxElementsPerBody)
		}
		specs = append(specs, sp)
	}
	return specs, nil
}

// requestShape is the shape of a request carrying n examples whose variable
// dimension (if any) is varSize.
func (sp *inputSpec) requestShape(n int, varSize int64) []int64 {
	shape := make([]int64, 0, len(sp.exampleDims)+1)
	if sp.batched {
		shape = append(shape, int64(n))
	}
	for k, d := range sp.exampleDims {
		if k == sp.varDim {
			d = varSize
		}
		shape = append(shape, d)
	}
	return shape
}

// tensorJSON is one input of an inference request, its data already
// encoded as comma-separated JSON values.
type tensorJSON struct {
	spec  *inputSpec
	shape []int64
	data  []byte
}

// encodeInferRequest writes a KServe v2 inference request body.
func encodeInferRequest(tensors []tensorJSON) []byte {
	size := 16
	for _, t := range tensors {
		size += len(t.data) + len(t.spec.name) + 64 + 12*len(t.shape)
	}
	b := make([]byte, 0, size)
	b = append(b, `{"inputs":[`...)
	for i, t := range tensors {
		if i > 0 {
			b = append(b, ',')
		}
		name, _ := json.Marshal(t.spec.name)
		b = append(b, `{"name":`...)
		b = append(b, name...)
		b = append(b, `,"shape":[`...)
		for k, d := range t.shape {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, d, 10)
		}
		b = append(b, `],"datatype":"`...)
		b = append(b, t.spec.datatype...)
		b = append(b, `","data":[`...)
		b = append(b, t.data...)
		b = append(b, "]}"...)
	}
	return append(b, "]}"...)
}

// synthValues appends n random values of the spec's datatype, comma
// separated: integers in [0, 64) (valid for every integer type), floats in
// [0, 1), random booleans, 8-letter strings.
func synthValues(b []byte, sp *inputSpec, n int64, rng *rand.Rand) []byte {
	for i := int64(0); i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		switch sp.kind {
		case "bool":
			b = strconv.AppendBool(b, rng.IntN(2) == 1)
		case "int", "uint":
			b = strconv.AppendInt(b, int64(rng.IntN(64)), 10)
		case "float":
			b = strconv.AppendFloat(b, float64(rng.Float32()), 'g', -1, 32)
		case "bytes":
			b = append(b, '"')
			for j := 0; j < 8; j++ {
				b = append(b, byte('a'+rng.IntN(26)))
			}
			b = append(b, '"')
		}
	}
	return b
}

// maxSynthPoolBytes bounds the pool of synthesized bodies; the pool holds
// up to maxSynthBodies distinct bodies within it.
const (
	maxSynthPoolBytes = 64 << 20
	maxSynthBodies    = 8
)

// synthBodies builds the body pool from the metadata alone, seeded.
func synthBodies(specs []inputSpec, batch int, seed int64) ([][]byte, error) {
	for i := range specs {
		if specs[i].varDim >= 0 {
			return nil, fmt.Errorf("input %q has a variable dimension besides the batch (shape %v): give example data with --data",
				specs[i].name, specs[i].requestShape(batch, -1))
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x1f83d9abfb41bd6b))
	var pool [][]byte
	for len(pool) < maxSynthBodies {
		tensors := make([]tensorJSON, len(specs))
		for i := range specs {
			sp := &specs[i]
			n := sp.fixedElems
			if sp.batched {
				n *= int64(batch)
			}
			tensors[i] = tensorJSON{spec: sp, shape: sp.requestShape(batch, 0), data: synthValues(nil, sp, n, rng)}
		}
		body := encodeInferRequest(tensors)
		pool = append(pool, body)
		if len(body)*(len(pool)+1) > maxSynthPoolBytes {
			break
		}
	}
	return pool, nil
}
