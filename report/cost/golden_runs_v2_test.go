package cost

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// goldenRunsV2 builds the golden runs written in schema version 2: what
// the version 1 goldens cannot hold (token figures, energy, --gpus) and
// variations of them made for one test each.
func goldenRunsV2() map[string]*result.Run {
	out := map[string]*result.Run{}
	// cpu-profile with slow batch-1 steps (p95 63-150 ms): at p95=50ms no
	// batch-1 step meets the SLO, so serverless, priced from batch 1, does
	// not apply; batch 8 still reaches 4,000/s at p95 45 ms.
	slow := goldenRuns()["cpu-profile"]
	slow.Name = "cpu-slow-batch1"
	fin := goldenStart.Add(time.Hour)
	slow.FinishedAt = &fin
	slow.Steps = makeSteps([]stepSpec{
		{1, 200, 200, 30, 63, 80, 0, false, 0, 150e6, 64},
		{1, 400, 400, 40, 90, 120, 0, false, 0, 152e6, 64},
		{1, 800, 800, 60, 120, 140, 0, false, 0, 155e6, 64},
		{1, 1600, 1500, 80, 150, 200, 0, false, 0, 160e6, 64},
		{8, 100, 800, 2, 4, 6, 0, false, 0, 158e6, 64},
		{8, 300, 2400, 5, 12, 18, 0, false, 0, 162e6, 64},
		{8, 500, 4000, 20, 45, 60, 0, false, 0, 170e6, 64},
		{8, 600, 4500, 60, 120, 180, 0, false, 0, 175e6, 64},
	}, goldenStart)
	out["cpu-slow-batch1"] = slow
	return out
}

// TestGoldenRunsV2UpToDate checks that each committed version 2 golden
// run reads as its definition (rewrite them with -update-golden).
func TestGoldenRunsV2UpToDate(t *testing.T) {
	for name, run := range goldenRunsV2() {
		dir := filepath.Join(goldenDir, name)
		if *updateGolden {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := result.Write(dir, run); err != nil {
				t.Fatal(err)
			}
			continue
		}
		tmp := t.TempDir()
		if err := result.Write(tmp, run); err != nil {
			t.Fatal(err)
		}
		want, err := result.Read(tmp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := result.Read(dir)
		if err != nil {
			t.Fatalf("golden run %s missing or unreadable (go test ./report/cost -run TestGoldenRuns -update-golden): %v", name, err)
		}
		if got.SchemaVersion != result.SchemaVersion {
			t.Errorf("golden run %s is schema version %d, want %d", name, got.SchemaVersion, result.SchemaVersion)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("golden run %s does not read as its definition: go test ./report/cost -run TestGoldenRuns -update-golden", name)
		}
	}
}
