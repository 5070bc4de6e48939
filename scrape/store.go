package scrape

import "time"

// store keeps items in time order, at most max of them. When full, the
// older half is thinned to every second item, so the newest max/2 are
// always at full resolution (a step's Summarize sees them all) while
// memory stays flat however long the run: the samplers' rule
// (profiler/sampler_store.go).
type store[T any] struct {
	max   int
	items []T
}

func (st *store[T]) add(x T) {
	if st.max > 0 && len(st.items) >= st.max {
		half := len(st.items) / 2
		kept := 0
		for i := 0; i < half; i += 2 {
			st.items[kept] = st.items[i]
			kept++
		}
		kept += copy(st.items[kept:], st.items[half:])
		clear(st.items[kept:])
		st.items = st.items[:kept]
	}
	st.items = append(st.items, x)
}

// failure is one scrape that gave nothing.
type failure struct {
	t      time.Time
	reason string
}
