package cost

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/infercost/infercost/result"
)

// ErrNoCapacity marks "no step meets the SLO": there is no capacity to
// price (the CLI exits 4).
var ErrNoCapacity = errors.New("no step meets the SLO")

// NoCapacityError says that no step met the SLO, and which step came
// closest and by how much it missed.
type NoCapacityError struct {
	Run          string
	SLO          []result.SLOBound
	MaxErrorRate float64
	// Batch is the batch size asked for with --batch (0: any).
	Batch int
	// Closest is the step nearest to meeting the SLO (nil: the run has no
	// steps); Misses are its misses.
	Closest *result.Step
	Misses  []result.Miss
}

func (e *NoCapacityError) Error() string {
	where := "no step"
	if e.Batch > 0 {
		where = fmt.Sprintf("no step at batch %d", e.Batch)
	}
	msg := fmt.Sprintf("%s of %s meets %s (max error rate %g)", where, e.Run, result.FormatSLO(e.SLO), e.MaxErrorRate)
	if e.Closest == nil {
		return msg + ": the run has no measured steps"
	}
	st := e.Closest
	misses := make([]string, len(e.Misses))
	for i, m := range e.Misses {
		misses[i] = m.String()
	}
	load := fmt.Sprintf("batch %d", st.BatchSize)
	if st.Mode == result.ModeConcurrency && st.Concurrency > 0 {
		load += fmt.Sprintf(", concurrency %d", st.Concurrency)
	}
	return fmt.Sprintf("%s: the closest is step %d %q (%s, %.4g %s/s, p95 %.3g ms), which missed by: %s",
		msg, st.Number(), st.Name, load, st.Throughput(), result.UnitWords(st.Unit), st.LatencyMS.Corrected.P95, strings.Join(misses, "; "))
}

// Is makes errors.Is(err, ErrNoCapacity) true.
func (e *NoCapacityError) Is(target error) bool { return target == ErrNoCapacity }

// capacityChoice is the step a run's capacity comes from.
type capacityChoice struct {
	step      *result.Step
	batch     int
	batchFrom string
}

// bestStepPerBatch maps each batch size to its SLO-meeting step with the
// most work per second in the run's unit (inferences/s, or output tokens/s
// for an LLM run; DESIGN invariant 5, via result.MeetsSLO).
func bestStepPerBatch(run *result.Run, slo []result.SLOBound, maxErr float64) map[int]*result.Step {
	best := map[int]*result.Step{}
	for i := range run.Steps {
		st := &run.Steps[i]
		if !result.MeetsSLO(st, slo, maxErr) {
			continue
		}
		if b := best[st.BatchSize]; b == nil || st.Throughput() > b.Throughput() {
			best[st.BatchSize] = st
		}
	}
	return best
}

// chooseCapacity picks the capacity step: at --batch when given; else at
// the sweep's best batch when the sweep used the same SLO and error rate;
// else at the batch whose best SLO-meeting step has the most inferences/s
// (a tie goes to the smaller batch, as the sweep does).
func chooseCapacity(run *result.Run, runName string, slo []result.SLOBound, maxErr float64, batch int) (*capacityChoice, error) {
	best := bestStepPerBatch(run, slo, maxErr)
	if batch > 0 {
		if !hasBatch(run, batch) {
			return nil, inputErrorf("%s has no step at batch %d (batch sizes measured: %s)", runName, batch, batchList(run))
		}
		if st := best[batch]; st != nil {
			return &capacityChoice{step: st, batch: batch, batchFrom: "flag"}, nil
		}
		return nil, noCapacity(run, runName, slo, maxErr, batch)
	}
	if sw := run.Sweep; sw != nil && sw.BestBatchSize > 0 && sameSLO(sw.SLO, slo) && sw.MaxErrorRate == maxErr {
		if st := best[sw.BestBatchSize]; st != nil {
			return &capacityChoice{step: st, batch: sw.BestBatchSize, batchFrom: "sweep"}, nil
		}
	}
	var choice *capacityChoice
	for _, b := range sortedBatches(best) {
		st := best[b]
		if choice == nil || st.Throughput() > choice.step.Throughput() {
			choice = &capacityChoice{step: st, batch: b, batchFrom: "steps"}
		}
	}
	if choice == nil {
		return nil, noCapacity(run, runName, slo, maxErr, 0)
	}
	return choice, nil
}

// noCapacity builds the error naming the closest step (at batch, if set).
func noCapacity(run *result.Run, runName string, slo []result.SLOBound, maxErr float64, batch int) error {
	e := &NoCapacityError{Run: runName, SLO: slo, MaxErrorRate: maxErr, Batch: batch}
	bestScore := math.Inf(1)
	for i := range run.Steps {
		st := &run.Steps[i]
		if batch > 0 && st.BatchSize != batch {
			continue
		}
		misses := result.SLOMisses(st, slo, maxErr)
		score := missScore(misses)
		if e.Closest == nil || score < bestScore || (score == bestScore && st.Throughput() > e.Closest.Throughput()) {
			e.Closest, e.Misses, bestScore = st, misses, score
		}
	}
	return e
}

// missScore ranks how badly a step missed: the worst ratio of observed to
// bound over its latency and error misses; a flagged or failed step ranks
// after any step that only missed on numbers.
func missScore(misses []result.Miss) float64 {
	score := 0.0
	for _, m := range misses {
		s := 1e6
		switch {
		case m.What == "no_success":
			s = 1e9
		case m.What == "error_rate" && m.Bound > 0:
			s = m.Observed / m.Bound
		case m.IsLatency():
			s = m.Observed / m.Bound
		}
		score = math.Max(score, s)
	}
	return score
}

func hasBatch(run *result.Run, batch int) bool {
	for i := range run.Steps {
		if run.Steps[i].BatchSize == batch {
			return true
		}
	}
	return false
}

func batchList(run *result.Run) string {
	seen := map[int]*result.Step{}
	for i := range run.Steps {
		seen[run.Steps[i].BatchSize] = &run.Steps[i]
	}
	parts := []string{}
	for _, b := range sortedBatches(seen) {
		parts = append(parts, fmt.Sprint(b))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func sortedBatches(m map[int]*result.Step) []int {
	out := make([]int, 0, len(m))
	for b := range m {
		out = append(out, b)
	}
	sort.Ints(out)
	return out
}

// sameSLO compares two SLOs (ParseSLO sorts them by percentile).
func sameSLO(a, b []result.SLOBound) bool {
	return result.FormatSLO(a) == result.FormatSLO(b)
}

// batch1Step is the step serverless is priced from: the lightest-loaded
// batch-1 step that meets the SLO (a function instance serves one request
// at a time, so low-load latency is what it bills, and a platform whose
// requests break the SLO is no answer). nil when none meets it.
func batch1Step(run *result.Run, slo []result.SLOBound, maxErr float64) *result.Step {
	var out *result.Step
	for i := range run.Steps {
		st := &run.Steps[i]
		if st.BatchSize != 1 || st.LatencyMS.Corrected.Count == 0 || !result.MeetsSLO(st, slo, maxErr) {
			continue
		}
		if out == nil || st.InferencesPerS < out.InferencesPerS {
			out = st
		}
	}
	return out
}
