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
