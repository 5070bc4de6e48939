package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
)

// demoCost ends the demo with the answer a newcomer came for: what serving
// the built-in model would cost on the cheapest CPU instances.
func demoCost(cmd *cobra.Command, run *result.Run, dir string, slo []result.SLOBound) error {
	out := cmd.OutOrStdout()
	fmt.Fprintln(out)
	e, err := cost.DemoAnswer(run, dir, slo, nil, time.Now())
	if errors.Is(err, cost.ErrNoCapacity) {
		fmt.Fprintf(out, "No cost answer: %v\n", err)
		return withCode(ExitNoCapacity, fmt.Errorf("no demo step met %s on this machine; see the table above", result.FormatSLO(slo)))
	}
	if err != nil {
		return err
	}
	return cost.RenderDemo(out, e)
}
