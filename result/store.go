package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// FileName is the name of the run record inside a run directory.
const FileName = "run.json"

// TimestampLayout names run directories: DIR/<UTC timestamp>-<name>/.
const TimestampLayout = "20060102T150405Z"

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// SafeName turns a run name into something fit for a directory name.
func SafeName(name string) string {
	s := strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-.")
	if s == "" {
		return "run"
	}
	return s
}

// CreateRunDir makes parent/<UTC timestamp>-<name>/ and returns its path.
// When that name is taken (two runs in the same second) it adds -2, -3, ...
func CreateRunDir(parent, name string, now time.Time) (string, error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create output folder %s: %w", parent, err)
	}
	base := now.UTC().Format(TimestampLayout) + "-" + SafeName(name)
	for i := 1; i < 1000; i++ {
		dir := filepath.Join(parent, base)
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", dir, i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("create run folder %s: %w", dir, err)
		}
	}
	return "", fmt.Errorf("create run folder in %s: too many runs named %s in one second", parent, base)
}

// WriteFileAtomic writes data to a temporary file beside path and renames
// it into place, so a reader (or a crash) never sees half a file.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	merr := f.Chmod(0o644) // CreateTemp makes files owner-only; run files are for sharing
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, merr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Write normalizes r and writes dir/run.json atomically, always in the
// current schema version (a resumed older run is upgraded).
func Write(dir string, r *Run) error {
	r.Normalize()
	r.SchemaVersion = SchemaVersion
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", FileName, err)
	}
	return WriteFileAtomic(filepath.Join(dir, FileName), append(data, '\n'))
}

// Read loads a run from a run directory (or from a run.json path).
func Read(path string) (*Run, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, FileName)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no run at %s: give a run directory (it holds %s) or the file itself", path, FileName)
		}
		return nil, fmt.Errorf("read run: %w", err)
	}
	return Decode(data, path)
}

// Decode parses run.json bytes; name is used in error messages.
func Decode(data []byte, name string) (*Run, error) {
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s is not a run.json: %w", name, err)
	}
	if probe.SchemaVersion == nil {
		return nil, fmt.Errorf("%s is not a run.json: it has no schema_version", name)
	}
	// Every older version is read: Normalize gives the fields it lacks
	// their neutral values.
	if *probe.SchemaVersion > SchemaVersion || *probe.SchemaVersion < 1 {
		return nil, fmt.Errorf("%s has schema_version %d; this infercost reads version %d (upgrade infercost)", name, *probe.SchemaVersion, SchemaVersion)
	}
	var r Run
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if r.SchemaVersion < 2 {
		upgradeV1(&r)
	}
	r.Normalize()
	if err := validate(data, &r, name); err != nil {
		return nil, err
	}
	return &r, nil
}

// upgradeV1 fills what version 2 added and a version 1 run implies: its
// work was inferences, so every figure in the run's unit is the inference
// figure, and its GPUs were read by NVML on the measuring host.
func upgradeV1(r *Run) {
	for i := range r.Steps {
		st := &r.Steps[i]
		st.Unit = UnitInference
		for j := range st.Trials {
			st.Trials[j].UnitsPerS = st.Trials[j].InferencesPerS
		}
		st.Spread.UnitsPerSMin, st.Spread.UnitsPerSMax = st.Spread.InferencesPerSMin, st.Spread.InferencesPerSMax
		for j := range st.GPUs {
			g := &st.GPUs[j]
			g.Source = "nvml"
			for _, eg := range r.Environment.GPUs {
				if eg.Index == g.Index {
					g.Name = eg.Name
				}
			}
		}
	}
	if sw := r.Sweep; sw != nil {
		sw.Unit = UnitInference
		for i := range sw.Curve {
			p := &sw.Curve[i]
			p.MaxUnitsPerSAtSLO, p.MaxUnitsPerS = p.MaxInferencesPerSAtSLO, p.MaxInferencesPerS
		}
		sw.Realtime.UnitsPerS, sw.Offline.UnitsPerS = sw.Realtime.InferencesPerS, sw.Offline.InferencesPerS
	}
}

// Normalize makes every list and map of the contract non-nil, so that the
// JSON always carries [] and {} rather than null (DESIGN "Units and words").
func (r *Run) Normalize() {
	if r.SchemaVersion == 0 {
		r.SchemaVersion = SchemaVersion
	}
	unit := r.Unit()
	r.Spec.normalize()
	if len(r.Environment.Model) == 0 {
		r.Environment.Model = json.RawMessage("{}")
	}
	if r.Environment.GPUs == nil {
		r.Environment.GPUs = []GPU{}
	}
	if r.Steps == nil {
		r.Steps = []Step{}
	}
	for i := range r.Steps {
		if r.Steps[i].Unit == "" {
			r.Steps[i].Unit = unit
		}
		r.Steps[i].Normalize()
	}
	if r.Sweep != nil {
		if r.Sweep.Unit == "" {
			r.Sweep.Unit = unit
		}
		r.Sweep.normalize()
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
}

func (s *Spec) normalize() {
	if s.RatesRPS == nil {
		s.RatesRPS = []float64{}
	}
	if s.Concurrency == nil {
		s.Concurrency = []int{}
	}
	if s.BatchSizes == nil {
		s.BatchSizes = []int{}
	}
	if s.HeaderNames == nil {
		s.HeaderNames = []string{}
	}
	if s.SLO == nil {
		s.SLO = []SLOBound{}
	}
	if s.ServerConfigs == nil {
		s.ServerConfigs = []ServerConfig{}
	}
	if s.Protocol == "" {
		s.Protocol = ProtocolKServe
	}
	if s.Scrape == nil {
		s.Scrape = []ScrapeTarget{}
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	normalizeSLO(s.SLO)
}

// normalizeSLO names the metric of bounds written before version 2.
func normalizeSLO(slo []SLOBound) {
	for i := range slo {
		if slo[i].Metric == "" {
			slo[i].Metric = MetricLatency
		}
	}
}

// Normalize fills a step's nil lists and maps; every error kind is present.
func (st *Step) Normalize() {
	if st.Errors == nil {
		st.Errors = map[string]int64{}
	}
	for _, k := range ErrorKinds {
		if _, ok := st.Errors[k]; !ok {
			st.Errors[k] = 0
		}
	}
	if st.Notes == nil {
		st.Notes = []string{}
	}
	if st.GPUs == nil {
		st.GPUs = []GPUSummary{}
	}
	if st.Trials == nil {
		st.Trials = []Trial{}
	}
	if st.Unit == "" {
		st.Unit = UnitInference
	}
	if st.Scrape == nil {
		st.Scrape = map[string]ScrapeSummary{}
	}
	for k, sc := range st.Scrape {
		sc.normalize()
		st.Scrape[k] = sc
	}
}

func (s *Sweep) normalize() {
	if s.SLO == nil {
		s.SLO = []SLOBound{}
	}
	if s.Curve == nil {
		s.Curve = []CurvePoint{}
	}
	if s.ServerConfigs == nil {
		s.ServerConfigs = []ServerConfigResult{}
	}
	normalizeSLO(s.SLO)
}
