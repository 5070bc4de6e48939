package modelserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Names and types of the served tensors (KServe v2 / Open Inference Protocol).
const (
	InputName         = "input"
	OutputProbs       = "probabilities"
	OutputLabel       = "label"
	datatypeFP32      = "FP32"
	datatypeINT64     = "INT64"
	maxReportedLength = 40 // longest piece of the request quoted back in an error
)

// InferRequest is a decoded and checked infer request.
type InferRequest struct {
	// ID is the request's "id", echoed in the response; nil when absent.
	ID *string
	// Rows is the batch size N of the input of shape [N, 64].
	Rows int
	// Pixels holds Rows*InputWidth values, row-major, each in [0, PixelMax].
	Pixels []float32
	// Outputs lists the outputs asked for, in the order asked; empty means
	// all of them.
	Outputs []string
}

// RequestError is a request the server refuses (HTTP 400); its message says
// what is wrong with it.
type RequestError struct{ Msg string }

func (e *RequestError) Error() string { return e.Msg }

func badRequest(format string, args ...any) error {
	return &RequestError{Msg: fmt.Sprintf(format, args...)}
}

// inferRequestJSON is the wire form of a v2 infer request. Unknown keys
// (request and tensor "parameters" among them) are ignored, as the
// protocol allows.
type inferRequestJSON struct {
	ID     *string `json:"id"`
	Inputs []struct {
		Name     string          `json:"name"`
		Shape    []int64         `json:"shape"`
		Datatype string          `json:"datatype"`
		Data     json.RawMessage `json:"data"`
	} `json:"inputs"`
	Outputs []struct {
		Name string `json:"name"`
	} `json:"outputs"`
}

// DecodeInferRequest parses and checks a v2 infer request body. Every
// refusal is a *RequestError naming the problem: malformed JSON, a wrong
// input name, datatype or shape, N < 1, a data length that does not match
// the shape, a value that is not a finite FP32 number or lies outside the
// pixel range 0..16, or an unknown output. Data may be flat (row-major) or
// nested as [N][64], both legal in the protocol.
func DecodeInferRequest(body []byte) (*InferRequest, error) {
	var wire inferRequestJSON
	if err := json.Unmarshal(body, &wire); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return nil, badRequest("malformed infer request: want a JSON object with \"inputs\", got a JSON %s", typeErr.Value)
			}
			return nil, badRequest("malformed infer request: field %q cannot hold a JSON %s", typeErr.Field, typeErr.Value)
		}
		return nil, badRequest("malformed infer request JSON: %v", err)
	}
	if len(wire.Inputs) != 1 {
		return nil, badRequest("request has %d inputs; this model takes exactly one, %q (FP32, shape [N,%d])", len(wire.Inputs), InputName, InputWidth)
	}
	in := wire.Inputs[0]
	if in.Name != InputName {
		return nil, badRequest("unknown input %q; this model takes %q", clip(in.Name), InputName)
	}
	if in.Datatype != datatypeFP32 {
		return nil, badRequest("input %q has datatype %q; want %s", InputName, clip(in.Datatype), datatypeFP32)
	}
	if len(in.Shape) != 2 || in.Shape[1] != InputWidth {
		return nil, badRequest("input %q has shape %s; want [N,%d]", InputName, clip(fmt.Sprint(in.Shape)), InputWidth)
	}
	if in.Shape[0] < 1 {
		return nil, badRequest("input %q has batch size N = %d; want N >= 1", InputName, in.Shape[0])
	}
	if len(in.Data) == 0 || string(in.Data) == "null" {
		return nil, badRequest("input %q has no data", InputName)
	}
	pixels, err := parseTensorData(in.Data, InputWidth)
	if err != nil {
		return nil, err
	}
	rows := in.Shape[0]
	if rows > int64(len(pixels)) || int(rows)*InputWidth != len(pixels) {
		need := "N x 64"
		if rows <= math.MaxInt64/InputWidth {
			need = strconv.FormatInt(rows*InputWidth, 10)
		}
		return nil, badRequest("input %q has shape [%d,%d], which needs %s values, but its data holds %d", InputName, rows, InputWidth, need, len(pixels))
	}
	req := &InferRequest{ID: wire.ID, Rows: int(rows), Pixels: pixels}
	for _, o := range wire.Outputs {
		if o.Name != OutputProbs && o.Name != OutputLabel {
			return nil, badRequest("unknown output %q; this model has %q and %q", clip(o.Name), OutputProbs, OutputLabel)
		}
		if slices.Contains(req.Outputs, o.Name) {
			return nil, badRequest("output %q is asked for twice", o.Name)
		}
		req.Outputs = append(req.Outputs, o.Name)
	}
	return req, nil
}

