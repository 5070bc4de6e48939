package modelserver

import (
	"bytes"
	"compress/gzip"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestDigitsDataset(t *testing.T) {
	d, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	if d.Rows() != 1797 || len(d.Pixels) != 1797*InputWidth {
		t.Fatalf("rows %d, pixels %d; want 1797 rows of %d", d.Rows(), len(d.Pixels), InputWidth)
	}
	perDigit := make([]int, OutputWidth)
	for _, l := range d.Labels {
		perDigit[l]++
	}
	for digit, n := range perDigit {
		if n < 170 || n > 190 {
			t.Errorf("digit %d has %d rows; the set has 174..183 of each", digit, n)
		}
	}
	if got := d.Labels[:10]; !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("first labels %v; the file starts 0..9", got)
	}
}

func TestParseDigitsRefusesBadData(t *testing.T) {
	row := strings.Repeat("1,", InputWidth)
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("plain"), "digits data"},
		{"empty", gz(""), "no rows"},
		{"short row", gz("1,2,3\n"), "line 1: 3 fields"},
		{"bad label", gz(row + "10\n"), "label \"10\""},
		{"pixel too big", gz(strings.Replace(row, "1,", "17,", 1) + "3\n"), "pixel 0"},
	} {
		if _, err := parseDigits(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if d, err := parseDigits(gz(row + "3\n")); err != nil || d.Rows() != 1 || d.Labels[0] != 3 {
		t.Errorf("one good row: %v, %v", d, err)
	}
}

func TestSplitIsDeterministicAndDisjoint(t *testing.T) {
	d, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	train1, held1 := d.split(7, 0.2)
	train2, held2 := d.split(7, 0.2)
	if !slices.Equal(held1.Labels, held2.Labels) || !slices.Equal(train1.Pixels, train2.Pixels) {
		t.Fatal("the same seed gave two different splits")
	}
	if held1.Rows() != 359 || train1.Rows()+held1.Rows() != d.Rows() {
		t.Fatalf("split %d + %d rows of %d; want 359 held out", train1.Rows(), held1.Rows(), d.Rows())
	}
	_, heldOther := d.split(8, 0.2)
	if slices.Equal(held1.Pixels, heldOther.Pixels) {
		t.Error("another seed gave the same held-out rows")
	}
}

func TestSmallModelReachesAccuracy(t *testing.T) {
	m := testModel(t)
	info := m.Info()
	if info.Accuracy < MinAccuracy {
		t.Fatalf("held-out accuracy %.4f < %.2f", info.Accuracy, MinAccuracy)
	}
	wantParams := 64*128 + 128 + 128*64 + 64 + 64*10 + 10
	if info.ParameterCount != wantParams || info.WeightBytes != int64(4*wantParams) {
		t.Errorf("parameters %d (%d bytes), want %d (%d bytes)", info.ParameterCount, info.WeightBytes, wantParams, 4*wantParams)
	}
	if !slices.Equal(info.Layers, []int{64, 128, 64, 10}) || info.Preset != "small" || info.HeldOutRows != 359 {
		t.Errorf("info %+v", info)
	}
	// The reported accuracy is what Forward does on the held-out rows.
	d, _ := Digits()
	_, held := d.split(1, 0.2)
	_, labels, err := m.Forward(held.Pixels, held.Rows())
	if err != nil {
		t.Fatal(err)
	}
	correct := 0
	for i, l := range labels {
		if int(l) == held.Labels[i] {
			correct++
		}
	}
	if got := float64(correct) / float64(held.Rows()); got != info.Accuracy {
		t.Errorf("Forward scores %.4f on the held-out rows; Info says %.4f", got, info.Accuracy)
	}
}

// referenceForward is a plain float64 loop over the same weights: the
// oracle for the gonum path.
func referenceForward(net *network, row []float32) []float64 {
	act := make([]float64, len(row))
	for i, v := range row {
		act[i] = float64(v) / PixelMax
	}
	for li, l := range net.layers {
		next := make([]float64, l.out)
		for j := range next {
			sum := float64(l.b[j])
			for i := range l.in {
				sum += act[i] * float64(l.w[i*l.out+j])
			}
			if li < len(net.layers)-1 {
				sum = math.Max(sum, 0)
			}
			next[j] = sum
		}
		act = next
	}
	maxV := slices.Max(act)
	var total float64
	for i, v := range act {
		act[i] = math.Exp(v - maxV)
		total += act[i]
	}
	for i := range act {
		act[i] /= total
	}
	return act
}

func TestForwardMatchesReferenceLoop(t *testing.T) {
	m := testModel(t)
	rows, _ := digitRows(t, 0, 40)
	flat := slices.Concat(rows...)
	probs, labels, err := m.Forward(flat, len(rows))
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		want := referenceForward(m.net, row)
		best := 0
		var sum float64
		for i, p := range want {
			got := float64(probs[r*OutputWidth+i])
			sum += got
			if math.Abs(got-p) > 1e-4*p+1e-7 {
				t.Errorf("row %d class %d: probability %g, reference %g", r, i, got, p)
			}
			if p > want[best] {
				best = i
			}
		}
		if labels[r] != int64(best) {
			t.Errorf("row %d: label %d, reference %d", r, labels[r], best)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("row %d: probabilities sum to %g", r, sum)
		}
	}
}

