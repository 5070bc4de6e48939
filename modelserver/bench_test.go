package modelserver

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Run with: go test -run '^$' -bench . -benchtime 2s ./modelserver/
// (not under -race). The large preset trains once (under a minute) and is
// cached in the user cache directory; later runs load it in a second.

var benchModels sync.Map // preset name -> func() (*Model, error)

func benchModel(b *testing.B, preset string) *Model {
	b.Helper()
	load, _ := benchModels.LoadOrStore(preset, sync.OnceValues(func() (*Model, error) {
		p, err := LookupPreset(preset)
		if err != nil {
			return nil, err
		}
		return Load(context.Background(), p, LoadOptions{})
	}))
	m, err := load.(func() (*Model, error))()
	if err != nil {
		b.Fatalf("load %s: %v", preset, err)
	}
	return m
}

// benchRows returns n rows of the data set, repeated as needed.
func benchRows(b *testing.B, n int) []float32 {
	d, err := Digits()
	if err != nil {
		b.Fatal(err)
	}
	out := make([]float32, 0, n*InputWidth)
	for i := range n {
		out = append(out, d.Row(i%d.Rows())...)
	}
	return out
}

// BenchmarkForward is one forward pass at batch 1, 8, 32 and 128 for each
// preset; inferences/s is rows per second through the model.
func BenchmarkForward(b *testing.B) {
	for _, preset := range PresetNames() {
		for _, batch := range []int{1, 8, 32, 128} {
			b.Run(fmt.Sprintf("preset=%s/batch=%d", preset, batch), func(b *testing.B) {
				m := benchModel(b, preset)
				x := benchRows(b, batch)
				b.ResetTimer()
				for b.Loop() {
					if _, _, err := m.Forward(x, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "inferences/s")
			})
		}
	}
}

// BenchmarkServer drives the whole server over loopback HTTP: 16
// concurrent clients (8 x GOMAXPROCS) each send batch-1 requests, with the batcher off
// (max batch 1) and on (max batch 32, 2 ms delay). It reports inferences/s
// and the mean rows per forward pass the batcher formed.
func BenchmarkServer(b *testing.B) {
	for _, preset := range PresetNames() {
		for _, bc := range []struct {
			maxBatch int
			delay    time.Duration
		}{{1, 0}, {32, 0}, {32, 2 * time.Millisecond}} {
			b.Run(fmt.Sprintf("preset=%s/max-batch=%d/delay=%v", preset, bc.maxBatch, bc.delay), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.MaxBatchSize, cfg.MaxQueueDelay = bc.maxBatch, bc.delay
				srv, err := New(cfg, benchModel(b, preset))
				if err != nil {
					b.Fatal(err)
				}
				ts := httptest.NewServer(srv.Handler())
				defer ts.Close()
				defer srv.Shutdown(context.Background()) //nolint:errcheck
				// Distinct rows, so the pattern of ReLU zeros differs from
				// request to request as it does in real traffic.
				pixels := benchRows(b, 256)
				bodies := make([][]byte, 256)
				for i := range bodies {
					bodies[i] = inferBody(pixels[i*InputWidth : (i+1)*InputWidth])
				}
				var next atomic.Uint64
				url := ts.URL + "/v2/models/digits/infer"
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				b.SetParallelism(8) // 8 x GOMAXPROCS clients
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						body := bodies[next.Add(1)%uint64(len(bodies))]
						resp, err := client.Post(url, "application/json", bytes.NewReader(body))
						if err != nil {
							b.Error(err)
							return
						}
						var sink bytes.Buffer
						sink.ReadFrom(resp.Body) //nolint:errcheck
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("status %d: %s", resp.StatusCode, sink.String())
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inferences/s")
				passes, rows := batchStats(b, srv)
				if passes > 0 {
					b.ReportMetric(float64(rows)/float64(passes), "rows/pass")
				}
			})
		}
	}
}

// batchStats reads the batch-size histogram from the server's registry.
func batchStats(b *testing.B, srv *Server) (passes, rows uint64) {
	families, err := srv.metrics.registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "infercost_server_batch_size" {
			h := f.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), uint64(h.GetSampleSum())
		}
	}
	return 0, 0
}

// handMatMul is the plain Go loop gonum's Sgemm is measured against:
// c = a·w for a of m rows of k and w of k rows of n, row-major, in the
// cache-friendly i-k-j order.
func handMatMul(a, w, c []float32, m, k, n int) {
	clear(c[:m*n])
	for i := range m {
		ci := c[i*n : (i+1)*n]
		for l, av := range a[i*k : (i+1)*k] {
			wl := w[l*n : (l+1)*n]
			for j := range ci {
				ci[j] += av * wl[j]
			}
		}
	}
}

// rowAxpyMatMul is the other way through gonum: c += a·w as one
// blas32.Axpy per non-zero a[i][l] over a whole stretch of w's row l, the
// columns split between GOMAXPROCS goroutines. At one row it streams w
// sequentially, which gonum's Sgemm (64x64 blocks) does not.
func rowAxpyMatMul(a, w, c []float32, m, k, n int) {
	clear(c[:m*n])
	parts := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for p := range parts {
		j0, j1 := p*n/parts, (p+1)*n/parts
		wg.Go(func() {
			for l := range k {
				wl := blas32.Vector{N: j1 - j0, Inc: 1, Data: w[l*n+j0 : l*n+j1]}
				for i := range m {
					if av := a[i*k+l]; av != 0 {
						blas32.Axpy(av, wl, blas32.Vector{N: j1 - j0, Inc: 1, Data: c[i*n+j0 : i*n+j1]})
					}
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkMatMul compares gonum's Sgemm with rowAxpyMatMul and
// handMatMul on the large preset's 4096x4096 layer, at 1 and 32 rows, with
// half the inputs zero as after a ReLU.
func BenchmarkMatMul(b *testing.B) {
	const size = 4096
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]float32, size*size)
	for i := range w {
		w[i] = rng.Float32() - 0.5
	}
	for _, m := range []int{1, 32} {
		a := make([]float32, m*size)
		for i := range a {
			if rng.IntN(2) == 0 {
				a[i] = rng.Float32()
			}
		}
		c := make([]float32, m*size)
		for _, impl := range []struct {
			name string
			run  func()
		}{
			{"gonum", func() {
				blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, m, size, size, 1, a, size, w, size, 0, c, size)
			}},
			{"gonum-axpy-rows", func() { rowAxpyMatMul(a, w, c, m, size, size) }},
			{"handloop", func() { handMatMul(a, w, c, m, size, size) }},
		} {
			b.Run(fmt.Sprintf("%s/rows=%d", impl.name, m), func(b *testing.B) {
				for b.Loop() {
					impl.run()
				}
				b.ReportMetric(2*float64(m*size*size)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
