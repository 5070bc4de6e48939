package lmserver

import "fmt"

// kvCache holds the attention keys and values of up to slots sequences,
// preallocated at start-up, so that the server's memory for sequences is
// bounded and known before the first request: slots x layers x {keys,
// values} x Context x Dim float32s. A sequence owns one slot from
// admission to its end. Keys and values are stored transposed (Dim x
// Context, one row per feature): feature c of position p of layer l is at
// c·Context+p of that slot's key (value) matrix, so that attention's
// products run along positions (see attendHead).
type kvCache struct {
	shape Shape
	slots int
	data  []float32
}

func newKVCache(s Shape, slots int) *kvCache {
	return &kvCache{shape: s, slots: slots, data: make([]float32, slots*s.Layers*2*s.Context*s.Dim)}
}

// kvCacheBytes is the memory a cache of shape s with slots slots takes.
func kvCacheBytes(s Shape, slots int) int64 {
	return int64(slots) * int64(s.Layers) * 2 * int64(s.Context) * int64(s.Dim) * 4
}

// layer returns slot's keys and values of layer l.
func (c *kvCache) layer(slot, l int) (keys, values []float32) {
	if slot < 0 || slot >= c.slots {
		panic(fmt.Sprintf("lmserver: KV slot %d of %d", slot, c.slots))
	}
	size := c.shape.Context * c.shape.Dim
	off := (slot*c.shape.Layers + l) * 2 * size
	return c.data[off : off+size : off+size], c.data[off+size : off+2*size : off+2*size]
}
