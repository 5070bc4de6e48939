package modelserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func getJSON(t *testing.T, url string, into any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: decode: %v", url, err)
	}
	return resp.StatusCode
}

func TestHealthAndMetadata(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBatchSize, cfg.Instances = 16, 2
	_, base := startTestServer(t, cfg)
	info := testModel(t).Info()

	var health map[string]bool
	if code := getJSON(t, base+"/v2/health/live", &health); code != 200 || !health["live"] {
		t.Errorf("live: %d %v", code, health)
	}
	if code := getJSON(t, base+"/v2/health/ready", &health); code != 200 || !health["ready"] {
		t.Errorf("ready: %d %v", code, health)
	}
	if code := getJSON(t, base+"/v2/models/digits/ready", &health); code != 200 || !health["ready"] {
		t.Errorf("model ready: %d %v", code, health)
	}
	var server map[string]any
	if code := getJSON(t, base+"/v2", &server); code != 200 || server["name"] != "infercost" {
		t.Errorf("server metadata: %d %v", code, server)
	}

	var md map[string]any
	if code := getJSON(t, base+"/v2/models/digits", &md); code != 200 {
		t.Fatalf("metadata: status %d", code)
	}
	if md["name"] != "digits" || md["platform"] != Platform {
		t.Errorf("metadata name %v platform %v", md["name"], md["platform"])
	}
	tensors, _ := json.Marshal([]any{md["inputs"], md["outputs"]})
	wantTensors := `[[{"datatype":"FP32","name":"input","shape":[-1,64]}],` + // keys sorted by the re-encoding
		`[{"datatype":"FP32","name":"probabilities","shape":[-1,10]},{"datatype":"INT64","name":"label","shape":[-1]}]]`
	if string(tensors) != wantTensors {
		t.Errorf("tensors %s\nwant %s", tensors, wantTensors)
	}
	params, _ := md["parameters"].(map[string]any)
	for key, want := range map[string]any{
		"accuracy":        info.Accuracy,
		"parameter_count": float64(info.ParameterCount),
		"weight_bytes":    float64(info.WeightBytes),
		"preset":          "small",
		"max_batch_size":  float64(16),
		"instances":       float64(2),
	} {
		if params[key] != want {
			t.Errorf("parameters[%q] = %v, want %v", key, params[key], want)
		}
	}
	if acc, _ := params["accuracy"].(float64); acc < MinAccuracy {
		t.Errorf("accuracy %v below %v", acc, MinAccuracy)
	}
}

func TestNotFoundAndWrongMethod(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	var e errorBody
	for _, path := range []string{"/v2/models/cats", "/v2/models/cats/ready"} {
		if code := getJSON(t, base+path, &e); code != 404 || !strings.Contains(e.Error, `unknown model "cats"`) {
			t.Errorf("GET %s: %d %q, want 404 naming the model", path, code, e.Error)
		}
	}
	code, body := post(t, base+"/v2/models/cats/infer", inferBody(make([]float32, InputWidth)))
	if code != 404 || !strings.Contains(string(body), `unknown model \"cats\"; this server serves \"digits\"`) {
		t.Errorf("infer on an unknown model: %d %s", code, body)
	}
	if code := getJSON(t, base+"/nothing/here", &e); code != 404 || e.Error == "" {
		t.Errorf("unknown path: %d %q", code, e.Error)
	}
	if code := getJSON(t, base+"/v2/models/digits/infer", &e); code != 405 || !strings.Contains(e.Error, "use POST") {
		t.Errorf("GET infer: %d %q, want 405", code, e.Error)
	}
}

func TestInferKnownRowsGetTheirLabels(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	// The file's rows 10..19 are the digits 0..9, one request each.
	rows, labels := digitRows(t, 10, 20)
	for i, row := range rows {
		if got := infer(t, base, row).labels(t); len(got) != 1 || got[0] != int64(labels[i]) || labels[i] != i {
			t.Errorf("row %d: label %v, want %d", 10+i, got, labels[i])
		}
	}
	// The model fits its training rows (its training loss ends near 0.004):
	// all 1438 of them, in one request, get their labels.
	d, _ := Digits()
	train, _ := d.split(1, 0.2)
	all := make([][]float32, train.Rows())
	for i := range all {
		all[i] = train.Row(i)
	}
	for i, l := range infer(t, base, all...).labels(t) {
		if int(l) != train.Labels[i] {
			t.Errorf("training row %d: label %d, want %d", i, l, train.Labels[i])
		}
	}
}

