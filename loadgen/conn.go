package loadgen

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

// DefaultTimeout is the per-request timeout when ConnOptions.Timeout is 0.
const DefaultTimeout = 30 * time.Second

// ConnOptions say how to reach a target. Header values may be secrets: no
// String, error or JSON of this package ever shows them, only their names.
type ConnOptions struct {
	Timeout    time.Duration // per request, response body included; default 30s
	Headers    http.Header   // values already resolved (see ParseHeader)
	CACertFile string        // PEM file of CAs to trust for https, beside the system's
	Insecure   bool          // skip verification of the target's certificate
	// HTTP2 turns HTTP/2 on: negotiated by ALPN for https (HTTP/1.1 when the
	// server does not offer it), cleartext HTTP/2 with prior knowledge (h2c)
	// for http.
	HTTP2 bool
}

func (c ConnOptions) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// HeaderNames lists the header names, sorted, for records and logs.
func (c ConnOptions) HeaderNames() []string {
	names := make([]string, 0, len(c.Headers))
	for k := range c.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// String shows the options with header values redacted.
func (c ConnOptions) String() string {
	return fmt.Sprintf("timeout=%v headers=%v cacert=%q insecure=%v http2=%v",
		c.timeout(), c.HeaderNames(), c.CACertFile, c.Insecure, c.HTTP2)
}

// GoString keeps %#v from printing header values.
func (c ConnOptions) GoString() string { return "loadgen.ConnOptions{" + c.String() + "}" }

// MarshalJSON writes header names only.
func (c ConnOptions) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		TimeoutS    float64  `json:"timeout_s"`
		HeaderNames []string `json:"header_names"`
		CACertFile  string   `json:"cacert_file"`
		Insecure    bool     `json:"insecure"`
		HTTP2       bool     `json:"http2"`
	}{c.timeout().Seconds(), c.HeaderNames(), c.CACertFile, c.Insecure, c.HTTP2})
}

// ParseHeader reads one --header flag written 'Name: value'. A value
// "env:NAME" is read from getenv (os.Getenv when nil); a missing or empty
// variable is an error naming it. Errors name the header but never show
// its value.
func ParseHeader(s string, getenv func(string) string) (name, value string, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	rawName, rawValue, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", fmt.Errorf("header must be written 'Name: value' (no ':' found)")
	}
	name = strings.TrimSpace(rawName)
	if name == "" {
		return "", "", fmt.Errorf("header must be written 'Name: value' (the name before ':' is empty)")
	}
	if !validHeaderName(name) {
		return "", "", fmt.Errorf("header name %q is not a valid HTTP header name", name)
	}
	name = textproto.CanonicalMIMEHeaderKey(name)
	switch name {
	case "Content-Length", "Transfer-Encoding", "Connection":
		return "", "", fmt.Errorf("header %s is set by infercost itself", name)
	}
	value = strings.TrimSpace(rawValue)
	if env, isEnv := strings.CutPrefix(value, "env:"); isEnv {
		env = strings.TrimSpace(env)
		if env == "" || strings.ContainsAny(env, "= \t\x00") {
			return "", "", fmt.Errorf("header %s: env: must be followed by a variable name, e.g. env:API_TOKEN", name)
		}
		value = getenv(env)
		if value == "" {
			return "", "", fmt.Errorf("header %s: environment variable %s is not set or empty", name, env)
		}
	}
	if value == "" {
		return "", "", fmt.Errorf("header %s has an empty value", name)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c == '\r' || c == '\n' || c == 0 {
			return "", "", fmt.Errorf("header %s: the value contains a line break or NUL byte", name)
		}
	}
	return name, value, nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return len(s) > 0
}

// tlsConfig builds the client TLS configuration from the options.
func (c ConnOptions) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: c.Insecure} //nolint:gosec // the user asked for --insecure
	if c.CACertFile != "" {
		pem, err := os.ReadFile(c.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert %s: no PEM certificate found in the file", c.CACertFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// checkBaseURL parses a target's base URL: http or https with a host.
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("target URL is not a URL: %v", redactURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("target URL %s: want http:// or https://", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("target URL %s has no host", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// redactURLError drops the URL from a url.Error, which may hold credentials.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