func TestForwardBatchEqualsSingleRows(t *testing.T) {
	m := testModel(t)
	rows, _ := digitRows(t, 100, 150)
	flat := slices.Concat(rows...)
	batchProbs, batchLabels, err := m.Forward(flat, len(rows))
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		probs, labels, err := m.Forward(row, 1)
		if err != nil {
			t.Fatal(err)
		}
		if labels[0] != batchLabels[r] {
			t.Errorf("row %d: label %d alone, %d in a batch", r, labels[0], batchLabels[r])
		}
		for i, p := range probs {
			if q := batchProbs[r*OutputWidth+i]; !relClose(float64(p), float64(q), 1e-5) {
				t.Errorf("row %d class %d: %g alone, %g in a batch", r, i, p, q)
			}
		}
	}
}

func TestForwardRefusesBadLength(t *testing.T) {
	m := testModel(t)
	for _, tc := range []struct {
		values, rows int
	}{{63, 1}, {64, 0}, {128, 1}, {0, 0}} {
		if _, _, err := m.Forward(make([]float32, tc.values), tc.rows); err == nil {
			t.Errorf("Forward(%d values, %d rows) succeeded", tc.values, tc.rows)
		}
	}
}

func TestLookupPreset(t *testing.T) {
	if _, err := LookupPreset("medium"); err == nil || !strings.Contains(err.Error(), "small, large") {
		t.Errorf("unknown preset: error %v, want one listing small, large", err)
	}
	for _, name := range PresetNames() {
		p, err := LookupPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
		if l := p.Layers(); l[0] != InputWidth || l[len(l)-1] != OutputWidth {
			t.Errorf("preset %s: layers %v", name, l)
		}
	}
	if PresetNames()[0] != DefaultPreset {
		t.Errorf("first preset %s, want the default %s", PresetNames()[0], DefaultPreset)
	}
}

func TestPresetKeyCoversTheConfiguration(t *testing.T) {
	base, _ := LookupPreset("large")
	renamed := base
	renamed.Name, renamed.Cached = "other", false
	if base.Key() != renamed.Key() {
		t.Error("name and caching changed the key; they do not change the weights")
	}
	for name, change := range map[string]func(*Preset){
		"hidden":  func(p *Preset) { p.Hidden = []int{4096, 4095} },
		"epochs":  func(p *Preset) { p.Epochs++ },
		"batch":   func(p *Preset) { p.BatchSize++ },
		"lr":      func(p *Preset) { p.LearningRate *= 1.0001 },
		"seed":    func(p *Preset) { p.Seed++ },
		"heldout": func(p *Preset) { p.HeldOutFraction = 0.25 },
	} {
		p := base
		p.Hidden = slices.Clone(base.Hidden)
		change(&p)
		if p.Key() == base.Key() {
			t.Errorf("changing %s kept the key", name)
		}
	}
}

func TestPresetValidate(t *testing.T) {
	good, _ := LookupPreset("small")
	for name, change := range map[string]func(*Preset){
		"width 0":       func(p *Preset) { p.Hidden = []int{0} },
		"no epochs":     func(p *Preset) { p.Epochs = 0 },
		"batch 0":       func(p *Preset) { p.BatchSize = 0 },
		"lr NaN":        func(p *Preset) { p.LearningRate = math.NaN() },
		"held out none": func(p *Preset) { p.HeldOutFraction = 0 },
	} {
		p := good
		change(&p)
		if err := p.validate(); err == nil {
			t.Errorf("%s: validate accepted it", name)
		}
	}
}
