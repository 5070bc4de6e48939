package runs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// Dir is a run as the report commands read it.
type Dir struct {
	// Path is the run directory as given (how output names the run).
	Path string
	// Root is the directory on disk its files are read from; "" for a run
	// made in memory (a merge), which has no samples.csv of its own.
	Root string
	// Run is run.json with every quantile that a step's histogram log
	// holds recomputed from it.
	Run *result.Run
	// Hists holds each step's histograms (by step index); nil for a step
	// whose figures come from run.json alone.
	Hists []Histograms
	// Notes say what a reader must know about where the figures came from
	// (a histogram file named in run.json but missing, a merge's rules).
	Notes []string
}

// Where the quantiles of a Dir's steps came from (Dir.Source).
const (
	// SourceHistograms: every step's quantiles were recomputed from its
	// histogram log.
	SourceHistograms = "histograms"
	// SourceRunJSON: no step has a histogram log; every figure is
	// run.json's.
	SourceRunJSON = "run.json"
	// SourceMixed: some steps were recomputed, the others are run.json's.
	SourceMixed = "mixed"
)

// Load reads the run directory at path (or a run.json path): run.json,
// then every step's histogram log, whose quantiles replace run.json's. A
// log named in run.json but absent falls back to run.json's figures with a
// note; a log that is there but cannot be read is an error (a damaged
// measurement is refused, never half-used).
func Load(path string) (*Dir, error) {
	run, err := result.Read(path)
	if err != nil {
		return nil, err
	}
	dir := path
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		dir = filepath.Dir(path)
	}
	d, err := FromRun(run, dir)
	if err != nil {
		return nil, err
	}
	d.Path = path
	return d, nil
}

// FromRun attaches the histogram logs in dir to a run already in memory
// (a session that has just finished measuring it) and recomputes its
// quantiles from them, as Load does. The run is changed in place.
func FromRun(run *result.Run, dir string) (*Dir, error) {
	d := &Dir{Path: dir, Root: dir, Run: run, Hists: make([]Histograms, len(run.Steps))}
	for i := range run.Steps {
		st := &run.Steps[i]
		name := st.Files.Histograms
		if name == "" {
			continue
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		f, err := os.Open(file)
		if errors.Is(err, os.ErrNotExist) {
			d.Notes = append(d.Notes, fmt.Sprintf("step %d %s: its histogram file %s is missing, so its figures are run.json's", st.Number(), st.Name, name))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("step %d %s: %w", st.Number(), st.Name, err)
		}
		set, err := loadgen.ReadHistogramSet(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("step %d %s: %s: %w", st.Number(), st.Name, file, err)
		}
		for _, tag := range []string{loadgen.TagCorrected, loadgen.TagUncorrected, loadgen.TagSendLag} {
			if set[tag] == nil {
				return nil, fmt.Errorf("step %d %s: %s has no %q histogram", st.Number(), st.Name, file, tag)
			}
		}
		hs := Histograms(set)
		hs.Apply(st)
		d.Hists[i] = hs
	}
	return d, nil
}

// Recomputed counts the steps whose quantiles came from histogram logs.
func (d *Dir) Recomputed() int {
	n := 0
	for _, h := range d.Hists {
		if h != nil {
			n++
		}
	}
	return n
}

// Source says where the steps' quantiles came from: SourceHistograms,
// SourceRunJSON or SourceMixed. A run with no steps reads SourceRunJSON.
func (d *Dir) Source() string {
	switch n := d.Recomputed(); {
	case n == 0:
		return SourceRunJSON
	case n == len(d.Run.Steps):
		return SourceHistograms
	}
	return SourceMixed
}

// SourceWords says it for people, once per run.
func (d *Dir) SourceWords() string {
	n, all := d.Recomputed(), len(d.Run.Steps)
	switch d.Source() {
	case SourceHistograms:
		return fmt.Sprintf("quantiles recomputed exactly from the steps' histogram logs (%d of %d steps)", n, all)
	case SourceMixed:
		return fmt.Sprintf("quantiles recomputed from the histogram logs of %d of %d steps; the others are run.json's (no .hlog file)", n, all)
	}
	return "no histogram logs (.hlog files) in this run: every figure is run.json's"
}

// StepSource is where one step's quantiles came from.
func (d *Dir) StepSource(i int) string {
	if i < len(d.Hists) && d.Hists[i] != nil {
		return SourceHistograms
	}
	return SourceRunJSON
}

// Samples reads the run's samples.csv; nil and no error when the run has
// none (golden runs, a merge).
func (d *Dir) Samples() ([]result.Sample, error) {
	if d.Root == "" {
		return nil, nil
	}
	f, err := os.Open(filepath.Join(d.Root, result.SamplesFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return result.ReadSamplesCSV(f)
}
