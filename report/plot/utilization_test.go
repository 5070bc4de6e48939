package plot

import (
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/infercost/infercost/result"
)

func TestUtilizationRefusesBadInput(t *testing.T) {
	run := synthProfileRun(result.ModeRate, nil)
	zeroTimes := []result.Sample{{HostCPUPercent: 5}, {HostCPUPercent: 6}}
	for _, tc := range []struct {
		name    string
		run     *result.Run
		samples []result.Sample
		want    string
	}{
		{"nil run", nil, synthSamples(run, 0, true), "no run"},
		{"no samples", run, nil, "no sampler readings"},
		{"zero times", run, zeroTimes, "sample times"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Utilization(tc.run, tc.samples)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if f != nil {
				t.Fatal("a figure came back with the error")
			}
		})
	}
}

func TestUtilizationPanels(t *testing.T) {
	sweep := synthSweepRun()
	profile := synthProfileRun(result.ModeRate, nil)
	noGenerator := synthSamples(profile, 0, false)
	for i := range noGenerator {
		noGenerator[i].GeneratorCPUPercent = -1
	}
	// A remote GPU box: this host has no GPU; node_exporter and
	// dcgm-exporter figures come as samples.csv's scraped columns.
	remote := synthProfileRun(result.ModeRate, nil)
	for i := range remote.Steps {
		remote.Steps[i].GPUs = []result.GPUSummary{{Index: 0, Name: "NVIDIA A10G", Source: "scrape:gpu"}, {Index: 1, Name: "NVIDIA A10G", Source: "scrape:gpu"}}
	}
	remoteSamples := synthSamples(remote, 0, true)
	for i := range remoteSamples {
		if i%7 == 3 {
			continue // a failed scrape: a gap
		}
		remoteSamples[i].Scraped = map[string]float64{
			"scrape.node.cpu_percent": 20 + float64(i%10), "scrape.node.memory_used_bytes": 9 << 30,
			"scrape.gpu.gpu0.utilization_percent": 73, "scrape.gpu.gpu0.memory_used_bytes": 5 << 30,
			"scrape.gpu.gpu1.utilization_percent": 0, "scrape.gpu.gpu1.memory_used_bytes": 1 << 20,
		}
	}
	for _, tc := range []struct {
		name    string
		render  bool // also encode PNG and SVG (slow under -race: once is enough)
		run     *result.Run
		samples []result.Sample
		yLabels []string
		want    []string // legend entries, panel by panel joined
		wantNot []string
		title   []string
	}{
		{"GPUs and process", true, sweep, synthSamples(sweep, 2, true),
			[]string{"CPU (% of machine)", "CPU (% of one core)", "memory (GiB)", "GPU utilization (%)"},
			[]string{"host, 8 logical CPUs", "target process", "infercost load generator", "target process RSS", "GPU 0 memory used", "GPU 1 memory used", "GPU 0 (NVIDIA A10G)", "GPU 1"},
			[]string{"not sampled"}, []string{"resnet50", "NVIDIA A10G"}},
		{"no GPU, no process", false, profile, synthSamples(profile, 0, false),
			[]string{"CPU (% of machine)", "CPU (% of one core)", "memory (GiB)"},
			[]string{"infercost load generator", "target process: not sampled"},
			[]string{"target process RSS", "GPU"}, []string{"no GPU"}},
		{"scraped remote box", true, remote, remoteSamples,
			[]string{"CPU (% of machine)", "CPU (% of one core)", "memory (GiB)", "GPU utilization (%)"},
			[]string{"node host (scraped)", "node host used (scraped)", "gpu GPU 0 memory used", "gpu GPU 0 (NVIDIA A10G)", "gpu GPU 1 (NVIDIA A10G)"},
			[]string{"not sampled"}, []string{"dashed: scraped"}},
		{"nothing per process", false, profile, noGenerator,
			[]string{"CPU (% of machine)", "memory (GiB)"},
			[]string{"host used (of 8 GiB)"}, []string{"load generator", "target process RSS"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, legends, err := utilization(tc.run, tc.samples)
			if err != nil {
				t.Fatal(err)
			}
			var ys []string
			var names []string
			for i, p := range f.Panels {
				ys = append(ys, p.Y.Label.Text)
				names = append(names, legends[i].names...)
			}
			if strings.Join(ys, "|") != strings.Join(tc.yLabels, "|") {
				t.Errorf("panels %q, want %q", ys, tc.yLabels)
			}
			for _, w := range tc.want {
				if !hasName(names, w) {
					t.Errorf("legends %q lack %q", names, w)
				}
			}
			for _, w := range tc.wantNot {
				if hasName(names, w) {
					t.Errorf("legends %q have %q", names, w)
				}
			}
			for _, w := range tc.title {
				if !strings.Contains(f.Title, w) {
					t.Errorf("title %q lacks %q", f.Title, w)
				}
			}
			last := f.Panels[len(f.Panels)-1]
			if last.X.Label.Text != "time since start (s)" {
				t.Errorf("bottom x label %q", last.X.Label.Text)
			}
			for _, p := range f.Panels {
				if p.X.Min != 0 || p.X.Max != f.Panels[0].X.Max {
					t.Errorf("panels do not share the time axis: %v..%v vs %v", p.X.Min, p.X.Max, f.Panels[0].X.Max)
				}
			}
			checkLayout(t, tc.name, f, legends)
			if !tc.render {
				return
			}
			png, err := f.PNG()
			if err != nil {
				t.Fatal(err)
			}
			checkPNG(t, tc.name, png, 1200, int(float64(f.Height/vg.Inch)*PNGDPI+0.5))
			svg, err := f.SVG()
			if err != nil {
				t.Fatal(err)
			}
			checkSVG(t, tc.name, svg)
		})
	}
}

