package scrape

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func value(t *testing.T, p *Parsed, name string, labels ...string) float64 {
	t.Helper()
	for _, s := range p.Named(name) {
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			if s.Label(labels[i]) != labels[i+1] {
				ok = false
			}
		}
		if ok {
			return s.Value
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

// Every testdata text parses whatever the Content-Type says, including a
// wrong one, a protobuf one (the body is text) and none.
func TestParseTestdataWhateverTheContentType(t *testing.T) {
	for _, file := range []string{"node-exporter-1.5.0.txt", "dcgm-exporter.txt", "triton.txt", "vllm.txt"} {
		body := readTestdata(t, file)
		var first *Parsed
		for _, ct := range []string{"text/plain; version=0.0.4; charset=utf-8", "", "application/json",
			"application/octet-stream", "text/html", "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
			"application/openmetrics-text; version=1.0.0; charset=utf-8", "not a media type;;;"} {
			p, err := Parse(body, ct)
			if err != nil {
				t.Fatalf("%s as %q: %v", file, ct, err)
			}
			if len(p.Series) == 0 || p.Duplicates != 0 {
				t.Fatalf("%s as %q: %d series, %d duplicates", file, ct, len(p.Series), p.Duplicates)
			}
			if first == nil {
				first = p
				continue
			}
			if len(p.Series) != len(first.Series) {
				t.Errorf("%s as %q: %d series, as text %d", file, ct, len(p.Series), len(first.Series))
			}
		}
	}
}

func TestParseReadsTheValuesServed(t *testing.T) {
	p, err := Parse(readTestdata(t, "dcgm-exporter.txt"), "text/plain; version=0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	if got := value(t, p, "DCGM_FI_DEV_GPU_UTIL", "gpu", "0"); got != 73 {
		t.Errorf("GPU 0 util %v, want 73", got)
	}
	if got := value(t, p, "DCGM_FI_DEV_POWER_USAGE", "gpu", "0", "modelName", "NVIDIA A10G"); got != 143.271 {
		t.Errorf("GPU 0 power %v", got)
	}
	vl, err := Parse(readTestdata(t, "vllm.txt"), "text/plain; version=0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	// A histogram gives its _sum and _count (no buckets); names with ':'.
	if got := value(t, vl, "vllm:request_queue_time_seconds_sum"); got != 12.8 {
		t.Errorf("queue sum %v", got)
	}
	if got := value(t, vl, "vllm:request_queue_time_seconds_count"); got != 256 {
		t.Errorf("queue count %v", got)
	}
	if vl.Has("vllm:request_queue_time_seconds_bucket") {
		t.Error("histogram buckets came through as series")
	}
	if s := vl.Named("vllm:request_success_total"); len(s) != 3 || s[0].Kind != Counter {
		t.Errorf("request_success_total: %+v", s)
	}
}

// OpenMetrics: float timestamps, exemplars, info TYPE, # UNIT and # EOF
// read, with or without the right Content-Type; a label value holding '#'
// and '}' is not mistaken for an exemplar.
func TestParseOpenMetrics(t *testing.T) {
	body := readTestdata(t, "openmetrics.txt")
	for _, ct := range []string{"application/openmetrics-text; version=1.0.0; charset=utf-8", "text/plain", ""} {
		p, err := Parse(body, ct)
		if err != nil {
			t.Fatalf("as %q: %v", ct, err)
		}
		if p.Format != FormatOpenMetrics {
			t.Errorf("as %q: format %s", ct, p.Format)
		}
		if got := value(t, p, "vllm:request_success_total", "finished_reason", "stop"); got != 10 {
			t.Errorf("as %q: request_success_total %v", ct, got)
		}
		if got := value(t, p, "vllm:time_to_first_token_seconds_count"); got != 10 {
			t.Errorf("as %q: ttft count %v", ct, got)
		}
		if got := value(t, p, "build_info", "version", "1.0 # not an exemplar }"); got != 1 {
			t.Errorf("as %q: build_info %v", ct, got)
		}
	}
}

// A protobuf body with its Content-Type reads as the same series.
func TestParseProtobuf(t *testing.T) {
	text, err := Parse(readTestdata(t, "triton.txt"), "")
	if err != nil {
		t.Fatal(err)
	}
	fams, err := parseText(readTestdata(t, "triton.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeProtoDelim))
	for _, mf := range fams {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Parse(buf.Bytes(), string(expfmt.NewFormat(expfmt.TypeProtoDelim)))
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != FormatProtobuf || len(p.Series) != len(text.Series) {
		t.Fatalf("protobuf: format %s, %d series; text %d", p.Format, len(p.Series), len(text.Series))
	}
	for i := range p.Series {
		if p.Series[i].Key() != text.Series[i].Key() || p.Series[i].Value != text.Series[i].Value {
			t.Errorf("series %d: %s=%v, text %s=%v", i, p.Series[i].Key(), p.Series[i].Value, text.Series[i].Key(), text.Series[i].Value)
		}
	}
	_ = dto.MetricType_COUNTER
}

func TestParseDuplicatesKeepTheFirst(t *testing.T) {
	body := "# TYPE x gauge\nx{a=\"1\"} 5\nx{a=\"1\"} 6\nx{a=\"2\"} 7\ny 1\ny 2\n"
	p, err := Parse([]byte(body), "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	if p.Duplicates != 2 || len(p.Series) != 3 {
		t.Fatalf("duplicates %d, series %d", p.Duplicates, len(p.Series))
	}
	if got := value(t, p, "x", "a", "1"); got != 5 {
		t.Errorf("kept %v, want the first (5)", got)
	}
}

func TestParseRefusesWhatIsNotPrometheus(t *testing.T) {
	for _, body := range []string{
		"<html><body>502 Bad Gateway</body></html>",
		"{\"status\": \"ok\"}",
		"metric{a=\"unclosed} 1\n",
		"x 1 2 3 4\n",
		"\x00\x01\x02\xff\xfe",
	} {
		if p, err := Parse([]byte(body), "text/plain"); err == nil {
			t.Errorf("%q parsed: %d series", body, len(p.Series))
		} else if !strings.Contains(err.Error(), "not Prometheus text") {
			t.Errorf("%q: %v", body, err)
		}
	}
	// No trailing newline is fine.
	if p, err := Parse([]byte("up 1"), ""); err != nil || len(p.Series) != 1 {
		t.Errorf("no trailing newline: %v", err)
	}
	if p, err := Parse(nil, ""); err != nil || len(p.Series) != 0 {
		t.Errorf("empty body: %v", err)
	}
	if math.IsNaN(0) {
		t.Fatal()
	}
}
