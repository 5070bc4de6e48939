package modelserver

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// request builds an infer request body around one input's fields.
func request(name, datatype, shape, data string) string {
	return fmt.Sprintf(`{"inputs":[{"name":%q,"shape":%s,"datatype":%q,"data":%s}]}`, name, shape, datatype, data)
}

// values writes n comma-separated copies of v.
func values(n int, v string) string {
	return strings.TrimSuffix(strings.Repeat(v+",", n), ",")
}

func TestDecodeInferRequestAccepts(t *testing.T) {
	row := func(v string) string { return "[" + values(InputWidth, v) + "]" }
	id := "req-7"
	for _, tc := range []struct {
		name    string
		body    string
		rows    int
		first   float32
		id      *string
		outputs []string
	}{
		{"flat one row", request("input", "FP32", "[1,64]", "["+values(64, "3")+"]"), 1, 3, nil, nil},
		{"flat two rows", request("input", "FP32", "[2,64]", "["+values(128, "16")+"]"), 2, 16, nil, nil},
		{"nested", request("input", "FP32", "[2,64]", "["+row("0.5")+","+row("1")+"]"), 2, 0.5, nil, nil},
		{"whitespace and exponents", request("input", "FP32", "[1,64]", "[ 1e1 ,\n"+values(63, " 0.0E+0 ")+" ]"), 1, 10, nil, nil},
		{"id and outputs", `{"id":"req-7","inputs":[{"name":"input","shape":[1,64],"datatype":"FP32","data":[` + values(64, "2") +
			`],"parameters":{"x":1}}],"outputs":[{"name":"label"}],"parameters":{"y":2}}`, 1, 2, &id, []string{"label"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := DecodeInferRequest([]byte(tc.body))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if req.Rows != tc.rows || len(req.Pixels) != tc.rows*InputWidth || req.Pixels[0] != tc.first {
				t.Errorf("rows %d, %d pixels, first %g; want %d rows, first %g", req.Rows, len(req.Pixels), req.Pixels[0], tc.rows, tc.first)
			}
			if (req.ID == nil) != (tc.id == nil) || (req.ID != nil && *req.ID != *tc.id) {
				t.Errorf("id %v, want %v", req.ID, tc.id)
			}
			if !slices.Equal(req.Outputs, tc.outputs) {
				t.Errorf("outputs %v, want %v", req.Outputs, tc.outputs)
			}
		})
	}
}

// badInferRequests are refused, each with a message naming the problem.
// The HTTP tests send the same table and expect 400 with the same message.
var badInferRequests = []struct {
	name, body, want string
}{
	{"not JSON", `{"inputs":`, "malformed infer request JSON"},
	{"JSON array", `[1,2]`, `want a JSON object with "inputs", got a JSON array`},
	{"empty body", ``, "malformed infer request JSON"},
	{"no inputs", `{"inputs":[]}`, "request has 0 inputs"},
	{"two inputs", `{"inputs":[{"name":"input"},{"name":"input"}]}`, "request has 2 inputs"},
	{"wrong name", request("pixels", "FP32", "[1,64]", "["+values(64, "1")+"]"), `unknown input "pixels"`},
	{"wrong datatype", request("input", "FP64", "[1,64]", "["+values(64, "1")+"]"), `datatype "FP64"; want FP32`},
	{"shape one dim", request("input", "FP32", "[64]", "["+values(64, "1")+"]"), "shape [64]; want [N,64]"},
	{"shape wrong width", request("input", "FP32", "[1,63]", "["+values(63, "1")+"]"), "shape [1 63]; want [N,64]"},
	{"shape not integers", request("input", "FP32", "[1.5,64]", "["+values(64, "1")+"]"), `field "inputs.shape" cannot hold a JSON number`},
	{"N zero", request("input", "FP32", "[0,64]", "[]"), "batch size N = 0; want N >= 1"},
	{"N negative", request("input", "FP32", "[-1,64]", "["+values(64, "1")+"]"), "batch size N = -1"},
	{"no data", `{"inputs":[{"name":"input","shape":[1,64],"datatype":"FP32"}]}`, "has no data"},
	{"data null", request("input", "FP32", "[1,64]", "null"), "has no data"},
	{"data not array", request("input", "FP32", "[1,64]", "7"), "data must be a JSON array"},
	{"data empty", request("input", "FP32", "[1,64]", "[]"), "data is empty"},
	{"too few values", request("input", "FP32", "[2,64]", "["+values(64, "1")+"]"), "shape [2,64], which needs 128 values, but its data holds 64"},
	{"too many values", request("input", "FP32", "[1,64]", "["+values(65, "1")+"]"), "which needs 64 values, but its data holds 65"},
	{"huge N", request("input", "FP32", "[9223372036854775807,64]", "["+values(64, "1")+"]"), "[9223372036854775807,64], which needs N x 64 values, but its data holds 64"},
	{"NaN string", request("input", "FP32", "[1,64]", `["NaN",`+values(63, "1")+"]"), `data value 0 is the string "NaN", not a number`},
	{"Infinity string", request("input", "FP32", "[1,64]", "["+values(63, "1")+`,"Infinity"]`), `data value 63 is the string "Infinity"`},
	{"overflow", request("input", "FP32", "[1,64]", "[1e39,"+values(63, "1")+"]"), "data value 0 = 1e39 is not a finite FP32 number"},
	{"huge exponent", request("input", "FP32", "[1,64]", "["+values(10, "1")+",1e999999,"+values(53, "1")+"]"), "data value 10 = 1e999999 is not a finite FP32 number"},
	{"negative pixel", request("input", "FP32", "[1,64]", "[-1,"+values(63, "1")+"]"), "data value 0 = -1 is outside the pixel range 0..16"},
	{"pixel too big", request("input", "FP32", "[1,64]", "[17,"+values(63, "1")+"]"), "outside the pixel range"},
	{"bool", request("input", "FP32", "[1,64]", "[true,"+values(63, "1")+"]"), "data value 0 is a boolean"},
	{"null value", request("input", "FP32", "[1,64]", "[null,"+values(63, "1")+"]"), "data value 0 is null"},
	{"object value", request("input", "FP32", "[1,64]", `[{"a":1},`+values(63, "1")+"]"), "data value 0 is an object"},
	{"mixed nesting", request("input", "FP32", "[2,64]", "["+values(64, "1")+",["+values(64, "1")+"]]"), "mixes numbers and arrays"},
	{"short nested row", request("input", "FP32", "[2,64]", "[["+values(64, "1")+"],["+values(63, "1")+"]]"), "data row 1 has 63 values; want 64"},
	{"too deep", request("input", "FP32", "[1,64]", "[[["+values(64, "1")+"]]]"), "nested deeper than [N][64]"},
	{"unknown output", `{"inputs":[{"name":"input","shape":[1,64],"datatype":"FP32","data":[` + values(64, "1") + `]}],"outputs":[{"name":"logits"}]}`, `unknown output "logits"`},
	{"output twice", `{"inputs":[{"name":"input","shape":[1,64],"datatype":"FP32","data":[` + values(64, "1") + `]}],"outputs":[{"name":"label"},{"name":"label"}]}`, `output "label" is asked for twice`},
	{"id not a string", `{"id":5,"inputs":[]}`, `field "id" cannot hold a JSON number`},
}

func TestDecodeInferRequestRefuses(t *testing.T) {
	for _, tc := range badInferRequests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := DecodeInferRequest([]byte(tc.body))
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("got %+v, %v; want a *RequestError", req, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}
