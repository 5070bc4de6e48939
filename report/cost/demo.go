package cost

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/infercost/infercost/result"
)

// DemoSLO is the SLO the demo prices its run at unless its --slo says
// otherwise; the answer prints it. DemoLLMSLO is the one of `demo --llm`.
const (
	DemoSLO    = "p95=50ms"
	DemoLLMSLO = "ttft_p95=1s,itl_p95=100ms"
)

// demoRows is how many CPU instances the demo's table shows.
const demoRows = 3

// DemoAnswer prices a demo run (the built-in server, on CPU) at the
// default workload and DemoSLO on the catalog's CPU instances: the answer
// `infercost demo` ends with. runName is the run directory, as printed. An
// error matching ErrNoCapacity means no step met DemoSLO; its message names
// the closest step.
func DemoAnswer(run *result.Run, runName string, slo []result.SLOBound, cat *Catalog, now time.Time) (*Estimate, error) {
	var err error
	if len(slo) == 0 {
		if slo, err = result.ParseSLO(DemoSLO); err != nil {
			return nil, err
		}
	}
	if cat == nil {
		if cat, err = DefaultCatalog(); err != nil {
			return nil, err
		}
	}
	return CostRun(run, RunOptions{Catalog: cat, Workload: DefaultWorkload(), Now: now, SLO: slo,
		MaxErrorRate: -1, CacheHitRate: 0.2, RunName: runName, CPUOnly: true})
}

// RenderDemo writes the demo's compact answer: what the model costs per
// million and per month on the cheapest CPU instances, the cheapest
// option, and the caveats a newcomer must read.
func RenderDemo(w io.Writer, e *Estimate) error {
	var b strings.Builder
	cs := e.CapacitySource
	llm := e.Unit == result.UnitOutputToken && e.Tokens != nil
	switch {
	case llm:
		fmt.Fprintf(&b, "What serving this model would cost, at %s requests a month (%s output tokens; the default workload) and SLO %s:\n",
			count(e.Tokens.MonthlyRequests), count(e.Tokens.MonthlyOutputTokens), e.SLO)
	default:
		fmt.Fprintf(&b, "What serving this model would cost, at %s inferences a month (the default workload) and SLO %s:\n",
			count(e.Workload.MonthlyInferences), e.SLO)
	}
	if cs != nil && llm {
		fmt.Fprintf(&b, "measured capacity %s output tokens/s (%s requests/s) on this host (%d logical CPUs), step %d, concurrency %d, p95 %.3g ms end to end.\n\n",
			rate(e.CapacityInferencesPerS), rate(e.Tokens.CapacityRequestsPerS), e.Hardware.CPUs, cs.Number, cs.Concurrency, cs.P95MS)
	} else if cs != nil {
		fmt.Fprintf(&b, "measured capacity %s inferences/s on this host (%d logical CPUs), step %d, batch %d, p95 %.3g ms.\n\n",
			rate(e.CapacityInferencesPerS), e.Hardware.CPUs, cs.Number, cs.BatchSize, cs.P95MS)
	}
	rows := [][]string{}
	for _, r := range e.Instances {
		if len(rows) == demoRows {
			break
		}
		if r.UnitCostPerMillionUSD == nil || !r.Fits {
			continue
		}
		capS := rate(r.CapacityInferencesPerS)
		if r.CapacityEstimated {
			capS += " (est.)"
		}
		perM := r.UnitCostPerMillionUSD
		if llm {
			perM = r.USDPerMillionOutputTokens
		}
		rows = append(rows, []string{r.Name, r.Provider, instanceHardware(r), capS, perMillion(perM),
			fmt.Sprint(r.Replicas), usdPtr(r.MonthlyComputeUSD)})
	}
	d := &doc{}
	if len(rows) > 0 {
		head := []string{"INSTANCE", "PROVIDER", "HARDWARE", "CAPACITY/S", "$/MILLION", "REPLICAS", "COMPUTE/MONTH"}
		if llm {
			head[3], head[4] = "OUT TOKENS/S", "$/M OUT TOKENS"
		}
		d.table(head, rows)
	} else {
		d.para("No CPU instance in the catalog could be priced.")
	}
	if c := e.Cheapest; c != nil {
		line := fmt.Sprintf("Cheapest option: %s on %s at %s a month", c.Kind, c.Instance, usd(c.MonthlyTotalUSD))
		if e.TCO != nil {
			line += fmt.Sprintf(" (%s all-in with storage, transfer, monitoring, overhead and buffer)", usd(e.TCO.TotalUSD))
		}
		if llm && c.USDPerMillionOutputTokens != nil {
			line += fmt.Sprintf("; %s per million output tokens over the month's tokens", usd(*c.USDPerMillionOutputTokens))
		}
		d.para("%s.", line)
	}
	if llm {
		d.para("Per-token figures: %s.", AttributionRule)
	}
	var caveats []string
	for _, n := range e.Notes {
		if strings.Contains(n, "shared the host") || strings.Contains(n, "estimate") {
			caveats = append(caveats, n)
		}
	}
	if len(caveats) > 0 {
		d.list(caveats)
	}
	if e.Run != nil {
		d.para("Full breakdown: infercost cost %s --slo %s", *e.Run, e.SLO)
	}
	if err := d.write(&b, FormatTable); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}
