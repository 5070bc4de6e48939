package cost

import (
	_ "embed"
	"fmt"
	"os"
	"reflect"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed default_catalog.yaml
var defaultCatalogYAML []byte

// DefaultCatalogName is how the embedded catalog is named in messages.
const DefaultCatalogName = "default catalog (embedded)"

// CatalogFileVersion is the catalog schema version this code reads.
const CatalogFileVersion = 1

// sectionNames lists the catalog sections in file order.
var sectionNames = []string{"gpus", "instances", "managed_endpoints", "kubernetes", "serverless", "prices"}

// catalogFile is one parsed catalog file before merging.
type catalogFile struct {
	replaceDefault bool
	cat            Catalog
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// DefaultCatalog returns a fresh copy of the embedded default catalog.
func DefaultCatalog() (*Catalog, error) {
	defaultOnce.Do(func() {
		f, err := parseCatalog(DefaultCatalogName, defaultCatalogYAML)
		if err != nil {
			defaultErr = fmt.Errorf("the embedded default catalog is broken (a bug): %w", err)
			return
		}
		defaultCat, defaultErr = mergeCatalog(&Catalog{}, f)
	})
	if defaultErr != nil {
		return nil, defaultErr
	}
	return defaultCat.clone(), nil
}

// LoadCatalog returns the default catalog extended or overridden by the
// file at path (rows with a default row's name replace it; a file with
// `replace_default: true` starts from nothing). An empty path gives the
// default alone. Every problem in the file is reported at once, each with
// its line.
func LoadCatalog(path string) (*Catalog, error) {
	base, err := DefaultCatalog()
	if err != nil || path == "" {
		return base, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	f, errs := parseCatalogFile(path, data)
	if f == nil {
		return nil, joinLineErrors(errs)
	}
	if f.replaceDefault {
		base = &Catalog{}
	}
	c, merr := mergeRowsAndCheck(base, f)
	if err := joinLineErrors(append(errs, merr...)); err != nil {
		return nil, err
	}
	return c, nil
}

// parseCatalog parses one catalog file and checks each row on its own
// (types, unknown fields, negative prices, sources and dates, duplicate
// names within the file). References between rows (an instance's GPU) are
// checked when files are merged.
func parseCatalog(file string, data []byte) (*catalogFile, error) {
	f, errs := parseCatalogFile(file, data)
	if err := joinLineErrors(errs); err != nil {
		return nil, err
	}
	return f, nil
}

// parseCatalogFile returns the rows that decoded (nil when the file is
// not a YAML mapping at all) and every problem found.
func parseCatalogFile(file string, data []byte) (*catalogFile, []error) {
	top, err := parseYAMLDoc(file, data)
	if err != nil {
		return nil, []error{err}
	}
	d := &strictDecoder{file: file}
	out := &catalogFile{}
	seenKey := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := resolve(top.Content[i]), top.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.fail(top.Content[i], "", "keys must be plain names")
			continue
		}
		if seenKey[k.Value] {
			d.fail(k, "", "key %q appears twice", k.Value)
			continue
		}
		seenKey[k.Value] = true
		switch k.Value {
		case "version":
			var ver int
			before := len(d.errs)
			d.decode(v, reflect.ValueOf(&ver).Elem(), "", "version")
			if ver != CatalogFileVersion && len(d.errs) == before {
				d.fail(v, "", "version %d is not known: this infercost reads catalog version %d", ver, CatalogFileVersion)
			}
		case "replace_default":
			d.decode(v, reflect.ValueOf(&out.replaceDefault).Elem(), "", "replace_default")
		case "gpus":
			decodeSection(d, v, "gpus", &out.cat.GPUs, func(r *GPU, o Origin) { r.Origin = o })
		case "instances":
			decodeSection(d, v, "instances", &out.cat.Instances, func(r *Instance, o Origin) { r.Origin = o })
		case "managed_endpoints":
			decodeSection(d, v, "managed_endpoints", &out.cat.Managed, func(r *ManagedEndpoint, o Origin) { r.Origin = o })
		case "kubernetes":
			decodeSection(d, v, "kubernetes", &out.cat.Kubernetes, func(r *KubernetesFee, o Origin) { r.Origin = o })
		case "serverless":
			decodeSection(d, v, "serverless", &out.cat.Serverless, func(r *Serverless, o Origin) { r.Origin = o })
		case "prices":
			decodeSection(d, v, "prices", &out.cat.Prices, func(r *PriceLine, o Origin) { r.Origin = o })
		default:
			d.fail(k, "", "unknown section %q (known: version, replace_default, %s)", k.Value, joinComma(sectionNames))
		}
	}
	if d.visits > maxVisits {
		return nil, []error{&LineError{File: file, Reason: fmt.Sprintf("the file expands to more than %d values (nested YAML aliases?): refused", maxVisits)}}
	}
	return out, append(d.errs, validateFile(file, &out.cat)...)
}

// decodeSection decodes a list of rows, recording each row's line.
func decodeSection[T any](d *strictDecoder, n *yaml.Node, section string, dst *[]T, setOrigin func(*T, Origin)) {
	n = resolve(n)
	if n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, section, "want a list of rows")
		return
	}
	for i, item := range n.Content {
		item = resolve(item)
		var row T
		where := rowWhere(section, i, item)
		if item == nil || item.Kind != yaml.MappingNode {
			d.fail(item, where, "each row must be a mapping of keys to values")
			continue
		}
		before := len(d.errs)
		d.decodeStruct(item, reflect.ValueOf(&row).Elem(), where)
		if len(d.errs) > before {
			continue // reported; checking the rest of a half-read row would only add noise
		}
		setOrigin(&row, Origin{File: d.file, Line: item.Line})
		*dst = append(*dst, row)
	}
}

