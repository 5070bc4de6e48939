package modelserver

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed" // the digits set travels inside the binary
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// The model's fixed shape: an 8x8 image of pixels 0..16 in, ten digit
// probabilities out.
const (
	InputWidth  = 64
	OutputWidth = 10
	// PixelMax is the largest pixel value in the data set; inputs must lie
	// in [0, PixelMax].
	PixelMax = 16
)

// digitsCSVGz is the UCI optdigits set as shipped in Debian's
// python3-sklearn 1.2.1 (see testdata/README.md for the credit).
//
//go:embed testdata/digits.csv.gz
var digitsCSVGz []byte

// Dataset holds labelled rows: Pixels is row-major, Rows x InputWidth raw
// pixel values (0..16), and Labels[i] is the digit of row i.
type Dataset struct {
	Pixels []float32
	Labels []int
}

// Rows is the number of rows.
func (d Dataset) Rows() int { return len(d.Labels) }

// Row returns the pixels of row i (a view, not a copy).
func (d Dataset) Row(i int) []float32 { return d.Pixels[i*InputWidth : (i+1)*InputWidth] }

var digits = sync.OnceValues(func() (Dataset, error) { return parseDigits(digitsCSVGz) })

// Digits returns the embedded data set, all 1797 rows in file order.
func Digits() (Dataset, error) { return digits() }

// digitsSHA256 identifies the embedded data, so a cached model trained on
// other data is never reused.
func digitsSHA256() [32]byte { return sha256.Sum256(digitsCSVGz) }

// parseDigits reads the gzipped CSV: 64 pixels then the label on each line.
func parseDigits(gz []byte) (Dataset, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return Dataset{}, fmt.Errorf("digits data: %w", err)
	}
	var d Dataset
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != InputWidth+1 {
			return Dataset{}, fmt.Errorf("digits data line %d: %d fields, want %d", line, len(fields), InputWidth+1)
		}
		for i, f := range fields[:InputWidth] {
			v, err := strconv.ParseFloat(f, 32)
			if err != nil || v < 0 || v > PixelMax {
				return Dataset{}, fmt.Errorf("digits data line %d: pixel %d = %q is not a number in 0..%d", line, i, f, PixelMax)
			}
			d.Pixels = append(d.Pixels, float32(v))
		}
		label, err := strconv.Atoi(fields[InputWidth])
		if err != nil || label < 0 || label >= OutputWidth {
			return Dataset{}, fmt.Errorf("digits data line %d: label %q is not a digit", line, fields[InputWidth])
		}
		d.Labels = append(d.Labels, label)
	}
	if err := sc.Err(); err != nil {
		return Dataset{}, fmt.Errorf("digits data: %w", err)
	}
	if d.Rows() == 0 {
		return Dataset{}, fmt.Errorf("digits data: no rows")
	}
	return d, nil
}

// split shuffles the row indices with a fixed seed and holds out the first
// heldOutFraction of them for measuring accuracy; the rest train the model.
func (d Dataset) split(seed uint64, heldOutFraction float64) (train, heldOut Dataset) {
	order := make([]int, d.Rows())
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	nHeld := int(float64(d.Rows())*heldOutFraction + 0.5)
	return d.subset(order[nHeld:]), d.subset(order[:nHeld])
}

func (d Dataset) subset(rows []int) Dataset {
	out := Dataset{Pixels: make([]float32, 0, len(rows)*InputWidth), Labels: make([]int, 0, len(rows))}
	for _, r := range rows {
		out.Pixels = append(out.Pixels, d.Row(r)...)
		out.Labels = append(out.Labels, d.Labels[r])
	}
	return out
}
