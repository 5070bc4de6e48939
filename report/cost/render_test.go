package cost

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// hasKeys fails unless object m has every key.
func hasKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks %q", what, k)
		}
	}
}

func TestEstimateJSONNames(t *testing.T) {
	e, err := CostRun(readGolden(t, "a10g-sweep"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderEstimate(&b, e, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	hasKeys(t, "estimate", m, "instances", "options", "tco", "crossover_monthly_inferences", "cheapest", "run", "capacity_source", "levers", "prices", "defaults_used")
	hasKeys(t, "instances[0]", m["instances"].([]any)[0].(map[string]any), "name", "capacity_inferences_per_s", "unit_cost_per_million_usd", "replicas", "instances", "monthly_compute_usd", "fits")
	for _, o := range m["options"].([]any) {
		om := o.(map[string]any)
		hasKeys(t, "option", om, "kind", "monthly_total_usd", "cost_per_inference_usd", "applicable", "reason")
		if om["applicable"] == false && (om["monthly_total_usd"] != nil || om["cost_per_inference_usd"] != nil) {
			t.Errorf("option %v does not apply but has totals", om["kind"])
		}
	}
	hasKeys(t, "tco", m["tco"].(map[string]any), "compute_usd", "storage_usd", "transfer_usd", "monitoring_usd", "ab_usd", "overhead_usd", "buffer_usd", "total_usd", "shares")
	hasKeys(t, "cheapest", m["cheapest"].(map[string]any), "kind", "instance", "monthly_total_usd", "margin_percent")
	hasKeys(t, "capacity_source", m["capacity_source"].(map[string]any), "step", "batch_size")
	hasKeys(t, "levers[0]", m["levers"].([]any)[0].(map[string]any), "name", "monthly_saving_usd", "saving_percent")
	if m["crossover_monthly_inferences"] != nil {
		t.Error("a GPU run has no serverless, so no crossover")
	}
}

func TestComparisonJSONNames(t *testing.T) {
	c, err := Compare(goldenPair(t), compareOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderComparison(&b, c, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	hasKeys(t, "comparison", m, "runs", "winner", "verdict")
	hasKeys(t, "runs[0]", m["runs"].([]any)[0].(map[string]any), "run", "hardware", "best_batch_size", "capacity_inferences_per_s", "p95_ms_at_capacity", "cheapest_instance", "unit_cost_per_million_usd", "monthly_total_usd")
	hasKeys(t, "winner", m["winner"].(map[string]any), "run", "hardware", "instance", "margin_percent")
}

func TestTableAndMarkdownSayTheSame(t *testing.T) {
	e, err := Compute(Input{Catalog: defaultCatalog(t), Workload: issueWorkload(), Now: today, CapacityPerS: 250,
		Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA A10G"}, Instances: []string{"g5.xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	var tb, md bytes.Buffer
	if err := RenderEstimate(&tb, e, FormatTable); err != nil {
		t.Fatal(err)
	}
	if err := RenderEstimate(&md, e, FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"$1.1178", "$734.38", "$807.38", "$1,040.09"} {
		if !strings.Contains(tb.String(), want) || !strings.Contains(md.String(), want) {
			t.Errorf("%q missing from the table or the Markdown", want)
		}
	}
	if !strings.Contains(md.String(), "| g5.xlarge | aws |") || !strings.Contains(md.String(), "### Deployment options") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if strings.Contains(tb.String(), "| g5.xlarge") {
		t.Error("the table format printed Markdown")
	}
	if err := RenderEstimate(&tb, e, "yaml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestCatalogRendersFlags(t *testing.T) {
	var b bytes.Buffer
	if err := RenderCatalog(&b, defaultCatalog(t), today, FormatTable); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"ml.g5.xlarge", "price: unconfirmed", "older than 12 months", "reserved_1y: derived", "sagemaker-serverless", "NVIDIA H200"} {
		if !strings.Contains(out, want) {
			t.Errorf("catalog listing lacks %q", want)
		}
	}
}
