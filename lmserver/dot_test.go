package lmserver

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randomSlice(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// The dot kernels agree with gonum to float32 rounding, for every batch
// remainder (rows mod 4), odd output counts and inner dimensions from one
// vector of 8 to several blocks.
func TestLinearDotMatchesGonum(t *testing.T) {
	if !hasDotKernels {
		t.Skip("this CPU has no AVX2+FMA: linear uses gonum, and the kernels are not used")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ rows, in, out int }{
		{1, 8, 1}, {1, 128, 384}, {2, 128, 129}, {3, 16, 33}, {5, 512, 128},
		{7, 128, 256}, {8, 128, 512}, {16, 512, 128}, {70, 64, 65},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d", c.rows, c.in, c.out), func(t *testing.T) {
			x, w, b := randomSlice(rng, c.rows*c.in), randomSlice(rng, c.out*c.in), randomSlice(rng, c.out)
			got, want := make([]float32, c.rows*c.out+1), make([]float32, c.rows*c.out)
			got[len(got)-1] = 42 // a guard past the end: never written
			linearDot(got, x, w, b, c.rows, c.in, c.out)
			linearGonum(want, make([]float32, c.rows*c.out), x, w, b, c.rows, c.in, c.out)
			for i := range want {
				tol := 1e-5 * math.Sqrt(float64(c.in)) * 4
				if d := math.Abs(float64(got[i] - want[i])); d > tol {
					t.Fatalf("element %d (row %d, output %d): kernels %g, gonum %g (|diff| %g > %g)",
						i, i/c.out, i%c.out, got[i], want[i], d, tol)
				}
			}
			if got[len(got)-1] != 42 {
				t.Fatal("linearDot wrote past the end of y")
			}
		})
	}
}

// A row's outputs are bit for bit the same whichever rows are batched with
// it: what lets a sequence decode to the same tokens alone or batched.
func TestLinearDotRowIndependentOfBatch(t *testing.T) {
	if !hasDotKernels {
		t.Skip("this CPU has no AVX2+FMA: linear uses gonum, and the kernels are not used")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const in, out = 128, 97
	w, b := randomSlice(rng, out*in), randomSlice(rng, out)
	batch := 11
	x := randomSlice(rng, batch*in)
	all := make([]float32, batch*out)
	linearDot(all, x, w, b, batch, in, out)
	for r := range batch {
		alone := make([]float32, out)
		linearDot(alone, x[r*in:(r+1)*in], w, b, 1, in, out)
		for j := range out {
			if alone[j] != all[r*out+j] {
				t.Fatalf("row %d output %d: %g alone, %g in a batch of %d", r, j, alone[j], all[r*out+j], batch)
			}
		}
	}
}

// Attention through the kernels agrees with the gonum path, and a query
// row's output does not depend on how its prompt was chunked: the rows
// attended in one call of n rows equal those attended one at a time.
func TestAttendHeadDot(t *testing.T) {
	if !hasDotKernels {
		t.Skip("this CPU has no AVX2+FMA: attention uses gonum, and the kernels are not used")
	}
	rng := rand.New(rand.NewPCG(8, 9))
	const dh, ctx, n = 16, 40, 13
	kT, vT := randomSlice(rng, dh*ctx), randomSlice(rng, dh*ctx)
	q := randomSlice(rng, n*dh)
	for _, pos0 := range []int{0, 5, 27} {
		end := pos0 + n
		attend := func(dot bool, q []float32, rows, pos0 int) []float32 {
			out := make([]float32, rows*dh)
			probs := make([]float32, rows*(pos0+rows))
			if dot {
				attendHeadDot(q, dh, kT, vT, ctx, rows, pos0, dh, 0.25, probs, out, dh)
			} else {
				attendHeadGonum(q, dh, kT, vT, ctx, rows, pos0, dh, 0.25, probs, out, dh)
			}
			return out
		}
		got, want := attend(true, q, n, pos0), attend(false, q, n, pos0)
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-5 {
				t.Fatalf("pos0 %d, element %d: kernels %g, gonum %g", pos0, i, got[i], want[i])
			}
		}
		for i := range n {
			one := attend(true, q[i*dh:(i+1)*dh], 1, pos0+i)
			for c := range dh {
				if one[c] != got[i*dh+c] {
					t.Fatalf("pos0 %d, row %d of %d (end %d): feature %d is %g alone, %g with the others", pos0, i, n, end, c, one[c], got[i*dh+c])
				}
			}
		}
	}
}
