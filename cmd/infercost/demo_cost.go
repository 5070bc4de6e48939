package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/infercost/infercost/report/cost"
	"github.com/infercost/infercost/result"
	"github.com/spf13/cobra"
)

// demoCost ends the demo with the answer a newcomer came for: what serving
// the built-in model would cost on the cheapest CPU instances. With
// --format json it returns the estimate for the JSON summary instead of
// printing it.
func demoCost(cmd *cobra.Command, run *result.Run, dir string, slo []result.SLOBound, format string) (any, error) {
	out := cmd.OutOrStdout()
	if format == formatJSON {
		out = cmd.ErrOrStderr()
	}
	fmt.Fprintln(out)
	e, err := cost.DemoAnswer(run, dir, slo, nil, time.Now())
	if errors.Is(err, cost.ErrNoCapacity) {
		fmt.Fprintf(out, "No cost answer: %v\n", err)
		busy := ""
		for _, w := range run.Warnings {
			if strings.HasPrefix(w, "the machine was busy") {
				busy = " (the machine was busy: rerun the demo when it is quieter)"
			}
		}
		return nil, withCode(ExitNoCapacity, fmt.Errorf("no demo step met %s on this machine%s; see the table above", result.FormatSLO(slo), busy))
	}
	if err != nil {
		return nil, err
	}
	if format == formatJSON {
		return e, nil
	}
	return nil, cost.RenderDemo(out, e)
}