// clip shortens a piece of the request quoted back in an error message.
func clip(s string) string {
	if len(s) > maxReportedLength {
		return s[:maxReportedLength] + "..."
	}
	return s
}

// parseTensorData reads the "data" array: either flat numbers or arrays of
// exactly rowWidth numbers each. It refuses strings, booleans, nulls,
// objects, deeper nesting, a mix of the two forms, values that overflow
// FP32 and values outside [0, PixelMax]. It is a small scanner rather than
// encoding/json because a request carries thousands of numbers and this is
// the server's hot path; json.Unmarshal has already checked the syntax.
func parseTensorData(raw []byte, rowWidth int) ([]float32, error) {
	s := &dataScanner{b: raw}
	s.skipSpace()
	if !s.consume('[') {
		return nil, badRequest("input %q: data must be a JSON array of numbers, flat or [N][%d]", InputName, rowWidth)
	}
	out := make([]float32, 0, min(len(raw)/2+1, 1<<20))
	nested := -1 // unknown until the first element: 0 = flat, 1 = nested rows
	for first := true; ; first = false {
		s.skipSpace()
		if s.consume(']') {
			if first {
				return nil, badRequest("input %q: data is empty", InputName)
			}
			break
		}
		if !first {
			if !s.consume(',') {
				return nil, s.syntaxError()
			}
			s.skipSpace()
		}
		isRow := s.peek() == '['
		switch {
		case nested == -1 && isRow:
			nested = 1
		case nested == -1:
			nested = 0
		case (nested == 1) != isRow:
			return nil, badRequest("input %q: data mixes numbers and arrays at its top level; use flat numbers or [N][%d] rows", InputName, rowWidth)
		}
		if !isRow {
			v, err := s.number(len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		row := len(out) / rowWidth
		s.consume('[')
		start := len(out)
		for firstInRow := true; ; firstInRow = false {
			s.skipSpace()
			if s.consume(']') {
				break
			}
			if !firstInRow {
				if !s.consume(',') {
					return nil, s.syntaxError()
				}
				s.skipSpace()
			}
			if s.peek() == '[' {
				return nil, badRequest("input %q: data is nested deeper than [N][%d]", InputName, rowWidth)
			}
			v, err := s.number(len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if got := len(out) - start; got != rowWidth {
			return nil, badRequest("input %q: data row %d has %d values; want %d", InputName, row, got, rowWidth)
		}
	}
	if s.skipSpace(); s.pos != len(s.b) {
		return nil, s.syntaxError()
	}
	return out, nil
}

// dataScanner walks the bytes of one JSON array.
type dataScanner struct {
	b   []byte
	pos int
}

func (s *dataScanner) skipSpace() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *dataScanner) peek() byte {
	if s.pos < len(s.b) {
		return s.b[s.pos]
	}
	return 0
}

func (s *dataScanner) consume(c byte) bool {
	if s.peek() == c {
		s.pos++
		return true
	}
	return false
}

func (s *dataScanner) syntaxError() error {
	return badRequest("input %q: malformed data array at byte %d", InputName, s.pos)
}

// number reads one JSON number, the index-th value of the tensor, and checks
// that it is a finite FP32 value in the pixel range.
func (s *dataScanner) number(index int) (float32, error) {
	start := s.pos
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.pos++
			continue
		}
		break
	}
	tok := s.b[start:s.pos]
	if len(tok) == 0 {
		return 0, badRequest("input %q: data value %d is %s, not a number (FP32 data must be JSON numbers; NaN and infinities are refused)", InputName, index, describeJSONValue(s.b[start:]))
	}
	v, err := strconv.ParseFloat(string(tok), 32)
	if err != nil {
		return 0, badRequest("input %q: data value %d = %s is not a finite FP32 number", InputName, index, clip(string(tok)))
	}
	if v < 0 || v > PixelMax {
		return 0, badRequest("input %q: data value %d = %s is outside the pixel range 0..%d", InputName, index, clip(string(tok)), PixelMax)
	}
	return float32(v), nil
}

// describeJSONValue names the kind of JSON value that starts b, for errors.
func describeJSONValue(b []byte) string {
	switch {
	case len(b) == 0:
		return "missing"
	case b[0] == '"':
		end := bytes.IndexByte(b[1:], '"')
		if end < 0 || end > maxReportedLength {
			return "a string"
		}
		return "the string " + string(b[:end+2])
	case b[0] == '{':
		return "an object"
	case bytes.HasPrefix(b, []byte("true")), bytes.HasPrefix(b, []byte("false")):
		return "a boolean"
	case bytes.HasPrefix(b, []byte("null")):
		return "null"
	}
	return "not a number"
}
