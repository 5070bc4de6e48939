package loadgen_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/infercost/infercost/loadgen"
	"github.com/infercost/infercost/result"
)

// Drive an endpoint at 100 requests/s for half a second, open loop, and
// read the step's figures.
func ExampleStart() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()

	schedule, _ := loadgen.Steps([]loadgen.Stage{{RPS: 100, Duration: 500 * time.Millisecond}})
	attack, err := loadgen.Start(context.Background(), loadgen.Config{
		Workload: loadgen.NewRawWorkload("GET", srv.URL, nil),
		Arrival:  schedule,
	})
	if err != nil {
		panic(err)
	}
	<-attack.Done() // a finite schedule ends by itself
	iv := attack.Stop()

	st := result.Step{BatchSize: 1}
	iv.Fill(&st)
	fmt.Printf("offered %d, sent %d, successes %d, errors %d, timed %d\n",
		st.Offered, st.Sent, st.Successes, iv.ErrorCount(), st.LatencyMS.Corrected.Count)
	// Output: offered 50, sent 50, successes 50, errors 0, timed 50
}

// Read a KServe v2 target's model, build its workload and check one request
// before any load.
func ExamplePreflight() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/health/live", "/v2/health/ready":
		case "/v2/models/double":
			w.Write([]byte(`{"name":"double","platform":"demo","inputs":[{"name":"x","datatype":"FP32","shape":[-1,2]}],
				"outputs":[{"name":"y","datatype":"FP32","shape":[-1,2]}]}`))
		case "/v2/models/double/infer":
			w.Write([]byte(`{"outputs":[{"name":"y","datatype":"FP32","shape":[3,2],"data":[0,0,0,0,0,0]}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	meta, err := loadgen.Preflight(ctx, srv.URL, "double", loadgen.ConnOptions{})
	if err != nil {
		panic(err)
	}
	w, err := loadgen.NewKServeWorkload(srv.URL, meta, 3, "", 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(meta.Inputs[0].Name, meta.Inputs[0].Shape, "batch", w.BatchSize(), "test request:", w.TestRequest(ctx, loadgen.ConnOptions{}))
	// Output: x [-1 2] batch 3 test request: <nil>
}
