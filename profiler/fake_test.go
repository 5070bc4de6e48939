package profiler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeKServe is a KServe v2 endpoint with a known capacity: slots requests
// are served at once, each taking service(n) for a batch of n inputs (plus
// any delay the test adds); the rest wait for a slot.
type fakeKServe struct {
	model   string
	slots   chan struct{}
	service func(n int) time.Duration
	// extra, when set, adds a delay depending on the time since start.
	extra   func(sinceStart time.Duration) time.Duration
	start   time.Time
	served  atomic.Int64
	mu      sync.Mutex
	headers []http.Header
}

func newFakeKServe(t *testing.T, slots int, service func(n int) time.Duration) (*fakeKServe, *httptest.Server) {
	t.Helper()
	f := &fakeKServe{model: "toy", slots: make(chan struct{}, slots), service: service, start: time.Now()}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

const fakeMetadata = `{"name":"toy","versions":["1"],"platform":"fake","inputs":[{"name":"x","datatype":"FP32","shape":[-1,4]}],"outputs":[{"name":"y","datatype":"FP32","shape":[-1,2]}]}`

func (f *fakeKServe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if len(f.headers) < 5 {
		f.headers = append(f.headers, r.Header.Clone())
	}
	f.mu.Unlock()
	switch r.URL.Path {
	case "/v2/health/live", "/v2/health/ready", "/v2/models/" + f.model + "/ready":
		w.WriteHeader(http.StatusOK)
	case "/v2/models/" + f.model:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, fakeMetadata)
	case "/v2/models/" + f.model + "/infer":
		var req struct {
			Inputs []struct {
				Shape []int `json:"shape"`
			} `json:"inputs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Inputs) != 1 || len(req.Inputs[0].Shape) != 2 {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		n := req.Inputs[0].Shape[0]
		f.slots <- struct{}{}
		d := f.service(n)
		if f.extra != nil {
			d += f.extra(time.Since(f.start))
		}
		time.Sleep(d)
		<-f.slots
		f.served.Add(1)
		data := strings.TrimSuffix(strings.Repeat("0.5,", 2*n), ",")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"model_name":"toy","outputs":[{"name":"y","datatype":"FP32","shape":[%d,2],"data":[%s]}]}`, n, data)
	default:
		http.Error(w, `{"error":"no such model"}`, http.StatusNotFound)
	}
}
