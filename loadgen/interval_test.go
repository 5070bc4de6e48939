package loadgen

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// handInterval builds an interval with known contents: latencies in ms.
func handInterval(start time.Time, d time.Duration, successesMS []int64, errs map[string]int64) *Interval {
	iv := newInterval(start)
	iv.End = start.Add(d)
	for _, ms := range successesMS {
		recordUS(iv.Uncorrected, time.Duration(ms)*time.Millisecond)
		recordUS(iv.Corrected, time.Duration(ms+5)*time.Millisecond)
		iv.Successes++
		iv.Completed++
	}
	for k, n := range errs {
		iv.Errors[k] += n
		iv.Completed += n
	}
	iv.Sent = iv.Completed
	iv.Offered = iv.Sent + 2
	for i := int64(0); i < iv.Sent; i++ {
		recordUS(iv.SendLag, time.Duration(i%4)*time.Millisecond)
	}
	iv.Late = iv.Sent / 4
	iv.InflightCapped = 1
	iv.BytesIn, iv.BytesOut = 100*iv.Completed, 40*iv.Completed
	return iv
}

func TestIntervalFill(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	lat := make([]int64, 100) // 1..100 ms
	for i := range lat {
		lat[i] = int64(i + 1)
	}
	iv := handInterval(t0, 4*time.Second, lat, map[string]int64{result.ErrHTTP5xx: 20})
	st := result.Step{BatchSize: 8}
	iv.Fill(&st)
	near := func(got, want float64) bool { return math.Abs(got-want) <= want*0.002+1e-9 }
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"duration_s", st.DurationS, 4},
		{"achieved_rps", st.AchievedRPS, 30},
		{"successful_rps", st.SuccessfulRPS, 25},
		{"inferences_per_s", st.InferencesPerS, 200},
		{"success_ratio", st.SuccessRatio, 100.0 / 120},
		{"error_ratio", st.ErrorRatio, 20.0 / 120},
		{"uncorrected p50", st.LatencyMS.Uncorrected.P50, 50},
		{"uncorrected p99", st.LatencyMS.Uncorrected.P99, 99},
		{"uncorrected max", st.LatencyMS.Uncorrected.Max, 100},
		{"uncorrected min", st.LatencyMS.Uncorrected.Min, 1},
		{"uncorrected mean", st.LatencyMS.Uncorrected.Mean, 50.5},
		{"corrected p50", st.LatencyMS.Corrected.P50, 55},
		{"corrected p90", st.LatencyMS.Corrected.P90, 95},
		{"send lag max", st.SendLagMS.Max, 3},
		{"late_send_ratio", st.LateSendRatio, 30.0 / 120},
		{"inflight_capped_ratio", st.InflightCappedRatio, 1.0 / 120},
		{"bytes_in_per_request", st.BytesInPerRequest, 100},
		{"bytes_out_per_request", st.BytesOutPerRequest, 40},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if st.Requests != 120 || st.Successes != 100 || st.Sent != 120 || st.Offered != 122 || st.LatencyMS.Corrected.Count != 100 {
		t.Errorf("counts: %d requests %d successes %d sent %d offered", st.Requests, st.Successes, st.Sent, st.Offered)
	}
	if len(st.Errors) != len(result.ErrorKinds) || st.Errors[result.ErrHTTP5xx] != 20 {
		t.Errorf("errors %v: want every kind, 20 http_5xx", st.Errors)
	}
	if st.Flags != (result.Flags{}) {
		t.Errorf("Fill set flags %+v", st.Flags)
	}
	// An empty interval fills zeros, never NaN.
	var empty Interval
	var z result.Step
	empty.Fill(&z)
	if z.AchievedRPS != 0 || z.SuccessRatio != 0 || z.LatencyMS.Corrected.P99 != 0 || len(z.Errors) != len(result.ErrorKinds) {
		t.Errorf("empty interval filled %+v", z)
	}
}

func TestIntervalMerge(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	a := handInterval(t0, 2*time.Second, []int64{10, 20, 30}, map[string]int64{result.ErrTimeout: 1})
	b := handInterval(t0.Add(2*time.Second), 3*time.Second, []int64{40}, map[string]int64{result.ErrConnect: 2})
	a.PeakInflight, b.PeakInflight = 7, 3
	var m Interval
	m.Merge(a)
	m.Merge(b)
	if !m.Start.Equal(t0) || !m.End.Equal(t0.Add(5*time.Second)) || m.Duration() != 5*time.Second {
		t.Errorf("merged span %v-%v (%v)", m.Start, m.End, m.Duration())
	}
	if m.Successes != 4 || m.Completed != 7 || m.Sent != 7 || m.Offered != 11 || m.Late != a.Late+b.Late || m.InflightCapped != 2 ||
		m.Errors[result.ErrTimeout] != 1 || m.Errors[result.ErrConnect] != 2 || m.BytesIn != 700 || m.PeakInflight != 7 {
		t.Errorf("merged counts %+v", m)
	}
	if m.Uncorrected.TotalCount() != 4 || m.Uncorrected.Max() < 39900 || m.SendLag.TotalCount() != 7 {
		t.Errorf("merged histograms: %d values max %d us, lag %d", m.Uncorrected.TotalCount(), m.Uncorrected.Max(), m.SendLag.TotalCount())
	}
	// Windows that do not touch: the duration is their sum, not the span.
	c := handInterval(t0.Add(time.Minute), time.Second, []int64{1}, nil)
	m.Merge(c)
	if m.Duration() != 6*time.Second {
		t.Errorf("merged duration %v, want 6s (the windows' sum)", m.Duration())
	}
}

func TestHistogramLogRoundTrip(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	iv := handInterval(t0, 2*time.Second, []int64{1, 2, 3, 250, 3000}, nil)
	var buf bytes.Buffer
	if err := WriteHistogramLog(&buf, iv); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"Tag=corrected,", "Tag=uncorrected,", "Tag=send_lag,"} {
		if !strings.Contains(buf.String(), tag) {
			t.Errorf("log lacks %s:\n%s", tag, buf.String())
		}
	}
	c, u, l, err := ReadHistogramLog(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Equals(iv.Corrected) || !u.Equals(iv.Uncorrected) || !l.Equals(iv.SendLag) {
		t.Error("histograms changed in the round trip")
	}
	// Two logs one after the other read as their union.
	twice := append(append([]byte(nil), buf.Bytes()...), buf.Bytes()...)
	c2, _, _, err := ReadHistogramLog(bytes.NewReader(twice))
	if err != nil || c2.TotalCount() != 2*iv.Corrected.TotalCount() || c2.ValueAtQuantile(50) != iv.Corrected.ValueAtQuantile(50) {
		t.Errorf("concatenated logs: %v, %d values", err, c2.TotalCount())
	}
	if _, _, _, err := ReadHistogramLog(strings.NewReader("#just a comment\n")); err == nil || !strings.Contains(err.Error(), `no "corrected" histogram`) {
		t.Errorf("empty log: error %v", err)
	}
	if _, _, _, err := ReadHistogramLog(strings.NewReader("Tag=corrected,0.0,1.0,1.0,HISTnotbase64!!\n")); err == nil {
		t.Error("corrupt log read without error")
	}
}
