package plot

import (
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Benchmarks of the costs a run pays after measuring: drawing each plot
// and encoding it. Run: go test ./report/plot -run '^$' -bench . -count 5
func BenchmarkRender(b *testing.B) {
	sweep := synthSweepRun()
	bc, err := BatchCurve(sweep)
	if err != nil {
		b.Fatal(err)
	}
	util, err := Utilization(sweep, synthSamples(sweep, 2, true))
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    *Figure
	}{{"batch-curve", FigureOf(bc)}, {"utilization", util}} {
		b.Run(tc.name+"/draw", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c := vgimg.NewWith(vgimg.UseWH(tc.f.Width, tc.f.Height), vgimg.UseDPI(PNGDPI))
				tc.f.Draw(draw.New(c))
			}
		})
		b.Run(tc.name+"/png", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := tc.f.PNG(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/svg", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := tc.f.SVG(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	_ = vg.Inch
}
