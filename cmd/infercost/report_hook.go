package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/htmlreport"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
	"github.com/infercost/infercost/version"
)

// writeHTMLReport writes report.html into a finished run's directory
// (profile, sweep and demo call it once the plots are drawn), priced on
// the embedded catalog at the run's own SLO. The run is already on disk:
// a report that cannot be written, or that fails in any way, is a warning
// on w, never a lost run, and `infercost report DIR --html FILE` can write
// it later.
func writeHTMLReport(w io.Writer, run *result.Run, dir string) {
	if len(run.Steps) == 0 {
		return
	}
	path := filepath.Join(dir, htmlreport.FileName)
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(w, "report: %s not written: %v (the run is kept; infercost report %s --html FILE writes it)\n", htmlreport.FileName, p, dir)
		}
	}()
	err := func() error {
		cp := *run // the report recomputes quantiles from the logs; leave the session's run as it is
		cp.Steps = append([]result.Step(nil), run.Steps...)
		d, err := runs.FromRun(&cp, dir)
		if err != nil {
			return err
		}
		o, err := answer.Defaults(costClock())
		if err != nil {
			return err
		}
		return htmlreport.WriteFile(path, func(wr io.Writer) error {
			return htmlreport.WriteRun(wr, d, htmlreport.Options{Answer: o, Version: version.String(), Now: costClock()})
		})
	}()
	if err != nil {
		fmt.Fprintf(w, "report: %s not written: %v (the run is kept; infercost report %s --html FILE writes it)\n", htmlreport.FileName, err, dir)
		return
	}
	fmt.Fprintf(w, "report: %s\n", path)
}
