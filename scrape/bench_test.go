package scrape

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkParse is the cost of parsing one response of each kind.
//
//	go test -run '^$' -bench 'Parse|Read' -count 5 ./scrape/
func BenchmarkParse(b *testing.B) {
	for _, file := range []string{"node-exporter-1.5.0.txt", "dcgm-exporter.txt", "triton.txt", "vllm.txt"} {
		body := readTestdata(b, file)
		b.Run(file, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for i := 0; i < b.N; i++ {
				if _, err := Parse(body, "text/plain; version=0.0.4"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRead is parsing and mapping one node_exporter response (what a
// scrape does after the HTTP read).
func BenchmarkRead(b *testing.B) {
	body := readTestdata(b, "node-exporter-1.5.0.txt")
	var m mapper
	t := time.Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p, err := Parse(body, "")
		if err != nil {
			b.Fatal(err)
		}
		t = t.Add(250 * time.Millisecond)
		m.read(t, p)
	}
}

// BenchmarkScrapeCost reads the real node_exporter (cpu and meminfo
// collectors, in its own process) every 250 ms for 10 s per iteration and
// reports what Stop reports (cpu_%_of_core: the scraping thread's CPU
// time, from RUSAGE_THREAD) beside this whole process's CPU over the same
// time (process_cpu_%_of_core: it adds the HTTP transport's goroutines and
// the Go runtime's share, so it is an upper bound). Skipped without
// prometheus-node-exporter.
//
//	go test -run '^$' -bench ScrapeCost -benchtime 1x -count 5 ./scrape/
func BenchmarkScrapeCost(b *testing.B) {
	bin, err := exec.LookPath("prometheus-node-exporter")
	if err != nil {
		b.Skip("prometheus-node-exporter is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--web.listen-address="+addr, "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	url := fmt.Sprintf("http://%s/metrics", addr)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("node_exporter did not start")
		}
	}
	const watch = 10 * time.Second
	for i := 0; i < b.N; i++ {
		var ru0, ru1 unix.Rusage
		unix.Getrusage(unix.RUSAGE_SELF, &ru0)
		t0 := time.Now()
		s, err := Start(context.Background(), Config{Interval: 250 * time.Millisecond, Targets: []Target{{"node", url}}})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(watch)
		cost := s.Stop()
		wall := time.Since(t0)
		unix.Getrusage(unix.RUSAGE_SELF, &ru1)
		proc := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
		b.ReportMetric(cost.CPUPercentOfCore, "cpu_%_of_core")
		b.ReportMetric(float64(proc)/float64(wall)*100, "process_cpu_%_of_core")
		b.ReportMetric(float64(cost.Scrapes), "scrapes")
	}
}
