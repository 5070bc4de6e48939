package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeLMBinary starts `infercost serve --preset lm` as the profiler
// does (a child process, waiting for the listening line), streams a chat
// completion from it, and drains it with SIGTERM while streams run. The
// first run on a machine trains the lm preset (about a minute on two
// cores) and caches it in the user cache directory; later runs load it.
func TestServeLMBinary(t *testing.T) {
	bin := buildServeBinary(t)
	cmd := exec.Command(bin, "serve", "--preset", "lm", "--addr", "127.0.0.1:0", "--max-num-seqs", "4", "--drain-timeout", "60s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck // a no-op once it exited

	lines := bufio.NewScanner(stdout)
	var startup []string
	var base string
	for base == "" && lines.Scan() {
		startup = append(startup, lines.Text())
		if m := listenLine.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no listening line; stdout %q, stderr %s", startup, stderr.String())
	}
	text := strings.Join(startup, "\n")
	for _, want := range []string{`model "infercost-lm": preset lm`, "held-out loss", "unigram baseline", "KV cache 4 x 256 tokens", "started in"} {
		if !strings.Contains(text, want) {
			t.Errorf("start-up lines lack %q:\n%s", want, text)
		}
	}
	t.Logf("start-up:\n%s", text)
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	var models struct {
		Data []struct {
			ID          string `json:"id"`
			MaxModelLen int    `json:"max_model_len"`
		} `json:"data"`
	}
	resp, err := http.Get(base + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&models) //nolint:errcheck // checked below
	resp.Body.Close()
	if len(models.Data) != 1 || models.Data[0].ID != "infercost-lm" || models.Data[0].MaxModelLen != 256 {
		t.Fatalf("/v1/models: %+v", models)
	}

	// Three streams; SIGTERM once each has sent its first words: every one
	// runs to its end, then the server exits 0.
	const streams = 3
	var wg sync.WaitGroup
	started := make(chan struct{}, streams)
	texts := make([]string, streams)
	for i := range streams {
		wg.Go(func() {
			body := fmt.Sprintf(`{"model":"infercost-lm","messages":[{"role":"user","content":"Of the Colours of Bodies %d"}],"max_tokens":120,"ignore_eos":true,"temperature":0.5,"seed":%d,"stream":true}`, i, i)
			resp, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(body))
			if err != nil {
				t.Errorf("stream %d: %v", i, err)
				started <- struct{}{}
				return
			}
			defer resp.Body.Close()
			texts[i] = readChatStream(t, resp.Body, started)
		})
	}
	for range streams {
		<-started
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); err != nil || code != 0 {
		t.Fatalf("exit %d (%v) after SIGTERM, want 0; stderr %s", code, err, stderr.String())
	}
	for i, s := range texts {
		if len(s) < 100 {
			t.Errorf("stream %d: %q, want 120 tokens of text", i, s)
		}
	}
	t.Logf("a streamed reply: %q", texts[0])
	tail := <-rest
	if !regexp.MustCompile(`drained: 3 generation requests accepted, 3 answered in full`).MatchString(tail) {
		t.Errorf("drain lines %q", tail)
	}
}

// readChatStream reads a streamed chat completion to [DONE], signals
// started at its first content, and returns the text.
func readChatStream(t *testing.T, body io.Reader, started chan<- struct{}) string {
	sc := bufio.NewScanner(body)
	var text strings.Builder
	signalled := false
	defer func() {
		if !signalled {
			started <- struct{}{}
		}
	}()
	finished := false
	deadline := time.Now().Add(2 * time.Minute)
	for sc.Scan() && time.Now().Before(deadline) {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Errorf("line %q", line)
			return text.String()
		}
		if data == "[DONE]" {
			if !finished {
				t.Error("[DONE] before a finish_reason")
			}
			return text.String()
		}
		var c struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil || len(c.Choices) != 1 {
			t.Errorf("chunk %q: %v", data, err)
			return text.String()
		}
		text.WriteString(c.Choices[0].Delta.Content)
		if c.Choices[0].FinishReason != nil {
			finished = *c.Choices[0].FinishReason == "length"
		}
		if !signalled && text.Len() > 0 {
			signalled = true
			started <- struct{}{}
		}
	}
	t.Errorf("stream ended without [DONE] (%v)", sc.Err())
	return text.String()
}
