package answer

import "github.com/infercost/infercost/result"

// SLOOf is the SLO a run is judged by: the flag's when given, else the
// run's sweep's, else its spec's (the cost engine's order); nil when none.
func SLOOf(run *result.Run, flag []result.SLOBound) []result.SLOBound {
	switch {
	case len(flag) > 0:
		return flag
	case run.Sweep != nil && len(run.Sweep.SLO) > 0:
		return run.Sweep.SLO
	case len(run.Spec.SLO) > 0:
		return run.Spec.SLO
	}
	return nil
}

// MaxErrorRateOf is the error rate a run is judged by: the flag's when
// it is 0 or more, else the run's sweep's, else its spec's, else the
// default (the cost engine's order).
func MaxErrorRateOf(run *result.Run, flag float64) float64 {
	switch {
	case flag >= 0:
		return flag
	case run.Sweep != nil && run.Sweep.MaxErrorRate > 0:
		return run.Sweep.MaxErrorRate
	case run.Spec.MaxErrorRate > 0:
		return run.Spec.MaxErrorRate
	}
	return result.DefaultMaxErrorRate
}
