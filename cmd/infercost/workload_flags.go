package main

import (
	"github.com/infercost/infercost/report/cost"
	"github.com/spf13/cobra"
)

// workloadFlags binds every workload setting (cost.WorkloadFields) to a
// flag, plus --workload FILE. Flags given on the command line override the
// file, which overrides the defaults.
type workloadFlags struct {
	file   string
	values map[string]*rawFlag
}

// rawFlag keeps a flag's text; cost.Workload.Set parses and checks it.
type rawFlag struct {
	text, typ string
	set       bool
}

func (r *rawFlag) String() string { return r.text }
func (r *rawFlag) Type() string   { return r.typ }
func (r *rawFlag) Set(s string) error {
	r.text, r.set = s, true
	return nil
}

// addWorkloadFlags registers the workload flags on cmd.
func addWorkloadFlags(cmd *cobra.Command) *workloadFlags {
	wf := &workloadFlags{values: map[string]*rawFlag{}}
	fs := cmd.Flags()
	fs.StringVar(&wf.file, "workload", "", "workload YAML file (keys are the workload flags with _ for -; schema in report/cost/CATALOG.md); flags override it")
	for _, f := range cost.WorkloadFields {
		def := f.Default
		if def == "none" {
			def = ""
		}
		r := &rawFlag{text: def, typ: f.Type()}
		wf.values[f.Key] = r
		fl := fs.VarPF(r, f.Flag(), "", f.Help)
		if f.Type() == "bool" {
			fl.NoOptDefVal = "true"
		}
	}
	return wf
}

// resolve builds the workload: defaults, then the file, then the flags.
// Its errors are usage errors (exit 2).
func (wf *workloadFlags) resolve() (cost.Workload, error) {
	w := cost.DefaultWorkload()
	if wf.file != "" {
		var err error
		if w, err = cost.LoadWorkload(wf.file); err != nil {
			return cost.Workload{}, usageErrorf("%v", err)
		}
	}
	for _, f := range cost.WorkloadFields {
		r := wf.values[f.Key]
		if !r.set {
			continue
		}
		if err := w.Set(f.Key, r.text, "flag"); err != nil {
			return cost.Workload{}, usageErrorf("--%s: %v", f.Flag(), trimKey(err.Error(), f))
		}
	}
	if err := w.Validate(); err != nil {
		return cost.Workload{}, usageErrorf("%v", err)
	}
	return w, nil
}

// trimKey drops a leading "--flag: " or "key: " the package already added.
func trimKey(msg string, f cost.WorkloadField) string {
	for _, p := range []string{"--" + f.Flag() + ": ", f.Key + ": "} {
		if len(msg) > len(p) && msg[:len(p)] == p {
			return msg[len(p):]
		}
	}
	return msg
}
