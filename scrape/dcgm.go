package scrape

import (
	"slices"
	"strconv"
)

// dcgmFields are the dcgm-exporter fields mapped (its default counters,
// etc/default-counters.csv), per GPU.
var dcgmFields = map[string]func(g *gpuReading, v float64, fb *fbMiB){
	"DCGM_FI_DEV_GPU_UTIL":    func(g *gpuReading, v float64, _ *fbMiB) { g.util = v },       // %
	"DCGM_FI_DEV_POWER_USAGE": func(g *gpuReading, v float64, _ *fbMiB) { g.power = v },      // W
	"DCGM_FI_DEV_GPU_TEMP":    func(g *gpuReading, v float64, _ *fbMiB) { g.temp = v },       // C
	"DCGM_FI_DEV_SM_CLOCK":    func(g *gpuReading, v float64, _ *fbMiB) { g.clock = v },      // MHz
	"DCGM_FI_DEV_FB_USED":     func(_ *gpuReading, v float64, fb *fbMiB) { fb.used = v },     // MiB
	"DCGM_FI_DEV_FB_FREE":     func(_ *gpuReading, v float64, fb *fbMiB) { fb.free = v },     // MiB
	"DCGM_FI_DEV_FB_RESERVED": func(_ *gpuReading, v float64, fb *fbMiB) { fb.reserved = v }, // MiB
	"DCGM_FI_DEV_FB_TOTAL":    func(_ *gpuReading, v float64, fb *fbMiB) { fb.total = v },    // MiB
}

// dcgmFieldNames orders dcgmFields, so a response maps the same way each time.
var dcgmFieldNames = func() []string {
	var n []string
	for k := range dcgmFields {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}()

// fbMiB gathers one GPU's framebuffer fields (MiB) before they are turned
// into bytes: total is FB_TOTAL when served, else used + free (+ reserved).
type fbMiB struct{ used, free, reserved, total float64 }

// dcgmBlank reports whether v is one of DCGM's "blank" values (no data),
// which dcgm-exporter serves as numbers: DCGM_INT32_BLANK (0x7ffffff0) and
// up, DCGM_INT64_BLANK (0x7ffffffffffffff0) and DCGM_FP64_BLANK (2^47), per
// dcgm_structs.h. No mapped field comes near those values for real.
func dcgmBlank(v float64) bool {
	return !finite(v) || v < 0 || v >= 0x7ffffff0
}

// mapDCGM reads dcgm-exporter's GPU fields. A GPU is its gpu label (the
// index nvidia-smi shows on that machine), named by modelName and known
// by UUID. A series with a GPU_I_ID label belongs to a MIG instance, not
// the whole GPU, and is left out (counted); two series of one field for
// the same GPU (labels such as pod differ) are a duplicate: the first is
// used, and counted.
func mapDCGM(p *Parsed, r *reading, u used) {
	type acc struct {
		g      gpuReading
		fb     fbMiB
		fields map[string]bool
	}
	byID := map[string]*acc{}
	var order []string
	for _, name := range dcgmFieldNames {
		set := dcgmFields[name]
		series := u.take(p, name)
		if len(series) == 0 {
			continue
		}
		r.exporters |= hasDCGM
		for i := range series {
			s := &series[i]
			if s.Label("GPU_I_ID") != "" {
				r.migSkipped++
				continue
			}
			id := s.Label("gpu")
			if id == "" {
				id = s.Label("UUID")
			}
			a := byID[id]
			if a == nil {
				a = &acc{g: newGPU(id), fb: fbMiB{used: nan(), free: nan(), reserved: nan(), total: nan()}, fields: map[string]bool{}}
				a.g.index = -1
				if n, err := strconv.Atoi(s.Label("gpu")); err == nil && n >= 0 {
					a.g.index = n
				}
				byID[id] = a
				order = append(order, id)
			}
			if a.g.name == "" {
				a.g.name = s.Label("modelName")
			}
			if a.g.uuid == "" {
				a.g.uuid = s.Label("UUID")
			}
			if a.fields[name] {
				r.gpuDups++
				continue
			}
			a.fields[name] = true
			if !dcgmBlank(s.Value) {
				set(&a.g, s.Value, &a.fb)
			}
		}
	}
	if len(order) == 0 {
		return
	}
	slices.Sort(order)
	next := 0
	for _, id := range order {
		if i := byID[id].g.index; i >= next {
			next = i + 1
		}
	}
	for _, id := range order {
		a := byID[id]
		const mib = 1 << 20
		if finite(a.fb.used) {
			a.g.memUsed = a.fb.used * mib
		}
		switch {
		case finite(a.fb.total):
			a.g.memTotal = a.fb.total * mib
		case finite(a.fb.used) && finite(a.fb.free):
			t := a.fb.used + a.fb.free
			if finite(a.fb.reserved) {
				t += a.fb.reserved
			}
			a.g.memTotal = t * mib
		}
		if a.g.index < 0 { // no numeric gpu label: number after the others
			a.g.index = next
			next++
		}
		r.gpus = append(r.gpus, a.g)
	}
	sortGPUs(r.gpus)
}

func sortGPUs(g []gpuReading) {
	slices.SortStableFunc(g, func(a, b gpuReading) int {
		if a.index != b.index {
			return a.index - b.index
		}
		if a.id < b.id {
			return -1
		}
		if a.id > b.id {
			return 1
		}
		return 0
	})
}
