# The README documents two targets for a fresh machine: `make demo` and
# `make test`. Both find or start PostgreSQL themselves (see README.md).

GO      ?= go
BIN     := bin/stancewatch
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Development database: DATABASE_URL, else 127.0.0.1:5432, else .data/pg.
DEVDB   := $(GO) run ./internal/tools/devdb

.PHONY: all build test vet fmt-check demo bench stop-db clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/stancewatch

test: fmt-check vet
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

demo: build
	@set -e; \
	DATABASE_URL=$$($(DEVDB)); export DATABASE_URL; \
	echo "== database: $$(echo $$DATABASE_URL | sed -E 's#//([^:@/]*):[^@]*@#//\1:xxxxx@#')"; \
	./$(BIN) migrate

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

stop-db:
	$(DEVDB) -stop

clean:
	rm -rf bin
