package merge

import (
	"fmt"
	"strconv"

	"github.com/infercost/infercost/result"
)

// key says which steps of different runs measured the same thing: the
// same batch size, at the same load (mode, arrival, offered rate or
// concurrency), against the same built-in server configuration. The
// step's name is left out: it is made from these, and a renamed step is
// still the same load.
type key struct {
	batch       int
	mode        string
	arrival     string
	offered     string // the offered rate, exactly as recorded
	concurrency int
	server      string
}

func keyOf(st *result.Step) key {
	k := key{batch: st.BatchSize, mode: st.Mode, arrival: st.Arrival, concurrency: st.Concurrency,
		offered: strconv.FormatFloat(st.OfferedRPS, 'g', -1, 64)}
	if s := st.Server; s != nil {
		k.server = fmt.Sprintf("%s/%d/%g/%d/%d", s.Preset, s.MaxBatchSize, s.MaxQueueDelayMS, s.Instances, s.MaxQueue)
	}
	return k
}

// String names the load for notes: "batch 8 at 1000 req/s".
func (k key) String() string {
	if k.mode == result.ModeConcurrency {
		return fmt.Sprintf("batch %d at concurrency %d", k.batch, k.concurrency)
	}
	return fmt.Sprintf("batch %d at %s req/s", k.batch, k.offered)
}
