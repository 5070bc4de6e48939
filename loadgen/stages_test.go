package loadgen

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseStages(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    []Stage
		wantErr string
	}{
		{in: "100:10s,200:10s", want: []Stage{{100, 10 * time.Second}, {200, 10 * time.Second}}},
		{in: " 50 : 1m , 0:500ms ,2.5:2s", want: []Stage{{50, time.Minute}, {0, 500 * time.Millisecond}, {2.5, 2 * time.Second}}},
		{in: "", wantErr: "empty steps"},
		{in: "100", wantErr: `step 1 "100": want RPS:DURATION`},
		{in: "100:10s,abc:1s", wantErr: `step 2 "abc:1s": rate "abc" is not a number`},
		{in: "100:10", wantErr: `duration "10" is not a duration`},
		{in: "100:-1s", wantErr: "duration must be positive"},
		{in: "100:0s", wantErr: "duration must be positive"},
		{in: "-5:1s", wantErr: "negative"},
		{in: "NaN:1s", wantErr: "not a number"},
		{in: "1e9:1s", wantErr: "limit"},
		{in: "100:10s,", wantErr: `step 2 "": want RPS:DURATION`},
	} {
		got, err := ParseStages(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseStages(%q) error = %v, want one containing %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseStages(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if _, err := ParseStages(strings.Repeat("1:1s,", MaxStages) + "1:1s"); err == nil {
		t.Error("more than MaxStages stages accepted")
	}
}

func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"100:10s,200:10s", "0:1s", "1.5:250ms,2:1m", "x", ":", "1:1s,,", "1e7:1ns", "100:10s,0:5s,300:1h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		stages, err := ParseStages(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(stages) == 0 {
			t.Fatal("no error and no stages")
		}
		for _, st := range stages {
			if st.Duration <= 0 || st.RPS < 0 || st.RPS > MaxRateRPS || st.RPS != st.RPS {
				t.Fatalf("invalid stage %+v accepted from %q", st, s)
			}
		}
		// Formatting and parsing again gives the same stages.
		again, err := ParseStages(FormatStages(stages))
		if err != nil || !reflect.DeepEqual(again, stages) {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
		// Steps accepts them unless every stage is a pause, and its
		// schedule ends at its duration.
		a, err := Steps(stages)
		if err != nil {
			return
		}
		if at, ok := a.At(0); !ok || at >= a.Duration() {
			t.Fatalf("steps %q: first hit at %v, %v; duration %v", s, at, ok, a.Duration())
		}
	})
}
