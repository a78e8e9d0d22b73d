# The pipeline: openapi/ (sources) -> generator/ -> provider/ (generated) -> test/.
# Everything a build needs comes from the Go module proxy; `go` is the only
# tool this Makefile expects on the machine.

GO ?= go
export GOFLAGS := -mod=readonly

.PHONY: run test generate check vet fmt-check bench sim fuzz deps engine-test

## run: the demo: the seed flow and an audit query on the embedded workspace simulator (no credentials needed)
run: deps
	@$(GO) run ./test/cmd/demo

## test: everything CI runs
test: check vet fmt-check
	$(GO) test -count=1 ./...
	$(GO) test -race -count=1 ./test/...

deps:
	@$(GO) mod download

## generate: regenerate provider/ from openapi/
generate: deps
	$(GO) run ./generator/cmd/generate

## check: regenerating must not change the tree (untracked files included)
check: generate
	@changes="$$(git status --porcelain)"; \
	if [ -n "$$changes" ]; then \
		echo "make check: the tree is not clean after make generate:"; echo "$$changes"; exit 1; \
	fi

vet: deps
	$(GO) vet ./...

fmt-check:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

## bench: speed and memory targets, printed as a table
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./generator/ ./test/... | $(GO) run ./test/cmd/benchtable

## sim: the workspace simulator as a process (prints address, CA file, tokens and ready-to-paste commands); SIMFLAGS='-workspace … -seed … -principal … -fault …' (see -h)
SIMFLAGS ?=
sim: deps
	$(GO) run ./test/sim/cmd/sim $(SIMFLAGS)

## engine-test: every docs example through the real engine (STACKQL=<stackql binary>) and the harness, compared
# Not part of test: it needs an engine binary, which this repository neither
# builds nor holds; without STACKQL it prints how to get one. A relative
# STACKQL path is made absolute, since go test runs in the package directory.
engine-test: deps
	STACKQL="$(if $(findstring /,$(STACKQL)),$(abspath $(STACKQL)),$(STACKQL))" $(GO) test -tags enginetest -count=1 -v ./test/enginetest/

## fuzz: each fuzz target for a bounded time (FUZZTIME=60s by default)
FUZZTIME ?= 60s
# Minimising is capped: the default (60s a find) stalls on spec-sized inputs.
# go test -fuzz takes one target per run, so the targets run one after another.
fuzz: deps
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 20x ./generator/
	$(GO) test -run '^$$' -fuzz '^FuzzRefs$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 20x ./generator/
	$(GO) test -run '^$$' -fuzz '^FuzzPrepare$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 20x ./test/harness/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeAgreesWithTheGeneralPath$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 20x ./test/harness/jsonrows/
