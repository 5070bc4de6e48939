package cost

import (
	"strings"
	"testing"

	"github.com/infercost/infercost/result"
)

func instanceRow(t *testing.T, e *Estimate, name string) InstanceCost {
	t.Helper()
	for _, r := range e.Instances {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no instance row %s", name)
	return InstanceCost{}
}

func notesHave(t *testing.T, e *Estimate, want string) {
	t.Helper()
	if !strings.Contains(strings.Join(e.Notes, "\n"), want) {
		t.Errorf("notes lack %q:\n%s", want, strings.Join(e.Notes, "\n"))
	}
}

func TestReplicaIsAsManyGPUsAsDidTheWork(t *testing.T) {
	// The A100 golden run: 8 GPUs on the host, one busy at the capacity
	// step. A replica is one GPU, priced at 1/8 of a p4d.24xlarge.
	e, err := CostRun(readGolden(t, "a100-sweep"), runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	if r := instanceRow(t, e, "p4d.24xlarge"); r.ReplicasPerInstance != 8 || !near(*r.UnitCostPerMillionUSD, 21.957642/8/(2000*3600)*1e6, 1e-12) {
		t.Errorf("one busy GPU: p4d row %+v", r)
	}
	notesHave(t, e, "1 GPU busy (mean utilisation above 10%) at the capacity step, of the 8 the host had: a replica is 1 GPU")

	// All 8 busy: the 2,000/s took the whole p4d.24xlarge.
	run := readGolden(t, "a100-sweep")
	busy := run.Steps[2].GPUs[0]
	run.Steps[2].GPUs = nil
	for i := 0; i < 8; i++ {
		g := busy
		g.Index = i
		run.Steps[2].GPUs = append(run.Steps[2].GPUs, g)
	}
	run.Steps[2].GPUs[7].UtilizationPercentMean = 9 // at most 10%: idle
	e, err = CostRun(run, runOpts(t, "p95=50ms"))
	if err != nil {
		t.Fatal(err)
	}
	p4d := instanceRow(t, e, "p4d.24xlarge")
	if p4d.ReplicasPerInstance != 1 || !near(*p4d.UnitCostPerMillionUSD, 21.957642/(2000*3600)*1e6, 1e-12) || e.Hardware.GPUsPerReplica != 7 {
		t.Errorf("7 busy GPUs: p4d row %+v, %d GPUs a replica", p4d, e.Hardware.GPUsPerReplica)
	}
	if a2 := instanceRow(t, e, "a2-highgpu-1g"); a2.Fits || a2.MonthlyComputeUSD != nil || !strings.Contains(a2.Note, "a replica needs 7 GPUs; a2-highgpu-1g has 1") {
		t.Errorf("a one-GPU instance for a 7-GPU replica: %+v", a2)
	}
	notesHave(t, e, "7 GPUs busy")

	// A remote run: no samples, the run says how many GPUs served it.
	for _, tc := range []struct {
		gpus, perInstance int
		note              string
	}{
		{4, 2, "a replica is 4 GPUs, as the run says (--gpus 4)"},
		{0, 8, "a replica is taken as 1 GPU"},
	} {
		r := remoteRun(t, "NVIDIA A100-SXM4-40GB", false)
		r.Steps = readGolden(t, "a100-sweep").Steps
		for i := range r.Steps {
			r.Steps[i].GPUs = []result.GPUSummary{}
		}
		r.Sweep = nil
		r.Spec.GPUs = tc.gpus
		e, err := CostRun(r, runOpts(t, "p95=50ms"))
		if err != nil {
			t.Fatal(err)
		}
		if p := instanceRow(t, e, "p4d.24xlarge"); p.ReplicasPerInstance != tc.perInstance ||
			!near(*p.UnitCostPerMillionUSD, 21.957642/float64(tc.perInstance)/(2000*3600)*1e6, 1e-12) {
			t.Errorf("--gpus %d: p4d row %+v", tc.gpus, p)
		}
		notesHave(t, e, tc.note)
	}
}

func TestMinReplicasSpreadOverInstances(t *testing.T) {
	// Two replicas for availability at 10M a month on p4d.24xlarge: two
	// instances, not two GPUs of one.
	c := defaultCatalog(t)
	e, err := Compute(Input{Catalog: c, Workload: DefaultWorkload(), Now: today, CapacityPerS: 2000,
		Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA A100-SXM4-40GB"}, Instances: []string{"p4d.24xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	r := e.Instances[0]
	if r.Replicas != 2 || r.Instances != 2 || !near(*r.MonthlyComputeUSD, 2*21.957642*730, 1e-6) {
		t.Errorf("p4d row %+v", r)
	}
	for _, kind := range []string{OptionDedicated, OptionKubernetes} {
		o := option(t, e, kind)
		if o.Instances != 2 || !strings.Contains(o.Detail, "spread over 2 instances for availability") {
			t.Errorf("%s: %+v", kind, o)
		}
	}
}

func TestKubernetesOverheadIsCPUAndMemoryNotGPU(t *testing.T) {
	c := defaultCatalog(t)
	w := issueWorkload()
	if err := w.Set("monthly", fmtF(3000*HoursPerMonth*SecondsPerHour), "flag"); err != nil {
		t.Fatal(err)
	}
	// 3,000/s at 1,000/s a GPU: three a2-highgpu-1g nodes; system pods take
	// CPU and memory, not the GPU (taking 10% off made it four, +33%).
	e, err := Compute(Input{Catalog: c, Workload: w, Now: today, CapacityPerS: 1000,
		Hardware: Hardware{Kind: HardwareGPU, GPU: "NVIDIA A100-SXM4-40GB"}, Instances: []string{"a2-highgpu-1g"}})
	if err != nil {
		t.Fatal(err)
	}
	k := option(t, e, OptionKubernetes)
	if k.Instances != 3 || !near(*k.MonthlyTotalUSD, 3*3.673385*730+73, 1e-6) || !strings.Contains(k.Detail, "GPU capacity unchanged") {
		t.Errorf("GPU nodes: %+v", k)
	}
	// On CPU nodes the system pods share the CPUs: 3,000/s at 1,000/s an
	// instance x 0.9 needs four c6i.xlarge.
	e, err = Compute(Input{Catalog: c, Workload: w, Now: today, CapacityPerS: 1000,
		Hardware: Hardware{Kind: HardwareCPU, Arch: ArchX86}, Instances: []string{"c6i.xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	if k := option(t, e, OptionKubernetes); k.Instances != 4 || !near(*k.MonthlyTotalUSD, 4*0.17*730+73, 1e-6) {
		t.Errorf("CPU nodes: %+v", k)
	}
}
