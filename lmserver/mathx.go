package lmserver

import (
	"math"
)

// expf is e^x in float32, from Cephes' expf (range reduction by ln 2 and a
// degree-6 polynomial, relative error about 1e-7). math.Exp works in float64
// and costs several times more; attention's softmax and the GELU call it
// for every score and every hidden unit of every token. Below -87 it
// returns 0, which is what a masked score needs.
func expf(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		c1    = 0.693359375
		c2    = -2.12194440e-4
	)
	if x > 88.37 {
		return float32(math.Inf(1))
	}
	if x < -87.33 {
		return 0
	}
	n := float32(math.Floor(float64(x*log2e + 0.5)))
	x = x - n*c1 - n*c2
	z := x * x
	y := ((((1.9875691500e-4*x+1.3981999507e-3)*x+8.3334519073e-3)*x+4.1665795894e-2)*x+1.6666665459e-1)*x + 5.0000001201e-1
	y = y*z + x + 1
	return y * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// layerNormEpsilon keeps a row of equal values from dividing by zero.
const layerNormEpsilon = 1e-5

// layerNorm normalises each row of x (rows x d) to mean 0 and variance 1,
// then scales by g and shifts by b, into y. When mean and rstd are not nil
// it records each row's mean and 1/std for the backward pass.
func layerNorm(y, x, g, b []float32, rows, d int, mean, rstd []float32) {
	g, b = g[:d], b[:d]
	for r := range rows {
		xr, yr := x[r*d:(r+1)*d], y[r*d:(r+1)*d]
		var sum float32
		for _, v := range xr {
			sum += v
		}
		mu := sum / float32(d)
		var sq float32
		for _, v := range xr {
			sq += (v - mu) * (v - mu)
		}
		rs := float32(1 / math.Sqrt(float64(sq/float32(d)+layerNormEpsilon)))
		for i, v := range xr {
			yr[i] = (v-mu)*rs*g[i] + b[i]
		}
		if mean != nil {
			mean[r], rstd[r] = mu, rs
		}
	}
}

// geluAlpha is the slope of the sigmoid approximation of the GELU,
// x·σ(1.702x) (Hendrycks & Gimpel 2016): one exponential per unit.
const geluAlpha = 1.702

// gelu applies x·σ(1.702x) to v in place.
func gelu(v []float32) {
	for i, x := range v {
		v[i] = x / (1 + expf(-geluAlpha*x))
	}
}

// geluGrad is d/dx of x·σ(αx): σ + αx·σ(1-σ).
func geluGrad(x float32) float32 {
	s := 1 / (1 + expf(-geluAlpha*x))
	return s + geluAlpha*x*s*(1-s)
}

// softmax turns row into probabilities in place (max subtracted first, so
// no score overflows).
func softmax(row []float32) {
	if len(row) == 0 {
		return
	}
	m := row[0]
	for _, v := range row {
		m = max(m, v)
	}
	var sum float32
	for i, v := range row {
		e := expf(v - m)
		row[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range row {
		row[i] *= inv
	}
}
