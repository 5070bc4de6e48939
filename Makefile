# infercost: the two set-up commands are `make demo` and `make test`.
GO      ?= go
BIN     ?= bin/infercost
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/infercost/infercost/version.Version=$(VERSION)
PKGS    := ./...

.PHONY: all build test lint fmt-check vet bench fuzz demo clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/infercost

## test: the whole suite (gofmt check, go vet, go test -race). .ci/run calls this.
test: lint
	$(GO) test -race -count=1 $(PKGS)

lint: fmt-check vet

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

## bench: every benchmark (about 30 minutes; results are in the README).
## Timings on a shared machine are noisy: compare figures from one run.
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1s -count 5 ./modelserver/
	$(GO) test -run '^$$' -bench 'SamplerCost|SamplerTick' -benchtime 1x -count 5 ./profiler/
	$(GO) test -run '^$$' -bench 'ScrapeCost' -benchtime 1x -count 5 ./scrape/
	$(GO) test -run '^$$' -bench 'Parse|Read' -count 5 ./scrape/
	$(GO) test -run '^$$' -bench . -count 5 ./report/plot/
	$(GO) run ./bench/loadgen -trials 3
	$(GO) run ./bench/loadgen -only-million
	$(GO) run ./bench/sweep -infercost $(BIN) -preset large -slo p95=100ms -batch 1,8
	$(GO) run ./bench/streams
	$(GO) test -run '^$$' -bench . -benchtime 300x -count 5 ./lmserver/
	$(GO) run ./bench/lm -infercost $(BIN)
	$(GO) run ./bench/lm -infercost $(BIN) -preset lm-large -trials 5

## fuzz: run each fuzz target for FUZZTIME (default 30s); corpora are committed.
FUZZTIME ?= 30s
fuzz:
	@grep -rl --include='*_test.go' '^func Fuzz' . | while read f; do \
		pkg=./$$(dirname $${f#./}); \
		for fn in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/func //'); do \
			echo "fuzz $$pkg $$fn"; \
			$(GO) test $$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

## demo: profile the built-in model server and print what serving it costs.
demo: build
	./$(BIN) demo

clean:
	rm -rf bin
