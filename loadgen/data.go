package loadgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Limits on a --data file: one line, and all bodies built from it.
const (
	maxDataLineBytes = 256 << 20
	maxDataPoolBytes = 512 << 20
)

// example is one line of a data file: per input (in spec order), its values
// encoded as comma-separated JSON, and how many there are.
type example struct {
	line   int
	values [][]byte
	counts []int64
}

// readExamples reads a JSONL data file: one example per line, an object
// from input name to that example's values, flattened. Blank lines are
// skipped. Errors name the file and line.
func readExamples(r io.Reader, file string, specs []inputSpec) ([]example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxDataLineBytes)
	var out []example
	var total int64
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		ex, err := parseExample(text, specs)
		if err != nil {
			return nil, fmt.Errorf("data file %s line %d: %w", file, line, err)
		}
		ex.line = line
		for _, v := range ex.values {
			total += int64(len(v))
		}
		if total > maxDataPoolBytes {
			return nil, fmt.Errorf("data file %s: over %d MiB of values by line %d; use fewer examples", file, maxDataPoolBytes>>20, line)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("data file %s line %d: longer than %d MiB", file, line+1, maxDataLineBytes>>20)
		}
		return nil, fmt.Errorf("data file %s: %w", file, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("data file %s has no examples (want one JSON object per line)", file)
	}
	return out, nil
}

func parseExample(text []byte, specs []inputSpec) (example, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(text, &obj); err != nil {
		return example{}, fmt.Errorf("not a JSON object from input name to values: %v", err)
	}
	names := make([]string, len(specs))
	for i := range specs {
		names[i] = specs[i].name
	}
	for k := range obj {
		if !contains(names, k) {
			return example{}, fmt.Errorf("unknown input %q (the model's inputs: %s)", k, quoteList(names))
		}
	}
	ex := example{values: make([][]byte, len(specs)), counts: make([]int64, len(specs))}
	for i := range specs {
		raw, ok := obj[specs[i].name]
		if !ok {
			return example{}, fmt.Errorf("input %q is missing", specs[i].name)
		}
		vals, n, err := encodeValues(raw, &specs[i])
		if err != nil {
			return example{}, fmt.Errorf("input %q: %w", specs[i].name, err)
		}
		if err := specs[i].checkCount(n); err != nil {
			return example{}, fmt.Errorf("input %q: %w", specs[i].name, err)
		}
		ex.values[i], ex.counts[i] = vals, n
	}
	return ex, nil
}

// checkCount checks how many values one example has against the shape.
func (sp *inputSpec) checkCount(n int64) error {
	if sp.varDim < 0 {
		if n != sp.fixedElems {
			return fmt.Errorf("%d values, want %d (one example of shape %v, flattened)", n, sp.fixedElems, sp.exampleDims)
		}
		return nil
	}
	if n == 0 || n%sp.fixedElems != 0 {
		return fmt.Errorf("%d values is not a positive multiple of %d (one example of shape %v, flattened)", n, sp.fixedElems, sp.exampleDims)
	}
	return nil
}

// encodeValues checks a flat JSON array against the datatype and returns
// its values re-encoded, comma separated, and their count.
func encodeValues(raw json.RawMessage, sp *inputSpec) ([]byte, int64, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return nil, 0, fmt.Errorf("values must be a flat JSON array: %v", err)
	}
	b := make([]byte, 0, len(raw))
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, v, sp); err != nil {
			return nil, 0, fmt.Errorf("value %d: %w", i+1, err)
		}
	}
	return b, int64(len(vals)), nil
}

func appendValue(b []byte, v any, sp *inputSpec) ([]byte, error) {
	switch x := v.(type) {
	case []any, map[string]any:
		return nil, fmt.Errorf("nested value: flatten each example into one array")
	case bool:
		if sp.kind != "bool" {
			return nil, fmt.Errorf("true/false given for %s", sp.datatype)
		}
		return strconv.AppendBool(b, x), nil
	case string:
		if sp.kind != "bytes" {
			return nil, fmt.Errorf("a string given for %s", sp.datatype)
		}
		enc, _ := json.Marshal(x)
		return append(b, enc...), nil
	case json.Number:
		s := x.String()
		switch sp.kind {
		case "int":
			if _, err := strconv.ParseInt(s, 10, sp.bits); err != nil {
				return nil, fmt.Errorf("%s is not an %s", s, sp.datatype)
			}
		case "uint":
			if _, err := strconv.ParseUint(s, 10, sp.bits); err != nil {
				return nil, fmt.Errorf("%s is not a %s", s, sp.datatype)
			}
		case "float":
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, fmt.Errorf("%s is not a finite %s", s, sp.datatype)
			}
		default:
			return nil, fmt.Errorf("a number given for %s", sp.datatype)
		}
		return append(b, s...), nil
	default:
		return nil, fmt.Errorf("null or unsupported value for %s", sp.datatype)
	}
}

// dataBodies groups examples batch at a time (the last group wraps around
// to the first examples) and encodes one body per group.
func dataBodies(examples []example, specs []inputSpec, batch int, file string) ([][]byte, error) {
	groups := (len(examples) + batch - 1) / batch
	pool := make([][]byte, 0, groups)
	for g := 0; g < groups; g++ {
		tensors := make([]tensorJSON, len(specs))
		for i := range specs {
			sp := &specs[i]
			var data []byte
			var varSize int64
			first := examples[(g*batch)%len(examples)]
			for j := 0; j < batch; j++ {
				ex := examples[(g*batch+j)%len(examples)]
				if ex.counts[i] != first.counts[i] {
					return nil, fmt.Errorf("data file %s line %d: input %q has %d values but line %d, in the same batch, has %d: examples batched together must have the same shape",
						file, ex.line, sp.name, ex.counts[i], first.line, first.counts[i])
				}
				if j > 0 {
					data = append(data, ',')
				}
				data = append(data, ex.values[i]...)
			}
			if sp.varDim >= 0 {
				varSize = first.counts[i] / sp.fixedElems
			}
			tensors[i] = tensorJSON{spec: sp, shape: sp.requestShape(batch, varSize), data: data}
		}
		pool = append(pool, encodeInferRequest(tensors))
	}
	return pool, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	sort.Strings(q)
	return strings.Join(q, ", ")
}
