package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func timeHours(h int) time.Duration { return time.Duration(h) * time.Hour }

// The gate: an equal run passes (0), a regressed copy of a golden run fails
// with exit 5 and says what regressed, and JUnit XML is written either way.
func TestCheckGatesARegressedGoldenRun(t *testing.T) {
	dir := t.TempDir()
	base := costTestdata + "/runs/a10g-sweep"
	junit := filepath.Join(dir, "check.xml")
	out, code, err := execCostCLI(t, "check", base, "--baseline", base, "--junit", junit)
	if code != ExitOK || !strings.Contains(out, "passed: 5 checks") {
		t.Fatalf("an equal run: exit %d, %v\n%s", code, err, out)
	}
	slow := writeLabelled(t, dir, "a10g-sweep", "slow", 1, 0.8)
	out, code, _ = execCostCLI(t, "check", slow, "--baseline", base, "--max-regression", "0.1", "--junit", junit)
	if code != ExitRegression || ExitRegression != 5 {
		t.Fatalf("a regressed run: exit %d, want 5\n%s", code, out)
	}
	for _, want := range []string{"FAIL  capacity at the SLO", "800 -> 512 inferences/s (-36.0%", "FAIL  p95 at batch 8 at 100 req/s", "+25.0%", "FAILED: 4 of 5 checks"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || doc.Tests != 5 || doc.Failures != 4 || len(doc.Suites[0].Cases) != 5 || doc.Suites[0].Cases[0].Failure != nil {
		t.Errorf("junit: %v %+v\n%s", err, doc, b)
	}
	// a bound wide enough passes the same runs
	if out, code, _ = execCostCLI(t, "check", slow, "--baseline", base, "--max-regression", "0.6"); code != ExitOK {
		t.Errorf("at 60%%: exit %d\n%s", code, out)
	}
	// a budget
	if _, code, _ = execCostCLI(t, "check", base, "--max-cost-per-million", "0.30"); code != ExitRegression {
		t.Errorf("over budget: exit %d", code)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", base, "--max-regression", "1.5"}, "--max-regression"},
		{[]string{"check", base, "--max-cost-per-million", "0"}, "--max-cost-per-million"},
		{[]string{"check", costTestdata + "/runs/cpu-profile"}, "records no SLO"},
		{[]string{"check", base, base}, "one run directory"},
		{[]string{"check", base, "--baseline", filepath.Join(dir, "none")}, "--baseline"},
	} {
		out, code, err := execCostCLI(t, c.args...)
		if code != ExitUsage || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: exit %d, %v\n%s", c.args, code, err, out)
		}
	}
	if !strings.Contains(exitCodesHelp, "  5    infercost check failed") {
		t.Error("exit code 5 is not in the help")
	}
}
