package loadgen

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

func startHTTP(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// failUnlessStarved reports a timing miss, unless the generator itself
// reports that it could not keep its schedule (more than 1% of sends late
// for its own reasons): then the machine was too loaded for the figure to
// mean anything, which is what the profiler flags as generator_limited,
// and the check is skipped instead.
func failUnlessStarved(t *testing.T, iv *Interval, format string, args ...any) {
	t.Helper()
	if share := ratio(float64(iv.LateUncapped), float64(iv.Sent)); share > 0.01 {
		t.Skipf("the generator was starved (%.1f%% of %d sends late for its own reasons), so this timing miss is the machine's: "+format,
			append([]any{100 * share, iv.Sent}, args...)...)
	}
	t.Errorf(format, args...)
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
}

// runFor starts an attack, lets it run for d and stops it.
func runFor(t *testing.T, cfg Config, d time.Duration) (*Attack, *Interval) {
	t.Helper()
	a, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	return a, a.Stop()
}

func TestAchievedRateMatchesOffered(t *testing.T) {
	srv := startHTTP(t, okHandler())
	rate := must(Constant(500))
	a, iv := runFor(t, Config{Workload: NewRawWorkload("GET", srv.URL, nil), Arrival: rate}, 2*time.Second)
	var st result.Step
	st.BatchSize = 1
	iv.Fill(&st)
	t.Logf("offered %d sent %d completed %d in %.3fs: %.1f req/s, late %.4f, corrected p99 %.2f ms",
		st.Offered, st.Sent, st.Requests, st.DurationS, st.AchievedRPS, st.LateSendRatio, st.LatencyMS.Corrected.P99)
	if math.Abs(st.AchievedRPS-500)/500 > 0.03 {
		failUnlessStarved(t, iv, "achieved %.1f req/s, want 500 within 3%%", st.AchievedRPS)
	}
	if st.Successes != st.Requests || st.Requests != st.Sent || st.ErrorRatio != 0 {
		t.Errorf("sent %d, completed %d, successes %d, errors %v", st.Sent, st.Requests, st.Successes, st.Errors)
	}
	if d := st.Offered - st.Sent; d < 0 {
		t.Errorf("offered %d, sent %d: more sent than offered", st.Offered, st.Sent)
	} else if d > 2 {
		failUnlessStarved(t, iv, "offered %d, sent %d: the generator fell behind", st.Offered, st.Sent)
	}
	if st.InferencesPerS != st.SuccessfulRPS || st.BytesInPerRequest != 2 || len(st.Errors) != len(result.ErrorKinds) {
		t.Errorf("inferences/s %v, bytes in %v, errors %v", st.InferencesPerS, st.BytesInPerRequest, st.Errors)
	}
	if c, u := st.LatencyMS.Corrected, st.LatencyMS.Uncorrected; c.Count != st.Successes || c.P50 < u.P50 || c.Max < u.Max {
		t.Errorf("corrected %+v below uncorrected %+v", c, u)
	}
	rows := a.Series()
	if len(rows) < 2 || len(rows) > 3 {
		t.Fatalf("%d series rows for 2 s (and a partial one), want 2 or 3: %+v", len(rows), rows)
	}
	var sent int64
	for i, r := range rows {
		sent += r.Sent
		if i < 2 && (r.Second != i || r.Offered != 500 || r.P50MS <= 0 || r.P95MS < r.P50MS) {
			t.Errorf("row %+v: want second %d, 500 offered and quantiles", r, i)
		}
	}
	if sent != st.Sent {
		t.Errorf("rows sent %d, interval sent %d", sent, st.Sent)
	}
}

// stallingHandler answers at once, except during [stallAt, stallAt+stallFor)
// of every period, when it holds each request until the stall ends.
func stallingHandler(period, stallAt, stallFor time.Duration) http.Handler {
	begin := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		phase := time.Since(begin) % period
		if phase >= stallAt && phase < stallAt+stallFor {
			time.Sleep(stallAt + stallFor - phase)
		}
		w.Write([]byte("ok"))
	})
}

