package loadgen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Stage is one constant-rate part of a steps schedule.
type Stage struct {
	RPS      float64       // requests/s; 0 is a pause
	Duration time.Duration // > 0
}

// MaxStages bounds a steps schedule, so a typo cannot build a huge one.
const MaxStages = 1000

// ParseStages reads a steps schedule written "RPS:DURATION,RPS:DURATION",
// e.g. "100:10s,200:10s". A rate of 0 is a pause.
func ParseStages(s string) ([]Stage, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty steps: write them as RPS:DURATION,..., e.g. 100:10s,200:10s")
	}
	parts := strings.Split(s, ",")
	if len(parts) > MaxStages {
		return nil, fmt.Errorf("%d steps: at most %d are allowed", len(parts), MaxStages)
	}
	stages := make([]Stage, 0, len(parts))
	for n, part := range parts {
		part = strings.TrimSpace(part)
		rateText, durText, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("step %d %q: want RPS:DURATION, e.g. 100:10s", n+1, part)
		}
		rateText, durText = strings.TrimSpace(rateText), strings.TrimSpace(durText)
		rate, err := strconv.ParseFloat(rateText, 64)
		if err != nil {
			return nil, fmt.Errorf("step %d %q: rate %q is not a number of requests/s", n+1, part, rateText)
		}
		if err := checkRate("rate", rate, true); err != nil {
			return nil, fmt.Errorf("step %d %q: %w", n+1, part, err)
		}
		d, err := time.ParseDuration(durText)
		if err != nil {
			return nil, fmt.Errorf("step %d %q: duration %q is not a duration (write 10s, 500ms or 2m)", n+1, part, durText)
		}
		if d <= 0 {
			return nil, fmt.Errorf("step %d %q: duration must be positive", n+1, part)
		}
		stages = append(stages, Stage{RPS: rate, Duration: d})
	}
	return stages, nil
}

// FormatStages writes stages the way ParseStages reads them.
func FormatStages(stages []Stage) string {
	parts := make([]string, len(stages))
	for i, st := range stages {
		parts[i] = strconv.FormatFloat(st.RPS, 'g', -1, 64) + ":" + st.Duration.String()
	}
	return strings.Join(parts, ",")
}

// steps runs constant-rate stages one after the other; within a stage that
// starts at S with rate r, its j-th hit goes at S + j/r.
type steps struct {
	stages []Stage
	starts []time.Duration // start of each stage
	first  []uint64        // index of each stage's first hit; len(stages)+1 entries
	total  time.Duration
}

// Steps is a schedule of constant-rate stages, run in order; it ends after
// the last one.
func Steps(stages []Stage) (Arrival, error) {
	if len(stages) == 0 {
		return nil, fmt.Errorf("no steps given")
	}
	if len(stages) > MaxStages {
		return nil, fmt.Errorf("%d steps: at most %d are allowed", len(stages), MaxStages)
	}
	s := &steps{stages: append([]Stage(nil), stages...), first: []uint64{0}}
	for n, st := range stages {
		if err := checkRate("rate", st.RPS, true); err != nil {
			return nil, fmt.Errorf("step %d: %w", n+1, err)
		}
		if st.Duration <= 0 {
			return nil, fmt.Errorf("step %d: duration %v must be positive", n+1, st.Duration)
		}
		if s.total > maxScheduleTime-st.Duration {
			return nil, fmt.Errorf("steps last longer than %v", maxScheduleTime)
		}
		s.starts = append(s.starts, s.total)
		s.total += st.Duration
		var count uint64
		if st.RPS > 0 {
			rate := st.RPS
			count = countSlots(rate*st.Duration.Seconds(), st.Duration, func(j uint64) (time.Duration, bool) {
				return seconds(float64(j) / rate)
			})
		}
		s.first = append(s.first, s.first[n]+count)
	}
	if s.first[len(stages)] == 0 {
		return nil, fmt.Errorf("steps %s send nothing", FormatStages(stages))
	}
	return s, nil
}

func (s *steps) At(i uint64) (time.Duration, bool) {
	if i >= s.first[len(s.stages)] {
		return 0, false
	}
	// The stage holding hit i: the last one whose first hit is <= i.
	k := sort.Search(len(s.stages), func(k int) bool { return s.first[k+1] > i })
	off, ok := seconds(float64(i-s.first[k]) / s.stages[k].RPS)
	if !ok {
		return 0, false
	}
	return s.starts[k] + off, true
}
func (s *steps) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	return paceAt(s.At, elapsed, hits)
}
func (s *steps) Rate(elapsed time.Duration) float64 {
	if elapsed < 0 || elapsed >= s.total {
		return 0
	}
	k := sort.Search(len(s.stages), func(k int) bool { return s.starts[k]+s.stages[k].Duration > elapsed })
	return s.stages[k].RPS
}
func (s *steps) Name() string            { return "steps" }
func (s *steps) Duration() time.Duration { return s.total }
func (s *steps) String() string          { return "steps " + FormatStages(s.stages) }
