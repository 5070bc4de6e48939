package profiler

import "strings"

// resolveHardware names what was measured, by precedence (DESIGN
// "Protocols"): the GPU model a --scrape endpoint reports
// ("scrape:NAME"), then this host's NVML GPU when the target runs on this
// host, then --hardware, then this host's GPU or CPU (fillRun set the
// last two). A --hardware label that names something else than what was
// found is a run warning; the label stays in spec.hardware_label.
//
// A local GPU does not override --hardware for a remote target: it says
// nothing of the machine the target runs on.
func (s *Session) resolveHardware() {
	env := &s.run.Environment
	model, src := "", ""
	if s.scraper != nil {
		model, src = s.scraper.Hardware()
	}
	if model == "" && env.TargetIsLocal && len(env.GPUs) > 0 && env.GPUs[0].Name != "" {
		model, src = env.GPUs[0].Name, HardwareDetected
	}
	if model == "" || (env.Hardware == model && env.HardwareSource == src) {
		return
	}
	if label := s.cfg.Target.HardwareLabel; label != "" && !sameHardware(label, model) {
		s.warn("--hardware %q differs from the GPU %s reports (%s): %s is used", label, sourceWords(src), model, model)
	}
	env.Hardware, env.HardwareSource = model, src
}

// sameHardware reports whether a --hardware label names the model found:
// equal, or one inside the other ignoring case ("A10G" and "NVIDIA A10G").
func sameHardware(label, model string) bool {
	l, m := strings.ToLower(strings.TrimSpace(label)), strings.ToLower(model)
	return l == m || strings.Contains(m, l) || strings.Contains(l, m)
}

func sourceWords(src string) string {
	if src == HardwareDetected {
		return "this host"
	}
	return src
}
