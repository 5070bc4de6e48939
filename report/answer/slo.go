package answer

import "github.com/infercost/infercost/result"

// SLOOf is the SLO a run is judged by: the flag's when given, else the
// run's own (the cost engine's order); nil when none.
func SLOOf(run *result.Run, flag []result.SLOBound) []result.SLOBound {
	if len(flag) > 0 {
		return flag
	}
	slo, _ := run.RecordedSLO()
	return slo
}

// MaxErrorRateOf is the error rate a run is judged by: the flag's when
// it is 0 or more, else the run's own (the cost engine's order).
func MaxErrorRateOf(run *result.Run, flag float64) float64 {
	if flag >= 0 {
		return flag
	}
	return run.RecordedMaxErrorRate()
}
