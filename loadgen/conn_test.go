package loadgen

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const secretValue = "s3cr3t-t0ken-value"

func fakeEnv(name string) string {
	switch name {
	case "API_TOKEN":
		return "Bearer " + secretValue
	case "EMPTY":
		return ""
	}
	return ""
}

func TestParseHeader(t *testing.T) {
	for _, c := range []struct {
		in, name, value, wantErr string
	}{
		{in: "Authorization: Bearer abc", name: "Authorization", value: "Bearer abc"},
		{in: "x-api-key:   k1  ", name: "X-Api-Key", value: "k1"},
		{in: "Authorization: env:API_TOKEN", name: "Authorization", value: "Bearer " + secretValue},
		{in: "Host: example.com:8080", name: "Host", value: "example.com:8080"},
		{in: "Authorization " + secretValue, wantErr: "no ':' found"},
		{in: ": " + secretValue, wantErr: "name before ':' is empty"},
		{in: "Bad Name: " + secretValue, wantErr: `header name "Bad Name" is not a valid`},
		{in: "Authorization: env:MISSING", wantErr: "environment variable MISSING is not set or empty"},
		{in: "Authorization: env:EMPTY", wantErr: "environment variable EMPTY is not set or empty"},
		{in: "Authorization: env:", wantErr: "env: must be followed by a variable name"},
		{in: "X-Empty:", wantErr: "X-Empty has an empty value"},
		{in: "Content-Length: 5", wantErr: "set by infercost itself"},
		{in: "X-A: " + secretValue + "\r\nX-B: 1", wantErr: "line break"},
	} {
		name, value, err := ParseHeader(c.in, fakeEnv)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseHeader(%q) error = %v, want one containing %q", c.in, err, c.wantErr)
			} else if strings.Contains(err.Error(), secretValue) {
				t.Errorf("ParseHeader(%q) error shows the value: %v", c.in, err)
			}
			continue
		}
		if err != nil || name != c.name || value != c.value {
			t.Errorf("ParseHeader(%q) = %q, %q, %v; want %q, %q", c.in, name, value, err, c.name, c.value)
		}
	}
}

func TestConnOptionsNeverShowHeaderValues(t *testing.T) {
	c := ConnOptions{Headers: http.Header{"Authorization": {"Bearer " + secretValue}}, Timeout: time.Second}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), string(js)} {
		if strings.Contains(s, secretValue) {
			t.Errorf("header value shown: %s", s)
		}
		if !strings.Contains(s, "Authorization") {
			t.Errorf("header name missing: %s", s)
		}
	}
	w := NewRawWorkload("GET", "http://127.0.0.1:1/", nil)
	if h := w.requestHeader(c); h.Get("Authorization") != "Bearer "+secretValue {
		t.Errorf("request header = %v, want the connection's header", h)
	}
	if strings.Contains(w.String(), secretValue) {
		t.Errorf("workload String shows a header value: %s", w)
	}
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"Authorization: Bearer abc", "X-Key: env:API_TOKEN", "a:b", ":", "K: env:", "K:\r\n", "Content-Length: 1", "K: env:EMPTY", "Bad Name: " + secretValue} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, value, err := ParseHeader(s, fakeEnv)
		if err != nil {
			// The secret behind env:API_TOKEN never shows, nor does a value
			// of 8+ characters after the colon (unless it also appears in the
			// name part, which errors may quote).
			msg := err.Error()
			if strings.Contains(msg, secretValue) && !strings.Contains(s, secretValue) {
				t.Fatalf("error shows the environment's secret: %v", msg)
			}
			if before, after, ok := strings.Cut(s, ":"); ok {
				v := strings.TrimSpace(after)
				if len(v) >= 8 && !strings.HasPrefix(v, "env:") && !strings.Contains(before, v) && strings.Contains(msg, v) {
					t.Fatalf("error %q shows the value %q", msg, v)
				}
			}
			return
		}
		if name == "" || value == "" || !validHeaderName(name) || strings.ContainsAny(value, "\r\n\x00") {
			t.Fatalf("ParseHeader(%q) accepted name %q value %q", s, name, value)
		}
		// The parsed header is usable on a real request.
		req, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
		req.Header.Set(name, value)
		if req.Header.Get(name) != value {
			t.Fatalf("header %q did not survive a request", name)
		}
	})
}