// checkStall runs the coordinated-omission scenario and checks that the
// corrected latency shows the stall while the uncorrected one hides it.
func checkStall(t *testing.T, h http.Handler, rate float64, run, correctedAtLeast time.Duration, heldBack int64) {
	srv := startHTTP(t, h)
	_, iv := runFor(t, Config{Workload: NewRawWorkload("GET", srv.URL, nil), Arrival: must(Constant(rate)), MaxInflight: 4}, run)
	var st result.Step
	iv.Fill(&st)
	t.Logf("sent %d offered %d: corrected p99 %.1f ms, uncorrected p99 %.2f ms, send lag max %.1f ms, late %.3f, capped %.3f, late uncapped %d",
		st.Sent, st.Offered, st.LatencyMS.Corrected.P99, st.LatencyMS.Uncorrected.P99, st.SendLagMS.Max, st.LateSendRatio, st.InflightCappedRatio, iv.LateUncapped)
	if got := st.LatencyMS.Corrected.P99; got < float64(correctedAtLeast.Milliseconds()) {
		t.Errorf("corrected p99 %.1f ms, want at least %v: the stall is hidden", got, correctedAtLeast)
	}
	if st.InflightCappedRatio == 0 || st.LateSendRatio == 0 || st.SendLagMS.Max < float64(correctedAtLeast.Milliseconds()) {
		t.Errorf("late %.3f capped %.3f lag max %.1f ms: the held-back sends are not counted", st.LateSendRatio, st.InflightCappedRatio, st.SendLagMS.Max)
	}
	// The sends held back by the stall are blamed on the target (the
	// machine's own noise may add late sends of the generator's).
	if iv.InflightCapped < heldBack/2 {
		t.Errorf("%d sends found every slot busy, want at least %d of the ~%d held back", iv.InflightCapped, heldBack/2, heldBack)
	}
	var top []int64
	for _, q := range []float64{98, 98.5, 99, 99.3, 99.5, 99.7, 99.9, 100} {
		top = append(top, iv.Uncorrected.ValueAtQuantile(q)/1000)
	}
	t.Logf("uncorrected ms at 98, 98.5, 99, 99.3, 99.5, 99.7, 99.9, 100%%: %v", top)
	if st.ErrorRatio != 0 || iv.PeakInflight != 4 {
		t.Errorf("errors %v, peak in flight %d (want 4)", st.Errors, iv.PeakInflight)
	}
	// The uncorrected figure hides the stall (unless a starved machine
	// slowed every request).
	if got := st.LatencyMS.Uncorrected.P99; got >= 100 {
		failUnlessStarved(t, iv, "uncorrected p99 %.1f ms, want under 100 ms", got)
	}
}

func TestStallingTargetShort(t *testing.T) {
	// One 0.5 s stall at 200 req/s with 4 slots: ~100 sends are held back
	// and 4 requests (0.6%) are stuck, so only the corrected p99 sees it.
	checkStall(t, stallingHandler(time.Hour, 1500*time.Millisecond, 500*time.Millisecond), 200, 3500*time.Millisecond, 250*time.Millisecond, 100)
}

func TestStallingTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("11 s; TestStallingTargetShort covers the same point")
	}
	t.Parallel()
	// The scenario: stalls of 1 s every 5 s, 100 req/s, 4 slots.
	checkStall(t, stallingHandler(5*time.Second, 4*time.Second, time.Second), 100, 10500*time.Millisecond, 500*time.Millisecond, 200)
}

