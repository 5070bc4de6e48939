package lmserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/infercost/infercost/result"
)

// A weights file is, little-endian:
//
//	magic       8 bytes  "ICLMW001"
//	key        32 bytes  the preset's Key, raw
//	shape       4 x uint32  Dim, Layers, Heads, Context
//	held-out    float64  mean held-out loss (nats/token) when saved
//	probe       float64  loss on the first held-out window, re-measured at load
//	train time  float64  seconds the training took
//	params      float32  every parameter, in the order of params.flat
//	checksum   32 bytes  SHA-256 of everything above
//
// Anything that does not match (magic, key, shape, length, checksum, or
// the probe loss when re-measured) makes Load retrain.
var weightsMagic = [8]byte{'I', 'C', 'L', 'M', 'W', '0', '0', '1'}

// errCacheMiss means no weights file exists yet.
var errCacheMiss = errors.New("no cached weights")

// savedModel is what a weights file holds besides the weights.
type savedModel struct {
	heldOutLoss, probeLoss, trainSeconds float64
}

// cacheFile names the weights file of preset p inside dir.
func cacheFile(dir string, p Preset, key string) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%s.weights", p.Name, key[:16]))
}

func encodeWeights(p *params, key string, m savedModel) ([]byte, error) {
	rawKey, err := hex.DecodeString(key)
	if err != nil || len(rawKey) != sha256.Size {
		return nil, fmt.Errorf("bad preset key %q", key)
	}
	le := binary.LittleEndian
	buf := make([]byte, 0, 4*len(p.flat)+128)
	buf = append(buf, weightsMagic[:]...)
	buf = append(buf, rawKey...)
	s := p.shape
	for _, v := range []int{s.Dim, s.Layers, s.Heads, s.Context} {
		buf = le.AppendUint32(buf, uint32(v))
	}
	for _, v := range []float64{m.heldOutLoss, m.probeLoss, m.trainSeconds} {
		buf = le.AppendUint64(buf, math.Float64bits(v))
	}
	for _, v := range p.flat {
		buf = le.AppendUint32(buf, math.Float32bits(v))
	}
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...), nil
}

const weightsHeader = 8 + sha256.Size + 4*4 + 3*8

// decodeWeights checks a weights file against the expected key and shape.
func decodeWeights(file []byte, key string, s Shape) (*params, savedModel, error) {
	if len(file) < weightsHeader+sha256.Size {
		return nil, savedModel{}, fmt.Errorf("file too short (%d bytes)", len(file))
	}
	body, sum := file[:len(file)-sha256.Size], file[len(file)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, savedModel{}, errors.New("checksum mismatch (corrupt file)")
	}
	if !bytes.Equal(body[:8], weightsMagic[:]) {
		return nil, savedModel{}, errors.New("not an infercost LM weights file (bad magic)")
	}
	if hex.EncodeToString(body[8:8+sha256.Size]) != key {
		return nil, savedModel{}, errors.New("trained by another configuration (key mismatch)")
	}
	le := binary.LittleEndian
	h := body[8+sha256.Size:]
	got := Shape{Dim: int(le.Uint32(h)), Layers: int(le.Uint32(h[4:])), Heads: int(le.Uint32(h[8:])), Context: int(le.Uint32(h[12:]))}
	if got != s {
		return nil, savedModel{}, fmt.Errorf("shape %+v, want %+v", got, s)
	}
	m := savedModel{
		heldOutLoss:  math.Float64frombits(le.Uint64(h[16:])),
		probeLoss:    math.Float64frombits(le.Uint64(h[24:])),
		trainSeconds: math.Float64frombits(le.Uint64(h[32:])),
	}
	raw := body[weightsHeader:]
	if len(raw) != 4*s.parameterCount() {
		return nil, savedModel{}, fmt.Errorf("%d bytes of parameters, want %d", len(raw), 4*s.parameterCount())
	}
	flat := make([]float32, s.parameterCount())
	for i := range flat {
		flat[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
	}
	return newParams(s, flat), m, nil
}

// readWeights loads and checks the weights file at path.
func readWeights(path, key string, s Shape) (*params, savedModel, error) {
	file, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, savedModel{}, errCacheMiss
	}
	if err != nil {
		return nil, savedModel{}, err
	}
	return decodeWeights(file, key, s)
}

// writeWeights stores the weights at path atomically: a temporary file in
// the same directory, renamed into place, so a reader never sees half a
// file.
func writeWeights(path string, p *params, key string, m savedModel) error {
	file, err := encodeWeights(p, key, m)
	if err != nil {
		return err
	}
	return result.WriteFileAtomic(path, file)
}

// removeStaleWeights deletes the weights files that earlier configurations
// of preset p left beside path. It returns the files removed.
func removeStaleWeights(path string, p Preset) []string {
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), p.Name+"-*.weights"))
	var removed []string
	for _, f := range files {
		if f != path && os.Remove(f) == nil {
			removed = append(removed, f)
		}
	}
	return removed
}
