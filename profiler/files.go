package profiler

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// writeStepFiles writes a step's encoded histograms (so runs can be merged
// and re-reported exactly) and its per-second series, and records their
// names in the step.
func (s *Session) writeStepFiles(st *result.Step, tr *trialResult) error {
	base := fmt.Sprintf("steps/%03d-%s", st.Number(), result.SafeName(st.Name))
	var hist bytes.Buffer
	if err := loadgen.WriteHistogramLog(&hist, tr.measured); err != nil {
		return fmt.Errorf("encode histograms of step %s: %w", st.Name, err)
	}
	if err := result.WriteFileAtomic(filepath.Join(s.dir, base+".hlog"), hist.Bytes()); err != nil {
		return err
	}
	var series bytes.Buffer
	if err := result.WriteSeriesCSV(&series, tr.series); err != nil {
		return fmt.Errorf("encode series of step %s: %w", st.Name, err)
	}
	if err := result.WriteFileAtomic(filepath.Join(s.dir, base+".csv"), series.Bytes()); err != nil {
		return err
	}
	st.Files = result.StepFiles{Histograms: base + ".hlog", Series: base + ".csv"}
	return nil
}
