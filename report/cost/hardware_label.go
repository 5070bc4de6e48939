package cost

import (
	"regexp"
	"strings"
)

// A --hardware label is what a run measured on another machine is priced
// by, so a typo must not pass: "NVIDIA A10GX" once priced a GPU run on CPU
// instances, 7x too cheap. Detected hardware (NVML, a scrape) is never
// refused at measuring time; a typed label is.

// gpuLooking matches labels that name an accelerator: a vendor or family
// word, or a model number of the shapes NVIDIA and AMD use (A10G, H100,
// L40S, T4, V100, B200, GB200, MI300X).
var gpuLooking = regexp.MustCompile(`(?i)(nvidia|geforce|quadro|tesla|\brtx|\bgtx|radeon|instinct|\bgpu|\btpu|gaudi|habana|inferentia|trainium|accelerator` +
	`|\b[abhlp]\d{1,4}[a-z]*\b|\bt\d{1,2}[a-z]*\b|\bv\d{3}[a-z]*\b|\bgb\d{3}[a-z]*\b|\bmi\d{2,3}[a-z]*\b)`)

// cpuLooking matches labels that name a CPU vendor or family.
var cpuLooking = regexp.MustCompile(`(?i)(\bamd\b|epyc|ryzen|threadripper|opteron|intel|xeon|\bcore\b|celeron|pentium|\batom\b|graviton|ampere|altra` +
	`|neoverse|\barm\b|aarch64|arm64|cortex|\bapple\b|\bibm\b|\bpower\d*\b|\bcpu\b|vcpu|x86|risc-?v|sapphire rapids|emerald rapids|granite rapids|ice lake|cascade lake|skylake|genoa|milan|rome|bergamo|turin)`)

// CheckHardwareLabel checks a --hardware label before a run is recorded
// with it (at profile and sweep time) and before a recorded one is priced.
// It accepts the empty label, any name or alias of a catalog GPU, and a
// CPU label that names a CPU vendor or family (AMD EPYC, Intel Xeon,
// Graviton, Ampere, ...). A label that looks like a GPU but matches no
// catalog GPU is refused, naming the nearest catalog GPUs, as is a label
// that names neither. With unpriced (--hardware-unpriced) every label is
// accepted: the run is then recorded as deliberately unpriced. The error
// matches ErrInput (a usage error, exit 2).
func CheckHardwareLabel(c *Catalog, label string, unpriced bool) error {
	label = strings.TrimSpace(label)
	if label == "" || unpriced || (c != nil && c.FindGPU(label) != nil) {
		return nil
	}
	fix := "fix the label, add the GPU under gpus with --catalog FILE, or pass --hardware-unpriced to record the run without prices"
	if gpuLooking.MatchString(label) {
		near := []string{}
		if c != nil {
			near = nearestGPUs(c, label, 3)
		}
		return inputErrorf("hardware label %q names no GPU in the catalog (nearest: %s): %s", label, quoteList(near), fix)
	}
	if cpuLooking.MatchString(label) {
		return nil
	}
	return inputErrorf("hardware label %q names neither a GPU in the catalog nor a CPU vendor or family (e.g. \"AMD EPYC 7R32\", \"Intel Xeon Platinum 8375C\", \"AWS Graviton3\", \"Ampere Altra\"): %s",
		label, fix)
}
