package cost

import (
	"strings"
	"testing"
)

func TestDefaultWorkloadIsValidAndDocumented(t *testing.T) {
	w := DefaultWorkload()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	if w.MonthlyInferences != 1e7 || w.Headroom != 0.7 || w.Buffer != 0.2 || w.SpotOverhead != 0.05 || w.Pricing != PricingOnDemand {
		t.Errorf("defaults differ from DESIGN: %+v", w)
	}
	for _, f := range WorkloadFields {
		if f.Help == "" || f.Default == "" {
			t.Errorf("%s has no help or default", f.Key)
		}
	}
	used := strings.Join(w.DefaultsUsed(), " ")
	if !strings.Contains(used, "monthly=10000000") || !strings.Contains(used, "headroom=0.7") || strings.Contains(used, "hourly_profile") {
		t.Errorf("defaults used: %s", used)
	}
}

func TestWorkloadSetTracksOrigin(t *testing.T) {
	w := DefaultWorkload()
	if err := w.Set("monthly", "5000", "flag"); err != nil {
		t.Fatal(err)
	}
	if w.MonthlyInferences != 5000 || strings.Contains(strings.Join(w.DefaultsUsed(), " "), "monthly=") {
		t.Errorf("monthly set by flag still listed as default: %v", w.DefaultsUsed())
	}
	for _, c := range []struct{ key, val, want string }{
		{"headroom", "0", "want a share in (0, 1]"},
		{"headroom", "70", "want a share in (0, 1]"},
		{"canary_share", "5", "a fraction, 0.2 not 20"},
		{"min_replicas", "0", "want 1 or more"},
		{"pricing", "cheap", `want on-demand, spot or reserved, got "cheap"`},
		{"monthly", "lots", `"lots" is not a number`},
		{"hourly_profile", "1,2,3", "want 24 weights"},
		{"peak_to_average", "0.5", "want 1 or more"},
		{"k8s_overhead", "1", "want a share in [0, 1)"},
		{"nonsense", "1", "unknown workload setting"},
	} {
		w := DefaultWorkload()
		err := w.Set(c.key, c.val, "flag")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Set(%s, %s) = %v, want %q", c.key, c.val, err, c.want)
		}
	}
}

func TestParseWorkloadFile(t *testing.T) {
	w, err := ParseWorkload("w.yaml", []byte("monthly: 2e8\nhourly_profile: [1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2]\nautoscale: true\nmin_replicas: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if w.MonthlyInferences != 2e8 || !w.Autoscale || len(w.HourlyProfile) != 24 || w.Origin["monthly"] != "file" {
		t.Errorf("parsed %+v", w)
	}
	for _, c := range []struct{ yaml, want string }{
		{"monthly: 10\nheadroom: 2\n", "w.yaml:2: headroom: want a share in (0, 1], got 2"},
		{"montly: 10\n", `w.yaml:1: unknown field "montly"`},
		{"monthly: [1]\n", "w.yaml:1: monthly: want a number, got a list"},
		{"autoscale: true\n", "--autoscale needs --hourly-profile"},
		{"peak_to_average: 3\nhourly_profile: [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]\n", "not both"},
		{"- 1\n", "must be a mapping"},
		{"monthly: 1\nmonthly: 2\n", `key "monthly" appears twice`},
	} {
		_, err := ParseWorkload("w.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.yaml, err, c.want)
		}
	}
}
