# Nexus — build, run and test. `make help` lists the targets.

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/nexus
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# The commit date, not the build date, so that the same commit builds the same binary.
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
CHROMIUM ?= /usr/bin/chromium

.PHONY: help build run ui ui-deps test test-go test-race test-ui test-e2e check-dist lint bench chromium cc clean

help: ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/nexus (the web client in ui/dist is committed, so Go alone is enough)
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build ## build and start the server on ./data and http://127.0.0.1:8080
	./$(BIN) serve

ui-deps: ui/node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

ui: ui-deps ## rebuild the web client into ui/dist (commit the result)
	cd ui && npm run build

chromium: ## install Debian's chromium for the browser tests if it is missing
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing chromium (Debian package) for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; \
	fi

cc: ## install a C compiler (Debian's gcc) if it is missing: the race detector needs cgo
	@if ! command -v gcc >/dev/null 2>&1; then \
		echo "Installing gcc (Debian package) for the race detector"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gcc libc6-dev; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq gcc libc6-dev; fi; \
	fi

test: lint test-go test-race test-ui check-dist test-e2e ## install what the tests need and run every test
	@echo "All tests passed."

test-go: ## Go unit, store, API and CLI tests
	$(GO) test -count=1 -timeout 15m ./...

test-race: cc ## the concurrent parts (store group commit, realtime gateway and its API tests, chat, render caches) under the race detector
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 10m ./store/ ./app/realtime/ ./app/render/ ./app/chat/
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 10m -run 'Realtime|Chat|GroupCommit' ./app/api/

test-ui: ui-deps ## web client unit tests (Vitest)
	cd ui && npm test

check-dist: ui-deps ## fail when ui/dist is not what ui/src builds to
	@rm -rf dist-check
	cd ui && npx vite build --logLevel warn --outDir ../dist-check --emptyOutDir
	@if ! diff -r ui/dist dist-check >/dev/null; then \
		diff -rq ui/dist dist-check; rm -rf dist-check; \
		echo "ui/dist is stale: run 'make ui' and commit ui/dist"; exit 1; \
	fi
	@rm -rf dist-check
	@echo "ui/dist is up to date."

test-e2e: build ui-deps chromium ## browser end-to-end tests against the real binary
	cd ui && NEXUS_BIN="$(CURDIR)/$(BIN)" CHROMIUM_PATH="$(CHROMIUM)" npm run e2e

lint: ui-deps ## gofmt, go vet and the TypeScript type check
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './ui/node_modules/*')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd ui && npm run lint

bench: build ## Go benchmarks, the HTTP and the WebSocket load generators against the real binary
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./...
	$(GO) run ./bench/loadgen --bin ./$(BIN)
	$(GO) run ./bench/wsload --bin ./$(BIN)

clean: ## remove build outputs (never ./data)
	rm -rf bin dist-check
