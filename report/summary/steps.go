// Package summary renders a run's measurements for the terminal: the
// environment, an aligned table of steps with units, the flags and notes
// that qualify them, and a sweep's answers.
package summary

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/infercost/infercost/result"
)

// WriteRun writes the header, the step table, step notes and run warnings.
func WriteRun(w io.Writer, run *result.Run, dir string) {
	WriteHeader(w, run, dir)
	fmt.Fprintln(w)
	if run.Unit() == result.UnitOutputToken {
		WriteLLMSteps(w, run.Steps)
	} else {
		WriteSteps(w, run.Steps)
	}
	writeNotes(w, run)
	if run.Sweep != nil {
		fmt.Fprintln(w)
		WriteSweep(w, run)
	}
}

// WriteHeader says what was measured, where, and how.
func WriteHeader(w io.Writer, run *result.Run, dir string) {
	env := run.Environment
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "run\t%s (%s)\n", dir, run.Status)
	target := env.TargetURL
	if run.Spec.Target == "builtin" {
		target += " (built-in server, started by infercost)"
	}
	fmt.Fprintf(tw, "target\t%s\n", target)
	fmt.Fprintf(tw, "model\t%s\n", run.Spec.Model)
	hw := env.Hardware
	if env.HardwareSource == "flag" {
		hw += " (from --hardware)"
	} else if strings.HasPrefix(env.HardwareSource, "scrape:") {
		hw += " (from " + env.HardwareSource + ")"
	}
	fmt.Fprintf(tw, "hardware\t%s\n", hw)
	fmt.Fprintf(tw, "host\t%s, %d logical CPUs, %s memory\n", env.CPUModel, env.CPUCores, Bytes(float64(env.MemoryBytes)))
	fmt.Fprintf(tw, "GPU\t%s\n", env.GPUStatus)
	writeScrapeHeader(tw, run)
	sp := run.Spec
	fmt.Fprintf(tw, "measurement\t%gs warm-up, then %gs in %d windows (up to %d) until throughput and p95 agree within %.0f%%; %d trial(s)\n",
		sp.WarmupS, sp.DurationS, sp.Windows, sp.MaxWindows, sp.StabilityTolerance*100, sp.Trials)
	tw.Flush()
}

// WriteSteps writes one aligned row per step. Latency is the corrected
// latency (from the intended send time) unless the column says otherwise.
func WriteSteps(w io.Writer, steps []result.Step) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	remote := remoteColumns(steps)
	heads, units := "", ""
	for _, c := range remote {
		heads, units = heads+c.head+"\t", units+c.unit+"\t"
	}
	fmt.Fprintln(tw, "#\tstep\tbatch\toffered\tachieved\tthroughput\tp50\tp95\tp99\tp99 uncorr.\terrors\thost CPU\ttarget CPU\ttarget RSS\tGPU util\t"+heads+"flags\t")
	fmt.Fprintln(tw, "\t\t(inputs)\t(req/s)\t(req/s)\t(infer/s)\t(ms)\t(ms)\t(ms)\t(ms)\t(%)\t(% machine)\t(% of 1 core)\t(MiB)\t(%)\t"+units+"\t")
	for i := range steps {
		st := &steps[i]
		c, u := st.LatencyMS.Corrected, st.LatencyMS.Uncorrected
		proc, rss := "-", "-"
		if st.Process.Available {
			proc, rss = Num(st.Process.CPUPercentMean), Num(st.Process.RSSBytesMax/(1<<20))
		}
		lat := func(q result.Quantiles, v float64) string {
			if q.Count == 0 {
				return "-"
			}
			return Num(v)
		}
		cells := ""
		for _, rc := range remote {
			cells += rc.cell(st) + "\t"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\t\n",
			st.Number(), st.Name, st.BatchSize, offered(st), Num(st.AchievedRPS), Num(st.InferencesPerS),
			lat(c, c.P50), lat(c, c.P95), lat(c, c.P99), lat(u, u.P99),
			Num(st.ErrorRatio*100), Num(st.Host.CPUPercentMean), proc, rss, gpuUtil(st), cells, Flags(st))
	}
	tw.Flush()
	if note := gpuUtilNote(steps); note != "" {
		fmt.Fprintln(w, note)
	}
}

// gpuUtil is each GPU's mean utilisation, "n/a" where the board does not
// report it, "-" with no GPU.
func gpuUtil(st *result.Step) string {
	if len(st.GPUs) == 0 {
		return "-"
	}
	parts := make([]string, len(st.GPUs))
	for j, g := range st.GPUs {
		parts[j] = "n/a" // -1: the board does not report it
		if g.UtilizationPercentMean >= 0 {
			parts[j] = Num(g.UtilizationPercentMean)
		}
	}
	return strings.Join(parts, "/")
}

// Flags lists a step's flags in words, "ok" when it has none.
func Flags(st *result.Step) string {
	var f []string
	if st.Flags.GeneratorLimited {
		f = append(f, "generator-limited")
	}
	if st.Flags.Unstable {
		f = append(f, "unstable")
	}
	if st.Flags.Interrupted {
		f = append(f, "interrupted")
	}
	if st.Flags.StoppedEarly {
		f = append(f, "stopped-early")
	}
	if len(f) == 0 {
		return "ok"
	}
	return strings.Join(f, ",")
}

func writeNotes(w io.Writer, run *result.Run) {
	first := true
	for i := range run.Steps {
		st := &run.Steps[i]
		errs := errorWords(st)
		if len(st.Notes) == 0 && errs == "" && !hasScrapeNotes(st) {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nnotes:")
			first = false
		}
		writeScrapeNotes(w, st)
		for _, n := range st.Notes {
			fmt.Fprintf(w, "  step %d %s: %s\n", st.Number(), st.Name, n)
		}
		if errs != "" {
			fmt.Fprintf(w, "  step %d %s: errors %s\n", st.Number(), st.Name, errs)
		}
	}
	if sc := run.Samplers; sc.Samples > 0 {
		cost := "not measurable on this OS"
		if sc.CPUPercentOfCore >= 0 {
			cost = fmt.Sprintf("%.2f%% of one core", sc.CPUPercentOfCore)
		}
		fmt.Fprintf(w, "\nsamplers: %d samples every %gms, costing %s\n", sc.Samples, sc.IntervalMS, cost)
	}
	if line := scrapeCostLine(run.Samplers.Scrape); line != "" {
		fmt.Fprintln(w, line)
	}
	if len(run.Warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings:")
		for _, m := range run.Warnings {
			fmt.Fprintf(w, "  - %s\n", m)
		}
	}
}

func errorWords(st *result.Step) string {
	var parts []string
	for _, k := range result.ErrorKinds {
		if n := st.Errors[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		}
	}
	return strings.Join(parts, " ")
}

// Num formats a figure with sensible precision for a table.
func Num(v float64) string {
	switch a := abs(v); {
	case v == 0:
		return "0"
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// Bytes formats a byte count in binary units.
func Bytes(b float64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%.0f B", b)
	}
	div, exp := float64(unit), 0
	for n := b / unit; n >= unit && exp < 4; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", b/div, "KMGTP"[exp])
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
