package loadgen

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/infercost/infercost/loadgen/openaitest"
	"github.com/infercost/infercost/result"
)

func preflightOpenAI(t *testing.T, url string, o OpenAIOptions) *openaiTarget {
	t.Helper()
	if o.Model == "" {
		o.Model = "test-llm"
	}
	if o.OutputTokens.Mean == 0 {
		o.OutputTokens.Mean = 8
	}
	if o.PromptTokens.Mean == 0 {
		o.PromptTokens.Mean = 20
	}
	tg, err := NewOpenAI(o).Preflight(context.Background(), url, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tg.(*openaiTarget)
}

func TestOpenAIPreflightCalibratesAndRefuses(t *testing.T) {
	srv := openaitest.NewServer(openaitest.Config{Models: []string{"b-model", "a-model"}, TokensPerWord: 2, TemplateTokens: 7})
	defer srv.Close()

	_, err := NewOpenAI(OpenAIOptions{Model: "nope"}).Preflight(context.Background(), srv.URL, ConnOptions{})
	if preflightKind(err) != PreflightUnknownModel || !strings.Contains(err.Error(), `"a-model", "b-model"`) {
		t.Errorf("unknown model: %v, want unknown_model listing the served ones", err)
	}

	tg := preflightOpenAI(t, srv.URL, OpenAIOptions{Model: "a-model", ForceOutputLength: true})
	if !tg.tok.calibrated || tg.tok.perWord != 2 || tg.tok.overhead != 7 {
		t.Errorf("tokenizer fit %+v, want 2 tokens a word and 7 of template, calibrated", tg.tok)
	}
	wl, err := tg.Workload(1)
	if err != nil {
		t.Fatal(err)
	}
	// A prompt of 20 tokens at 2 a word after 7 of template: 7 words, 21 tokens.
	if got := tg.prompts[0].estimatedTokens; got != 21 {
		t.Errorf("estimated prompt tokens %d, want 21", got)
	}
	if _, err := tg.Workload(4); err == nil || !strings.Contains(err.Error(), "--concurrency") {
		t.Errorf("batch 4 on an LLM endpoint: %v", err)
	}
	var spec result.Spec
	tg.Record(&spec)
	if spec.Protocol != result.ProtocolOpenAI || spec.LLM == nil || spec.LLM.API != APIChat || !spec.LLM.ForceOutputLength ||
		spec.LLM.TokensPerWord != 2 || spec.LLM.Prompts != DefaultPrompts || wl.Unit() != result.UnitOutputToken {
		t.Errorf("recorded spec %+v (llm %+v)", spec, spec.LLM)
	}

	// A KServe server has no /v1/models: say so.
	kserve := (&fakeKServe{meta: newFakeModel()}).start(t)
	_, err = NewOpenAI(OpenAIOptions{Model: "x"}).Preflight(context.Background(), kserve.URL, ConnOptions{})
	if preflightKind(err) != PreflightBadResponse || !strings.Contains(err.Error(), "--protocol kserve") {
		t.Errorf("KServe server: %v", err)
	}
}

func TestOpenAIDropsParametersTheServerRefuses(t *testing.T) {
	srv := openaitest.NewServer(openaitest.Config{RefuseExtraParams: true, NoUsage: true})
	defer srv.Close()
	tg := preflightOpenAI(t, srv.URL, OpenAIOptions{ForceOutputLength: true})
	if tg.o.ForceOutputLength {
		t.Error("ignore_eos/min_tokens kept though the server refuses them")
	}
	if tg.tok.calibrated || tg.tok.perWord != assumedTokensPerWord {
		t.Errorf("no usage, yet the fit %+v claims calibration", tg.tok)
	}
}

// runOpenAI drives tg's workload for d in a closed loop of c streams.
func runOpenAI(t *testing.T, tg *openaiTarget, c int, d time.Duration, bounds []result.SLOBound) result.Step {
	t.Helper()
	wl, err := tg.Workload(1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Start(context.Background(), Config{Workload: wl, Concurrency: c, Goodput: bounds})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	iv := a.Stop()
	st := result.Step{BatchSize: 1, Unit: wl.Unit()}
	iv.Fill(&st)
	return st
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol*want }

func TestOpenAIStreamTimingsMatchTheServer(t *testing.T) {
	const ttft, itl, tokens = 120 * time.Millisecond, 25 * time.Millisecond, 12
	srv := openaitest.NewServer(openaitest.Config{TTFT: ttft, ITL: itl})
	defer srv.Close()
	tg := preflightOpenAI(t, srv.URL, OpenAIOptions{OutputTokens: result.TokenDist{Mean: tokens}, ForceOutputLength: true})
	for _, c := range []int{1, 4, 8} {
		st := runOpenAI(t, tg, c, 1500*time.Millisecond, nil)
		if st.Successes == 0 || st.ErrorRatio != 0 {
			t.Fatalf("c=%d: %d successes, errors %v", c, st.Successes, st.Errors)
		}
		e2e := st.LatencyMS.Corrected.Mean / 1000
		t.Logf("c=%d: %d streams, ttft p50 %.1f ms, itl p50 %.1f ms, tpot p50 %.1f ms, %.1f output tokens/s, per user %.1f, e2e mean %.0f ms",
			c, st.Successes, st.TTFTMS.P50, st.ITLMS.P50, st.TPOTMS.P50, *st.OutputTokensPerS, *st.OutputTokensPerSPerUser, e2e*1000)
		if !within(st.TTFTMS.P50, ms(ttft), 0.10) || !within(st.ITLMS.P50, ms(itl), 0.10) || !within(st.TPOTMS.P50, ms(itl), 0.10) {
			t.Errorf("c=%d: ttft p50 %.1f ms (dialled %v), itl p50 %.1f ms and tpot p50 %.1f ms (dialled %v): not within 10%%",
				c, st.TTFTMS.P50, ttft, st.ITLMS.P50, st.TPOTMS.P50, itl)
		}
		if want := float64(c) * tokens / e2e; !within(*st.OutputTokensPerS, want, 0.10) {
			t.Errorf("c=%d: %.1f output tokens/s, want %d x %d / %.3f s = %.1f within 10%%", c, *st.OutputTokensPerS, c, tokens, e2e, want)
		}
		if *st.TokenCountSource != result.TokensFromUsage || *st.OutputTokensPerRequest != tokens || *st.InputTokensPerRequest != 20 {
			t.Errorf("c=%d: tokens from %s, %.1f out and %.1f in per request", c, *st.TokenCountSource, *st.OutputTokensPerRequest, *st.InputTokensPerRequest)
		}
		if st.TTFTUncorrectedMS.P50 > st.TTFTMS.P50 || *st.GoodputRPS != st.SuccessfulRPS {
			t.Errorf("c=%d: uncorrected ttft %.1f over corrected %.1f, or goodput %.2f != %.2f with no bounds",
				c, st.TTFTUncorrectedMS.P50, st.TTFTMS.P50, *st.GoodputRPS, st.SuccessfulRPS)
		}
	}
	// Goodput counts the requests within every per-request bound.
	tight, _ := result.ParseSLO("ttft_p95=60ms")
	loose, _ := result.ParseSLO("ttft_p95=2s,itl_p99=500ms,tpot_p50=200ms,p99=10s")
	if st := runOpenAI(t, tg, 2, time.Second, tight); *st.GoodputRPS != 0 || st.Successes == 0 {
		t.Errorf("ttft bound 60ms against 120ms dialled: goodput %.2f req/s", *st.GoodputRPS)
	}
	if st := runOpenAI(t, tg, 2, time.Second, loose); *st.GoodputRPS != st.SuccessfulRPS || st.Successes == 0 {
		t.Errorf("loose bounds: goodput %.2f of %.2f req/s", *st.GoodputRPS, st.SuccessfulRPS)
	}
}

func TestOpenAIStreamFaultsAreErrorsNeverHangs(t *testing.T) {
	faults := []openaitest.Fault{openaitest.FaultNone, openaitest.FaultCut, openaitest.FaultGarbage, openaitest.FaultErrorEvent,
		openaitest.FaultTooMany, openaitest.FaultUnavailable}
	srv := openaitest.NewServer(openaitest.Config{ITL: time.Millisecond,
		Fault: func(n int64) openaitest.Fault {
			if n <= 2 {
				return openaitest.FaultNone // the preflight's calibration
			}
			return faults[int(n)%len(faults)]
		}})
	defer srv.Close()
	tg := preflightOpenAI(t, srv.URL, OpenAIOptions{})
	st := runOpenAI(t, tg, 4, time.Second, nil)
	t.Logf("errors %v, successes %d", st.Errors, st.Successes)
	for _, k := range []string{result.ErrStreamCut, result.ErrBadBody, result.ErrStreamError, result.ErrHTTP4xx, result.ErrHTTP5xx} {
		if st.Errors[k] == 0 {
			t.Errorf("no %s error counted: %v", k, st.Errors)
		}
	}
	if st.Successes == 0 || *st.OutputTokens != st.Successes*8 {
		t.Errorf("%d successes carrying %d output tokens, want 8 each", st.Successes, *st.OutputTokens)
	}
}

func TestOpenAICountsChunksWithoutUsage(t *testing.T) {
	srv := openaitest.NewServer(openaitest.Config{NoUsage: true, Fault: func(n int64) openaitest.Fault {
		if n > 2 && n%2 == 0 {
			return openaitest.FaultEndEarly
		}
		return openaitest.FaultNone
	}})
	defer srv.Close()
	tg := preflightOpenAI(t, srv.URL, OpenAIOptions{})
	st := runOpenAI(t, tg, 2, 500*time.Millisecond, nil)
	if *st.TokenCountSource != result.TokensFromStream {
		t.Errorf("token count source %q, want stream", *st.TokenCountSource)
	}
	// Half the streams ended early (4 of 8 tokens): what came is counted.
	if per := *st.OutputTokensPerRequest; per <= 4 || per >= 8 || st.ErrorRatio != 0 {
		t.Errorf("%.2f output tokens per request (want between 4 and 8), errors %v", per, st.Errors)
	}
	// Inputs are estimated: 20 tokens at the assumed 1.3 a word is 15 words, 19.5 tokens, rounded to 20.
	if got := *st.InputTokensPerRequest; got != 20 {
		t.Errorf("estimated input tokens per request %.2f, want 20", got)
	}
}

func TestDigestRoundTrip(t *testing.T) {
	d := digest{index: 7, kind: result.ErrStreamCut, detail: "cut", usage: true, inputTokens: 12, outputTokens: 34,
		bytesIn: 5678, chunkCount: 3, chunks: []time.Duration{time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond}}
	back, err := decodeDigest(d.encode())
	if err != nil || back.index != 7 || back.kind != d.kind || back.detail != "cut" || !back.usage || back.inputTokens != 12 ||
		back.outputTokens != 34 || back.bytesIn != 5678 || back.chunkCount != 3 || len(back.chunks) != 3 || back.chunks[2] != 5*time.Millisecond {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	if _, err := decodeDigest([]byte(`{"outputs":[]}`)); !errors.Is(err, errNotDigest) {
		t.Errorf("a JSON body decoded as a digest: %v", err)
	}
}

func TestReadStreamJudgesEvents(t *testing.T) {
	for _, c := range []struct {
		name, body, kind string
		chunks           int64
		usage            bool
	}{
		{"complete", "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" +
			"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n: keep-alive\n\n" +
			"data:{\"choices\":[{\"text\":\"b\"}]}\n\n" +
			"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n", "", 2, true},
		{"multi-line data", "data: {\"choices\":\ndata: [{\"text\":\"x\"}]}\n\ndata: [DONE]\n\n", "", 1, false},
		{"no done", "data: {\"choices\":[{\"text\":\"x\"}]}\n\n", result.ErrStreamCut, 1, false},
		{"garbage", "data: {nope\n\n", result.ErrBadBody, 0, false},
		{"error event", "data: {\"error\":{\"message\":\"boom\"}}\n\n", result.ErrStreamError, 0, false},
		{"nothing generated", "data: [DONE]\n\n", result.ErrBadBody, 0, false},
		{"huge line", "data: " + strings.Repeat("x", maxSSELineBytes+10) + "\n\n", result.ErrBadBody, 0, false},
	} {
		d := readStream(strings.NewReader(c.body), "text/event-stream", time.Now())
		if d.kind != c.kind || d.chunkCount != c.chunks || d.usage != c.usage || d.bytesIn != int64(len(c.body)) && c.kind == "" {
			t.Errorf("%s: kind %q chunks %d usage %v bytes %d (%s), want %q %d %v", c.name, d.kind, d.chunkCount, d.usage, d.bytesIn, d.detail, c.kind, c.chunks, c.usage)
		}
	}
	// A server that ignored stream: true answers with one JSON completion.
	d := readStream(strings.NewReader(`{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":4,"completion_tokens":9}}`),
		"application/json; charset=utf-8", time.Now())
	if d.kind != "" || d.chunkCount != 1 || d.outputTokens != 9 {
		t.Errorf("whole completion: %+v", d)
	}
}

func FuzzReadStream(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("data: {\"error\":{}}\n\n"))
	f.Add([]byte(": comment\r\nevent: x\r\ndata: {\"choices\":[{\"text\":\"\"}],\"usage\":{\"prompt_tokens\":-1}}\r\n\r\n"))
	f.Add([]byte("data: [DONE"))
	f.Fuzz(func(t *testing.T, body []byte) {
		d := readStream(strings.NewReader(string(body)), "text/event-stream", time.Now())
		if d.kind == "" && (!d.done || d.chunkCount == 0) {
			t.Fatalf("judged a success without [DONE] and content: %+v", d)
		}
		if d.bytesIn > int64(len(body)) {
			t.Fatalf("counted %d bytes of %d", d.bytesIn, len(body))
		}
		back, err := decodeDigest(d.encode())
		if err != nil || back.kind != d.kind || back.chunkCount != d.chunkCount {
			t.Fatalf("digest round trip: %+v, %v", back, err)
		}
	})
}
