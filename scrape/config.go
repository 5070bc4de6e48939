package scrape

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultInterval = time.Second
	// DefaultMaxBytes bounds one response: a larger one is a failed scrape,
	// never read into memory whole. node_exporter with every collector on
	// serves about 0.1-0.5 MiB; dcgm-exporter on 8 GPUs about as much.
	DefaultMaxBytes = 16 << 20
	// DefaultMaxKept bounds the raw series kept per endpoint with Keep.
	DefaultMaxKept = 200
	// DefaultMaxReadings bounds the readings kept per endpoint: the newest
	// half always at full resolution (2.3 hours at 250 ms), the older half
	// thinned, as the samplers keep theirs.
	DefaultMaxReadings = 1 << 15
	// MinInterval is the shortest interval accepted.
	MinInterval = 50 * time.Millisecond
)

// Target is one endpoint: --scrape NAME=URL.
type Target struct {
	// Name keys the endpoint's figures (run.json scrape.NAME, the
	// source "scrape:NAME"): letters, digits, '_' and '-'.
	Name string
	URL  string
}

// Config says what to read and how.
type Config struct {
	Targets []Target
	// Interval between two reads of one endpoint; 0 means DefaultInterval.
	Interval time.Duration
	// Timeout bounds one read (connect to last byte); 0 means
	// DefaultTimeout(Interval).
	Timeout time.Duration
	// MaxBytes bounds one response body; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Keep keeps the series no mapping uses, raw, for samples.csv.
	Keep bool
	// MaxKept bounds the raw series kept per endpoint; 0 means
	// DefaultMaxKept.
	MaxKept int
	// MaxReadings bounds the readings kept per endpoint; 0 means
	// DefaultMaxReadings.
	MaxReadings int
}

// DefaultTimeout is the read timeout for an interval: the interval, but at
// least a second, since an exporter that reads its devices (dcgm-exporter)
// can take a few hundred milliseconds to answer.
func DefaultTimeout(interval time.Duration) time.Duration {
	return max(interval, time.Second)
}

func (c Config) withDefaults() Config {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout(c.Interval)
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxKept == 0 {
		c.MaxKept = DefaultMaxKept
	}
	if c.MaxReadings == 0 {
		c.MaxReadings = DefaultMaxReadings
	}
	return c
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Validate names the first thing in c that cannot work.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Interval < MinInterval:
		return fmt.Errorf("--scrape-interval %v: must be at least %v", c.Interval, MinInterval)
	case c.Timeout <= 0:
		return fmt.Errorf("--scrape-timeout %v: must be positive", c.Timeout)
	case c.MaxBytes < 1:
		return fmt.Errorf("scrape: max bytes %d: must be positive", c.MaxBytes)
	case c.MaxKept < 0 || c.MaxReadings < 4:
		return fmt.Errorf("scrape: max kept %d, max readings %d: out of range", c.MaxKept, c.MaxReadings)
	}
	seen := map[string]bool{}
	for _, t := range c.Targets {
		if err := t.validate(); err != nil {
			return err
		}
		if seen[t.Name] {
			return fmt.Errorf("--scrape %s: the name is given twice; each endpoint needs its own", t.Name)
		}
		seen[t.Name] = true
	}
	return nil
}

func (t Target) validate() error {
	if !validName.MatchString(t.Name) {
		return fmt.Errorf("--scrape %q: the name must be letters, digits, '_' or '-' (e.g. gpu=http://gpubox:9400/metrics)", t.Name)
	}
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--scrape %s: the URL must start with http:// or https:// and name a host (e.g. http://gpubox:9400/metrics)", t.Name)
	}
	return nil
}

// ParseTarget reads one --scrape value, NAME=URL.
func ParseTarget(s string) (Target, error) {
	name, u, ok := strings.Cut(s, "=")
	if !ok {
		return Target{}, fmt.Errorf("--scrape %q: want NAME=URL, e.g. gpu=http://gpubox:9400/metrics", redactUserinfo(s))
	}
	t := Target{Name: strings.TrimSpace(name), URL: strings.TrimSpace(u)}
	return t, t.validate()
}

// redactUserinfo keeps credentials of a malformed flag out of messages.
func redactUserinfo(s string) string {
	if i := strings.Index(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "REDACTED" + s[i:]
		}
	}
	return s
}
