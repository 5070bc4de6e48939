package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// millionRequests is the size of the memory check.
const (
	millionRequests = 1_000_000
	rssLimitBytes   = 100 << 20
)

// runMillion sends a million requests on a finite schedule and samples the
// process's RSS every second: it must stay under 100 MB and flat.
func runMillion(url string, rate, maxInflight int) error {
	d := time.Duration(float64(millionRequests) / float64(rate) * float64(time.Second))
	arr, err := loadgen.Steps([]loadgen.Stage{{RPS: float64(rate), Duration: d}})
	if err != nil {
		return err
	}
	fmt.Printf("1,000,000 requests at %d req/s (%v), --max-inflight %d:\n\n", rate, d.Round(time.Second), maxInflight)
	a, err := loadgen.Start(context.Background(), loadgen.Config{Workload: loadgen.NewRawWorkload("GET", url, nil), Arrival: arr, MaxInflight: maxInflight})
	if err != nil {
		return err
	}
	var samples []float64 // RSS, bytes, one a second
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	deadline := time.After(d + 2*time.Minute)
wait:
	for {
		select {
		case <-a.Done():
			break wait
		case <-tick.C:
			samples = append(samples, rssBytes())
		case <-deadline:
			fmt.Println("the schedule did not finish in time; stopping")
			break wait
		}
	}
	iv := a.Stop()
	samples = append(samples, rssBytes())
	st := result.Step{BatchSize: 1}
	iv.Fill(&st)
	fmt.Printf("sent %d, completed %d, successes %d, achieved %.0f req/s, late %.4f, p99 corrected %.2f ms, peak in flight %d\n",
		st.Sent, st.Requests, st.Successes, st.AchievedRPS, st.LateSendRatio, st.LatencyMS.Corrected.P99, iv.PeakInflight)
	if len(samples) < 4 {
		return fmt.Errorf("too few RSS samples (%d)", len(samples))
	}
	var peak float64
	for _, s := range samples {
		peak = max(peak, s)
	}
	// Flat: the second half of the run grows no more than 10 MB over the
	// first half's peak.
	half := len(samples) / 2
	var firstPeak, secondPeak float64
	for i, s := range samples {
		if i < half {
			firstPeak = max(firstPeak, s)
		} else {
			secondPeak = max(secondPeak, s)
		}
	}
	mb := func(b float64) string { return fmt.Sprintf("%.1f MB", b/1e6) }
	var marks []string
	for q := 1; q <= 4; q++ {
		marks = append(marks, mb(samples[min(len(samples)-1, q*len(samples)/4)]))
	}
	fmt.Printf("RSS at 25/50/75/100%%: %s; peak %s (first half %s, second half %s)\n",
		strings.Join(marks, ", "), mb(peak), mb(firstPeak), mb(secondPeak))
	flat := secondPeak <= firstPeak+10e6
	under := peak < rssLimitBytes
	fmt.Printf("RSS under 100 MB: %v; flat (second half within 10 MB of the first): %v\n", under, flat)
	if !under || !flat || st.Sent != millionRequests {
		return fmt.Errorf("million-request check failed (sent %d)", st.Sent)
	}
	return nil
}

// rssBytes reads the resident set size from /proc/self/statm.
func rssBytes() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize())
}