func TestErrorsAreCountedNeverTimed(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := &fakeKServe{meta: newFakeModel()}
	f.answer = func(n int64, w http.ResponseWriter) bool {
		switch n % 5 {
		case 1:
			http.Error(w, "boom", http.StatusInternalServerError)
		case 2:
			<-release // past the timeout
		case 3:
			w.Write([]byte(`{"outputs":[{"name":"probs"`)) // malformed
		case 4:
			w.Write([]byte(`{"outputs":[{"name":"other","shape":[4,10],"data":[0]}]}`)) // output missing
		default:
			return false
		}
		return true
	}
	srv := f.start(t)
	meta := newFakeModel()
	w, err := NewKServeWorkload(srv.URL, &meta, 4, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	// A finite schedule: exactly 100 requests.
	a, err := Start(context.Background(), Config{Workload: w, Arrival: must(Steps([]Stage{{100, time.Second}})), Conn: ConnOptions{Timeout: 800 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	<-a.Done()
	iv := a.Stop()
	var st result.Step
	st.BatchSize = 4
	iv.Fill(&st)
	t.Logf("errors %v successes %d of %d", st.Errors, st.Successes, st.Requests)
	if st.Requests != 100 || st.Sent != 100 {
		t.Fatalf("%d requests of %d sent, want 100", st.Requests, st.Sent)
	}
	for kind, want := range map[string]int64{result.ErrHTTP5xx: 20, result.ErrTimeout: 20, result.ErrBadBody: 40} {
		if got := st.Errors[kind]; got != want {
			t.Errorf("%s: %d, want %d", kind, got, want)
		}
	}
	if st.Successes != 20 || math.Abs(st.ErrorRatio-0.8) > 1e-9 || st.InferencesPerS != 4*st.SuccessfulRPS {
		t.Errorf("successes %d, error ratio %v, inferences/s %v", st.Successes, st.ErrorRatio, st.InferencesPerS)
	}
	// Only the 20 successes are timed, and none of them waited 800 ms.
	if iv.Corrected.TotalCount() != 20 || iv.Uncorrected.TotalCount() != 20 || st.LatencyMS.Uncorrected.Max >= 800 {
		t.Errorf("histograms hold %d/%d values, max %.1f ms: errors were timed",
			iv.Corrected.TotalCount(), iv.Uncorrected.TotalCount(), st.LatencyMS.Uncorrected.Max)
	}
}

func TestConnectErrorsAnd4xx(t *testing.T) {
	srv := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusForbidden) }))
	_, iv := runFor(t, Config{Workload: NewRawWorkload("GET", srv.URL, nil), Arrival: must(Constant(200))}, 300*time.Millisecond)
	if iv.Errors[result.ErrHTTP4xx] != iv.Completed || iv.Completed == 0 || iv.Corrected.TotalCount() != 0 {
		t.Errorf("403s: errors %v of %d completed, %d timed", iv.Errors, iv.Completed, iv.Corrected.TotalCount())
	}
	srv.Close()
	_, iv = runFor(t, Config{Workload: NewRawWorkload("GET", srv.URL, nil), Arrival: must(Constant(200))}, 300*time.Millisecond)
	if iv.Errors[result.ErrConnect] != iv.Completed || iv.Completed == 0 || iv.Corrected.TotalCount() != 0 {
		t.Errorf("closed port: errors %v of %d completed, %d timed", iv.Errors, iv.Completed, iv.Corrected.TotalCount())
	}
}

func TestClosedLoopKeepsNInFlight(t *testing.T) {
	var inflight, peak atomic.Int64
	srv := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inflight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		inflight.Add(-1)
	}))
	a, iv := runFor(t, Config{Workload: NewRawWorkload("GET", srv.URL, nil), Concurrency: 5}, time.Second)
	var st result.Step
	iv.Fill(&st)
	if peak.Load() != 5 || iv.PeakInflight != 5 {
		t.Errorf("peak in flight %d at the server, %d recorded; want 5", peak.Load(), iv.PeakInflight)
	}
	if st.AchievedRPS < 100 || st.AchievedRPS > 260 {
		t.Errorf("achieved %.1f req/s with 5 in flight at 20 ms each, want about 250", st.AchievedRPS)
	}
	if st.Offered != st.Sent || st.LatencyMS.Corrected != st.LatencyMS.Uncorrected || st.SendLagMS.Max != 0 || st.LateSendRatio != 0 {
		t.Errorf("closed loop: offered %d sent %d, corrected %+v uncorrected %+v, lag %+v",
			st.Offered, st.Sent, st.LatencyMS.Corrected, st.LatencyMS.Uncorrected, st.SendLagMS)
	}
	for _, r := range a.Series() {
		if r.Offered != r.Sent {
			t.Errorf("closed-loop row %+v: offered != sent", r)
		}
	}
}

func TestFiniteScheduleEndsAndDoneCloses(t *testing.T) {
	srv := startHTTP(t, okHandler())
	steps := must(Steps([]Stage{{100, 500 * time.Millisecond}, {200, 500 * time.Millisecond}}))
	a, err := Start(context.Background(), Config{Workload: NewRawWorkload("POST", srv.URL, []byte("hello")), Arrival: steps})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed 5 s after a 1 s schedule")
	}
	iv := a.Stop()
	if iv.Offered != 150 || iv.Sent != 150 || iv.Completed != 150 || iv.BytesOut != 150*5 {
		t.Errorf("offered %d sent %d completed %d bytes out %d; want 150, 150, 150, 750", iv.Offered, iv.Sent, iv.Completed, iv.BytesOut)
	}
	if d := iv.Duration(); d < time.Second || d > 1200*time.Millisecond {
		t.Errorf("interval lasts %v, want the schedule's 1 s", d)
	}
	if again := a.Stop(); again != iv {
		t.Error("a second Stop returned another interval")
	}
}

