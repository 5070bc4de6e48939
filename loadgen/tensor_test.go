package loadgen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type decodedInput struct {
	Name     string `json:"name"`
	Shape    []int64
	Datatype string
	Data     []any
}

func decodeBody(t *testing.T, body []byte) map[string]decodedInput {
	t.Helper()
	var req struct{ Inputs []decodedInput }
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("body is not JSON: %v\n%.300s", err, body)
	}
	out := map[string]decodedInput{}
	for _, in := range req.Inputs {
		out[in.Name] = in
	}
	return out
}

func modelWith(inputs ...TensorMetadata) *ModelMetadata {
	return &ModelMetadata{Name: "m", Inputs: inputs, Outputs: []TensorMetadata{{Name: "y", Datatype: "FP32", Shape: []int64{-1, 1}}}}
}

func TestSynthesizedInputsHaveTheRightSize(t *testing.T) {
	meta := modelWith(
		TensorMetadata{Name: "pixels", Datatype: "FP32", Shape: []int64{-1, 3, 8, 8}},
		TensorMetadata{Name: "ids", Datatype: "INT64", Shape: []int64{-1, 5}},
		TensorMetadata{Name: "mask", Datatype: "BOOL", Shape: []int64{-1, 2}},
		TensorMetadata{Name: "text", Datatype: "BYTES", Shape: []int64{-1, 1}},
		TensorMetadata{Name: "u8", Datatype: "UINT8", Shape: []int64{-1, 4}},
	)
	w, err := NewKServeWorkload("http://127.0.0.1:8000/", meta, 4, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if w.URL() != "http://127.0.0.1:8000/v2/models/m/infer" || w.BatchSize() != 4 {
		t.Errorf("URL %s batch %d", w.URL(), w.BatchSize())
	}
	if w.PoolSize() < 2 {
		t.Errorf("pool of %d bodies, want several distinct ones", w.PoolSize())
	}
	in := decodeBody(t, w.bodies[0])
	for _, c := range []struct {
		name  string
		shape []int64
		check func(v any) bool
	}{
		{"pixels", []int64{4, 3, 8, 8}, func(v any) bool { f, err := v.(json.Number).Float64(); return err == nil && f >= 0 && f < 1 }},
		{"ids", []int64{4, 5}, func(v any) bool { _, err := v.(json.Number).Int64(); return err == nil }},
		{"mask", []int64{4, 2}, func(v any) bool { _, ok := v.(bool); return ok }},
		{"text", []int64{4, 1}, func(v any) bool { s, ok := v.(string); return ok && len(s) == 8 }},
		{"u8", []int64{4, 4}, func(v any) bool { i, err := v.(json.Number).Int64(); return err == nil && i >= 0 && i < 256 }},
	} {
		got := in[c.name]
		if !reflect.DeepEqual(got.Shape, c.shape) {
			t.Errorf("%s: shape %v, want %v", c.name, got.Shape, c.shape)
		}
		want := int64(1)
		for _, d := range c.shape {
			want *= d
		}
		if int64(len(got.Data)) != want {
			t.Errorf("%s: %d values, want %d", c.name, len(got.Data), want)
		}
		for _, v := range got.Data {
			if !c.check(v) {
				t.Errorf("%s: value %v (%T) is not a valid %s", c.name, v, v, got.Datatype)
				break
			}
		}
	}
	// Seeded: the same seed gives the same pool, another seed another.
	again, _ := NewKServeWorkload("http://127.0.0.1:8000", meta, 4, "", 1)
	other, _ := NewKServeWorkload("http://127.0.0.1:8000", meta, 4, "", 2)
	if !bytes.Equal(again.bodies[0], w.bodies[0]) || bytes.Equal(other.bodies[0], w.bodies[0]) {
		t.Error("synthesized bodies are not seeded")
	}
}

func TestFixedBatchDimensions(t *testing.T) {
	fixed4 := modelWith(TensorMetadata{Name: "x", Datatype: "FP32", Shape: []int64{4, 10}})
	w, err := NewKServeWorkload("http://h", fixed4, 4, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeBody(t, w.bodies[0])["x"]; !reflect.DeepEqual(got.Shape, []int64{4, 10}) || len(got.Data) != 40 {
		t.Errorf("fixed batch 4 at --batch 4: shape %v with %d values", got.Shape, len(got.Data))
	}
	// --batch 1 sends a fixed shape whole, as declared.
	noBatch := modelWith(TensorMetadata{Name: "x", Datatype: "INT32", Shape: []int64{3, 2}})
	w, err = NewKServeWorkload("http://h", noBatch, 1, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeBody(t, w.bodies[0])["x"]; !reflect.DeepEqual(got.Shape, []int64{3, 2}) || len(got.Data) != 6 {
		t.Errorf("fixed shape at --batch 1: shape %v with %d values", got.Shape, len(got.Data))
	}
	for _, c := range []struct {
		meta    *ModelMetadata
		batch   int
		wantErr string
	}{
		{fixed4, 8, `input "x" has the fixed shape [4 10]`},
		{modelWith(TensorMetadata{Name: "s", Datatype: "FP32"}), 2, "scalar"},
		{modelWith(TensorMetadata{Name: "v", Datatype: "FP32", Shape: []int64{-1, -1}}), 2, "give example data with --data"},
		{modelWith(TensorMetadata{Name: "v", Datatype: "FP32", Shape: []int64{-1, -1, -1}}), 2, "more than one variable dimension"},
		{modelWith(TensorMetadata{Name: "z", Datatype: "FP32", Shape: []int64{-1, 0}}), 2, "is not a size"},
		{modelWith(TensorMetadata{Name: "q", Datatype: "COMPLEX", Shape: []int64{-1}}), 1, `unknown datatype "COMPLEX"`},
		{modelWith(TensorMetadata{Name: "big", Datatype: "FP32", Shape: []int64{-1, 1 << 20, 1 << 10}}), 1, "too large"},
		{modelWith(TensorMetadata{Name: "x", Datatype: "FP32", Shape: []int64{-1}}), 0, "at least 1"},
	} {
		_, err := NewKServeWorkload("http://h", c.meta, c.batch, "", 1)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%v at batch %d: error %v, want one containing %q", c.meta.Inputs, c.batch, err, c.wantErr)
		}
	}
}

func writeData(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDataFileBodies(t *testing.T) {
	meta := modelWith(
		TensorMetadata{Name: "a", Datatype: "FP32", Shape: []int64{-1, 2}},
		TensorMetadata{Name: "tok", Datatype: "INT64", Shape: []int64{-1, -1}}, // variable length
	)
	p := writeData(t,
		`{"a":[0.5,1],"tok":[1,2,3]}`,
		``,
		`{"a":[2,3e-1],"tok":[4,5,6]}`,
		`{"a":[4,5],"tok":[7,8,9]}`,
	)
	w, err := NewKServeWorkload("http://h", meta, 2, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if w.PoolSize() != 2 {
		t.Fatalf("%d bodies from 3 examples at batch 2, want 2", w.PoolSize())
	}
	first := decodeBody(t, w.bodies[0])
	if got := first["a"]; !reflect.DeepEqual(got.Shape, []int64{2, 2}) || len(got.Data) != 4 || got.Data[3].(json.Number) != "3e-1" {
		t.Errorf("body 1 input a: shape %v data %v", got.Shape, got.Data)
	}
	if got := first["tok"]; !reflect.DeepEqual(got.Shape, []int64{2, 3}) {
		t.Errorf("body 1 input tok: shape %v, want [2 3]", got.Shape)
	}
	// The last group wraps around: examples 3 and 1, whose tok lengths differ.
	_, err = NewKServeWorkload("http://h", meta, 2, writeData(t, `{"a":[1,2],"tok":[1,2,3]}`, `{"a":[1,2],"tok":[1,2]}`), 1)
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "same shape") {
		t.Errorf("mixed lengths in one batch: error %v", err)
	}
}

func TestDataFileErrorsNameTheLine(t *testing.T) {
	meta := modelWith(
		TensorMetadata{Name: "x", Datatype: "FP32", Shape: []int64{-1, 2}},
		TensorMetadata{Name: "n", Datatype: "INT8", Shape: []int64{-1, 1}},
		TensorMetadata{Name: "b", Datatype: "BOOL", Shape: []int64{-1, 1}},
	)
	ok := `{"x":[1,2],"n":[3],"b":[true]}`
	for _, c := range []struct {
		line, wantErr string
	}{
		{`not json`, "line 2: not a JSON object"},
		{`{"x":[1,2],"n":[3]}`, `line 2: input "b" is missing`},
		{`{"x":[1,2],"n":[3],"b":[true],"z":[1]}`, `line 2: unknown input "z" (the model's inputs: "b", "n", "x")`},
		{`{"x":[1],"n":[3],"b":[true]}`, `line 2: input "x": 1 values, want 2`},
		{`{"x":[[1,2]],"n":[3],"b":[true]}`, `line 2: input "x": value 1: nested value`},
		{`{"x":[1,2],"n":[300],"b":[true]}`, `line 2: input "n": value 1: 300 is not an INT8`},
		{`{"x":[1,2],"n":[1.5],"b":[true]}`, `is not an INT8`},
		{`{"x":[1,2],"n":[3],"b":[1]}`, `a number given for BOOL`},
		{`{"x":["a",2],"n":[3],"b":[true]}`, `a string given for FP32`},
		{`{"x":[null,2],"n":[3],"b":[true]}`, `null or unsupported value`},
		{`{"x":5,"n":[3],"b":[true]}`, `values must be a flat JSON array`},
	} {
		_, err := NewKServeWorkload("http://h", meta, 1, writeData(t, ok, c.line), 1)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("line %s: error %v, want one containing %q", c.line, err, c.wantErr)
		}
	}
	if _, err := NewKServeWorkload("http://h", meta, 1, writeData(t, "", "  "), 1); err == nil || !strings.Contains(err.Error(), "has no examples") {
		t.Errorf("empty file: error %v", err)
	}
	if _, err := NewKServeWorkload("http://h", meta, 1, filepath.Join(t.TempDir(), "none.jsonl"), 1); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("missing file: error %v", err)
	}
}

func FuzzReadExamples(f *testing.F) {
	for _, s := range []string{
		`{"x":[1,2],"s":["a"]}`,
		"{\"x\":[1,2],\"s\":[\"a\"]}\n{\"x\":[3,4],\"s\":[\"b\"]}\n",
		`{"x":[1e400,2],"s":["a"]}`,
		`{"x":[[1],2]}`,
		"\n\n",
		`{"x":[1,2,3,4],"s":[]}`,
	} {
		f.Add([]byte(s))
	}
	meta := modelWith(
		TensorMetadata{Name: "x", Datatype: "FP16", Shape: []int64{-1, -1}},
		TensorMetadata{Name: "s", Datatype: "BYTES", Shape: []int64{-1, 1}},
	)
	specs, err := planInputs(meta, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		examples, err := readExamples(bytes.NewReader(data), "f.jsonl", specs)
		if err != nil {
			if !strings.Contains(err.Error(), "f.jsonl") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		bodies, err := dataBodies(examples, specs, 2, "f.jsonl")
		if err != nil {
			if !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error does not name a line: %v", err)
			}
			return
		}
		// Every body is a valid request.
		for _, b := range bodies {
			var req struct{ Inputs []decodedInput }
			if err := json.Unmarshal(b, &req); err != nil || len(req.Inputs) != 2 {
				t.Fatalf("body is not a valid request: %v\n%s", err, b)
			}
		}
	})
}
