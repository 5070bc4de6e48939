package check

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub
// actions' test reporters, Buildkite) read: one test suite, one test case
// per check; a failed check is a <failure>, a check that could not be
// made is <skipped>.

// JUnitSuites is the document's root.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is the run's checks.
type JUnitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []JUnitProperty `xml:"properties>property"`
	Cases      []JUnitCase     `xml:"testcase"`
}

// JUnitProperty is a name and value of the suite (run, baseline, SLO).
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitCase is one check.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *JUnitFailure `xml:"failure"`
	Skipped   *JUnitSkipped `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// JUnitFailure is a failed check: its message and the details.
type JUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnitSkipped is a check that could not be made.
type JUnitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit builds the report's JUnit document, stamped now.
func (r *Report) JUnit(now time.Time) JUnitSuites {
	s := JUnitSuite{Name: "infercost check " + r.Run, Tests: len(r.Checks), Failures: r.Failed(), Skipped: r.Skipped(),
		Timestamp:  now.UTC().Format("2006-01-02T15:04:05"),
		Properties: []JUnitProperty{{"run", r.Run}, {"baseline", r.Baseline}, {"slo", r.SLO}, {"max_regression", fmt.Sprint(r.MaxRegression)}}}
	for _, c := range r.Checks {
		tc := JUnitCase{Name: c.Name, ClassName: "infercost.check", SystemOut: c.Message}
		switch c.Status {
		case Fail:
			tc.Failure = &JUnitFailure{Message: c.Message, Type: "regression", Text: fmt.Sprintf("%s: %s", c.Name, c.Message)}
		case Skip:
			tc.Skipped = &JUnitSkipped{Message: c.Message}
		}
		s.Cases = append(s.Cases, tc)
	}
	return JUnitSuites{Name: "infercost check", Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped, Suites: []JUnitSuite{s}}
}

// WriteJUnit writes the JUnit XML document.
func (r *Report) WriteJUnit(w io.Writer, now time.Time) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(r.JUnit(now)); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
