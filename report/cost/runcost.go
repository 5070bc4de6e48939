package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/infercost/infercost/result"
)

// RunOptions says how to price a measured run.
type RunOptions struct {
	Catalog  *Catalog
	Workload Workload
	Now      time.Time
	// SLO is --slo; nil takes the run's own (its sweep's, else its spec's).
	SLO []result.SLOBound
	// MaxErrorRate is --max-error-rate; a negative value takes the run's
	// own (its sweep's, else its spec's, else result.DefaultMaxErrorRate).
	MaxErrorRate float64
	// Batch is --batch (0: the best batch).
	Batch int
	// CacheHitRate is the share of requests a cache would answer, for the
	// caching lever.
	CacheHitRate float64
	// Instance is the instance the model runs on now, the right-sizing
	// lever's baseline ("": guessed from the host's CPU count).
	Instance string
	// RunName is how the run is named in output (its directory).
	RunName string
	// CPUOnly prices the run on CPU instances whatever GPUs the host had
	// (the demo's built-in server runs on CPU).
	CPUOnly bool
}

// CostRun prices a measured run: capacity from its best SLO-meeting step,
// hardware matched to the catalog, serverless from its batch-1 latency and
// memory, then the levers.
func CostRun(run *result.Run, opts RunOptions) (*Estimate, error) {
	in, choice, err := runInput(run, opts)
	if err != nil {
		return nil, err
	}
	e, err := Compute(in.Input)
	if err != nil {
		return nil, err
	}
	e.Run = ptr(opts.RunName)
	e.SLO = result.FormatSLO(in.slo)
	st := choice.step
	e.CapacitySource = &CapacitySource{Step: st.Index, Number: st.Number(), StepName: st.Name, BatchSize: choice.batch, BatchFrom: choice.batchFrom,
		P95MS: st.LatencyMS.Corrected.P95, P99MS: st.LatencyMS.Corrected.P99}
	if st.Mode == result.ModeConcurrency {
		e.CapacitySource.Concurrency = st.Concurrency
	}
	e.Levers = computeLevers(run, in, choice, e, opts)
	return e, nil
}

// runInputs is an Input plus the SLO resolved for the run.
type runInputs struct {
	Input
	slo    []result.SLOBound
	maxErr float64
}

// runInput resolves everything CostRun needs from a run.
func runInput(run *result.Run, opts RunOptions) (runInputs, *capacityChoice, error) {
	if opts.Catalog == nil {
		return runInputs{}, nil, fmt.Errorf("no catalog")
	}
	name := opts.RunName
	if name == "" {
		name = run.Name
	}
	slo, sloNote, err := resolveSLO(run, opts.SLO, name)
	if err != nil {
		return runInputs{}, nil, err
	}
	maxErr := resolveMaxErrorRate(run, opts.MaxErrorRate)
	choice, err := chooseCapacity(run, name, slo, maxErr, opts.Batch)
	if err != nil {
		return runInputs{}, nil, err
	}
	hw, hwNotes, err := runHardware(run, opts.Catalog, opts.CPUOnly)
	if err != nil {
		return runInputs{}, nil, err
	}
	if hw.Kind == HardwareGPU {
		var note string
		hw.GPUsPerReplica, note = gpusPerReplica(run, choice.step)
		hwNotes = append(hwNotes, note)
	}
	w := opts.Workload
	if w.Origin == nil {
		w.Origin = map[string]string{}
	}
	notes := append([]string{}, hwNotes...)
	if sloNote != "" {
		notes = append(notes, sloNote)
	}
	if !userSet(w, "model_size_gb") {
		if b, ok := weightBytes(run.Environment.Model); ok {
			w.ModelSizeGB = b / 1e9
			w.Origin["model_size_gb"] = "measured"
			notes = append(notes, fmt.Sprintf("model size %.4g GB from the run's model metadata (parameters.weight_bytes); set --model-size-gb to override", w.ModelSizeGB))
		}
	}
	st := choice.step
	in := runInputs{slo: slo, maxErr: maxErr, Input: Input{Catalog: opts.Catalog, Now: opts.Now, CapacityPerS: st.Throughput(), Unit: run.Unit()}}
	if in.Unit == result.UnitOutputToken {
		if in.Tokens, err = tokenWorkload(st, w); err != nil {
			return runInputs{}, nil, err
		}
		notes = append(notes, "the month: "+tokenMonthWords(in.Tokens))
		in.ServerlessReason = "not applicable: per-token serverless APIs are not priced yet (an LLM run is priced on instances)"
	}
	if !userSet(w, "response_bytes") && st.BytesInPerRequest > 0 {
		w.ResponseBytes = st.BytesInPerRequest / float64(max(1, st.BatchSize))
		w.Origin["response_bytes"] = "measured"
	}
	if run.Environment.TargetIsLocal {
		notes = append(notes, "the target shared the host with the load generator (environment.target_is_local): its capacity is that of a shared machine, likely below what it has alone")
	}
	in.Workload, in.Hardware, in.Notes, in.Energy = w, hw, notes, runEnergy(st, in.Unit)
	for i := range st.GPUs {
		in.GPUMemoryBytes = math.Max(in.GPUMemoryBytes, st.GPUs[i].MemoryUsedBytesMax)
	}
	in.SLO = slo
	switch b1 := batch1Step(run, slo, maxErr); {
	case in.ServerlessReason != "":
	case b1 != nil:
		in.LatencyMS = b1.LatencyMS.Corrected.Mean
		if b1.Process.Available {
			in.RSSBytes = b1.Process.RSSBytesMax
		}
	case hasBatch(run, 1):
		in.ServerlessReason = fmt.Sprintf("not applicable: no batch-1 step meets %s, and a function serves one request at a time", result.FormatSLO(slo))
	default:
		in.ServerlessReason = "not applicable: the run has no batch-1 step, and a function serves one request at a time"
	}
	return in, choice, nil
}

