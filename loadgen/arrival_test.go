package loadgen

import (
	"math"
	"strings"
	"testing"
	"time"
)

// must unwraps a constructor's result in test setup.
func must(a Arrival, err error) Arrival {
	if err != nil {
		panic(err)
	}
	return a
}

func TestConstantSendsHitIAtIOverRate(t *testing.T) {
	a := must(Constant(250))
	for _, c := range []struct {
		i    uint64
		want time.Duration
	}{{0, 0}, {1, 4 * time.Millisecond}, {250, time.Second}, {1001, 4004 * time.Millisecond}} {
		got, ok := a.At(c.i)
		if !ok || got != c.want {
			t.Errorf("At(%d) = %v, %v; want %v", c.i, got, ok, c.want)
		}
	}
	// Pace: hit 0 goes at once (vegeta's ConstantPacer would wait 1/rate).
	if wait, stop := a.Pace(0, 0); wait != 0 || stop {
		t.Errorf("Pace(0, 0) = %v, %v; want 0, false", wait, stop)
	}
	if wait, _ := a.Pace(time.Millisecond, 1); wait != 3*time.Millisecond {
		t.Errorf("Pace(1ms, 1) = %v; want 3ms", wait)
	}
	if a.Name() != "constant" || a.Duration() != 0 || a.Rate(time.Hour) != 250 {
		t.Errorf("Name/Duration/Rate = %s %v %v", a.Name(), a.Duration(), a.Rate(time.Hour))
	}
}

func TestPoissonMeanGap(t *testing.T) {
	const rate, n = 800.0, 10000
	a := must(Poisson(rate, 42))
	last, _ := a.At(n)
	mean := last.Seconds() / n
	if want := 1 / rate; math.Abs(mean-want)/want > 0.05 {
		t.Fatalf("mean gap %.6fs over %d draws, want %.6fs within 5%%", mean, n, want)
	}
	// Exponential gaps: the coefficient of variation is about 1.
	var sum, sumSq float64
	prev, _ := a.At(0)
	for i := uint64(1); i <= n; i++ {
		at, _ := a.At(i)
		g := (at - prev).Seconds()
		sum += g
		sumSq += g * g
		prev = at
	}
	m := sum / n
	cv := math.Sqrt(sumSq/n-m*m) / m
	if cv < 0.9 || cv > 1.1 {
		t.Errorf("gap coefficient of variation %.3f, want about 1 (exponential gaps)", cv)
	}
}

func TestPoissonIsSeededAndRandomAccessIsExact(t *testing.T) {
	a := must(Poisson(1000, 7))
	b := must(Poisson(1000, 7))
	c := must(Poisson(1000, 8))
	seq := make([]time.Duration, 5000)
	for i := range seq {
		seq[i], _ = a.At(uint64(i))
	}
	differs := false
	for i := len(seq) - 1; i >= 0; i-- { // backwards, through checkpoints
		got, _ := b.At(uint64(i))
		if got != seq[i] {
			t.Fatalf("same seed: At(%d) = %v then %v", i, seq[i], got)
		}
		other, _ := c.At(uint64(i))
		differs = differs || other != seq[i]
	}
	if !differs {
		t.Error("seeds 7 and 8 gave the same schedule")
	}
	cur := newScheduleCursor(b)
	for _, i := range []uint64{4999, 3, 2048, 2047, 1025, 4000, 0, 4321} {
		if got, _ := cur.at(i); got != seq[i] {
			t.Errorf("cursor at(%d) = %v, want %v", i, got, seq[i])
		}
	}
}

func TestRampAndStepsSchedules(t *testing.T) {
	up := must(Ramp(0, 200, 10*time.Second))    // expect 1000 hits
	down := must(Ramp(300, 100, 4*time.Second)) // expect 800
	flat := must(Ramp(50, 50, 2*time.Second))   // expect 100, like Constant
	st := must(Steps([]Stage{{100, time.Second}, {0, time.Second}, {20, 500 * time.Millisecond}}))
	for _, c := range []struct {
		a     Arrival
		total uint64
		name  string
	}{{up, 1000, "ramp"}, {down, 800, "ramp"}, {flat, 100, "ramp"}, {st, 110, "steps"}} {
		if c.a.Name() != c.name {
			t.Errorf("%v: Name %q", c.a, c.a.Name())
		}
		n := countAll(c.a)
		if n != c.total {
			t.Errorf("%v: %d hits, want %d", c.a, n, c.total)
		}
		last, _ := c.a.At(n - 1)
		if last >= c.a.Duration() {
			t.Errorf("%v: last hit at %v, not before the end %v", c.a, last, c.a.Duration())
		}
		if wait, stop := c.a.Pace(0, n); !stop || wait != 0 {
			t.Errorf("%v: Pace past the end = %v, %v; want stop", c.a, wait, stop)
		}
	}
	// A rising ramp sends more in its second half: rate(t) = 20 t.
	if r := up.Rate(5 * time.Second); r != 100 {
		t.Errorf("ramp rate at 5s = %v, want 100", r)
	}
	if got := newScheduleCursor(up).countBefore(5*time.Second, 0); got != 250 {
		t.Errorf("ramp 0->200/s over 10s: %d hits before 5s, want 250", got)
	}
	// Steps: 100 in the first second, none in the pause, then 20/s.
	if at, _ := st.At(100); at != 2*time.Second {
		t.Errorf("steps: hit 100 at %v, want 2s (after the pause)", at)
	}
	if r := st.Rate(1500 * time.Millisecond); r != 0 {
		t.Errorf("steps: rate in the pause = %v", r)
	}
}

func countAll(a Arrival) uint64 {
	var n uint64
	for {
		if _, ok := a.At(n); !ok {
			return n
		}
		n++
	}
}

func TestCountBeforeAgreesWithAt(t *testing.T) {
	arrivals := []Arrival{
		must(Constant(333)),
		must(Poisson(500, 1)),
		must(Ramp(10, 400, 3*time.Second)),
		must(Steps([]Stage{{200, time.Second}, {50, time.Second}})),
	}
	for _, a := range arrivals {
		cur := newScheduleCursor(a)
		var hint uint64
		for _, t0 := range []time.Duration{0, 1, 3 * time.Millisecond, 999 * time.Millisecond, time.Second, 1500 * time.Millisecond, 2500 * time.Millisecond, 10 * time.Second} {
			var brute uint64
			for {
				at, ok := a.At(brute)
				if !ok || at >= t0 {
					break
				}
				brute++
			}
			got := cur.countBefore(t0, hint)
			if got != brute {
				t.Errorf("%v: countBefore(%v) = %d, want %d", a, t0, got, brute)
			}
			hint = got
		}
	}
}

func TestArrivalErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"constant 0", second(Constant(0)), "above 0"},
		{"constant NaN", second(Constant(math.NaN())), "not a number"},
		{"constant negative", second(Constant(-5)), "negative"},
		{"constant huge", second(Constant(1e9)), "limit"},
		{"poisson inf", second(Poisson(math.Inf(1), 1)), "not a number"},
		{"ramp 0 to 0", second(Ramp(0, 0, time.Second)), "sends nothing"},
		{"ramp no duration", second(Ramp(1, 2, 0)), "positive"},
		{"ramp negative", second(Ramp(-1, 2, time.Second)), "negative"},
		{"steps none", second(Steps(nil)), "no steps"},
		{"steps all pauses", second(Steps([]Stage{{0, time.Second}})), "send nothing"},
		{"steps zero duration", second(Steps([]Stage{{10, 0}})), "positive"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

func second(_ Arrival, err error) error { return err }
