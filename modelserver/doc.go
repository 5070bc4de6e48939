// Package modelserver is infercost's built-in reference endpoint: a real
// model behind the KServe v2 / Open Inference Protocol HTTP/JSON API, with a
// dynamic batcher, so that load tests measure real computation.
//
// The model is a multilayer perceptron trained by this package's own Go
// code (mini-batch Adam, fixed seed) on the UCI handwritten digits set,
// which is embedded in the binary; a fifth of the rows is held out to
// measure accuracy. Matrix products go through gonum's blas32 Sgemm (its
// assembly AXPY kernels outrun a plain Go loop; see BenchmarkMatMul). Two
// presets exist: "small" trains in about a second at start-up, "large"
// (about 17 M parameters) is heavy enough that batching pays and is
// cached on disk after its first training.
//
// Use:
//
//	p, _ := modelserver.LookupPreset("small")
//	model, err := modelserver.Load(ctx, p, modelserver.LoadOptions{})
//	srv, err := modelserver.New(modelserver.DefaultConfig(), model)
//	go srv.Serve(listener)     // or srv.Handler() in a server of your own
//	...
//	err = srv.Shutdown(ctx)    // drain: every accepted request is answered
//
// Run wraps all of that for `infercost serve`, printing the line
// "listening on http://HOST:PORT" once the server answers ready.
package modelserver
