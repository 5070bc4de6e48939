package loadgen

import (
	"context"
	"encoding/json"
	"time"

	"github.com/infercost/infercost/result"
)

// Protocol is how infercost speaks to one kind of endpoint: KServe v2
// (NewKServe) or OpenAI-compatible streaming (NewOpenAI). It is the one
// seam between the load engine and a server's API: the attack, the
// recorder, the profiler and the cost engine never ask which protocol ran;
// they read what the verdicts carry (DESIGN "Protocols").
type Protocol interface {
	// Name is recorded in run.json (spec.protocol): result.ProtocolKServe
	// or result.ProtocolOpenAI.
	Name() string
	// Preflight checks the target at baseURL before any load (live, ready,
	// the model served, whatever the protocol needs to build requests) and
	// answers within PreflightBudget. What is wrong with the target is a
	// *PreflightError; a bad URL or option is a plain error.
	Preflight(ctx context.Context, baseURL string, conn ConnOptions) (Target, error)
}

// Target is an endpoint that passed its protocol's preflight.
type Target interface {
	// Metadata is the model's description exactly as the server gave it
	// (KServe metadata, the OpenAI /v1/models entry), for run.json; nil
	// when there is none.
	Metadata() json.RawMessage
	// Workload builds the request pool for a batch size (inputs per
	// request; always 1 for an LLM endpoint, whose batching is the
	// server's). Bodies are encoded here, before any attack.
	Workload(batch int) (*Workload, error)
	// Record writes what the protocol adds to the run's spec
	// (spec.protocol, spec.llm).
	Record(spec *result.Spec)
}

// verdict is a protocol's judgement of one response whose status was 2xx:
// success or an error kind, and the work it carried.
type verdict struct {
	// kind is "" for success, else one of result.ErrorKinds.
	kind string
	// For a streamed response: content chunks' arrival times, measured from
	// the attack's start, and the tokens the response carried.
	chunks       []time.Duration
	inputTokens  int64
	outputTokens int64
	// usage: the counts came from the server's usage object; otherwise
	// output tokens are the chunks counted and input tokens estimated.
	usage  bool
	stream bool
	// bytesIn is the response's size as it travelled when the body judged
	// is not the response itself (a stream's digest); 0 otherwise.
	bytesIn int64
	// detail says what was wrong, for the preflight's test request.
	detail string
}

// judge reads the body of a 2xx response (for a streamed response, the
// digest the stream reader left in its place: see stream.go) into a
// verdict. It runs on a validator goroutine after the worker was released,
// so its cost is neither latency nor a brake on sending.
type judge interface {
	judge(body []byte) verdict
}
