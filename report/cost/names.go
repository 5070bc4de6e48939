package cost

import (
	"sort"
	"strings"
	"unicode"
)

// NormalizeName is the key names are matched on: lower case, with spaces,
// '-' and '_' removed, so "NVIDIA A100-SXM4-40GB", "nvidia a100 sxm4 40gb"
// and "NVIDIA_A100_SXM4_40GB" are one name.
func NormalizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '-' || r == '_' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Nearest returns up to n names closest to query: names that contain it (or
// that it contains) first, then by edit distance on the normalized names.
// It is how "unknown instance" messages suggest what was meant.
func Nearest(query string, names []string, n int) []string {
	q := NormalizeName(query)
	type cand struct {
		name  string
		score int
	}
	seen := map[string]bool{}
	var cs []cand
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		k := NormalizeName(name)
		score := levenshtein(q, k)
		if q != "" && (strings.Contains(k, q) || strings.Contains(q, k)) {
			score -= 1000
		}
		cs = append(cs, cand{name, score})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score < cs[j].score
		}
		return cs[i].name < cs[j].name
	})
	out := []string{}
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// levenshtein is the edit distance between a and b, in runes, over their
// first 64 runes (names are short; a huge one must not cost quadratic time).
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	ra, rb = ra[:min(len(ra), 64)], rb[:min(len(rb), 64)]
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// quoteList writes names as "a", "b" or "c" for messages.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