// rowWhere names a row for messages: "instances[3] g5.xlarge".
func rowWhere(section string, i int, item *yaml.Node) string {
	w := fmt.Sprintf("%s[%d]", section, i)
	if item != nil && item.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(item.Content); j += 2 {
			if item.Content[j].Value == "name" && item.Content[j+1].Kind == yaml.ScalarNode {
				return w + " " + item.Content[j+1].Value
			}
		}
	}
	return w
}

// mergeCatalog returns base with f's rows added (same name: replaced), its
// GPU references resolved to canonical names and checked.
func mergeCatalog(base *Catalog, f *catalogFile) (*Catalog, error) {
	c, errs := mergeRowsAndCheck(base, f)
	if err := joinLineErrors(errs); err != nil {
		return nil, err
	}
	return c, nil
}

func mergeRowsAndCheck(base *Catalog, f *catalogFile) (*Catalog, []error) {
	c := base.clone()
	c.GPUs = mergeRows(c.GPUs, f.cat.GPUs, func(r GPU) string { return r.Name })
	c.Instances = mergeRows(c.Instances, f.cat.Instances, func(r Instance) string { return r.Name })
	c.Managed = mergeRows(c.Managed, f.cat.Managed, func(r ManagedEndpoint) string { return r.Name })
	c.Kubernetes = mergeRows(c.Kubernetes, f.cat.Kubernetes, func(r KubernetesFee) string { return r.Name })
	c.Serverless = mergeRows(c.Serverless, f.cat.Serverless, func(r Serverless) string { return r.Name })
	c.Prices = mergeRows(c.Prices, f.cat.Prices, func(r PriceLine) string { return r.Name })
	return c, validateMerged(c)
}

// mergeRows replaces rows of base that share a name with a row of add and
// appends the rest, keeping base's order.
func mergeRows[T any](base, add []T, name func(T) string) []T {
	out := append([]T{}, base...)
	index := map[string]int{}
	for i, r := range out {
		index[NormalizeName(name(r))] = i
	}
	for _, r := range add {
		if i, ok := index[NormalizeName(name(r))]; ok {
			out[i] = r
			continue
		}
		index[NormalizeName(name(r))] = len(out)
		out = append(out, r)
	}
	return out
}

// clone copies the catalog's slices so callers may not change the default.
func (c *Catalog) clone() *Catalog {
	return &Catalog{
		GPUs:       append([]GPU{}, c.GPUs...),
		Instances:  append([]Instance{}, c.Instances...),
		Managed:    append([]ManagedEndpoint{}, c.Managed...),
		Kubernetes: append([]KubernetesFee{}, c.Kubernetes...),
		Serverless: append([]Serverless{}, c.Serverless...),
		Prices:     append([]PriceLine{}, c.Prices...),
	}
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
