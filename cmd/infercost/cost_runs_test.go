package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// editedRun copies a golden run's run.json into a temporary run directory
// after edit has changed its JSON, and returns the directory.
func editedRun(t *testing.T, golden string, edit func(doc map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(costTestdata, "runs", golden, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), golden+"-edited")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// step returns a run document's i-th step.
func step(doc map[string]any, i int) map[string]any {
	return doc["steps"].([]any)[i].(map[string]any)
}

func TestCostAndCompareRefuseADamagedRun(t *testing.T) {
	noEnv := editedRun(t, "a10g-sweep", func(doc map[string]any) { delete(doc, "environment") })
	negP95 := editedRun(t, "a10g-sweep", func(doc map[string]any) {
		step(doc, 3)["latency_ms"].(map[string]any)["corrected"].(map[string]any)["p95"] = -1
	})
	batch0 := editedRun(t, "a10g-sweep", func(doc map[string]any) { step(doc, 8)["batch_size"] = 0 })
	b := filepath.Join(costTestdata, "runs", "a100-sweep")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"cost", noEnv, "--slo", "p95=50ms"}, "environment: missing"},
		{[]string{"cost", negP95, "--slo", "p95=50ms"}, "steps[3].latency_ms.corrected.p95: -1 is negative"},
		{[]string{"cost", batch0, "--slo", "p95=50ms"}, "steps[8].batch_size: 0: a batch holds 1 input or more"},
		{[]string{"compare", noEnv, b, "--slo", "p95=50ms"}, "environment: missing"},
	} {
		_, code, err := execCostCLI(t, c.args...)
		if code != ExitUsage || err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.args[1]) {
			t.Errorf("%v: exit %d, %v; want exit 2 naming the file and %q", c.args[:2], code, err, c.want)
		}
	}
}

// asRemote edits a run document as if measured from another machine with
// --hardware label (and --hardware-unpriced when unpriced).
func asRemote(label string, unpriced bool) func(doc map[string]any) {
	return func(doc map[string]any) {
		env := doc["environment"].(map[string]any)
		env["gpus"], env["hardware"], env["hardware_source"] = []any{}, label, "flag"
		spec := doc["spec"].(map[string]any)
		spec["hardware_label"], spec["hardware_unpriced"] = label, unpriced
		for _, s := range doc["steps"].([]any) {
			s.(map[string]any)["gpus"] = []any{}
		}
	}
}

func TestCostAndCompareCheckTheHardwareLabel(t *testing.T) {
	typo := editedRun(t, "a10g-sweep", asRemote("NVIDIA A10GX", false))
	b := filepath.Join(costTestdata, "runs", "a100-sweep")
	for _, args := range [][]string{{"cost", typo, "--slo", "p95=50ms"}, {"compare", typo, b, "--slo", "p95=50ms"}} {
		out, code, err := execCostCLI(t, args...)
		if code != ExitUsage || err == nil || !strings.Contains(err.Error(), `hardware label "NVIDIA A10GX" names no GPU in the catalog (nearest: "NVIDIA A10G"`) {
			t.Errorf("%s on a mistyped label: exit %d, %v\n%s", args[0], code, err, out)
		}
	}
	unpriced := editedRun(t, "a10g-sweep", asRemote("NVIDIA A10GX", true))
	out, code, err := execCostCLI(t, "cost", unpriced, "--slo", "p95=50ms")
	if code != ExitOK || err != nil {
		t.Fatalf("unpriced label: exit %d, %v", code, err)
	}
	costOutputHas(t, "unpriced", out, `no price data: the run's hardware "NVIDIA A10GX" was recorded unpriced (--hardware-unpriced)`, "No option could be priced")
	if strings.Contains(out, "c6i.xlarge") || strings.Contains(out, "vCPU") {
		t.Errorf("an unpriced GPU label was priced on CPU instances:\n%s", out)
	}
}

