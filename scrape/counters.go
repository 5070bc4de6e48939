package scrape

// counters remembers each counter series' last value, so the next scrape's
// value becomes an increase. It belongs to one endpoint's goroutine.
type counters struct {
	last map[string]float64
	seen map[string]bool // series read in the scrape being mapped
}

// delta is the increase of the series key since the previous scrape. ok is
// false the first time a series is seen (nothing to compare with). A value
// lower than the last means the counter was reset (the exporter or the
// machine restarted): as Prometheus counts it, the increase is then the new
// value, and reset says so.
func (c *counters) delta(key string, v float64) (d float64, ok, reset bool) {
	if c.last == nil {
		c.last, c.seen = map[string]float64{}, map[string]bool{}
	}
	c.seen[key] = true
	prev, had := c.last[key]
	c.last[key] = v
	if !had || !finite(v) || !finite(prev) {
		return 0, false, false
	}
	if v < prev {
		return v, true, true
	}
	return v - prev, true, false
}

// sum adds the increases of every series of one counter; ok is false when
// none could be compared yet.
func (c *counters) sum(series []Series) (total float64, ok, reset bool) {
	for i := range series {
		d, dok, r := c.delta(series[i].Key(), series[i].Value)
		if !dok {
			continue
		}
		total += d
		ok = true
		reset = reset || r
	}
	return total, ok, reset
}

// endScrape forgets the series this scrape did not have, so one that
// comes back later starts afresh rather than against a stale value.
func (c *counters) endScrape() {
	for k := range c.last {
		if !c.seen[k] {
			delete(c.last, k)
		}
	}
	clear(c.seen)
}
