package check

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/report/answer"
	"github.com/infercost/infercost/report/runs"
	"github.com/infercost/infercost/result"
)

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func options(t *testing.T, bound float64) Options {
	t.Helper()
	a, err := answer.Defaults(now)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Answer: a, MaxRegression: bound}
}

func load(t *testing.T, path string) *runs.Dir {
	t.Helper()
	d, err := runs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// variant writes a copy of a golden run changed by edit and loads it.
func variant(t *testing.T, golden string, edit func(r *result.Run)) *runs.Dir {
	t.Helper()
	r, err := result.Read("../../testdata/runs/" + golden)
	if err != nil {
		t.Fatal(err)
	}
	edit(r)
	dir := filepath.Join(t.TempDir(), golden+"-variant")
	if err := result.Write(dir, r); err != nil {
		t.Fatal(err)
	}
	return load(t, dir)
}

// slower scales every step's throughput by tp and its latencies by lat.
func slower(tp, lat float64) func(r *result.Run) {
	return func(r *result.Run) {
		for i := range r.Steps {
			st := &r.Steps[i]
			st.InferencesPerS *= tp
			st.SuccessfulRPS *= tp
			for _, q := range []*result.Quantiles{&st.LatencyMS.Corrected, &st.LatencyMS.Uncorrected} {
				q.P50, q.P90, q.P95, q.P99, q.P999, q.Max = q.P50*lat, q.P90*lat, q.P95*lat, q.P99*lat, q.P999*lat, q.Max*lat
			}
		}
		r.Sweep = nil
	}
}

// withTrials gives step i of a run three trials spanning lo-hi inferences/s.
func withTrials(i int, lo, hi float64) func(r *result.Run) {
	return func(r *result.Run) {
		st := &r.Steps[i]
		mid := st.InferencesPerS
		st.Trials = []result.Trial{{Trial: 1, InferencesPerS: lo, UnitsPerS: lo}, {Trial: 2, InferencesPerS: mid, UnitsPerS: mid}, {Trial: 3, InferencesPerS: hi, UnitsPerS: hi}}
		st.Spread = result.TrialsSpread{InferencesPerSMin: lo, InferencesPerSMax: hi, UnitsPerSMin: lo, UnitsPerSMax: hi,
			P95MSMin: st.LatencyMS.Corrected.P95, P95MSMax: st.LatencyMS.Corrected.P95}
	}
}

func status(rep *Report) map[string]string {
	out := map[string]string{}
	for _, c := range rep.Checks {
		out[c.Name] = c.Status
	}
	return out
}

func TestAnEqualRunPasses(t *testing.T) {
	for _, golden := range []string{"a10g-sweep", "llm-a10g-sweep", "real-demo"} {
		d := load(t, "../../testdata/runs/"+golden)
		rep, err := Run(d, d, options(t, 0.1))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Passed || rep.Failed() != 0 || rep.Skipped() != 0 || len(rep.Checks) < 5 {
			var b bytes.Buffer
			_ = rep.Write(&b, "table")
			t.Errorf("%s against itself:\n%s", golden, b.String())
		}
		for _, c := range rep.Checks[1:] {
			if c.Change == nil || *c.Change != 0 {
				t.Errorf("%s %s: change %v", golden, c.Name, c.Change)
			}
		}
	}
	d := load(t, "../../testdata/runs/llm-a10g-sweep")
	rep, _ := Run(d, d, options(t, 0.1))
	if st := status(rep); st["ttft_p95 at batch 1 at concurrency 8"] != Pass || st["itl_p99 at batch 1 at concurrency 8"] != Pass {
		t.Errorf("the LLM run's token latencies were not checked: %v", st)
	}
}

func TestARegressedRunFails(t *testing.T) {
	base := load(t, "../../testdata/runs/a10g-sweep")
	cur := variant(t, "a10g-sweep", slower(0.8, 1.2))
	rep, err := Run(cur, base, options(t, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	st := status(rep)
	for _, name := range []string{"capacity at the SLO", "p95 at batch 8 at 100 req/s", "p99 at batch 8 at 100 req/s", "cost per million at full utilisation"} {
		if st[name] != Fail {
			t.Errorf("%s: %s, want fail (%v)", name, st[name], st)
		}
	}
	if rep.Passed || st["meets the SLO p95=50ms"] != Pass {
		t.Errorf("passed %v, meets %s", rep.Passed, st["meets the SLO p95=50ms"])
	}
	var b bytes.Buffer
	if err := rep.Write(&b, "table"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FAIL  capacity at the SLO", "800 -> 512 inferences/s (-36.0%", "42.00 ms -> 50.40 ms (+20.0%", "FAILED: 4 of 5 checks"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	// a looser bound lets the latency through but not the capacity
	rep, _ = Run(cur, base, options(t, 0.25))
	if st := status(rep); st["p95 at batch 8 at 100 req/s"] != Pass || st["capacity at the SLO"] != Fail {
		t.Errorf("at 25%%: %v", st)
	}
}

// A change beyond the bound but inside the trials' ranges is noise.
func TestAChangeInsideTheNoisePasses(t *testing.T) {
	// the capacity step is step 9 (b8-r100, 800 inferences/s)
	base := variant(t, "a10g-sweep", withTrials(8, 760, 840))
	noisy := variant(t, "a10g-sweep", func(r *result.Run) { slower(0.875, 1)(r); withTrials(8, 640, 780)(r) }) // 700: -12.5%
	rep, err := Run(noisy, base, options(t, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	if st := status(rep); st["capacity at the SLO"] != Pass || st["cost per million at full utilisation"] != Pass {
		var b bytes.Buffer
		_ = rep.Write(&b, "table")
		t.Errorf("a change inside the trials' range failed:\n%s", b.String())
	}
	// the same figures measured once each: no range, a regression
	once := variant(t, "a10g-sweep", slower(0.875, 1))
	rep, _ = Run(once, load(t, "../../testdata/runs/a10g-sweep"), options(t, 0.1))
	if st := status(rep); st["capacity at the SLO"] != Fail || st["cost per million at full utilisation"] != Fail {
		t.Errorf("-12.5%% with no trials passed: %v", st)
	}
	// golden runs have one trial: spread 0, the figure itself
	if s := throughputSpan(&once.Run.Steps[8]); s.lo != s.hi || s.trials != 1 {
		t.Errorf("a single trial has a range: %+v", s)
	}
}

func TestNoStepAtTheSLOFailsAndBudgets(t *testing.T) {
	d := load(t, "../../testdata/runs/no-slo")
	rep, err := Run(d, nil, options(t, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed || rep.Checks[0].Status != Fail || !strings.Contains(rep.Checks[0].Message, "closest is step") {
		t.Errorf("a run meeting no SLO: %+v", rep.Checks)
	}
	g := load(t, "../../testdata/runs/a10g-sweep")
	o := options(t, 0.1)
	limit := 0.30
	o.MaxCostPerMillion = &limit
	rep, _ = Run(g, nil, o)
	if rep.Passed || status(rep)["cost per million at most $0.3000"] != Fail {
		t.Errorf("a $0.3493 run passed a $0.30 budget: %+v", rep.Checks)
	}
	limit = 0.40
	rep, _ = Run(g, nil, o)
	if !rep.Passed || len(rep.Checks) != 2 {
		t.Errorf("a $0.3493 run failed a $0.40 budget: %+v", rep.Checks)
	}
	if _, err := Run(load(t, "../../testdata/runs/cpu-profile"), nil, options(t, 0.1)); !errors.Is(err, ErrInput) {
		t.Errorf("a run with no SLO and no --slo: %v", err)
	}
	if _, err := Run(g, load(t, "../../testdata/runs/llm-a10g-sweep"), options(t, 0.1)); !errors.Is(err, ErrInput) {
		t.Errorf("runs of different units: %v", err)
	}
}

// The JUnit document is well-formed XML with one test case per check and
// the failures and skips CI systems count.
func TestJUnitXML(t *testing.T) {
	base := load(t, "../../testdata/runs/a10g-sweep")
	cur := variant(t, "a10g-sweep", slower(0.8, 1.2))
	rep, err := Run(cur, base, options(t, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	rep.Checks = append(rep.Checks, Result{Name: `odd <name> & "quotes"`, Status: Skip, Message: "a <skip> & more"})
	var b bytes.Buffer
	if err := rep.WriteJUnit(&b, now); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b.String())
		}
	}
	var doc JUnitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 6 || doc.Failures != 4 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 6 {
		t.Fatalf("tests %d failures %d skipped %d", doc.Tests, doc.Failures, doc.Skipped)
	}
	failed, skipped := 0, 0
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failed++
			if c.Failure.Message == "" || c.Failure.Type != "regression" {
				t.Errorf("failure without a message: %+v", c)
			}
		}
		if c.Skipped != nil {
			skipped++
		}
	}
	last := doc.Suites[0].Cases[5]
	if failed != 4 || skipped != 1 || last.Name != `odd <name> & "quotes"` || last.Skipped.Message != "a <skip> & more" {
		t.Errorf("%d failed, %d skipped, last %+v", failed, skipped, last)
	}
	if p := doc.Suites[0].Properties; len(p) != 4 || p[2].Value != "p95=50ms" {
		t.Errorf("properties %+v", p)
	}
}

// A new version may change the built-in server's configuration: the
// latency is still compared at the same batch size and load.
func TestTheSameLoadUnderAnotherServerConfiguration(t *testing.T) {
	base := load(t, "../../testdata/runs/real-demo")
	cur := variant(t, "real-demo", func(r *result.Run) {
		slower(1, 1.5)(r)
		for i := range r.Steps {
			cfg := *r.Steps[i].Server
			cfg.MaxQueueDelayMS = 8
			r.Steps[i].Server = &cfg
		}
	})
	rep, err := Run(cur, base, options(t, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	st := status(rep)
	if st["p95 at batch 8 at 1000 req/s"] != Fail || st["p99 at batch 8 at 1000 req/s"] != Fail {
		t.Errorf("latency 50%% up under another server configuration: %v", st)
	}
}
