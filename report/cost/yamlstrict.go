package cost

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LineError is one problem in a YAML file (a catalog or a workload), with
// the file, the line and what is wrong, so a user can go and fix it.
type LineError struct {
	File string
	Line int
	// Where names the row ("instances[3] g5.xlarge"); empty at top level.
	Where  string
	Reason string
}

func (e *LineError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Where != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Where, e.Reason)
	}
	return fmt.Sprintf("%s: %s", loc, e.Reason)
}

// maxReportedErrors bounds how many problems one file reports at once.
const maxReportedErrors = 20

// joinLineErrors turns a list of problems into one error whose message has
// one problem per line (nil when there are none).
func joinLineErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, aok := errs[i].(*LineError)
		b, bok := errs[j].(*LineError)
		return aok && bok && a.File == b.File && a.Line < b.Line
	})
	if len(errs) > maxReportedErrors {
		more := len(errs) - maxReportedErrors
		errs = append(errs[:maxReportedErrors:maxReportedErrors], fmt.Errorf("... and %d more problems", more))
	}
	return errors.Join(errs...)
}

// parseYAMLDoc parses data into its document's top node; an empty file is
// an empty mapping.
func parseYAMLDoc(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &LineError{File: file, Reason: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Line: 1}, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &LineError{File: file, Line: top.Line, Reason: "the file must be a mapping of keys to values"}
	}
	return top, nil
}

// strictDecoder decodes YAML nodes into Go values the way a user-facing
// file needs: an unknown or repeated key is an error, a wrong type names
// the key and the line, and every problem is collected rather than the
// first one only.
type strictDecoder struct {
	file string
	errs []error
	// visits counts values decoded: YAML aliases can make a small file
	// expand exponentially, so decoding stops at maxVisits.
	visits int
}

// maxVisits bounds the values one file may expand to (aliases included).
const maxVisits = 100000

// exhausted reports (once, as an error) that the file expands too far.
func (d *strictDecoder) exhausted(n *yaml.Node) bool {
	d.visits++
	if d.visits == maxVisits+1 {
		d.fail(n, "", "the file expands to more than %d values (nested YAML aliases?): refused", maxVisits)
	}
	return d.visits > maxVisits
}

func (d *strictDecoder) fail(n *yaml.Node, where, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.errs = append(d.errs, &LineError{File: d.file, Line: line, Where: where, Reason: fmt.Sprintf(format, args...)})
}

// resolve follows YAML aliases (bounded, so a cycle cannot hang us).
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 32; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// decode fills v (addressable) from n; key names the field for messages.
func (d *strictDecoder) decode(n *yaml.Node, v reflect.Value, where, key string) {
	if d.exhausted(n) {
		return
	}
	n = resolve(n)
	if n == nil || n.Kind == yaml.AliasNode {
		d.fail(n, where, "%s: alias nested too deeply", key)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		nv := reflect.New(v.Type().Elem())
		d.decode(n, nv.Elem(), where, key)
		v.Set(nv)
	case reflect.Struct:
		d.decodeStructAt(n, v, where, key+": ")
	case reflect.Map:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.fail(n, where, "%s: want a mapping", key)
			return
		}
		m := reflect.MakeMap(v.Type())
		d.eachKey(n, where, key+": ", func(k, val *yaml.Node) {
			elem := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, elem, where, key+"."+k.Value)
			m.SetMapIndex(reflect.ValueOf(k.Value), elem)
		})
		v.Set(m)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, where, "%s: want a list", key)
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), where, fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
	default:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, where, "%s: want %s, got a %s", key, kindWord(v.Kind()), nodeWord(n))
			return
		}
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.fail(n, where, "%s: want %s, got %q", key, kindWord(v.Kind()), n.Value)
		}
	}
}

// decodeStruct fills struct v from a mapping, refusing unknown and repeated
// keys. Fields tagged yaml:",inline" take their keys from the same mapping.
func (d *strictDecoder) decodeStruct(n *yaml.Node, v reflect.Value, where string) {
	d.decodeStructAt(n, v, where, "")
}

// decodeStructAt is decodeStruct for a struct nested under a key; prefix
// ("per_field.spot_usd_per_hour: ") starts its messages.
func (d *strictDecoder) decodeStructAt(n *yaml.Node, v reflect.Value, where, prefix string) {
	if d.exhausted(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, where, "%swant a mapping of keys to values, got a %s", prefix, nodeWord(n))
		return
	}
	fields := yamlFields(v.Type())
	d.eachKey(n, where, prefix, func(k, val *yaml.Node) {
		idx, ok := fields[k.Value]
		if !ok {
			d.fail(k, where, "%sunknown field %q (known: %s)", prefix, k.Value, strings.Join(sortedKeys(fields), ", "))
			return
		}
		d.decode(val, v.FieldByIndex(idx), where, strings.TrimSuffix(prefix, ": ")+dotIf(prefix)+k.Value)
	})
}

// eachKey calls fn for every key of mapping n and its value, refusing keys
// that are not plain names or appear twice; prefix starts its messages.
func (d *strictDecoder) eachKey(n *yaml.Node, where, prefix string, fn func(k, val *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.fail(n.Content[i], where, "%skeys must be plain names", prefix)
			continue
		}
		if seen[k.Value] {
			d.fail(k, where, "%skey %q appears twice", prefix, k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k, val)
	}
}

// yamlFields maps each YAML key of struct type t to its field index path.
func yamlFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" && f.Type.Kind() == reflect.Struct {
			for k, idx := range yamlFields(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			continue
		}
		out[name] = []int{i}
	}
	return out
}

func sortedKeys(m map[string][]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func kindWord(k reflect.Kind) string {
	switch k {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a text value"
	}
	return "a value"
}

func nodeWord(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

// dotIf joins a nested key's prefix and name with a dot.
func dotIf(prefix string) string {
	if prefix == "" {
		return ""
	}
	return "."
}
