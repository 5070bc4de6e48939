package loadgen

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/infercost/infercost/result"
)

// Streamed responses are timed inside the HTTP read. vegeta's hit reads a
// whole body and keeps only its bytes and the time it ended, which is
// enough for request latency but not for the time to the first token or
// the gaps between tokens. So for a streaming workload the attack's client
// gets a streamTransport: its RoundTrip reads the stream itself as it
// arrives, timing each content chunk against the attack's own clock, and
// hands vegeta a small digest in place of the body. vegeta still takes the
// timestamp and sequence number before the request and measures latency to
// the end of the stream, so the intended-send correction, the generator's
// self-check and --max-inflight work for streams exactly as for any request.

// bodyIndexHeader carries a request's body index from the targeter to the
// stream reader inside this process: the digest names the body it answers
// (its prompt's estimated token count). RoundTrip removes it before the
// request leaves, so the server never sees it.
const bodyIndexHeader = "X-Infercost-Body-Index"

// streamTransport reads streamed 2xx responses into digests.
type streamTransport struct {
	base http.RoundTripper
	// start is the attack's start: chunk times count from it.
	start time.Time
}

func (t *streamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	index := int32(-1)
	if v := req.Header.Get(bodyIndexHeader); v != "" {
		if n, err := strconv.ParseInt(v, 10, 32); err == nil {
			index = int32(n)
		}
		req = req.Clone(req.Context())
		req.Header.Del(bodyIndexHeader)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err // judged by its status, as any response
	}
	d := readStream(resp.Body, resp.Header.Get("Content-Type"), t.start)
	resp.Body.Close()
	if d.readErr != nil && req.Context().Err() != nil {
		// The request's deadline passed (or the attack aborted it) mid-stream:
		// a timeout, as for any request.
		return nil, fmt.Errorf("reading the stream: %w", req.Context().Err())
	}
	d.index = index
	body := d.encode()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header = resp.Header.Clone()
	resp.Header.Del("Content-Length") // responseBytes must not mistake it for what travelled
	return resp, nil
}

// digest is what a stream reader keeps of one streamed response.
type digest struct {
	index int32 // the body that was sent; -1 unknown
	kind  string
	// detail says what went wrong, for the preflight's test request.
	detail string
	// usage: the stream carried the server's usage object.
	usage        bool
	inputTokens  int64
	outputTokens int64
	// bytesIn counts the response bytes that travelled.
	bytesIn int64
	// chunkCount counts content chunks; chunks holds the arrival times of
	// the first maxDigestChunks of them, from the attack's start.
	chunkCount int64
	chunks     []time.Duration
	done       bool
	readErr    error
}

// maxDigestChunks bounds the chunk times a digest keeps (8 bytes each):
// the gaps after them are not timed, the chunks still counted.
const maxDigestChunks = (maxDigestBytes - 64) / 8

var digestMagic = [4]byte{'I', 'C', 'S', '1'}

// digest kinds on the wire.
var digestKinds = []string{"", result.ErrBadBody, result.ErrStreamCut, result.ErrStreamError, result.ErrOther}

func (d *digest) encode() []byte {
	detail := d.detail
	if len(detail) > 500 {
		detail = detail[:500]
	}
	kind := byte(len(digestKinds) - 1)
	for i, k := range digestKinds {
		if k == d.kind {
			kind = byte(i)
		}
	}
	var flags byte
	if d.usage {
		flags |= 1
	}
	le := binary.LittleEndian
	b := make([]byte, 0, 48+len(detail)+8*len(d.chunks))
	b = append(b, digestMagic[:]...)
	b = append(b, kind, flags)
	b = le.AppendUint32(b, uint32(d.index))
	b = le.AppendUint64(b, uint64(d.inputTokens))
	b = le.AppendUint64(b, uint64(d.outputTokens))
	b = le.AppendUint64(b, uint64(d.bytesIn))
	b = le.AppendUint64(b, uint64(d.chunkCount))
	b = le.AppendUint32(b, uint32(len(d.chunks)))
	b = le.AppendUint16(b, uint16(len(detail)))
	b = append(b, detail...)
	for _, c := range d.chunks {
		b = le.AppendUint64(b, uint64(c))
	}
	return b
}

var errNotDigest = errors.New("not a stream digest")

func decodeDigest(b []byte) (digest, error) {
	const head = 4 + 2 + 4 + 8*4 + 4 + 2
	if len(b) < head || !bytes.Equal(b[:4], digestMagic[:]) {
		return digest{}, errNotDigest
	}
	le := binary.LittleEndian
	d := digest{}
	kind := int(b[4])
	if kind >= len(digestKinds) {
		return digest{}, errNotDigest
	}
	d.kind = digestKinds[kind]
	d.usage = b[5]&1 != 0
	d.index = int32(le.Uint32(b[6:]))
	d.inputTokens = int64(le.Uint64(b[10:]))
	d.outputTokens = int64(le.Uint64(b[18:]))
	d.bytesIn = int64(le.Uint64(b[26:]))
	d.chunkCount = int64(le.Uint64(b[34:]))
	n := int(le.Uint32(b[42:]))
	dl := int(le.Uint16(b[46:]))
	rest := b[head:]
	if len(rest) != dl+8*n {
		return digest{}, errNotDigest
	}
	d.detail = string(rest[:dl])
	rest = rest[dl:]
	d.chunks = make([]time.Duration, n)
	for i := range d.chunks {
		d.chunks[i] = time.Duration(le.Uint64(rest[8*i:]))
	}
	return d, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
