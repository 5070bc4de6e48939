package result

import (
	"strings"
	"testing"
)

func TestParseSLO(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // FormatSLO of the result, or the error's key phrase
		err  bool
	}{
		{"p95=50ms", "p95=50ms", false},
		{"p99=0.12s, p95=50", "p95=50ms,p99=120ms", false},
		{"P99.9=1s,median=3ms", "p50=3ms,p999=1000ms", false},
		{"p95=250us", "p95=0.25ms", false},
		{"", "empty SLO", true},
		{"p95", "PERCENTILE=BOUND", true},
		{"p97=5ms", "unknown percentile", true},
		{"p95=5ms,p95=6ms", "twice", true},
		{"p95=-5ms", "positive", true},
		{"p95=0", "positive", true},
		{"p95=fast", "not a duration", true},
		{"p95=NaN", "positive", true},
		{"p90=1e20", "over 1h", true},
	} {
		got, err := ParseSLO(tc.in)
		if tc.err {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseSLO(%q) error %v, want one containing %q", tc.in, err, tc.want)
			}
			continue
		}
		if err != nil || FormatSLO(got) != tc.want {
			t.Errorf("ParseSLO(%q) = %q, %v; want %q", tc.in, FormatSLO(got), err, tc.want)
		}
	}
}

func TestSLOMisses(t *testing.T) {
	slo, _ := ParseSLO("p95=50ms,p99=100ms")
	ok := Step{Successes: 100, Requests: 100, LatencyMS: Latency{Corrected: Quantiles{Count: 100, P95: 40, P99: 90}}}
	if !MeetsSLO(&ok, slo, 0.001) {
		t.Fatalf("a step within every bound misses: %v", SLOMisses(&ok, slo, 0.001))
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Step)
		what   string
	}{
		{"p95 over", func(s *Step) { s.LatencyMS.Corrected.P95 = 60 }, "p95"},
		{"p99 over", func(s *Step) { s.LatencyMS.Corrected.P99 = 101 }, "p99"},
		{"errors", func(s *Step) { s.ErrorRatio = 0.01 }, "error_rate"},
		{"generator", func(s *Step) { s.Flags.GeneratorLimited = true }, "generator_limited"},
		{"unstable", func(s *Step) { s.Flags.Unstable = true }, "unstable"},
		{"interrupted", func(s *Step) { s.Flags.Interrupted = true }, "interrupted"},
		{"no success", func(s *Step) { s.Successes = 0 }, "no_success"},
		// The uncorrected view never decides: only corrected latency does.
	} {
		st := ok
		tc.mutate(&st)
		m := SLOMisses(&st, slo, 0.001)
		if len(m) != 1 || m[0].What != tc.what || MeetsSLO(&st, slo, 0.001) {
			t.Errorf("%s: misses %v, want exactly %s", tc.name, m, tc.what)
		}
		if m[0].String() == "" {
			t.Errorf("%s: empty description", tc.name)
		}
	}
	st := ok
	st.LatencyMS.Uncorrected.P95 = 500
	if !MeetsSLO(&st, slo, 0.001) {
		t.Error("uncorrected latency decided the SLO")
	}
}

func FuzzParseSLO(f *testing.F) {
	for _, s := range []string{"p95=50ms", "p95=50ms,p99=120ms", "p99.9=1s", "median=3", "p95=", "=,=", "p95=1e309"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slo, err := ParseSLO(s)
		if err != nil {
			return
		}
		if len(slo) == 0 {
			t.Fatalf("ParseSLO(%q) accepted an empty SLO", s)
		}
		for _, b := range slo {
			if !(b.BoundMS > 0) || b.BoundMS > maxBoundMS {
				t.Fatalf("ParseSLO(%q) bound %g", s, b.BoundMS)
			}
		}
		again, err := ParseSLO(FormatSLO(slo))
		if err != nil || FormatSLO(again) != FormatSLO(slo) {
			t.Fatalf("round trip of %q: %q then %q (%v)", s, FormatSLO(slo), FormatSLO(again), err)
		}
	})
}

func TestParseSLOTokenMetrics(t *testing.T) {
	got, err := ParseSLO("p99=20s, itl_p95=50ms, TTFT_p95=0.5s, tpot_p50=30")
	if err != nil {
		t.Fatal(err)
	}
	if s := FormatSLO(got); s != "p99=20000ms,ttft_p95=500ms,itl_p95=50ms,tpot_p50=30ms" {
		t.Errorf("FormatSLO = %q", s)
	}
	if !HasTokenMetrics(got) || HasTokenMetrics(got[:1]) {
		t.Errorf("HasTokenMetrics wrong for %v", got)
	}
	back, err := ParseSLO(FormatSLO(got))
	if err != nil || FormatSLO(back) != FormatSLO(got) {
		t.Errorf("round trip: %v, %v", back, err)
	}
	for _, bad := range []struct{ in, want string }{
		{"ttfb_p95=1s", "unknown metric"},
		{"latency_p95=1s", "unknown metric"},
		{"ttft_p97=1s", "unknown percentile"},
		{"ttft_p95=1s,TTFT_p95=2s", "names ttft_p95 twice"},
	} {
		if _, err := ParseSLO(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseSLO(%q) = %v, want %q", bad.in, err, bad.want)
		}
	}
}

func TestSLOMissesTokenMetrics(t *testing.T) {
	slo, _ := ParseSLO("ttft_p95=500ms,itl_p95=50ms")
	ttft, itl := Quantiles{Count: 10, P95: 400}, Quantiles{Count: 90, P95: 60}
	st := Step{Successes: 10, Requests: 10, LLMFigures: LLMFigures{TTFTMS: &ttft, ITLMS: &itl}}
	misses := SLOMisses(&st, slo, 0.001)
	if len(misses) != 1 || misses[0].What != "itl_p95" || misses[0].Observed != 60 || !misses[0].IsLatency() {
		t.Fatalf("misses %+v, want one itl_p95 miss at 60", misses)
	}
	// A KServe step has no TTFT: the bound cannot be met, and says why.
	kserve := Step{Successes: 10, Requests: 10}
	misses = SLOMisses(&kserve, slo, 0.001)
	if len(misses) != 2 || !misses[0].Missing || misses[0].IsLatency() || !strings.Contains(misses[0].String(), "no such figure") {
		t.Fatalf("KServe step misses %+v", misses)
	}
}
