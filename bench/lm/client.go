package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// promptText is the start of a paragraph of the Opticks, repeated: prompts
// of any length are cut from it.
const promptText = "If the Sun's Light be trajected through three or more cross Prisms successively, " +
	"those Rays which in the first Prism are refracted more than others, are in all the following Prisms refracted more than others " +
	"in the same Rate and Proportion, as appears by the Length of the Image; and those Rays which are equally refrangible "

func prompt(n int) string {
	return strings.Repeat(promptText, n/len(promptText)+1)[:n]
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// streamOnce sends one streamed completion and calls onText with the
// arrival time of every chunk that carries text; it returns when the
// stream ends or ctx does.
func streamOnce(ctx context.Context, base, promptStr string, maxTokens int, onText func(at time.Time, text string)) error {
	body, _ := json.Marshal(map[string]any{
		"prompt": promptStr, "max_tokens": maxTokens, "ignore_eos": true, "temperature": 0.8, "stream": true,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/completions", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			return nil
		}
		var c struct {
			Choices []struct {
				Text string `json:"text"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return fmt.Errorf("chunk %q: %w", data, err)
		}
		if len(c.Choices) == 1 && c.Choices[0].Text != "" {
			onText(time.Now(), c.Choices[0].Text)
		}
	}
	return sc.Err()
}

// trialResult is one measured window at one concurrency.
type trialResult struct {
	tokensPerSec float64
	itlP50       float64 // seconds, gaps between chunks inside the window
	itlP90       float64
	ttftP50      float64 // seconds, requests sent inside the window
	seqsPerStep  float64 // mean sequences per forward pass (server's histogram)
	stepSeconds  float64 // mean forward pass time
	rssPeak      int64
}

// throughput runs c streams back to back (each sends its next request as
// soon as the last ends) for warmup + window and measures the window.
func (s *server) throughput(c, promptLen, maxTokens int, warmup, window time.Duration) (trialResult, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.waitIdle(ctx); err != nil {
		return trialResult{}, err
	}
	start := time.Now()
	from, to := start.Add(warmup), start.Add(warmup+window)
	var (
		mu   sync.Mutex
		itl  []float64
		ttft []float64
		errs []error
		wg   sync.WaitGroup
	)
	for i := range c {
		wg.Go(func() {
			p := prompt(promptLen-3) + fmt.Sprintf("%03d", i%1000) // distinct prompts
			for ctx.Err() == nil {
				sent := time.Now()
				var last time.Time
				err := streamOnce(ctx, s.base, p, maxTokens, func(at time.Time, text string) {
					mu.Lock()
					defer mu.Unlock()
					switch {
					case last.IsZero():
						if !sent.Before(from) && at.Before(to) {
							ttft = append(ttft, at.Sub(sent).Seconds())
						}
					case !last.Before(from) && at.Before(to):
						// A chunk carries one token, or several when the
						// client fell behind: each gets its share of the gap
						// (tokens are bytes; the text is ASCII).
						n := max(1, len(text))
						for range n {
							itl = append(itl, at.Sub(last).Seconds()/float64(n))
						}
					}
					last = at
				})
				if err != nil && ctx.Err() == nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	var rssPeak int64
	sample := func() {
		if rss, err := procStatus(s.cmd.Process.Pid, "VmRSS"); err == nil {
			rssPeak = max(rssPeak, rss)
		}
	}
	time.Sleep(time.Until(from))
	before, err := scrape(ctx, s.base)
	if err != nil {
		return trialResult{}, err
	}
	t0 := time.Now()
	for time.Now().Before(to) {
		sample()
		time.Sleep(min(100*time.Millisecond, time.Until(to)))
	}
	after, err := scrape(ctx, s.base)
	if err != nil {
		return trialResult{}, err
	}
	elapsed := time.Since(t0).Seconds()
	cancel()
	wg.Wait()
	if len(errs) > 0 {
		return trialResult{}, errs[0]
	}
	steps := after["infercost_lm_step_sequences_count"] - before["infercost_lm_step_sequences_count"]
	r := trialResult{
		tokensPerSec: (after["vllm:generation_tokens_total"] - before["vllm:generation_tokens_total"]) / elapsed,
		itlP50:       median(itl), itlP90: quantile(itl, 0.9), ttftP50: median(ttft), rssPeak: rssPeak,
	}
	if steps > 0 {
		r.seqsPerStep = (after["infercost_lm_step_sequences_sum"] - before["infercost_lm_step_sequences_sum"]) / steps
		r.stepSeconds = (after["infercost_lm_step_seconds_sum"] - before["infercost_lm_step_seconds_sum"]) / steps
	}
	return r, nil
}

// ttftResult is time to first token at one prompt length.
type ttftResult struct {
	promptLen int
	p50, p90  float64
}

// ttft sends n requests of max_tokens 1, one at a time, and times each
// from send to its text.
func (s *server) ttft(promptLen, n int) (ttftResult, error) {
	ctx := context.Background()
	if err := s.waitIdle(ctx); err != nil {
		return ttftResult{}, err
	}
	var vs []float64
	for i := range n + 2 {
		p := prompt(promptLen-3) + fmt.Sprintf("%03d", i%1000)
		sent := time.Now()
		var first time.Duration
		err := streamOnce(ctx, s.base, p, 1, func(at time.Time, _ string) {
			if first == 0 {
				first = at.Sub(sent)
			}
		})
		if err != nil {
			return ttftResult{}, err
		}
		if i >= 2 { // the first two warm the connection
			vs = append(vs, first.Seconds())
		}
	}
	return ttftResult{promptLen: promptLen, p50: median(vs), p90: quantile(vs, 0.9)}, nil
}

// scrape reads the server's /metrics into name -> value, summing over
// labels ("_sum" and "_count" of histograms included).
func scrape(ctx context.Context, base string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name := line[:strings.IndexAny(line, "{ ")]
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err == nil {
			out[name] += v
		}
	}
	return out, sc.Err()
}
