package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const costTestdata = "../../testdata"

// execCostCLI runs the real cobra command tree with args, on the fixed date
// the catalog's age flags are tested against, and returns its output and
// exit code.
func execCostCLI(t *testing.T, args ...string) (string, int, error) {
	t.Helper()
	saved := costClock
	costClock = func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }
	defer func() { costClock = saved }()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	code := ExitOK
	if err != nil {
		code = exitCodeOf(err)
	}
	return out.String(), code, err
}

func costOutputHas(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func TestCostCapacityFormIssueExample(t *testing.T) {
	out, code, err := execCostCLI(t, "cost", "--capacity", "250", "--instance", "g5.xlarge", "--monthly", "10000000",
		"--peak-to-average", "1", "--headroom", "1", "--min-replicas", "1")
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	costOutputHas(t, "cost output", out, "g5.xlarge  aws       1 x NVIDIA A10G  250         $1.006  $1.1178    1         1          $734.38",
		"Cheapest: dedicated on g5.xlarge at $734.38 a month", "Defaults used: regions=1", "TCO a month", "$1,040.09")
	if strings.Contains(out, "monthly=") || strings.Contains(out, "headroom=") {
		t.Error("flags given on the command line are listed as defaults")
	}
}

func TestCostCapacityFormJSON(t *testing.T) {
	out, _, err := execCostCLI(t, "cost", "--capacity", "250", "--instance", "g5.xlarge", "--monthly", "10000000",
		"--peak-to-average", "1", "--headroom", "1", "--min-replicas", "1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Instances []struct {
			Name                  string  `json:"name"`
			UnitCostPerMillionUSD float64 `json:"unit_cost_per_million_usd"`
			Replicas              int     `json:"replicas"`
			MonthlyComputeUSD     float64 `json:"monthly_compute_usd"`
		} `json:"instances"`
		Cheapest struct {
			Kind string `json:"kind"`
		} `json:"cheapest"`
		Crossover *float64 `json:"crossover_monthly_inferences"`
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r := e.Instances[0]
	if r.Name != "g5.xlarge" || math.Abs(r.UnitCostPerMillionUSD-1.1178) > 5e-5 || r.Replicas != 1 || math.Abs(r.MonthlyComputeUSD-734.38) > 1e-9 || e.Crossover != nil {
		t.Errorf("json %+v", e)
	}
}

func TestCostAllPrintsTheWholeComparison(t *testing.T) {
	out, code, err := execCostCLI(t, "cost", "--capacity", "250", "--all", "--latency-ms", "20", "--rss-bytes", "1500000000")
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	costOutputHas(t, "--all", out, "p4d.24xlarge", "c6i.xlarge", "NC40ads_H100_v5", "Deployment options", "serverless  aws-lambda",
		"TCO a month", "inferences a month aws-lambda", "Prices used", "older than 12 months")
}

func TestCostRunForm(t *testing.T) {
	run := filepath.Join(costTestdata, "runs", "a10g-sweep")
	out, code, err := execCostCLI(t, "cost", run, "--slo", "p95=50ms", "--monthly", "10000000")
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	costOutputHas(t, "cost RUN", out, "Cost of "+run, `step 9 "b8-r100", batch 8 (the sweep's best batch)`, "$0.3493", "Levers", "batching", "spot",
		"model size 0.1024 GB from the run's model metadata")
	out, code, err = execCostCLI(t, "cost", filepath.Join(costTestdata, "runs", "no-slo"), "--slo", "p95=50ms")
	if code != ExitNoCapacity || err == nil || !strings.Contains(err.Error(), `the closest is step 1 "b1-r50"`) {
		t.Errorf("no step at the SLO: exit %d, %v\n%s", code, err, out)
	}
	out, code, _ = execCostCLI(t, "cost", filepath.Join(costTestdata, "runs", "cpu-profile"), "--slo", "p95=50ms", "--format", "markdown")
	if code != ExitOK {
		t.Fatalf("cpu run: exit %d", code)
	}
	costOutputHas(t, "cpu run markdown", out, "### Instances", "| c6i.xlarge | aws | 4 vCPU | 8,000 (est.) |", "shared the host with the load generator")
}

func TestCostUsageErrors(t *testing.T) {
	run := filepath.Join(costTestdata, "runs", "a10g-sweep")
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"cost", run, "--capacity", "10"}, "not both", ExitUsage},
		{[]string{"cost"}, "give a run directory", ExitUsage},
		{[]string{"cost", "--capacity", "10"}, "exactly one of --instance NAME, --gpu NAME or --all", ExitUsage},
		{[]string{"cost", "--capacity", "10", "--instance", "g5.xlarg"}, `unknown instance "g5.xlarg": the catalog has no such instance (nearest: "g5.xlarge"`, ExitUsage},
		{[]string{"cost", "--capacity", "10", "--gpu", "A100"}, `unknown GPU "A100"`, ExitUsage},
		{[]string{"cost", "--capacity", "0", "--all"}, "capacity must be more than 0", ExitUsage},
		{[]string{"cost", "--capacity", "10", "--all", "--headroom", "70"}, "--headroom: want a share in (0, 1]", ExitUsage},
		{[]string{"cost", "--capacity", "10", "--all", "--format", "yaml"}, `--format "yaml"`, ExitUsage},
		{[]string{"cost", "--capacity", "10", "--all", "--slo", "p95=5ms"}, "--slo belongs to the run form", ExitUsage},
		{[]string{"cost", run, "--gpu", "A10G"}, "--gpu belongs to the capacity form", ExitUsage},
		{[]string{"cost", run, "--slo", "p96=5ms"}, "unknown percentile", ExitUsage},
		{[]string{"cost", run, "--batch", "3"}, "no step at batch 3", ExitUsage},
		{[]string{"cost", filepath.Join(costTestdata, "runs", "cpu-profile")}, "records no SLO: give one with --slo", ExitUsage},
		{[]string{"cost", "/nonexistent/run"}, "no run at /nonexistent/run", ExitUsage},
		{[]string{"cost", "--capacity", "10", "--all", "--catalog", filepath.Join(costTestdata, "catalogs", "bad-rows.yaml")},
			"bad-rows.yaml:4: instances[0] cheap.xlarge: on_demand_usd_per_hour is negative", ExitUsage},
		{[]string{"cost", "--capacity", "10", "--all", "--monthly", "ten"}, `--monthly: "ten" is not a number`, ExitUsage},
	} {
		_, code, err := execCostCLI(t, c.args...)
		if code != c.code || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: exit %d, %v; want exit %d and %q", c.args, code, err, c.code, c.want)
		}
	}
}