// userSet reports whether the user set a workload key (flag or file).
func userSet(w Workload, key string) bool {
	o := w.Origin[key]
	return o == "flag" || o == "file"
}

// resolveSLO takes --slo, else the run's own (its sweep's, else its
// spec's), saying which in a note.
func resolveSLO(run *result.Run, flag []result.SLOBound, name string) ([]result.SLOBound, string, error) {
	if len(flag) > 0 {
		return flag, "", nil
	}
	if slo, from := run.RecordedSLO(); slo != nil {
		return slo, "SLO " + result.FormatSLO(slo) + " from the run's " + from + " (set --slo to use another)", nil
	}
	return nil, "", inputErrorf("%s records no SLO: give one with --slo (e.g. --slo p95=50ms)", name)
}

// resolveMaxErrorRate takes the flag when set (>= 0), else the run's own.
func resolveMaxErrorRate(run *result.Run, flag float64) float64 {
	if flag >= 0 {
		return flag
	}
	return run.RecordedMaxErrorRate()
}

// weightBytes reads parameters.weight_bytes from the built-in server's
// KServe model metadata.
func weightBytes(model json.RawMessage) (float64, bool) {
	var meta struct {
		Parameters map[string]json.RawMessage `json:"parameters"`
	}
	if len(model) == 0 || json.Unmarshal(model, &meta) != nil {
		return 0, false
	}
	raw, ok := meta.Parameters["weight_bytes"]
	if !ok {
		return 0, false
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		if _, err := fmt.Sscan(s, &v); err != nil {
			return 0, false
		}
	}
	if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// goArch maps Go's GOARCH to the catalog's arch names.
func goArch(a string) string {
	switch a {
	case "amd64":
		return ArchX86
	case "arm64":
		return ArchARM
	}
	return ""
}

// runHardware matches what the run measured to the catalog: a GPU through
// its aliases (the hardware name, else the first GPU's NVML name); a CPU
// run by architecture, with the host's CPU count for scaling when the
// target ran on the host that was described.
func runHardware(run *result.Run, c *Catalog, cpuOnly bool) (Hardware, []string, error) {
	env := run.Environment
	if !cpuOnly {
		for _, name := range gpuNames(env) {
			if g := c.FindGPU(name); g != nil {
				return Hardware{Kind: HardwareGPU, Name: name, GPU: g.Name}, nil, nil
			}
		}
		if len(env.GPUs) > 0 || strings.HasPrefix(env.HardwareSource, "scrape:") {
			n := env.Hardware
			if len(env.GPUs) > 0 {
				n = env.GPUs[0].Name
			}
			return Hardware{}, nil, inputErrorf("GPU %q is not in the catalog (nearest: %s): add it under gpus with --catalog FILE", n, quoteList(nearestGPUs(c, n, 3)))
		}
		if env.HardwareSource == "flag" && env.Hardware != "" {
			if run.Spec.HardwareUnpriced {
				return Hardware{Kind: HardwareUnpriced, Name: env.Hardware}, []string{fmt.Sprintf("the run's hardware %q was recorded with --hardware-unpriced: nothing in the catalog is matched to it", env.Hardware)}, nil
			}
			if err := CheckHardwareLabel(c, env.Hardware, false); err != nil {
				return Hardware{}, nil, err
			}
		}
	}
	hw := Hardware{Kind: HardwareCPU, Name: env.CPUModel}
	if env.HardwareSource == "flag" && env.Hardware != "" {
		hw.Name = env.Hardware
	}
	if env.TargetIsLocal || env.HardwareSource != "flag" {
		hw.CPUs, hw.Arch = env.CPUCores, goArch(env.Arch)
		return hw, nil, nil
	}
	return hw, []string{"the target ran on another host whose CPU count is unknown: each CPU instance is priced with the measured capacity, unscaled"}, nil
}

// gpuNames lists the names a GPU run may be matched by.
func gpuNames(env result.Environment) []string {
	var out []string
	if env.Hardware != "" {
		out = append(out, env.Hardware)
	}
	for _, g := range env.GPUs {
		out = append(out, g.Name)
	}
	return out
}