func TestCutsSplitTheAttackExactly(t *testing.T) {
	srv := startHTTP(t, okHandler())
	a, err := Start(context.Background(), Config{Workload: NewRawWorkload("GET", srv.URL, nil), Arrival: must(Poisson(300, 3))})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	w1 := a.Cut()
	time.Sleep(800 * time.Millisecond)
	w2 := a.Cut()
	time.Sleep(600 * time.Millisecond)
	w3 := a.Stop()
	if !w1.End.Equal(w2.Start) || !w2.End.Equal(w3.Start) || !w1.Start.Equal(a.Started()) {
		t.Errorf("intervals do not join: %v-%v, %v-%v, %v-%v", w1.Start, w1.End, w2.Start, w2.End, w3.Start, w3.End)
	}
	var total Interval
	for _, w := range []*Interval{w1, w2, w3} {
		total.Merge(w)
	}
	sched := newScheduleCursor(must(Poisson(300, 3)))
	if want := int64(sched.countBefore(w3.End.Sub(a.Started()), 0)); total.Offered != want {
		t.Errorf("offered over the cuts %d, want %d from the schedule", total.Offered, want)
	}
	if total.Sent != w1.Sent+w2.Sent+w3.Sent || total.Completed != total.Sent || total.Corrected.TotalCount() != total.Successes {
		t.Errorf("merged: sent %d completed %d timed %d successes %d", total.Sent, total.Completed, total.Corrected.TotalCount(), total.Successes)
	}
	var rows result.SecondRow
	for _, r := range a.Series() {
		rows.Offered += r.Offered
		rows.Sent += r.Sent
		rows.Completed += r.Completed
	}
	if rows.Offered != total.Offered || rows.Sent != total.Sent || rows.Completed != total.Completed {
		t.Errorf("series sums %+v, intervals offered %d sent %d completed %d", rows, total.Offered, total.Sent, total.Completed)
	}
	time.Sleep(50 * time.Millisecond)
	if after := a.Cut(); after.Sent != 0 || after.Completed != 0 || after.Offered != 0 {
		t.Errorf("Cut after Stop: %+v", after)
	}
}

func TestCancelAbortsRequestsInFlight(t *testing.T) {
	release := make(chan struct{})
	srv := startHTTP(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := Start(ctx, Config{Workload: NewRawWorkload("GET", srv.URL, nil), Arrival: must(Constant(50))})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	start := time.Now()
	select {
	case <-a.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("Done not closed 3 s after cancelling (30 s request timeout)")
	}
	iv := a.Stop()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("cancel to stop took %v", took)
	}
	if iv.Sent == 0 || iv.Completed != 0 {
		t.Errorf("sent %d completed %d: aborted requests must not count", iv.Sent, iv.Completed)
	}
}

func TestStopWaitsAtMostTheTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := startHTTP(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer close(release)
	a, err := Start(context.Background(), Config{Workload: NewRawWorkload("GET", srv.URL, nil), Arrival: must(Constant(20)), Conn: ConnOptions{Timeout: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	iv := a.Stop()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Stop took %v with a 300 ms timeout", took)
	}
	if iv.Errors[result.ErrTimeout] != iv.Sent || iv.Sent == 0 {
		t.Errorf("sent %d, errors %v: every request should time out", iv.Sent, iv.Errors)
	}
}

func TestStartRejectsBadConfigs(t *testing.T) {
	w := NewRawWorkload("GET", "http://127.0.0.1:1/", nil)
	for _, c := range []Config{
		{},
		{Workload: &Workload{}, Concurrency: 1},
		{Workload: w},
		{Workload: w, Arrival: must(Constant(1)), Concurrency: 2},
		{Workload: w, Arrival: must(Constant(1)), MaxInflight: -1},
		{Workload: NewRawWorkload("GET", "ftp://x", nil), Concurrency: 1},
		{Workload: w, Concurrency: 1, Conn: ConnOptions{CACertFile: "/nonexistent.pem"}},
	} {
		if a, err := Start(context.Background(), c); err == nil {
			a.Stop()
			t.Errorf("Start(%+v) accepted", c)
		}
	}
}
