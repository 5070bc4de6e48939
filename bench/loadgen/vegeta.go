package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// vegetaModule is the vegeta the project builds on; its CLI is the
// baseline.
const vegetaModule = "github.com/tsenart/vegeta/v12"

// buildVegeta builds vegeta's CLI once into dir: from this module's pinned
// version when run inside the module, else with go install @v12.13.0.
func buildVegeta(dir string) (string, error) {
	bin := filepath.Join(dir, "vegeta")
	build := exec.Command("go", "build", "-o", bin, vegetaModule)
	if gomod, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if p := strings.TrimSpace(string(gomod)); p != "" && p != os.DevNull {
			build.Dir = filepath.Dir(p)
		}
	}
	if out, err := build.CombinedOutput(); err == nil {
		return bin, nil
	} else if len(out) > 0 {
		fmt.Fprintf(os.Stderr, "go build vegeta: %s; trying go install\n", strings.TrimSpace(string(out)))
	}
	install := exec.Command("go", "install", vegetaModule+"@v12.13.0")
	install.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := install.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build vegeta's CLI: %v: %s", err, out)
	}
	return bin, nil
}

// vegetaRun is what vegeta's own report says about one attack, plus its
// CPU from the attack process's rusage.
type vegetaRun struct {
	achievedRPS float64 // successful requests / (duration + wait), vegeta's "throughput"
	sentRPS     float64 // vegeta's "rate"
	p99MS       float64
	success     float64
	cpuPercent  float64 // of one core
	targetCPU   float64 // the target process's, of one core
}

func runVegeta(bin string, tgt *target, rate int, d time.Duration, dir string) (vegetaRun, error) {
	targets := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(targets, []byte("GET "+tgt.url+"\n"), 0o644); err != nil {
		return vegetaRun{}, err
	}
	out := filepath.Join(dir, "results.bin")
	attack := exec.Command(bin, "attack", "-rate="+strconv.Itoa(rate)+"/1s", "-duration="+d.String(),
		"-targets="+targets, "-output="+out)
	attack.Stderr = os.Stderr
	start, tcpu0 := time.Now(), tgt.cpuTime()
	if err := attack.Run(); err != nil {
		return vegetaRun{}, fmt.Errorf("vegeta attack: %w", err)
	}
	wall, tcpu := time.Since(start), tgt.cpuTime()-tcpu0
	var cpu time.Duration
	if ru, ok := attack.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	report, err := exec.Command(bin, "report", "-type=json", out).Output()
	if err != nil {
		return vegetaRun{}, fmt.Errorf("vegeta report: %w", err)
	}
	os.Remove(out)
	var m struct {
		Latencies struct {
			P99 time.Duration `json:"99th"`
		} `json:"latencies"`
		Rate       float64 `json:"rate"`
		Throughput float64 `json:"throughput"`
		Success    float64 `json:"success"`
	}
	if err := json.Unmarshal(report, &m); err != nil {
		return vegetaRun{}, fmt.Errorf("vegeta report: %w", err)
	}
	return vegetaRun{
		achievedRPS: m.Throughput,
		sentRPS:     m.Rate,
		p99MS:       float64(m.Latencies.P99) / 1e6,
		success:     m.Success,
		cpuPercent:  100 * cpu.Seconds() / wall.Seconds(),
		targetCPU:   100 * tcpu.Seconds() / wall.Seconds(),
	}, nil
}
