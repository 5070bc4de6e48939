package loadgen

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infercost/infercost/result"
)

// protoCounter answers 200 and counts requests by HTTP major version.
type protoCounter struct{ h1, h2 atomic.Int64 }

func (p *protoCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 2 {
		p.h2.Add(1)
	} else {
		p.h1.Add(1)
	}
	w.Write([]byte("ok"))
}

func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHTTPSAndHTTP2(t *testing.T) {
	var pc protoCounter
	tlsSrv := httptest.NewUnstartedServer(&pc)
	tlsSrv.EnableHTTP2 = true
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the unknown-CA case fails handshakes on purpose
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	ca := caFile(t, tlsSrv)

	var h2c protoCounter
	h2cSrv := httptest.NewUnstartedServer(&h2c)
	h2cSrv.Config.Protocols = new(http.Protocols)
	h2cSrv.Config.Protocols.SetHTTP1(true)
	h2cSrv.Config.Protocols.SetUnencryptedHTTP2(true)
	h2cSrv.Start()
	t.Cleanup(h2cSrv.Close)

	for _, c := range []struct {
		name    string
		url     string
		conn    ConnOptions
		counter *protoCounter
		wantH2  bool
		errKind string // every request fails with this kind
	}{
		{"https with --cacert, HTTP/2", tlsSrv.URL, ConnOptions{CACertFile: ca, HTTP2: true}, &pc, true, ""},
		{"https with --cacert, HTTP/1.1", tlsSrv.URL, ConnOptions{CACertFile: ca}, &pc, false, ""},
		{"https with --insecure", tlsSrv.URL, ConnOptions{Insecure: true, HTTP2: true}, &pc, true, ""},
		{"https, unknown CA", tlsSrv.URL, ConnOptions{}, &pc, false, result.ErrConnect},
		{"h2c", h2cSrv.URL, ConnOptions{HTTP2: true}, &h2c, true, ""},
		{"http/1.1", h2cSrv.URL, ConnOptions{}, &h2c, false, ""},
	} {
		h1, h2 := c.counter.h1.Load(), c.counter.h2.Load()
		_, iv := runFor(t, Config{Workload: NewRawWorkload("GET", c.url, nil), Arrival: must(Constant(100)), Conn: c.conn}, 200*time.Millisecond)
		if iv.Sent == 0 {
			t.Errorf("%s: nothing sent", c.name)
			continue
		}
		if c.errKind != "" {
			if iv.Errors[c.errKind] != iv.Completed {
				t.Errorf("%s: errors %v of %d, want all %s", c.name, iv.Errors, iv.Completed, c.errKind)
			}
			continue
		}
		if iv.Successes != iv.Completed {
			t.Errorf("%s: %d of %d succeeded, errors %v", c.name, iv.Successes, iv.Completed, iv.Errors)
		}
		dh1, dh2 := c.counter.h1.Load()-h1, c.counter.h2.Load()-h2
		if (c.wantH2 && (dh2 != iv.Completed || dh1 != 0)) || (!c.wantH2 && (dh1 != iv.Completed || dh2 != 0)) {
			t.Errorf("%s: server saw %d HTTP/1 and %d HTTP/2 requests of %d, want HTTP/2 %v", c.name, dh1, dh2, iv.Completed, c.wantH2)
		}
	}
}