func TestSeriesSplitsGapsAndAverages(t *testing.T) {
	secs := func(tm time.Time) float64 { return tm.Sub(runStart).Seconds() }
	var ss []result.Sample
	for i := 0; i < 10; i++ {
		v := float64(i)
		if i == 4 || i == 5 {
			v = -1 // not read
		}
		ss = append(ss, result.Sample{Time: runStart.Add(time.Duration(i) * time.Second), ProcessCPUPercent: v})
	}
	segs, bucket := series(ss, secs, func(s result.Sample) float64 { return s.ProcessCPUPercent })
	if bucket != 0 || len(segs) != 2 || len(segs[0]) != 4 || len(segs[1]) != 4 || segs[1][0].X != 6 {
		t.Fatalf("segments %v (bucket %v), want [0..3] and [6..9] unaveraged", segs, bucket)
	}

	ss = ss[:0]
	for i := 0; i < 10*maxPoints; i++ {
		ss = append(ss, result.Sample{Time: runStart.Add(time.Duration(i) * 100 * time.Millisecond), HostCPUPercent: float64(i % 2 * 100)})
	}
	segs, bucket = series(ss, secs, func(s result.Sample) float64 { return s.HostCPUPercent })
	if len(segs) != 1 || len(segs[0]) > maxPoints || bucket <= 0 {
		t.Fatalf("%d segments, %d points, bucket %v: want one segment of at most %d averaged points", len(segs), len(segs[0]), bucket, maxPoints)
	}
	for _, xy := range segs[0] {
		if xy.Y < 40 || xy.Y > 60 {
			t.Fatalf("bucket mean %v of values alternating 0 and 100, want about 50", xy.Y)
		}
	}
}

func TestStepLabelsAndGroups(t *testing.T) {
	run := synthSweepRun()
	labels := stepLabels(run.Steps[:2])
	if labels[0][0] != "batch 1, 128 req/s" || labels[1][0] != "b1 128/s" || labels[2][1] != "#2" {
		t.Errorf("labels %q", labels)
	}
	groups := stepGroups(run.Steps)
	if len(groups) != 4 || groups[0].label != "batch 1" || groups[3].label != "batch 64" || groups[1].first != 7 || groups[1].last != 13 {
		t.Errorf("groups %+v, want 4 runs of 7 steps named by batch size", groups)
	}
}
