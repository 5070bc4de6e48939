package loadgen

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeKServe is a small KServe v2 server for tests: one model whose infer
// endpoint checks the request against the metadata and answers with one
// output per declared output, its first dimension the request's batch.
type fakeKServe struct {
	meta       ModelMetadata
	token      string // required "Authorization: Bearer <token>" when set
	notReady   bool   // server and model report not ready
	badMeta    bool   // metadata is not JSON
	infers     atomic.Int64
	lastShapes atomic.Value // map[string][]int64 of the last request
	// answer, when set, replaces the normal answer of infer call n (1-based).
	answer func(n int64, w http.ResponseWriter) bool
}

func newFakeModel() ModelMetadata {
	return ModelMetadata{
		Name: "digits", Versions: []string{"1"}, Platform: "infercost_test",
		Inputs:  []TensorMetadata{{Name: "pixels", Datatype: "FP32", Shape: []int64{-1, 3, 8, 8}}},
		Outputs: []TensorMetadata{{Name: "probs", Datatype: "FP32", Shape: []int64{-1, 10}}},
	}
}

func (f *fakeKServe) start(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeKServe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token {
		http.Error(w, `{"error":"missing or wrong token"}`, http.StatusUnauthorized)
		return
	}
	model := "/v2/models/" + f.meta.Name
	switch r.URL.Path {
	case "/v2/health/live":
		w.WriteHeader(http.StatusOK)
	case "/v2/health/ready", model + "/ready":
		if f.notReady {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	case model:
		if f.badMeta {
			fmt.Fprint(w, "<html>not json</html>")
			return
		}
		json.NewEncoder(w).Encode(f.meta)
	case model + "/infer":
		f.infer(w, r)
	default:
		if strings.HasPrefix(r.URL.Path, "/v2/models/") {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":"model not found"}`)
			return
		}
		http.NotFound(w, r)
	}
}

func (f *fakeKServe) infer(w http.ResponseWriter, r *http.Request) {
	n := f.infers.Add(1)
	if f.answer != nil && f.answer(n, w) {
		return
	}
	var req struct {
		Inputs []struct {
			Name     string            `json:"name"`
			Shape    []int64           `json:"shape"`
			Datatype string            `json:"datatype"`
			Data     []json.RawMessage `json:"data"`
		} `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":"request is not JSON"}`, http.StatusBadRequest)
		return
	}
	shapes := map[string][]int64{}
	batch := int64(-1)
	for _, in := range req.Inputs {
		var decl *TensorMetadata
		for i := range f.meta.Inputs {
			if f.meta.Inputs[i].Name == in.Name {
				decl = &f.meta.Inputs[i]
			}
		}
		if decl == nil || decl.Datatype != in.Datatype || len(in.Shape) != len(decl.Shape) {
			http.Error(w, fmt.Sprintf(`{"error":"unexpected input %s"}`, in.Name), http.StatusBadRequest)
			return
		}
		elems := int64(1)
		for k, d := range in.Shape {
			if decl.Shape[k] != -1 && decl.Shape[k] != d {
				http.Error(w, fmt.Sprintf(`{"error":"input %s: shape %v does not match %v"}`, in.Name, in.Shape, decl.Shape), http.StatusBadRequest)
				return
			}
			elems *= d
		}
		if int64(len(in.Data)) != elems {
			http.Error(w, fmt.Sprintf(`{"error":"input %s: %d values for shape %v"}`, in.Name, len(in.Data), in.Shape), http.StatusBadRequest)
			return
		}
		shapes[in.Name] = in.Shape
		if len(in.Shape) > 0 {
			batch = in.Shape[0]
		}
	}
	f.lastShapes.Store(shapes)
	type output struct {
		Name     string    `json:"name"`
		Datatype string    `json:"datatype"`
		Shape    []int64   `json:"shape"`
		Data     []float64 `json:"data"`
	}
	var outs []output
	for _, o := range f.meta.Outputs {
		shape := append([]int64{batch}, o.Shape[1:]...)
		size := int64(1)
		for _, d := range shape {
			size *= d
		}
		outs = append(outs, output{Name: o.Name, Datatype: o.Datatype, Shape: shape, Data: make([]float64, size)})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"model_name": f.meta.Name, "outputs": outs})
}
