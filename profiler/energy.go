package profiler

import (
	"time"

	"github.com/infercost/infercost/result"
)

// GPUSourceNVML is the source of GPU figures read on this host.
const GPUSourceNVML = "nvml"

// stepEnergy is the energy a step's work took, from GPU board power: the
// scraped GPUs' when an endpoint reports power (each physical GPU once,
// by UUID), else this host's NVML GPUs' when the target runs on this host
// (a local GPU says nothing of a remote target's). Joules = the GPUs'
// summed mean power x the measured seconds; per inference (KServe) or per
// output token (LLM steps: every joule charged to the output tokens). nil
// when no power was read. Only board power is counted: not the host's
// CPUs, memory or cooling (the cost engine applies PUE).
func (s *Session) stepEnergy(st *result.Step, from, to time.Time) *result.Energy {
	var e result.Energy
	if s.scraper != nil {
		if w, n, src := s.scraper.Power(from, to); n > 0 {
			e = result.Energy{Source: src, GPUs: n, PowerWattsMean: w}
		}
	}
	if e.GPUs == 0 && s.run.Environment.TargetIsLocal {
		for _, g := range st.GPUs {
			if g.Source == GPUSourceNVML && g.PowerWattsMean >= 0 && g.Samples > 0 {
				e.PowerWattsMean += g.PowerWattsMean
				e.GPUs++
			}
		}
		e.Source = GPUSourceNVML
	}
	if e.GPUs == 0 {
		return nil
	}
	return energyOf(e, st)
}

// energyOf fills the joules of e (power and GPUs set) for a step.
func energyOf(e result.Energy, st *result.Step) *result.Energy {
	if st.DurationS <= 0 {
		return nil
	}
	e.Joules = e.PowerWattsMean * st.DurationS
	if st.IsLLM() {
		if st.OutputTokens != nil && *st.OutputTokens > 0 {
			v := e.Joules / float64(*st.OutputTokens)
			e.JoulesPerOutputToken = &v
		}
	} else if n := st.InferencesPerS * st.DurationS; n > 0 {
		v := e.Joules / n
		e.JoulesPerInference = &v
	}
	return &e
}
