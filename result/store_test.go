package result

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteReadRoundTripKeepsEveryKey(t *testing.T) {
	dir, err := CreateRunDir(t.TempDir(), "my model/profile", time.Date(2026, 11, 28, 10, 15, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if base := filepath.Base(dir); base != "20261128T101500Z-my-model-profile" {
		t.Errorf("run directory %q", base)
	}
	r := &Run{Name: "x", Command: "profile", Steps: []Step{{Name: "b1-r10", BatchSize: 1}}}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	for _, want := range []string{`"gpus": []`, `"model": {}`, `"warnings": []`, `"trials": []`, `"http_5xx": 0`, `"sweep": null`, `"finished_at": null`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("run.json lacks %s", want)
		}
	}
	back, err := Read(dir)
	if err != nil || back.Steps[0].Name != "b1-r10" || back.SchemaVersion != SchemaVersion {
		t.Fatalf("read back: %+v, %v", back, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, FileName)); fi.Mode().Perm() != 0o644 {
		t.Errorf("run.json mode %v, want 0644", fi.Mode().Perm())
	}
	// A second run in the same second gets its own directory.
	dir2, err := CreateRunDir(filepath.Dir(dir), "my model/profile", time.Date(2026, 11, 28, 10, 15, 0, 0, time.UTC))
	if err != nil || dir2 == dir {
		t.Errorf("second run directory %q, %v", dir2, err)
	}
}

func TestDecodeRefusesWhatItCannotRead(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`not json`, "not a run.json"},
		{`{"steps":[]}`, "no schema_version"},
		{`{"schema_version": 99}`, "upgrade infercost"},
		{`{"schema_version": 1, "steps": {}}`, "run.json"},
	} {
		if _, err := Decode([]byte(tc.doc), "run.json"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%s) = %v, want an error with %q", tc.doc, err, tc.want)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "nothing")); err == nil || !strings.Contains(err.Error(), "no run at") {
		t.Errorf("Read of a missing run: %v", err)
	}
}

func TestCSVRoundTrips(t *testing.T) {
	rows := []SecondRow{{Second: 0, Offered: 10, Sent: 10, Completed: 9, Errors: 1, P50MS: 1.5, P95MS: 3.25}}
	var b bytes.Buffer
	if err := WriteSeriesCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSeriesCSV(&b)
	if err != nil || len(back) != 1 || back[0] != rows[0] {
		t.Fatalf("series round trip: %+v, %v", back, err)
	}
	now := time.UnixMilli(time.Now().UnixMilli())
	samples := []Sample{{Time: now, Step: 2, HostCPUPercent: 50, ProcessCPUPercent: -1, ProcessRSSBytes: -1,
		GPUs: []GPUSample{{Index: 0, UtilizationPercent: 80, PowerWatts: 100}}}}
	b.Reset()
	if err := WriteSamplesCSV(&b, samples, 1); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSamplesCSV(&b)
	if err != nil || len(got) != 1 || got[0].Step != 2 || got[0].ProcessRSSBytes != -1 || len(got[0].GPUs) != 1 || got[0].GPUs[0].PowerWatts != 100 || !got[0].Time.Equal(now) {
		t.Fatalf("samples round trip: %+v, %v", got, err)
	}
	if _, err := ReadSamplesCSV(strings.NewReader("a,b\n")); err == nil {
		t.Error("a foreign CSV was accepted as samples")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"schema_version":1}`, `{"schema_version":1,"steps":[{"name":"a","errors":{"x":1}}]}`, `{}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(data, "fuzz")
		if err != nil {
			return
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("decoded run does not encode: %v", err)
		}
		if r.Steps == nil || r.Warnings == nil || r.Environment.GPUs == nil {
			t.Fatal("Decode returned nil lists")
		}
	})
}

func TestDecodeReadsVersion1AsVersion2(t *testing.T) {
	doc := `{"schema_version": 1, "name": "old", "spec": {"slo": [{"percentile": "p95", "bound_ms": 50}]},
		"environment": {"hardware": "AMD EPYC", "hardware_source": "detected", "gpus": [], "cpu_model": "AMD EPYC", "cpu_cores": 2,
			"arch": "amd64", "target_is_local": true},
		"steps": [{"name": "b1-r10", "batch_size": 1, "inferences_per_s": 10, "successes": 300, "requests": 300, "error_ratio": 0,
			"latency_ms": {"corrected": {"count": 300, "mean": 2, "p50": 2, "p90": 3, "p95": 3, "p99": 4, "p999": 5}},
			"flags": {"generator_limited": false, "unstable": false, "interrupted": false}, "gpus": [], "process": {},
			"bytes_in_per_request": 100}],
		"sweep": {"slo": [{"percentile": "p95", "bound_ms": 50}], "curve": [], "max_error_rate": 0.001, "best_batch_size": 1}}`
	r, err := Decode([]byte(doc), "run.json")
	if err != nil {
		t.Fatal(err)
	}
	st := &r.Steps[0]
	if r.Spec.Protocol != ProtocolKServe || st.Unit != UnitInference || r.Sweep.Unit != UnitInference || r.Unit() != UnitInference {
		t.Errorf("v1 run read with protocol %q, step unit %q, sweep unit %q", r.Spec.Protocol, st.Unit, r.Sweep.Unit)
	}
	if r.Spec.SLO[0].Metric != MetricLatency || r.Sweep.SLO[0].Metric != MetricLatency {
		t.Errorf("v1 SLO metric %q / %q, want latency", r.Spec.SLO[0].Metric, r.Sweep.SLO[0].Metric)
	}
	if st.TTFTMS != nil || st.IsLLM() || st.Throughput() != 10 || st.Scrape == nil || st.Energy != nil {
		t.Errorf("v1 step read with LLM figures or scrapes: %+v", st)
	}
	// Written back, it is a version 2 file with every new key present.
	dir := t.TempDir()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	for _, want := range []string{`"schema_version": 2`, `"ttft_ms": null`, `"output_tokens_per_s": null`, `"scrape": {}`,
		`"energy": null`, `"unit": "inference"`, `"labels": {}`, `"metric": "latency"`, `"llm": null`, `"provisional": false`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("rewritten run.json lacks %s", want)
		}
	}
}

func TestThroughputFollowsTheUnit(t *testing.T) {
	tok := 420.0
	st := Step{Unit: UnitOutputToken, InferencesPerS: 3, LLMFigures: LLMFigures{OutputTokensPerS: &tok}}
	if st.Throughput() != 420 || !st.IsLLM() {
		t.Errorf("LLM step throughput %g", st.Throughput())
	}
	r := Run{Spec: Spec{Protocol: ProtocolOpenAI}}
	if r.Unit() != UnitOutputToken || UnitWords(r.Unit()) != "output tokens" {
		t.Errorf("openai run unit %q", r.Unit())
	}
}
