package main

import (
	"encoding/json"
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
