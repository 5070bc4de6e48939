package main

import "github.com/infercost/infercost/result"

// parseSLOFlag reads --slo; an error is a usage error naming the flag.
func parseSLOFlag(s string) ([]result.SLOBound, error) {
	slo, err := result.ParseSLO(s)
	if err != nil {
		return nil, usageErrorf("--slo: %v", err)
	}
	return slo, nil
}

// checkMaxErrorRate refuses a --max-error-rate that is not a share.
func checkMaxErrorRate(v float64) error {
	if v < 0 || v > 1 {
		return usageErrorf("--max-error-rate is a share between 0 and 1 (0.001 = 0.1%%), got %g", v)
	}
	return nil
}
