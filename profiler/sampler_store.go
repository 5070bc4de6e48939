package profiler

import "github.com/infercost/infercost/result"

// record is a sample and the target PID it was read from (the PID may
// change between steps; ProcessSummary reports the one it summarizes).
type record struct {
	result.Sample
	pid int32
}

// sampleStore keeps samples in time order, at most max of them.
//
// Why thinning and not a ring: a ring would forget the start of a long
// run, and samples.csv and the plots should cover all of it. When the store
// is full, the older half is thinned to every second sample, so the newest
// max/2 samples are always at full resolution (a step's Summarize sees them
// all) while older ones get coarser each time, and memory stays flat.
type sampleStore struct {
	max  int
	recs []record
}

func (st *sampleStore) add(r record) {
	if len(st.recs) >= st.max {
		st.thin()
	}
	st.recs = append(st.recs, r)
}

// thin keeps every second sample of the older half, in place.
func (st *sampleStore) thin() {
	half := len(st.recs) / 2
	kept := 0
	for i := 0; i < half; i += 2 {
		st.recs[kept] = st.recs[i]
		kept++
	}
	kept += copy(st.recs[kept:], st.recs[half:])
	clear(st.recs[kept:]) // drop references to GPU slices
	st.recs = st.recs[:kept]
}
