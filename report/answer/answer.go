// Package answer is the headline every report leads with: the best batch
// size (or concurrency) within the SLO, what it costs per million units at
// full utilisation, and the cheapest way to serve the month's work with its
// bill. It prices a run with the cost engine (cost.CostRun) exactly as
// `infercost cost` does, so a report never disagrees with it, and turns
// every reason there is no answer (no SLO, no step meeting it, hardware the
// catalog does not price) into words rather than an error, because a report
// must still render without one.
package answer

import (
	"errors"
	"fmt"
	"time"

	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
)

// Options say how to price: the catalog, the workload, the SLO (nil: the
// run's own) and the error rate (negative: the run's own).
type Options struct {
	Catalog      *cost.Catalog
	Workload     cost.Workload
	SLO          []result.SLOBound
	MaxErrorRate float64
	Now          time.Time
}

// Defaults are the options a report uses when nothing is said: the
// embedded catalog, the default workload, the run's own SLO and error rate.
func Defaults(now time.Time) (Options, error) {
	cat, err := cost.DefaultCatalog()
	if err != nil {
		return Options{}, err
	}
	return Options{Catalog: cat, Workload: cost.DefaultWorkload(), MaxErrorRate: -1, Now: now}, nil
}

// Answer is one run's headline. Capacity figures are set whenever a step
// meets the SLO; cost figures when the capacity could be priced. NoAnswer
// says why a part is missing ("" when nothing is).
type Answer struct {
	Run  string `json:"run"`
	Unit string `json:"unit"`
	SLO  string `json:"slo"`
	// HasCapacity: a step meets the SLO; the capacity fields below are set.
	HasCapacity bool   `json:"has_capacity"`
	Step        int    `json:"step"` // the step's number (index + 1)
	StepName    string `json:"step_name"`
	BatchSize   int    `json:"batch_size"`
	// Concurrency is the capacity step's requests in flight in a closed
	// loop (an LLM server's load knob); 0 in rate mode.
	Concurrency int `json:"concurrency"`
	// CapacityPerS is one replica's throughput in Unit at the SLO.
	CapacityPerS float64 `json:"capacity_per_s"`
	P95MS        float64 `json:"p95_ms"`
	P99MS        float64 `json:"p99_ms"`
	// CostPerMillionUSD is the cost per million units at full utilisation
	// on FullUseInstance, the fitting instance cheapest by that measure.
	CostPerMillionUSD *float64 `json:"cost_per_million_usd"`
	FullUseInstance   string   `json:"full_use_instance"`
	// Cheapest is the cheapest way to serve the month's work, its compute
	// bill in MonthlyComputeUSD and the all-in month (TCO) in
	// MonthlyTotalUSD.
	CheapestKind      string   `json:"cheapest_kind"`
	CheapestInstance  string   `json:"cheapest_instance"`
	MonthlyComputeUSD *float64 `json:"monthly_compute_usd"`
	MonthlyTotalUSD   *float64 `json:"monthly_total_usd"`
	MonthlyUnits      float64  `json:"monthly_units"`
	NoAnswer          string   `json:"no_answer"`
	// Estimate is the cost engine's full answer (nil without a capacity).
	Estimate *cost.Estimate `json:"-"`
	// Err is the cost engine's error when there is no capacity (it matches
	// cost.ErrNoCapacity or cost.ErrInput), for callers that gate on it.
	Err error `json:"-"`
}

// For prices run (named name in output) and says the answer. It never
// fails: what the engine refused is in NoAnswer and Err.
func For(run *result.Run, name string, opts Options) *Answer {
	a := &Answer{Run: name, Unit: run.Unit()}
	ro := cost.RunOptions{Catalog: opts.Catalog, Workload: opts.Workload, Now: opts.Now, SLO: opts.SLO,
		MaxErrorRate: opts.MaxErrorRate, CacheHitRate: 0.2, RunName: name, CPUOnly: run.Spec.Target == "builtin"}
	if opts.Catalog == nil {
		a.Err = errors.New("no pricing catalog")
		a.NoAnswer = "no cost answer: " + a.Err.Error()
		return a
	}
	e, err := cost.CostRun(run, ro)
	if err != nil {
		a.Err = err
		a.NoAnswer = "no cost answer: " + err.Error()
		if len(opts.SLO) > 0 {
			a.SLO = result.FormatSLO(opts.SLO)
		}
		return a
	}
	a.Estimate, a.SLO = e, e.SLO
	if cs := e.CapacitySource; cs != nil {
		a.HasCapacity = true
		a.Step, a.StepName, a.BatchSize, a.Concurrency = cs.Number, cs.StepName, cs.BatchSize, cs.Concurrency
		a.P95MS, a.P99MS = cs.P95MS, cs.P99MS
	}
	a.CapacityPerS, a.MonthlyUnits = e.CapacityInferencesPerS, e.MonthlyUnits
	for i := range e.Instances { // sorted: the first priced, fitting row is the cheapest at full use
		if ic := &e.Instances[i]; ic.UnitCostPerMillionUSD != nil && ic.Fits {
			v := *ic.UnitCostPerMillionUSD
			a.CostPerMillionUSD, a.FullUseInstance = &v, ic.Name
			break
		}
	}
	if c := e.Cheapest; c != nil {
		a.CheapestKind, a.CheapestInstance = c.Kind, c.Instance
		v := c.MonthlyTotalUSD
		a.MonthlyComputeUSD = &v
		if e.TCO != nil {
			t := e.TCO.TotalUSD
			a.MonthlyTotalUSD = &t
		}
	}
	if a.CostPerMillionUSD == nil && a.Cheapest() == "" {
		a.NoAnswer = fmt.Sprintf("no cost answer: nothing in the catalog is priced for %s (%s)", hardwareName(e), reasons(e))
	}
	return a
}

// Cheapest names the cheapest option: "serverless on aws-lambda-x86".
func (a *Answer) Cheapest() string {
	if a.CheapestKind == "" {
		return ""
	}
	if a.CheapestInstance == "" || a.CheapestInstance == "-" {
		return a.CheapestKind
	}
	return a.CheapestKind + " on " + a.CheapestInstance
}

// Load names the capacity step's load knob: "batch 8", or for a closed
// loop of an LLM run "concurrency 4".
func (a *Answer) Load() string {
	if a.Unit == result.UnitOutputToken && a.Concurrency > 0 {
		return fmt.Sprintf("concurrency %d", a.Concurrency)
	}
	if a.Concurrency > 0 {
		return fmt.Sprintf("batch %d at concurrency %d", a.BatchSize, a.Concurrency)
	}
	return fmt.Sprintf("batch %d", a.BatchSize)
}

func hardwareName(e *cost.Estimate) string {
	if e.Hardware.GPU != "" {
		return e.Hardware.GPU
	}
	if e.Hardware.Name != "" {
		return e.Hardware.Name
	}
	return "this hardware"
}

// reasons joins why each deployment option was not priced.
func reasons(e *cost.Estimate) string {
	out := ""
	for _, o := range e.Options {
		if o.Applicable {
			continue
		}
		if out != "" {
			out += "; "
		}
		out += o.Kind + ": " + o.Reason
	}
	if out == "" {
		return "no option applies"
	}
	return out
}
