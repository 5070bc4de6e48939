package result

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// A key missing from run.json decodes as its zero value, and zeros look
// like answers: no environment reads as "no GPU" (an A10G run priced on
// CPUs), no latency as 0 ms (within every SLO), no error ratio as none.
// So the objects and keys the answers read must be present in the file
// itself, whatever the decoded struct says.

// required lists, for each object the answers read, the keys it must
// hold; a key naming another entry must hold that kind of object.
var required = map[string][]string{
	"run":         {"schema_version", "spec", "environment", "steps"},
	"environment": {"hardware", "hardware_source", "gpus", "cpu_model", "cpu_cores", "arch", "target_is_local"},
	"step": {"batch_size", "inferences_per_s", "successes", "requests", "error_ratio", "latency_ms", "flags", "gpus",
		"process", "bytes_in_per_request"},
	"latency_ms": {"corrected"},
	"corrected":  {"count", "mean", "p50", "p90", "p95", "p99", "p999"},
	"flags":      {"generator_limited", "unstable", "interrupted"},
	"sweep":      {"slo", "max_error_rate", "best_batch_size"},
}

// requiredV2 are the step keys every version 2 file has.
var requiredV2Step = []string{"unit"}

// objectKeys are keys whose value must be a JSON object (null refused).
var objectKeys = map[string]bool{"spec": true, "environment": true, "latency_ms": true, "corrected": true, "flags": true, "process": true}

// arrayKeys are keys whose value must be a JSON array (null refused).
var arrayKeys = map[string]bool{"steps": true, "gpus": true}

// missingObjects lists the required objects and keys the raw JSON lacks.
func missingObjects(data []byte, version int) []Problem {
	var out []Problem
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return nil // Decode has already refused what is not an object
	}
	check := func(path, kind string, obj map[string]json.RawMessage, extra []string) {
		for _, k := range append(append([]string{}, required[kind]...), extra...) {
			raw, ok := obj[k]
			p := k
			if path != "" {
				p = path + "." + k
			}
			switch {
			case !ok:
				out = append(out, Problem{Path: p, What: "missing: every run.json has it, and the answers read it"})
			case objectKeys[k] && !isJSON(raw, '{'):
				out = append(out, Problem{Path: p, What: fmt.Sprintf("is %s, not an object", jsonKind(raw))})
			case arrayKeys[k] && !isJSON(raw, '['):
				out = append(out, Problem{Path: p, What: fmt.Sprintf("is %s, not a list", jsonKind(raw))})
			}
		}
	}
	check("", "run", top, nil)
	var env map[string]json.RawMessage
	if json.Unmarshal(top["environment"], &env) == nil && env != nil {
		check("environment", "environment", env, nil)
	}
	var steps []map[string]json.RawMessage
	if json.Unmarshal(top["steps"], &steps) == nil {
		var extra []string
		if version >= 2 {
			extra = requiredV2Step
		}
		for i, st := range steps {
			p := fmt.Sprintf("steps[%d]", i)
			if st == nil {
				out = append(out, Problem{Path: p, What: "is null, not a step"})
				continue
			}
			check(p, "step", st, extra)
			var lat, flags map[string]json.RawMessage
			if json.Unmarshal(st["latency_ms"], &lat) == nil && lat != nil {
				check(p+".latency_ms", "latency_ms", lat, nil)
				var corr map[string]json.RawMessage
				if json.Unmarshal(lat["corrected"], &corr) == nil && corr != nil {
					check(p+".latency_ms.corrected", "corrected", corr, nil)
				}
			}
			if json.Unmarshal(st["flags"], &flags) == nil && flags != nil {
				check(p+".flags", "flags", flags, nil)
			}
		}
	}
	var sweep map[string]json.RawMessage
	if json.Unmarshal(top["sweep"], &sweep) == nil && sweep != nil {
		check("sweep", "sweep", sweep, nil)
	}
	return out
}

// isJSON reports whether a raw value starts with the given delimiter.
func isJSON(raw json.RawMessage, delim byte) bool {
	b := bytes.TrimSpace(raw)
	return len(b) > 0 && b[0] == delim
}

// jsonKind names a raw value's kind for messages.
func jsonKind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	switch {
	case len(b) == 0:
		return "empty"
	case bytes.Equal(b, []byte("null")):
		return "null"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "a list"
	case b[0] == '"':
		return "a string"
	}
	return "a " + map[bool]string{true: "boolean", false: "number"}[b[0] == 't' || b[0] == 'f']
}
