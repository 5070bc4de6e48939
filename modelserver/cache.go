package modelserver

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
	"slices"

	"github.com/infercost/infercost/result"
)

// A weights file is, little-endian:
//
//	magic      8 bytes  "ICMLPW01"
//	key       32 bytes  the preset's Key, raw
//	layers     uint32   number of widths, then each width as uint32
//	correct    uint32   held-out rows the model got right when it was saved
//	params     float32  every layer's weights then biases, in layer order
//	checksum  32 bytes  SHA-256 of everything above
//
// Anything that does not match (magic, key, widths, length, checksum, or the
// held-out score when re-measured) makes Load retrain.
var weightsMagic = [8]byte{'I', 'C', 'M', 'L', 'P', 'W', '0', '1'}

// errCacheMiss means no weights file exists yet.
var errCacheMiss = errors.New("no cached weights")

// cacheFile names the weights file of preset p inside dir.
func cacheFile(dir string, p Preset) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%s.weights", p.Name, p.Key()[:16]))
}

// encodeWeights serialises net with its held-out score.
func encodeWeights(net *network, key string, correct int) ([]byte, error) {
	rawKey, err := hex.DecodeString(key)
	if err != nil || len(rawKey) != sha256.Size {
		return nil, fmt.Errorf("bad preset key %q", key)
	}
	var buf bytes.Buffer
	buf.Grow(4*net.parameterCount() + 256)
	buf.Write(weightsMagic[:])
	buf.Write(rawKey)
	sizes := net.sizes()
	le := binary.LittleEndian
	buf.Write(le.AppendUint32(nil, uint32(len(sizes))))
	for _, s := range sizes {
		buf.Write(le.AppendUint32(nil, uint32(s)))
	}
	buf.Write(le.AppendUint32(nil, uint32(correct)))
	b4 := make([]byte, 4)
	for _, l := range net.layers {
		for _, vs := range [][]float32{l.w, l.b} {
			for _, v := range vs {
				le.PutUint32(b4, math.Float32bits(v))
				buf.Write(b4)
			}
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	return buf.Bytes(), nil
}

// decodeWeights checks a weights file against the expected key and layer
// widths and returns the network and its recorded held-out score.
func decodeWeights(file []byte, key string, sizes []int) (*network, int, error) {
	if len(file) < len(weightsMagic)+sha256.Size*2+8 {
		return nil, 0, fmt.Errorf("file too short (%d bytes)", len(file))
	}
	body, sum := file[:len(file)-sha256.Size], file[len(file)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, 0, errors.New("checksum mismatch (corrupt file)")
	}
	if !bytes.Equal(body[:8], weightsMagic[:]) {
		return nil, 0, errors.New("not an infercost weights file (bad magic)")
	}
	body = body[8:]
	if hex.EncodeToString(body[:sha256.Size]) != key {
		return nil, 0, errors.New("trained by another configuration (key mismatch)")
	}
	body = body[sha256.Size:]
	le := binary.LittleEndian
	n := int(le.Uint32(body))
	body = body[4:]
	if n != len(sizes) || len(body) < 4*(n+1) {
		return nil, 0, fmt.Errorf("layer count %d, want %d", n, len(sizes))
	}
	got := make([]int, n)
	for i := range got {
		got[i] = int(le.Uint32(body[4*i:]))
	}
	if !slices.Equal(got, sizes) {
		return nil, 0, fmt.Errorf("layer widths %v, want %v", got, sizes)
	}
	correct := int(le.Uint32(body[4*n:]))
	body = body[4*(n+1):]
	net := &network{}
	want := 0
	for i := 0; i+1 < len(sizes); i++ {
		want += sizes[i]*sizes[i+1] + sizes[i+1]
	}
	if len(body) != 4*want {
		return nil, 0, fmt.Errorf("%d bytes of parameters, want %d", len(body), 4*want)
	}
	next := func(count int) []float32 {
		vs := make([]float32, count)
		for i := range vs {
			vs[i] = math.Float32frombits(le.Uint32(body[4*i:]))
		}
		body = body[4*count:]
		return vs
	}
	for i := 0; i+1 < len(sizes); i++ {
		l := layer{in: sizes[i], out: sizes[i+1]}
		l.w = next(l.in * l.out)
		l.b = next(l.out)
		net.layers = append(net.layers, l)
	}
	return net, correct, nil
}

// readWeights loads and checks the weights file at path.
func readWeights(path, key string, sizes []int) (*network, int, error) {
	file, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, errCacheMiss
	}
	if err != nil {
		return nil, 0, err
	}
	return decodeWeights(file, key, sizes)
}

// writeWeights stores net at path atomically: a temporary file in the same
// directory, renamed into place, so a reader never sees half a file.
func writeWeights(path string, net *network, key string, correct int) error {
	file, err := encodeWeights(net, key, correct)
	if err != nil {
		return err
	}
	return result.WriteFileAtomic(path, file)
}

// removeStaleWeights deletes the weights files that earlier configurations
// of preset p left beside path: their keys no longer match, so no Load
// would read them again. It returns the files removed.
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
