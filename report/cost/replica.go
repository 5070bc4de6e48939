package cost

import (
	"fmt"

	"github.com/infercost/infercost/result"
)

// busyGPUPercent is the mean utilisation above which a GPU counts as
// having served the capacity step.
const busyGPUPercent = 10

// gpusPerReplica says how many GPUs one replica of a GPU run holds, and
// the rule that said so: the GPUs busy at the capacity step (mean
// utilisation above 10%) when the step has GPU samples; else the run's
// --gpus (spec.gpus); else 1 (runs before schema version 2 did not record
// it).
func gpusPerReplica(run *result.Run, st *result.Step) (int, string) {
	busy := 0
	for _, g := range st.GPUs {
		if g.UtilizationPercentMean > busyGPUPercent {
			busy++
		}
	}
	declared := run.Spec.GPUs
	if busy > 0 {
		note := fmt.Sprintf("%s busy (mean utilisation above %d%%) at the capacity step", plural(busy, "GPU"), busyGPUPercent)
		if n := max(len(run.Environment.GPUs), len(st.GPUs)); n > busy {
			note += fmt.Sprintf(", of the %d the host had", n)
		}
		note += fmt.Sprintf(": a replica is %s, and a GPU instance holds its GPU count / %d replicas", plural(busy, "GPU"), busy)
		if declared > 0 && declared != busy {
			note += fmt.Sprintf(" (the run's --gpus said %d; the samples win)", declared)
		}
		return busy, note
	}
	why := "no GPU samples at the capacity step"
	if len(st.GPUs) > 0 {
		why = fmt.Sprintf("no GPU above %d%% mean utilisation at the capacity step", busyGPUPercent)
	}
	if declared > 0 {
		return declared, fmt.Sprintf("%s: a replica is %s, as the run says (--gpus %d)", why, plural(declared, "GPU"), declared)
	}
	return 1, why + " and no --gpus recorded (a run before schema version 2): a replica is taken as 1 GPU"
}
