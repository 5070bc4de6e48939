package cost

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// CATALOG.md documents every catalog field and workload key; this keeps it
// from falling behind the code.
func TestCatalogDocCoversEveryField(t *testing.T) {
	data, err := os.ReadFile("CATALOG.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, typ := range []any{GPU{}, Instance{}, ManagedEndpoint{}, KubernetesFee{}, Serverless{}, PriceLine{}, Meta{}} {
		for key := range yamlFields(reflect.TypeOf(typ)) {
			if !strings.Contains(doc, "`"+key+"`") {
				t.Errorf("CATALOG.md does not document %s field %q", reflect.TypeOf(typ).Name(), key)
			}
		}
	}
	for _, f := range WorkloadFields {
		if !strings.Contains(doc, "| `"+f.Key+"` | "+f.Default+" |") {
			t.Errorf("CATALOG.md does not document workload key %q with default %s", f.Key, f.Default)
		}
	}
	for _, k := range LineKinds {
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("CATALOG.md does not document price line kind %q", k)
		}
	}
}

// The project's design doc holds the cost model, and the docs that used to
// point at a DESIGN.md outside the repository point at it.
func TestDesignDocHoldsTheCostModel(t *testing.T) {
	data, err := os.ReadFile("../../docs/design.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, want := range []string{"## Cost model", "730 hours", "price per replica-hour = instance price per hour / replicas per instance",
		"R = max(m, ceil(p / (C × h)))", "n = max(ceil(R / k), min(m, R))", "utilisation above 10%", "C × (1 − overhead)",
		"share is at least that tail", "ceil(L / r) × r", "S × price per instance-second", "paid capacity", "buffer share",
		"All GPU time is charged to the tokens", "$/M output tokens", "$/1k requests", "V × joules per unit × PUE / 3.6e6",
		"ten points a\ndecade", "lowest all-in month"} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/design.md lacks %q", want)
		}
	}
	for _, f := range []string{"../../README.md", "CATALOG.md"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s := string(data); strings.Contains(s, "DESIGN.md") || strings.Contains(s, "DESIGN invariant") || !strings.Contains(s, "docs/design.md") {
			t.Errorf("%s still points at DESIGN.md, or not at docs/design.md", f)
		}
	}
}
