// Package lmserver is infercost's built-in language-model endpoint: a
// small decoder-only transformer, written, trained and served by this
// package's own Go code, behind an OpenAI-compatible HTTP API (the
// endpoints and JSON shapes vLLM serves, streamed or not) with a
// continuous-batching scheduler, so that the LLM path can be profiled and
// priced per token on any machine, without a GPU or a download.
//
// The model (params.go, forward.go, attention.go) reads bytes plus an
// end-of-paragraph token, with token and learned position embeddings,
// pre-LN blocks of causal multi-head attention (with ALiBi's recency
// bias) and GELU MLPs, and a KV cache; every matrix product, attention's
// included, goes through gonum's blas32 Sgemm in tiles spread over the
// cores (matmul.go, parallel.go). Training (trainpass.go, backward.go,
// train.go) is backprop and Adam, deterministic for a seed, on Isaac
// Newton's Opticks (corpus.go; embedded, public domain), the end of which
// is held out to measure the loss. The lm preset trains in about a minute
// and is cached on disk (cache.go, model.go).
//
// The Engine (engine.go, sequence.go, sample.go) admits requests between
// forward passes and runs one pass for every running sequence; the
// Server (server.go, generate.go, request.go) speaks HTTP and /metrics
// (metrics.go) carries vLLM's series.
//
// Use:
//
//	p, _ := lmserver.LookupPreset(lmserver.DefaultPreset)
//	model, err := lmserver.Load(ctx, p, lmserver.LoadOptions{})
//	srv, err := lmserver.New(lmserver.DefaultConfig(), model)
//	go srv.Serve(listener)     // or srv.Handler() in a server of your own
//	...
//	err = srv.Shutdown(ctx)    // drain: every stream in flight runs to its end
//
// Run wraps all of that for `infercost serve --preset lm`, printing the
// line "listening on http://HOST:PORT" once the server answers /health.
package lmserver