func TestCostServerlessMeetsTheSLO(t *testing.T) {
	out, code, err := execCostCLI(t, "cost", filepath.Join(costTestdata, "runs", "cpu-slow-batch1"), "--slo", "p95=50ms", "--format", "json")
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	var e struct {
		Cheapest struct {
			Kind string `json:"kind"`
		} `json:"cheapest"`
		Options []struct {
			Kind   string `json:"kind"`
			Reason string `json:"reason"`
		} `json:"options"`
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	if e.Cheapest.Kind == "" || e.Cheapest.Kind == "serverless" {
		t.Errorf("cheapest %q with batch-1 steps at p95 63-150 ms", e.Cheapest.Kind)
	}
	for _, o := range e.Options {
		if o.Kind == "serverless" && !strings.Contains(o.Reason, "no batch-1 step meets p95=50ms") {
			t.Errorf("serverless reason %q", o.Reason)
		}
	}
}

func TestCostPerTokenJSON(t *testing.T) {
	run := filepath.Join(costTestdata, "runs", "llm-a10g-sweep")
	out, code, err := execCostCLI(t, "cost", run, "--slo", "ttft_p95=500ms", "--format", "json")
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	var e struct {
		Unit      string `json:"unit"`
		Instances []struct {
			Name             string  `json:"name"`
			PerMillionOutput float64 `json:"usd_per_million_output_tokens"`
			PerMillionTokens float64 `json:"usd_per_million_tokens"`
			Per1kRequests    float64 `json:"usd_per_1k_requests"`
		} `json:"instances"`
		Cheapest struct {
			Kind             string  `json:"kind"`
			PerMillionOutput float64 `json:"usd_per_million_output_tokens"`
		} `json:"cheapest"`
		Tokens struct {
			MonthlyOutputTokens float64 `json:"monthly_output_tokens"`
			Attribution         string  `json:"attribution"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	// Concurrency 8 carries 160 output tokens/s within TTFT p95 500 ms
	// (16 takes 700 ms): g5.xlarge at $1.006/h.
	g5 := e.Instances[0]
	if e.Unit != "output_token" || g5.Name != "g5.xlarge" || math.Abs(g5.PerMillionOutput-1.7465278) > 1e-6 ||
		math.Abs(g5.PerMillionTokens-0.5821759) > 1e-6 || math.Abs(g5.Per1kRequests-0.1746528) > 1e-6 {
		t.Errorf("per token: %+v", g5)
	}
	// Seven g5.xlarge for 1e9 output tokens: 7 x 1.006 x 730 / 1e9 x 1e6.
	if e.Cheapest.Kind != "dedicated" || math.Abs(e.Cheapest.PerMillionOutput-5.14066) > 1e-9 || e.Tokens.MonthlyOutputTokens != 1e9 ||
		!strings.Contains(e.Tokens.Attribution, "all GPU time is charged to the tokens") {
		t.Errorf("cheapest %+v tokens %+v", e.Cheapest, e.Tokens)
	}
	out, code, _ = execCostCLI(t, "cost", run, "--monthly-requests", "1000000")
	if code != ExitOK || !strings.Contains(out, "1,000,000 requests a month x 100 output tokens each") || !strings.Contains(out, "$/M OUT TOKENS") ||
		!strings.Contains(out, "Per-token figures: all GPU time is charged to the tokens") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	_, code, err = execCostCLI(t, "cost", "--capacity", "100", "--all", "--monthly-output-tokens", "5")
	if code != ExitUsage || !strings.Contains(err.Error(), "--monthly-output-tokens sizes an LLM run") {
		t.Errorf("a token volume in the capacity form: exit %d, %v", code, err)
	}
	_, code, err = execCostCLI(t, "cost", run, "--monthly-requests", "0")
	if code != ExitUsage || !strings.Contains(err.Error(), "above 0") {
		t.Errorf("--monthly-requests 0: exit %d, %v", code, err)
	}
}

func TestCostEnergyLine(t *testing.T) {
	run := filepath.Join(costTestdata, "runs", "llm-a10g-sweep")
	out, code, err := execCostCLI(t, "cost", run, "--kwh-price", "0.10", "--pue", "1.4", "--format", "json")
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	var e struct {
		Energy struct {
			KWhPrice float64 `json:"kwh_price_usd"`
			PUE      float64 `json:"pue"`
			KWh      float64 `json:"kwh_per_month"`
			USD      float64 `json:"monthly_usd"`
		} `json:"energy"`
		Workload struct {
			KWhPrice float64 `json:"kwh_price"`
			PUE      float64 `json:"pue"`
		} `json:"workload"`
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	// 1e9 output tokens x 0.9375 J x 1.4 / 3.6e6 = 364.583 kWh at $0.10.
	if en := e.Energy; en.KWhPrice != 0.10 || en.PUE != 1.4 || math.Abs(en.KWh-364.5833333) > 1e-6 || math.Abs(en.USD-36.4583333) > 1e-6 ||
		e.Workload.KWhPrice != 0.10 || e.Workload.PUE != 1.4 {
		t.Errorf("energy %+v, workload %+v", en, e.Workload)
	}
	out, _, _ = execCostCLI(t, "cost", run, "--kwh-price", "0.10")
	costOutputHas(t, "energy table", out, "Electricity (on-premises; not in the cloud prices above)", "$26.04 a month", "give --pue for your facility")
	out, _, _ = execCostCLI(t, "cost", filepath.Join(costTestdata, "runs", "a10g-sweep"), "--slo", "p95=50ms", "--kwh-price", "0.10")
	costOutputHas(t, "no energy data", out, "no energy data: the capacity step has no GPU power readings")
	_, code, err = execCostCLI(t, "cost", run, "--pue", "0.8")
	if code != ExitUsage || !strings.Contains(err.Error(), "--pue") {
		t.Errorf("--pue 0.8: exit %d, %v", code, err)
	}
}

func TestCostHelpPointsAtTheDesignDoc(t *testing.T) {
	out, _, err := execCostCLI(t, "cost", "--help")
	if err != nil || !strings.Contains(out, "docs/design.md") || strings.Contains(out, "DESIGN.md") {
		t.Errorf("cost --help: %v\n%s", err, out)
	}
}
