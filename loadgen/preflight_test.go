package loadgen

import (
	"context"
	"errors"
	"github.com/infercost/infercost/result"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func preflightKind(err error) string {
	var pe *PreflightError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

func TestPreflightReadsMetadataAndTestRequestPasses(t *testing.T) {
	f := &fakeKServe{meta: newFakeModel(), token: secretValue}
	srv := f.start(t)
	conn := ConnOptions{Headers: http.Header{"Authorization": {"Bearer " + secretValue}}}
	meta, err := Preflight(context.Background(), srv.URL+"/", "digits", conn)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Name != "digits" || len(meta.Inputs) != 1 || meta.Inputs[0].Shape[1] != 3 || !strings.Contains(string(meta.Raw), `"platform":"infercost_test"`) {
		t.Fatalf("metadata %+v raw %s", meta, meta.Raw)
	}
	w, err := NewKServeWorkload(srv.URL, meta, 4, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.TestRequest(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	shapes := f.lastShapes.Load().(map[string][]int64)
	if got := shapes["pixels"]; len(got) != 4 || got[0] != 4 {
		t.Errorf("the server saw shape %v, want [4 3 8 8]", got)
	}
}

func TestPreflightFailures(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String()
	closed.Close()

	good := (&fakeKServe{meta: newFakeModel()}).start(t)
	authed := (&fakeKServe{meta: newFakeModel(), token: "x"}).start(t)
	notReady := (&fakeKServe{meta: newFakeModel(), notReady: true}).start(t)
	badMeta := (&fakeKServe{meta: newFakeModel(), badMeta: true}).start(t)
	notKServe := http.NewServeMux()
	plain := startHTTP(t, notKServe)

	for _, c := range []struct {
		name, url, model, kind, mention string
	}{
		{"refused", closedURL, "digits", PreflightUnreachable, "connection refused"},
		{"unknown model", good.URL, "nope", PreflightUnknownModel, `model named "nope"`},
		{"no credentials", authed.URL, "digits", PreflightRequestRefused, "401"},
		{"not ready", notReady.URL, "digits", PreflightNotReady, "503"},
		{"bad metadata", badMeta.URL, "digits", PreflightBadResponse, "not valid JSON"},
		{"not a KServe server", plain.URL, "digits", PreflightNotLive, "404"},
	} {
		start := time.Now()
		_, err := Preflight(context.Background(), c.url, c.model, ConnOptions{})
		if got := preflightKind(err); got != c.kind || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: error %v (kind %q), want kind %q mentioning %q", c.name, err, got, c.kind, c.mention)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
	}
	for _, bad := range []string{"ftp://h", "127.0.0.1:8000", "http://"} {
		if _, err := Preflight(context.Background(), bad, "m", ConnOptions{}); err == nil || preflightKind(err) != "" {
			t.Errorf("Preflight(%q): error %v, want a plain usage error", bad, err)
		}
	}
}

// A target that accepts connections and never answers: Preflight still
// answers within 5 s.
func TestPreflightBlackHoleAnswersWithinFiveSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the full preflight budget (4.5 s)")
	}
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and hold, never answer
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	start := time.Now()
	_, err = Preflight(context.Background(), "http://"+ln.Addr().String(), "digits", ConnOptions{})
	took := time.Since(start)
	if preflightKind(err) != PreflightUnreachable || !strings.Contains(err.Error(), "no answer within") {
		t.Errorf("error %v, want unreachable: no answer", err)
	}
	if took > 5*time.Second {
		t.Errorf("took %v, want under 5s", took)
	}
}

func TestTestRequestQuotesTheServersRefusal(t *testing.T) {
	f := &fakeKServe{meta: newFakeModel()}
	srv := f.start(t)
	// The workload is built for a model whose input has another shape, so
	// the server refuses it with 400 and a message.
	wrong := newFakeModel()
	wrong.Inputs[0].Shape = []int64{-1, 3, 4, 4}
	w, err := NewKServeWorkload(srv.URL, &wrong, 2, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	err = w.TestRequest(context.Background(), ConnOptions{})
	if preflightKind(err) != PreflightRequestRefused || !strings.Contains(err.Error(), "shape [2 3 4 4] does not match") {
		t.Errorf("error %v, want request_refused quoting the server", err)
	}
	// A 2xx whose body lacks a declared output is a bad response.
	missing := newFakeModel()
	missing.Outputs = append(missing.Outputs, TensorMetadata{Name: "extra", Datatype: "FP32", Shape: []int64{-1}})
	w, _ = NewKServeWorkload(srv.URL, &missing, 2, "", 1)
	if err := w.TestRequest(context.Background(), ConnOptions{}); preflightKind(err) != PreflightBadResponse || !strings.Contains(err.Error(), `output "extra" is missing`) {
		t.Errorf("error %v, want bad_response naming the missing output", err)
	}
}

func TestCheckResponse(t *testing.T) {
	w, err := NewKServeWorkload("http://h", &ModelMetadata{Name: "m",
		Inputs:  []TensorMetadata{{Name: "x", Datatype: "FP32", Shape: []int64{-1, 2}}},
		Outputs: []TensorMetadata{{Name: "y", Datatype: "FP32", Shape: []int64{-1, 3}}, {Name: "z", Datatype: "INT64", Shape: []int64{5}}},
	}, 4, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		body, wantErr string
	}{
		{`{"outputs":[{"name":"y","shape":[4,3],"data":[0,0,0,0,0,0,0,0,0,0,0,0]},{"name":"z","shape":[5],"data":[1,2,3,4,5]}]}`, ""},
		{`{"outputs":[{"name":"y","shape":[2,3],"data":[0]},{"name":"z","shape":[5],"data":[1]}]}`, "first dimension 2, want 4"},
		{`{"outputs":[{"name":"y","shape":[4,3],"data":[0]}]}`, `output "z" is missing`},
		{`{"outputs":[{"name":"y","shape":[4,3]},{"name":"z","shape":[5],"data":[1]}]}`, `output "y" has no data`},
		{`{"outputs":[{"name":"y","shape":[],"data":[1]},{"name":"z","shape":[5],"data":[1]}]}`, `no shape`},
		{`{"outputs":[]}`, "no outputs"},
		{`{"outputs":[{"name":"y"`, "not JSON"},
		{`<html>`, "not JSON"},
	} {
		v := w.judge.judge([]byte(c.body))
		if (c.wantErr == "") != (v.kind == "") || !strings.Contains(v.detail, c.wantErr) || (v.kind != "" && v.kind != result.ErrBadBody) {
			t.Errorf("judge(%s) = %q %q, want %q", c.body, v.kind, v.detail, c.wantErr)
		}
	}
}
