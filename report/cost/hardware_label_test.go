package cost

import (
	"errors"
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func TestCheckHardwareLabel(t *testing.T) {
	c := defaultCatalog(t)
	for _, tc := range []struct {
		label    string
		unpriced bool
		want     string // "" accepted; else a part of the error
	}{
		{"", false, ""},
		{"NVIDIA A10G", false, ""},
		{"a10g", false, ""},
		{"NVIDIA A100-SXM4-40GB", false, ""},
		{"H100-SXM", false, ""},
		{"AMD EPYC 7R32", false, ""},
		{"Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", false, ""},
		{"Intel Xeon E5-2686 v4", false, ""},
		{"AWS Graviton3", false, ""},
		{"Ampere Altra Q80-30", false, ""},
		{"NVIDIA A10GX", false, `"NVIDIA A10G"`},
		{"B200", false, `hardware label "B200" names no GPU in the catalog`},
		{"NVIDIA A100-PCIE-40GB", false, "nearest:"},
		{"AMD Instinct MI300X", false, "names no GPU in the catalog"},
		{"Tesla P100", false, "--hardware-unpriced"},
		{"my lab box", false, "names neither a GPU in the catalog nor a CPU vendor or family"},
		{"NVIDIA A10GX", true, ""},
		{"my lab box", true, ""},
	} {
		err := CheckHardwareLabel(c, tc.label, tc.unpriced)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q (unpriced %v) refused: %v", tc.label, tc.unpriced, err)
		case tc.want != "" && (err == nil || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q (unpriced %v): %v, want an input error with %q", tc.label, tc.unpriced, err, tc.want)
		}
	}
}

// remoteRun is the A10G golden run as if measured from another machine
// with --hardware LABEL: no GPU seen, no GPU samples.
func remoteRun(t *testing.T, label string, unpriced bool) *result.Run {
	r := readGolden(t, "a10g-sweep")
	r.Environment.GPUs = []result.GPU{}
	r.Environment.Hardware, r.Environment.HardwareSource = label, "flag"
	r.Spec.HardwareLabel, r.Spec.HardwareUnpriced = label, unpriced
	for i := range r.Steps {
		r.Steps[i].GPUs = []result.GPUSummary{}
	}
	return r
}

func TestCostRunChecksTheHardwareLabel(t *testing.T) {
	// A typo in --hardware priced a GPU run on CPU instances, 7x too cheap.
	_, err := CostRun(remoteRun(t, "NVIDIA A10GX", false), runOpts(t, "p95=50ms"))
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), `"NVIDIA A10G"`) {
		t.Fatalf("a typo in the label: %v", err)
	}
	// The label spelled right is priced on its GPU.
	e, err := CostRun(remoteRun(t, "NVIDIA A10G", false), runOpts(t, "p95=50ms"))
	if err != nil || e.Hardware.Kind != HardwareGPU || e.Instances[0].Name != "g5.xlarge" {
		t.Fatalf("a right label: %v %+v", err, e)
	}
	// A deliberate unpriced label: no price data, never CPU prices.
	e, err = CostRun(remoteRun(t, "NVIDIA A10GX", true), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Instances) != 0 || e.Cheapest != nil || e.TCO != nil || e.Hardware.Kind != HardwareUnpriced {
		t.Errorf("unpriced hardware priced: kind %s, %d instances, cheapest %+v", e.Hardware.Kind, len(e.Instances), e.Cheapest)
	}
	for _, o := range e.Options {
		if o.Applicable || o.Status != StatusNoPriceData || !strings.Contains(o.Reason, "no price data") || !strings.Contains(o.Reason, "--hardware-unpriced") {
			t.Errorf("option %+v", o)
		}
	}
	// A scraped GPU model the catalog lacks is refused, not priced on CPU.
	r := remoteRun(t, "NVIDIA B200", false)
	r.Environment.HardwareSource = "scrape:gpu"
	if _, err := CostRun(r, runOpts(t, "p95=50ms")); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "NVIDIA B200") {
		t.Errorf("unknown scraped GPU: %v", err)
	}
	// A CPU label on a remote run is priced on CPU instances.
	e, err = CostRun(remoteRun(t, "AMD EPYC 7R32", false), runOpts(t, "p95=50ms"))
	if err != nil || e.Hardware.Kind != HardwareCPU || len(e.Instances) == 0 {
		t.Errorf("a CPU label: %v %+v", err, e)
	}
}
