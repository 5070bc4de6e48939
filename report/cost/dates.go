package cost

import (
	"fmt"
	"time"
)

// StaleAfterMonths is how old a price may be before output flags it.
const StaleAfterMonths = 12

// sourceDateLayouts are the accepted spellings of a source date, most
// precise first.
var sourceDateLayouts = []struct {
	layout string
	step   func(time.Time) time.Time // to the first instant after the period
}{
	{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
	{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
}

// parseSourceDate reads YYYY-MM-DD, YYYY-MM or YYYY and returns the last
// instant of that period: a price dated "2024" is judged as if from the end
// of 2024, the most favourable reading, so a stale flag is never a guess.
func parseSourceDate(s string) (time.Time, error) {
	for _, l := range sourceDateLayouts {
		if t, err := time.Parse(l.layout, s); err == nil {
			return l.step(t).Add(-time.Nanosecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("source_date %q is not a date: write YYYY-MM-DD, YYYY-MM or YYYY", s)
}

// isStale reports whether a source date is more than StaleAfterMonths
// before now. An unparsable date counts as stale.
func isStale(date string, now time.Time) bool {
	t, err := parseSourceDate(date)
	if err != nil {
		return true
	}
	return t.Before(now.AddDate(0, -StaleAfterMonths, 0))
}

// PriceRef is one price the estimate used, with where it came from and the
// flags a reader must see (DESIGN invariant 7).
type PriceRef struct {
	// Section is the catalog section: instances, managed_endpoints,
	// kubernetes, serverless or prices.
	Section     string  `json:"section"`
	Row         string  `json:"row"`
	Field       string  `json:"field"`
	USD         float64 `json:"usd"`
	Source      string  `json:"source"`
	SourceDate  string  `json:"source_date"`
	Undated     bool    `json:"undated"`
	Unconfirmed bool    `json:"unconfirmed"`
	Derived     bool    `json:"derived"`
	// Stale: older than StaleAfterMonths on the day of the estimate.
	Stale bool `json:"stale"`
}

// Flags returns the reader-facing flags of a price, in words.
func (p PriceRef) Flags() []string {
	var out []string
	if p.Unconfirmed {
		out = append(out, "unconfirmed")
	}
	if p.Stale {
		out = append(out, fmt.Sprintf("older than %d months", StaleAfterMonths))
	}
	if p.Undated {
		out = append(out, "source undated (date gathered)")
	}
	if p.Derived {
		out = append(out, "derived")
	}
	return out
}

// priceBook collects the prices an estimate uses, each once.
type priceBook struct {
	now  time.Time
	seen map[string]bool
	refs []PriceRef
}

func newPriceBook(now time.Time) *priceBook {
	return &priceBook{now: now, seen: map[string]bool{}, refs: []PriceRef{}}
}

func (b *priceBook) add(section, row, field string, usd float64, m Meta) {
	key := section + "\x00" + row + "\x00" + field
	if b.seen[key] {
		return
	}
	b.seen[key] = true
	b.refs = append(b.refs, PriceRef{
		Section: section, Row: row, Field: field, USD: usd,
		Source: m.Source, SourceDate: m.SourceDate, Undated: m.Undated,
		Unconfirmed: m.Unconfirmed, Derived: m.Derived, Stale: isStale(m.SourceDate, b.now),
	})
}
