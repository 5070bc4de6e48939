package htmlreport

import (
	"fmt"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/result"
)

// answerBox lays out a run's answer: the best load within the SLO, its
// capacity, the cost per million at full utilisation, and the cheapest way
// to serve the month with its bill. Without a capacity or a price, the box
// says why instead.
func answerBox(a *answer.Answer) answerView {
	v := answerView{NoAnswer: a.NoAnswer}
	if !a.HasCapacity {
		return v
	}
	unit := result.UnitWords(a.Unit)
	v.OK = a.CostPerMillionUSD != nil || a.Cheapest() != ""
	v.Headline = fmt.Sprintf("Best within %s: %s, %s %s/s per replica.", a.SLO, a.Load(), answer.Rate(a.CapacityPerS), unit)
	v.Items = append(v.Items,
		kv{"Best load", fmt.Sprintf("%s (step %d %s), p95 %s ms, p99 %s ms", a.Load(), a.Step, a.StepName, answer.Num(a.P95MS), answer.Num(a.P99MS))},
		kv{"Capacity", fmt.Sprintf("%s %s/s per replica within %s", answer.Rate(a.CapacityPerS), unit, a.SLO)})
	if a.CostPerMillionUSD != nil {
		v.Items = append(v.Items, kv{"Cost per million " + unit, fmt.Sprintf("%s on %s, at full utilisation", answer.PerMillion(*a.CostPerMillionUSD), a.FullUseInstance)})
	}
	if c := a.Cheapest(); c != "" {
		bill := fmt.Sprintf("%s: %s a month", c, answer.USD(*a.MonthlyComputeUSD))
		if a.MonthlyTotalUSD != nil {
			bill += fmt.Sprintf(", %s all-in (storage, transfer, monitoring, overhead and buffer)", answer.USD(*a.MonthlyTotalUSD))
		}
		v.Items = append(v.Items, kv{fmt.Sprintf("Cheapest way to serve %s %s a month", answer.Rate(a.MonthlyUnits), unit), bill})
	}
	return v
}