// The held-out rows sent over HTTP score exactly the accuracy the
// metadata reports.
func TestInferHeldOutAccuracyMatchesMetadata(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	d, _ := Digits()
	_, held := d.split(1, 0.2)
	rows := make([][]float32, held.Rows())
	for i := range rows {
		rows[i] = held.Row(i)
	}
	labels := infer(t, base, rows...).labels(t)
	correct := 0
	for i, l := range labels {
		if int(l) == held.Labels[i] {
			correct++
		}
	}
	if got, want := float64(correct)/float64(held.Rows()), testModel(t).Info().Accuracy; got != want || got < MinAccuracy {
		t.Errorf("accuracy over HTTP %.4f, metadata %.4f (minimum %.2f)", got, want, MinAccuracy)
	}
}

func TestInferBatchEqualsSingleRequests(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	rows, _ := digitRows(t, 500, 516)
	batch := infer(t, base, rows...)
	probs, labels := batch.probs(t), batch.labels(t)
	if len(probs) != len(rows)*OutputWidth || len(labels) != len(rows) {
		t.Fatalf("batch of %d: %d probabilities, %d labels", len(rows), len(probs), len(labels))
	}
	for i, row := range rows {
		one := infer(t, base, row)
		if l := one.labels(t); l[0] != labels[i] {
			t.Errorf("row %d: label %d alone, %d in the batch", i, l[0], labels[i])
		}
		for k, p := range one.probs(t) {
			if q := probs[i*OutputWidth+k]; !relClose(float64(p), float64(q), 1e-5) {
				t.Errorf("row %d class %d: %g alone, %g in the batch", i, k, p, q)
			}
		}
	}
}

func TestInferEchoesIDAndSelectsOutputs(t *testing.T) {
	_, base := startTestServer(t, DefaultConfig())
	rows, _ := digitRows(t, 3, 5)
	flat := slices.Concat(rows...)
	data, _ := json.Marshal(flat)
	body := `{"id":"abc \"7\"","inputs":[{"name":"input","shape":[2,64],"datatype":"FP32","data":` + string(data) +
		`}],"outputs":[{"name":"label"}]}`
	code, resp := post(t, base+"/v2/models/digits/infer", []byte(body))
	if code != 200 {
		t.Fatalf("status %d: %s", code, resp)
	}
	var r inferResponse
	if err := json.Unmarshal(resp, &r); err != nil {
		t.Fatal(err)
	}
	if r.ID == nil || *r.ID != `abc "7"` || r.ModelName != "digits" {
		t.Errorf("id %v, model %q", r.ID, r.ModelName)
	}
	if len(r.Outputs) != 1 || r.Outputs[0].Name != OutputLabel || r.Outputs[0].Datatype != "INT64" || !slices.Equal(r.Outputs[0].Shape, []int{2}) {
		t.Errorf("outputs %+v, want only label of shape [2]", r.Outputs)
	}
	if got := r.labels(t); !slices.Equal(got, []int64{3, 4}) {
		t.Errorf("labels %v, want [3 4]", got)
	}
	full := infer(t, base, rows...)
	if full.ID != nil || len(full.Outputs) != 2 || !slices.Equal(full.Outputs[0].Shape, []int{2, 10}) {
		t.Errorf("default outputs %+v, want probabilities [2,10] then label and no id", full.Outputs)
	}
}

// Every bad request of the decoder's table, and bodies over --max-body,
// get 400 with a JSON error naming the problem.
func TestInferBadRequestsGet400(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 8 << 10
	_, base := startTestServer(t, cfg)
	url := base + "/v2/models/digits/infer"
	check := func(name string, code int, body []byte, want string) {
		t.Helper()
		var e errorBody
		if err := json.Unmarshal(body, &e); err != nil || code != 400 || !strings.Contains(e.Error, want) {
			t.Errorf("%s: %d %s; want 400 with an error containing %q", name, code, body, want)
		}
	}
	for _, tc := range badInferRequests {
		code, body := post(t, url, []byte(tc.body))
		check(tc.name, code, body, tc.want)
	}
	big := request("input", "FP32", "[100,64]", "["+values(6400, "1")+"]")
	code, body := post(t, url, []byte(big))
	check("over --max-body", code, body, "over the limit of 8192 bytes (--max-body)")
	// Without a Content-Length the limit is found while reading.
	resp, err := http.Post(url, "application/json", io.MultiReader(strings.NewReader(big)))
	if err != nil {
		t.Fatal(err)
	}
	chunked, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check("over --max-body, chunked", resp.StatusCode, chunked, "over the limit of 8192 bytes (--max-body)")

	if got := requestsByCode(t, base, "infer"); got["400"] != float64(len(badInferRequests)+2) {
		t.Errorf("requests_total{handler=infer} = %v, want %d with code 400", got, len(badInferRequests)+2)
	}
}

// postNoFatal is post for goroutines other than the test's own.
func postNoFatal(url string, body []byte) (int, []byte, error) {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp.StatusCode, got, err
}