func TestCostWorkloadAndCatalogFiles(t *testing.T) {
	out, code, err := execCostCLI(t, "cost", "--capacity", "250", "--gpu", "RTX 6000 Ada",
		"--catalog", filepath.Join(costTestdata, "catalogs", "lab.yaml"), "--workload", filepath.Join(costTestdata, "workloads", "daily-autoscale.yaml"))
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	costOutputHas(t, "lab catalog", out, "lab-rtx6000", "autoscaled by the hourly profile", "300,000,000 inferences a month",
		"no Kubernetes control-plane fee in the catalog for lab")
	// Flags override the file.
	out, _, _ = execCostCLI(t, "cost", "--capacity", "250", "--instance", "g5.xlarge", "--workload", filepath.Join(costTestdata, "workloads", "medium.yaml"), "--monthly", "20000000")
	costOutputHas(t, "flag over file", out, "20,000,000 inferences a month", "peak-to-average 3")
	bad := filepath.Join(t.TempDir(), "w.yaml")
	if err := os.WriteFile(bad, []byte("monthly: 1\nheadroom: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, code, err = execCostCLI(t, "cost", "--capacity", "250", "--all", "--workload", bad)
	if code != ExitUsage || !strings.Contains(err.Error(), "w.yaml:2: headroom: want a share in (0, 1]") {
		t.Errorf("bad workload file: exit %d, %v", code, err)
	}
}

func TestCatalogCommand(t *testing.T) {
	out, code, err := execCostCLI(t, "catalog", "--gpu", "a10g")
	if err != nil || code != ExitOK {
		t.Fatal(err)
	}
	costOutputHas(t, "catalog --gpu a10g", out, "g5.xlarge", "g5.2xlarge", "ml.g5.xlarge", "price: unconfirmed")
	if strings.Contains(out, "p4d.24xlarge") {
		t.Error("the GPU filter kept another GPU's instance")
	}
	out, _, _ = execCostCLI(t, "catalog", "--provider", "gcp", "--format", "json")
	var v struct {
		Catalog struct {
			Instances []struct {
				Provider string `json:"provider"`
			} `json:"instances"`
		} `json:"catalog"`
		PriceDates []struct {
			Row   string `json:"row"`
			Stale bool   `json:"stale"`
		} `json:"price_dates"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Catalog.Instances) != 5 {
		t.Fatalf("catalog json: %v, %d gcp instances\n%s", err, len(v.Catalog.Instances), out)
	}
	for _, in := range v.Catalog.Instances {
		if in.Provider != "gcp" {
			t.Errorf("provider filter kept %s", in.Provider)
		}
	}
	_, code, err = execCostCLI(t, "catalog", "--gpu", "B200")
	if code != ExitUsage || !strings.Contains(err.Error(), `unknown GPU "B200"`) {
		t.Errorf("unknown GPU: exit %d %v", code, err)
	}
}

func TestCompareCommand(t *testing.T) {
	a := filepath.Join(costTestdata, "runs", "a10g-sweep")
	b := filepath.Join(costTestdata, "runs", "a100-sweep")
	out, code, err := execCostCLI(t, "compare", a, b, "--slo", "p95=50ms")
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	costOutputHas(t, "compare", out, "NVIDIA A10G ("+a+") is the cheaper way to serve 10,000,000 inferences a month at p95=50ms: $2,060.68 a month all-in",
		"against $7,439.97 for NVIDIA A100-SXM4-40GB (dedicated on 2 x a2-highgpu-1g", "dedicated, 2 x g5.xlarge", "0.24%", "$0.3812 (p4d.24xlarge)")
	out, _, err = execCostCLI(t, "compare", a, b, "--slo", "p95=50ms", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Runs []struct {
			MonthlyTotalUSD float64 `json:"monthly_total_usd"`
			Instance        string  `json:"cheapest_instance"`
		} `json:"runs"`
		Winner struct {
			Run      string  `json:"run"`
			Instance string  `json:"instance"`
			Margin   float64 `json:"margin_percent"`
		} `json:"winner"`
		Verdict string `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Winner.Run != a || c.Winner.Instance != "g5.xlarge" || math.Abs(c.Winner.Margin-261.04) > 0.01 {
		t.Errorf("compare json winner %+v (%v)", c.Winner, err)
	}
	// The A100's month is the cheapest way to serve the workload, not a
	// whole p4d.24xlarge; the verdict names the monthly figures.
	if len(c.Runs) != 2 || c.Runs[1].Instance != "a2-highgpu-1g" || c.Runs[1].MonthlyTotalUSD >= 10000 || math.Abs(c.Runs[1].MonthlyTotalUSD-7439.97) > 0.005 ||
		!strings.Contains(c.Verdict, "$7,439.97") || !strings.Contains(c.Verdict, "$2,060.68") {
		t.Errorf("compare json runs %+v, verdict %q", c.Runs, c.Verdict)
	}
	_, code, err = execCostCLI(t, "compare", a)
	if code != ExitUsage {
		t.Errorf("one run: exit %d %v", code, err)
	}
	nos := filepath.Join(costTestdata, "runs", "no-slo")
	_, code, err = execCostCLI(t, "compare", nos, nos, "--slo", "p95=50ms")
	if code != ExitNoCapacity {
		t.Errorf("no run at the SLO: exit %d %v", code, err)
	}
	_, code, err = execCostCLI(t, "compare", a, filepath.Join(costTestdata, "runs", "cpu-profile"), "--slo", "p95=50ms")
	if code != ExitUsage || !strings.Contains(err.Error(), "different models") {
		t.Errorf("different models: exit %d %v", code, err)
	}
}
