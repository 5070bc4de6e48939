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

## demo: profile the built-in model server and print what serving it costs.
demo: build
	./$(BIN) demo

clean:
	rm -rf bin
