package scrape

import (
	"bytes"
	"strconv"
)

// normalizeOpenMetrics rewrites an OpenMetrics body into what the classic
// text parser reads: on sample lines only "name{labels} value" is kept
// (exemplars after " # " and timestamps, which OpenMetrics writes as float
// seconds, are dropped: a reading is stamped with the scrape's own time
// anyway), and the TYPE values the text format lacks (unknown, info,
// stateset, gaugehistogram) become untyped. "# EOF" and "# UNIT" are
// comments to the text parser already. A counter family's samples keep
// their _total names (untyped to the parser), which the mappings expect.
func normalizeOpenMetrics(body []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(body))
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		out.Write(normalizeLine(line))
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func normalizeLine(line []byte) []byte {
	trimmed := bytes.TrimLeft(line, " \t")
	if len(trimmed) == 0 {
		return line
	}
	if trimmed[0] == '#' {
		f := bytes.Fields(trimmed)
		if len(f) == 4 && bytes.Equal(f[1], []byte("TYPE")) {
			switch string(f[3]) {
			case "unknown", "info", "stateset", "gaugehistogram":
				return []byte("# TYPE " + string(f[2]) + " untyped")
			}
		}
		return line
	}
	end := seriesEnd(trimmed)
	if end < 0 {
		return line // malformed: the parser will say so
	}
	rest := bytes.Fields(trimmed[end:])
	if len(rest) == 0 || !omTail(rest[1:]) {
		return line // not what OpenMetrics allows: the parser will say so
	}
	out := make([]byte, 0, end+1+len(rest[0]))
	out = append(out, trimmed[:end]...)
	out = append(out, ' ')
	return append(out, rest[0]...)
}

// seriesEnd is the index just past a sample line's name and label set, or
// -1 when the braces or quotes do not close. Label values may hold spaces,
// braces and '#', so quotes and escapes are followed.
func seriesEnd(line []byte) int {
	i := 0
	for i < len(line) && line[i] != '{' && line[i] != ' ' && line[i] != '\t' {
		i++
	}
	if i == len(line) || line[i] != '{' {
		return i
	}
	inQuote := false
	for i++; i < len(line); i++ {
		switch c := line[i]; {
		case inQuote && c == '\\':
			i++ // skip the escaped byte
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == '}':
			return i + 1
		}
	}
	return -1
}

// omTail reports whether what follows a sample's value is what OpenMetrics
// allows there: nothing, a timestamp, an exemplar ("# {labels} value
// [timestamp]"), or a timestamp and an exemplar.
func omTail(f [][]byte) bool {
	if len(f) > 0 && f[0][0] != '#' {
		if _, err := strconv.ParseFloat(string(f[0]), 64); err != nil {
			return false
		}
		f = f[1:]
	}
	return len(f) == 0 || (bytes.Equal(f[0], []byte("#")) && len(f) >= 3)
}
